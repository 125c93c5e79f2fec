"""The reads of the rater pages: a round's groups with their progress, and a group's
results, shown only after the round closes and only with at least k raters."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from reports.reliability import MIN_RESPONDENTS, reliability_by_dimension
from surveys.ratings.models import (
    RaterAnswer,
    RaterComment,
    RaterGroup,
    RaterItem,
    RaterQuestionnaire,
    RatingSettings,
)

SATISFIED = {3, 2}  # 满意, 基本满意
SATISFACTION_LABELS = {3: "满意", 2: "基本满意", 1: "不满意"}


def round_min_raters(round_):
    settings = RatingSettings.objects.filter(round=round_).first()
    return settings.min_raters if settings else RatingSettings._meta.get_field("min_raters").default


def groups_with_progress(round_):
    """The round's groups, each with `issued` and `used` codes (one query)."""
    return list(
        RaterGroup.objects.filter(round=round_)
        .select_related("branch__unit", "unit")
        .annotate(issued=Count("codes"), used_codes=Count("codes", filter=Q(codes__used=True)))
        .order_by("audience", "unit__order", "branch__unit__order", "branch__code", "unit__code")
    )


def group_for_office(group_id):
    return RaterGroup.objects.select_related("round", "branch__unit", "unit", "questionnaire").get(
        pk=group_id
    )


def item_score(item, value):
    """A five-point answer on 0–100, reverse items turned round."""
    return (5 - value) * 25.0 if item.reverse else (value - 1) * 25.0


@dataclass
class GroupResults:
    status: str  # "open" (round not closed), "too_few" (样本不足) or "shown"
    n: int
    issued: int
    min_raters: int
    dimensions: list = field(default_factory=list)  # (name, score, raters with an answer)
    satisfaction_rate: float | None = None
    satisfaction_counts: list = field(default_factory=list)
    comments: list = field(default_factory=list)

    @property
    def response_rate(self):
        return self.n / self.issued * 100 if self.issued else None


def group_results(group, *, now=None):
    """A group's results; numbers only when the round has closed and n ≥ k."""
    now = now or timezone.now()
    n = group.responses.count()
    issued = group.codes.count()
    k = round_min_raters(group.round)
    if group.round.status_at(now) != group.round.Status.CLOSED:
        return GroupResults("open", n, issued, k)
    if n < k:
        return GroupResults("too_few", n, issued, k)
    items = {i.pk: i for i in RaterItem.objects.filter(questionnaire_id=group.questionnaire_id)}
    per_response = defaultdict(lambda: defaultdict(list))
    satisfaction = defaultdict(int)
    answers = RaterAnswer.objects.filter(response__group=group, unknown=False).values_list(
        "response_id", "item_id", "value"
    )
    for response_id, item_id, value in answers:
        item = items[item_id]
        if item.kind == RaterItem.Kind.SATISFACTION:
            satisfaction[value] += 1
        else:
            per_response[item.dimension_name][response_id].append(item_score(item, value))
    dimensions = []
    seen = dict.fromkeys(i.dimension_name for i in items.values() if i.kind == RaterItem.Kind.SCALE)
    for name in seen:
        sheets = per_response.get(name, {})
        means = [sum(v) / len(v) for v in sheets.values() if v]
        dimensions.append((name, sum(means) / len(means) if means else None, len(means)))
    known = sum(satisfaction.values())
    rate = sum(satisfaction[v] for v in SATISFIED) / known * 100 if known else None
    counts = [(label, satisfaction[value]) for value, label in SATISFACTION_LABELS.items()]
    comments = list(RaterComment.objects.filter(group=group).values_list("text", flat=True))
    return GroupResults("shown", n, issued, k, dimensions, rate, counts, comments)


@dataclass
class QuestionnaireReliability:
    questionnaire: object
    n: int
    dimensions: list  # (dimension name, Reliability or None when there is too little data)
    items: dict  # item label → item text


def round_reliability(round_, *, now=None):
    """Cronbach's α per dimension of each rater questionnaire the round used, over all its
    groups' sheets (items scored 0–100, reverse items turned round, 不了解 missing, pairwise);
    only once the round has closed and with at least k sheets. One query for the answers."""
    now = now or timezone.now()
    if round_.status_at(now) != round_.Status.CLOSED:
        return []
    k = round_min_raters(round_)
    rows = defaultdict(dict)  # questionnaire id → response id → {item id: score or None}
    answers = RaterAnswer.objects.filter(
        response__group__round=round_, item__kind=RaterItem.Kind.SCALE
    ).values_list("response__group__questionnaire_id", "response_id", "item_id", "value")
    for questionnaire_id, response_id, item_id, value in answers:
        rows[questionnaire_id].setdefault(response_id, {})[item_id] = value
    result = []
    questionnaires = RaterQuestionnaire.objects.filter(pk__in=rows).prefetch_related("items")
    for questionnaire in questionnaires:
        sheets = rows[questionnaire.pk]
        if len(sheets) < max(k, MIN_RESPONDENTS):
            continue
        items = [i for i in questionnaire.items.all() if i.kind == RaterItem.Kind.SCALE]
        table = [
            [None if s.get(i.pk) is None else item_score(i, s[i.pk]) for i in items]
            for s in sheets.values()
        ]
        by_dimension = reliability_by_dimension(
            table, [i.dimension_name for i in items], labels=[i.code for i in items]
        )
        result.append(
            QuestionnaireReliability(
                questionnaire,
                len(sheets),
                list(by_dimension.items()),
                {i.code: i.text for i in items},
            )
        )
    return result


def rater_questionnaires():
    """Every rater questionnaire version with its item and group counts (one query)."""
    return list(
        RaterQuestionnaire.objects.annotate(
            item_count=Count("items", distinct=True), group_count=Count("groups", distinct=True)
        ).order_by("audience", "code", "-version")
    )
