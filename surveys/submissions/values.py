"""The one decoder and encoder of answer values: an Answer row keeps a value in one of its
typed columns (likert, flag, number, choice, text) or marks it 不适用; forms, scores, snapshots
and exports all read it through here.

Pure but for the models: the score recorder (reports/store.py) stands on it."""

from decimal import Decimal

from reports.scoring import NOT_APPLICABLE
from surveys.questionnaires.models import Question
from surveys.submissions.models import Answer

# The typed columns of an Answer, in the order decode() takes them (values_list order).
ANSWER_COLUMNS = ("likert", "flag", "number", "choice", "text", "not_applicable")


def decode(likert, flag, number, choice, text, not_applicable, *, for_json=False):
    """The value that an Answer's columns hold, in the shape the form and the scoring use
    (NOT_APPLICABLE for 不适用, None when unanswered); for_json gives plain JSON values."""
    if not_applicable:
        return "NA" if for_json else NOT_APPLICABLE
    if likert is not None:
        return likert
    if flag is not None:
        return flag
    if number is not None:
        return float(number) if for_json else number
    if choice:
        return choice
    if text:
        return text
    return None


def answer_value(answer, *, for_json=False):
    """The value an Answer row holds (see decode)."""
    return decode(*(getattr(answer, column) for column in ANSWER_COLUMNS), for_json=for_json)


def answers_as_json(submission) -> dict:
    """The answers keyed by question code, as plain JSON values (a snapshot's shape)."""
    result = {}
    for answer in submission.answers.select_related("question"):
        result[answer.question.code] = answer_value(answer, for_json=True)
    return result


def answer_row(submission, question, value):
    """The Answer row that holds `value` for `question` (the inverse of answer_value)."""
    row = Answer(submission=submission, question=question)
    if value is NOT_APPLICABLE:
        row.not_applicable = True
    elif value is None or value == "":
        pass
    elif question.kind == Question.Kind.LIKERT:
        row.likert = int(value)
    elif question.kind == Question.Kind.YES_NO:
        row.flag = bool(value)
    elif question.kind == Question.Kind.NUMBER:
        row.number = Decimal(value)
    elif question.kind == Question.Kind.CHOICE:
        row.choice = str(value)
    else:
        row.text = str(value)
    return row
