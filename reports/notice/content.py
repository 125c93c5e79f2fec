"""What the Word 通报 says, gathered once: the dashboard's own Overview (reports.selectors),
the county's item means, the recommendations and the free-text quotes. Numbers are the
dashboard's and are put into words here with the dashboard's own formatting (two decimals,
whole percent), so the document and the page can never disagree."""

from dataclasses import dataclass, field

from reports import scoring, selectors
from reports.models import Recommendation
from reports.recommendations import recommended
from reports.store import item_spec
from reports.templatetags.ronghe_reports import score
from reports.terms.selectors import round_text_answers
from surveys.questionnaires.models import Question
from surveys.submissions.models import Answer, Submission
from surveys.submissions.values import decode
from surveys.templatetags.ronghe import percent

MAX_QUOTES = 8  # per kind of text: a 通报 quotes a few, the office adds or cuts in Word
TOP = 3


class NothingSubmitted(Exception):
    """The round has no counted submission: there is nothing to report on."""

    message = "该批次还没有已提交并计入统计的答卷，暂时无法生成通报。"


@dataclass
class NoticeContent:
    overview: selectors.Overview
    completion: str  # "47 / 50（94%）", as the dashboard's progress shows it
    scored_units: list  # UnitRow with an index, ranked
    strongest: list  # up to TOP UnitRow
    weakest: list  # up to TOP UnitRow, lowest first
    items: list  # [(question, county mean)] scored items with a mean, questionnaire order
    strong_items: list
    weak_items: list
    recommendations: list
    practices: list = field(default_factory=list)  # [(branch, text)]
    problems: list = field(default_factory=list)


def county_item_means(round_):
    """Each scored question's county mean: the mean over units of the unit means the unit
    page shows (reports.selectors.unit_report's items), like every county number. Two
    queries whatever the number of units."""
    questions = [
        q
        for q in Question.objects.filter(questionnaire=round_.questionnaire_id)
        .select_related("dimension")
        .order_by("dimension__order", "order", "id")
        if q.kind != Question.Kind.TEXT
    ]
    specs = {q.id: item_spec(q, dimension_code=q.dimension.code) for q in questions}
    per_unit = {}
    for unit_id, qid, likert, flag, number, choice, na in Answer.objects.filter(
        submission__round=round_,
        submission__status=Submission.Status.SUBMITTED,
        submission__score__excluded=False,
        question_id__in=specs,
    ).values_list(
        "submission__branch__unit_id",
        "question_id",
        "likert",
        "flag",
        "number",
        "choice",
        "not_applicable",
    ):
        value = scoring.item_score(specs[qid], decode(likert, flag, number, choice, None, na))
        if value is not None:
            per_unit.setdefault(qid, {}).setdefault(unit_id, []).append(value)
    return [
        (
            q,
            scoring.county_score(scoring.mean_or_none(v) for v in per_unit.get(q.id, {}).values()),
        )
        for q in questions
    ]


def notice_content(round_) -> NoticeContent:
    overview = selectors.round_overview(round_)
    scored = [u for u in overview.units if u.index is not None]
    if not scored:
        raise NothingSubmitted(NothingSubmitted.message)
    items = [(q, m) for q, m in county_item_means(round_) if m is not None]
    by_score = sorted(items, key=lambda p: -p[1])
    # With few units the top and the bottom split them: two units are one of each.
    n = min(TOP, max(1, len(scored) // 2))
    strongest = scored[:n]
    weakest = [u for u in reversed(scored[-n:]) if u not in strongest]
    texts = round_text_answers(round_)
    return NoticeContent(
        overview=overview,
        completion=completion(overview),
        scored_units=scored,
        strongest=strongest,
        weakest=weakest,
        items=items,
        strong_items=by_score[:TOP],
        weak_items=[p for p in reversed(by_score[-TOP:]) if p not in by_score[:TOP]],
        # (an item list is a questionnaire's: always more than twice TOP scored items)
        recommendations=recommended(
            list(Recommendation.objects.all()),
            dimension_scores=overview.county_dimensions,
            main_cause=overview.county_main_cause,
            threshold=selectors.good_enough_threshold(overview.bands),
        ),
        practices=[(a.branch, a.text) for a in texts if a.slot == "practice"][:MAX_QUOTES],
        problems=[(a.branch, a.text) for a in texts if a.slot == "problem"][:MAX_QUOTES],
    )


def completion(overview):
    done, total = overview.submitted_count, overview.roster_count
    return f"{done} / {total}（{percent(done, total)}%）"


def number(value):
    """A score as the dashboard shows it."""
    return score(value)
