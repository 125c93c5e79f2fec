"""What the free-text pages read: a round's counted text answers, in one query."""

from dataclasses import dataclass

from reports.terms.groups import SLOT_LABELS
from surveys.questionnaires.models import Question
from surveys.submissions.models import Answer, Submission

# The three free-text items of every dimension, told apart by the word their text starts
# with (questions are data; the standard instrument words them 典型做法：…, 存在问题：…,
# 下一步举措：…).
_SLOT_WORDS = (("practice", "典型做法"), ("problem", "存在问题"), ("next", "下一步"))


def slot_of(question_text):
    """'practice', 'problem', 'next' or '' for a free-text question's wording."""
    head = question_text[:12]
    return next((slot for slot, word in _SLOT_WORDS if word in head), "")


@dataclass(frozen=True)
class TextAnswer:
    question_id: int
    question_code: str
    question_text: str
    dimension: str
    # see reports.terms.groups.SLOT_LABELS; '' for a text question that is none of the three
    slot: str
    unit: str
    branch: str
    main_cause: str  # the submission's main cause tag ('' when it has none)
    text: str

    @property
    def label(self):
        """ "学用结合·存在问题": the question as the page names it."""
        return f"{self.dimension}·{SLOT_LABELS.get(self.slot, self.question_code)}"


def round_text_answers(round_, unit=None) -> list[TextAnswer]:
    """Every non-blank free-text answer of the round's counted submissions (submitted, not
    excluded by the office: the same rule as the scores), of one unit if given, in
    questionnaire then branch order. One query."""
    answers = Answer.objects.all()
    if unit is not None:
        answers = answers.filter(submission__branch__unit=unit)
    rows = (
        answers.filter(
            submission__round=round_,
            submission__status=Submission.Status.SUBMITTED,
            submission__score__excluded=False,
            question__kind=Question.Kind.TEXT,
        )
        .exclude(text="")
        .order_by(
            "question__dimension__order",
            "question__order",
            "question_id",
            "submission__branch__code",
        )
        .values_list(
            "question_id",
            "question__code",
            "question__text",
            "question__dimension__name",
            "submission__branch__unit__name",
            "submission__branch__name",
            "submission__score__main_cause",
            "text",
        )
    )
    return [
        TextAnswer(
            question_id=qid,
            question_code=code,
            question_text=qtext,
            dimension=dimension,
            slot=slot_of(qtext),
            unit=unit,
            branch=branch,
            main_cause=cause or "",
            text=text,
        )
        for qid, code, qtext, dimension, unit, branch, cause, text in rows
        if text.strip()
    ]
