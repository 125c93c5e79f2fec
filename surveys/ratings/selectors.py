"""The reads of the rater pages: a round's groups with their progress, and a group's
results, shown only after the round closes and only with at least k raters."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from reports import scoring
from reports.models import SubmissionScore
from reports.reliability import MIN_RESPONDENTS, reliability_by_dimension
from surveys.organisation.models import Unit
from surveys.questionnaires.models import Dimension
from surveys.ratings.composite import composite, gap, rated_higher, weighted_mean
from surveys.ratings.models import (
    Audience,
    RaterAnswer,
    RaterComment,
    RaterGroup,
    RaterItem,
    RaterQuestionnaire,
    RatingSettings,
)
from surveys.submissions.models import Submission

SATISFIED = {3, 2}  # 满意, 基本满意
SATISFACTION_LABELS = {3: "满意", 2: "基本满意", 1: "不满意"}


def round_settings(round_):
    """The round's rater settings, or the defaults (unsaved) when the office set none."""
    return RatingSettings.objects.filter(round=round_).first() or RatingSettings(round=round_)


def round_min_raters(round_):
    return round_settings(round_).min_raters


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
    codes: dict = field(default_factory=dict)  # dimension name → code (shown results only)

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
    codes = {
        i.dimension_name: i.dimension_code for i in items.values() if i.kind == RaterItem.Kind.SCALE
    }
    return GroupResults("shown", n, issued, k, dimensions, rate, counts, comments, codes)


@dataclass
class SelfBeside:
    """A group's scores beside the self-assessment they rate: the branch's own sheet (党员评议)
    or the unit's mean over its branches (群众评议), self-assessed values (not 考评's)."""

    whose: str  # "本支部自评" or "本单位自评（各支部平均）"
    margin: float
    index: tuple  # (self, raters, gap, flagged)
    rows: list  # (dimension name, self, raters, gap, flagged)


def self_beside(group, results):
    """The gap self − this group per dimension and for the index, 自评偏高 past the round's
    margin; None unless the group's results are shown, or when there is no self-assessment."""
    if results.status != "shown":
        return None
    round_ = group.round
    if group.audience == Audience.MEMBERS:
        own = (
            SubmissionScore.objects.filter(
                round=round_,
                branch_id=group.branch_id,
                excluded=False,
                submission__status=Submission.Status.SUBMITTED,
            )
            .values_list("self_index", "self_dimensions")
            .first()
        )
        whose = "本支部自评"
    else:
        own = _self_assessed(round_).get(group.unit_id)
        whose = "本单位自评（各支部平均）"
    if own is None or own[0] is None:
        return None
    own_index, own_dimensions = own[0], own[1] or {}
    margin = round_settings(round_).gap_margin
    weights = dict(
        Dimension.objects.filter(questionnaire_id=round_.questionnaire_id).values_list(
            "code", "weight"
        )
    )
    codes = results.codes
    theirs = {codes[name]: score for name, score, _n in results.dimensions if name in codes}
    rows = []
    for name, score, _n in results.dimensions:
        mine = own_dimensions.get(codes.get(name))
        difference = gap(mine, score)
        rows.append((name, mine, score, difference, rated_higher(difference, margin)))
    their_index = weighted_mean(theirs, weights)
    index_gap = gap(own_index, their_index)
    index = (own_index, their_index, index_gap, rated_higher(index_gap, margin))
    return SelfBeside(whose=whose, margin=margin, index=index, rows=rows)


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


# Beside the self-assessment ---------------------------------------------------------------


@dataclass
class SourceScore:
    index: float | None
    dimensions: dict  # dimension code → score
    n: int = 0
    rate: float | None = None  # response rate, percent
    status: str = "shown"  # "shown", "too_few" (样本不足) or "none" (no group / no score)
    # 满意 + 基本满意 over the sheets that answered the satisfaction item (不了解 left out), as
    # on a group's page, pooled over the shown groups; None for the self-assessment.
    satisfaction_rate: float | None = None


@dataclass
class UnitComparison:
    unit: object
    self: SourceScore
    members: SourceScore
    public: SourceScore
    gaps: dict  # source → (index gap, {dimension code: gap}, [flagged dimension names])
    composite: float | None
    complete: bool


def _sheet_dimension_means(rows):
    """{dimension code: score} over sheets: each sheet's mean per dimension, then the mean of
    those (a sheet with only 不了解 in a dimension leaves it out)."""
    per = defaultdict(list)
    for dims in rows:
        for code, scores in dims.items():
            if scores:
                per[code].append(sum(scores) / len(scores))
    return {code: sum(v) / len(v) for code, v in per.items()}


def _self_assessed(round_):
    """{unit id: (index, {dimension code: score})}: the branches' own self-assessment, as the
    unit means are made (mean over the unit's counted submissions: submitted, not excluded).
    The self-assessed values, not the counted ones: after 考评 those are the office's, and the
    gap to the raters is about how a branch rates itself."""
    indices, dims = defaultdict(list), defaultdict(lambda: defaultdict(list))
    for unit_id, index, dimensions in SubmissionScore.objects.filter(
        round=round_, excluded=False, submission__status=Submission.Status.SUBMITTED
    ).values_list("unit_id", "self_index", "self_dimensions"):
        if index is not None:
            indices[unit_id].append(index)
        for code, score in (dimensions or {}).items():
            if score is not None:
                dims[unit_id][code].append(score)
    return {
        unit_id: (
            scoring.mean_or_none(values),
            {code: scoring.mean_or_none(v) for code, v in dims[unit_id].items()},
        )
        for unit_id, values in indices.items()
    }


def round_comparison(round_, *, now=None):
    """Per unit on the roster: self-assessment, 党员评议 (the unit's member groups with at least
    k sheets, pooled), 群众评议, the gaps and the composite; None before the round closes."""
    now = now or timezone.now()
    if round_.status_at(now) != round_.Status.CLOSED:
        return None
    settings = round_settings(round_)
    k = settings.min_raters
    weights = {
        "self": settings.weight_self,
        "members": settings.weight_members,
        "public": settings.weight_public,
    }
    dimensions = list(
        Dimension.objects.filter(questionnaire_id=round_.questionnaire_id).order_by("order", "id")
    )
    dim_weights = {d.code: d.weight for d in dimensions}
    names = {d.code: d.name for d in dimensions}
    units = list(
        Unit.objects.filter(branches__roster_entries__round=round_)
        .distinct()
        .order_by("order", "code")
    )
    self_scores = _self_assessed(round_)
    groups = list(
        RaterGroup.objects.filter(round=round_)
        .select_related("branch")
        .annotate(n=Count("responses", distinct=True), issued=Count("codes", distinct=True))
    )
    sheets = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))  # group → sheet → dim
    satisfaction = defaultdict(lambda: [0, 0])  # group → [满意 or 基本满意, answered]
    answers = RaterAnswer.objects.filter(
        response__group__round=round_,
        item__kind__in=(RaterItem.Kind.SCALE, RaterItem.Kind.SATISFACTION),
        unknown=False,
    ).values_list(
        "response__group_id",
        "response_id",
        "item__kind",
        "item__dimension_code",
        "item__reverse",
        "value",
    )
    for group_id, response_id, kind, code, reverse, value in answers:
        if kind == RaterItem.Kind.SATISFACTION:
            satisfaction[group_id][0] += value in SATISFIED
            satisfaction[group_id][1] += 1
            continue
        score = (5 - value) * 25.0 if reverse else (value - 1) * 25.0
        sheets[group_id][response_id][code].append(score)

    def source(rows_groups):
        shown = [g for g in rows_groups if g.n >= k]
        if not rows_groups:
            return SourceScore(None, {}, status="none")
        n = sum(g.n for g in shown)
        issued = sum(g.issued for g in shown)
        if not shown:
            return SourceScore(None, {}, n=0, status="too_few")
        rows = [dims for g in shown for dims in sheets[g.pk].values()]
        dims = _sheet_dimension_means(rows)
        rate = n / issued * 100 if issued else None
        satisfied = sum(satisfaction[g.pk][0] for g in shown)
        answered = sum(satisfaction[g.pk][1] for g in shown)
        return SourceScore(
            weighted_mean(dims, dim_weights),
            dims,
            n=n,
            rate=rate,
            satisfaction_rate=satisfied / answered * 100 if answered else None,
        )

    result = []
    for unit in units:
        own_index, own_dimensions = self_scores.get(unit.pk, (None, {}))
        self_source = (
            SourceScore(own_index, own_dimensions)
            if own_index is not None
            else SourceScore(None, {}, status="none")
        )
        members = source(
            [g for g in groups if g.audience == Audience.MEMBERS and g.branch.unit_id == unit.pk]
        )
        public = source(
            [g for g in groups if g.audience == Audience.PUBLIC and g.unit_id == unit.pk]
        )
        gaps = {}
        for key, other in (("members", members), ("public", public)):
            by_dim = {c: gap(self_source.dimensions.get(c), other.dimensions.get(c)) for c in names}
            flagged = [names[c] for c, g in by_dim.items() if rated_higher(g, settings.gap_margin)]
            gaps[key] = (gap(self_source.index, other.index), by_dim, flagged)
        value, complete = composite(
            {"self": self_source.index, "members": members.index, "public": public.index}, weights
        )
        result.append(UnitComparison(unit, self_source, members, public, gaps, value, complete))
    return result


SORTS = {
    "composite": ("综合指数", lambda r: r.composite),
    "self": ("自评", lambda r: r.self.index),
    "members": ("党员评议", lambda r: r.members.index),
    "public": ("群众评议", lambda r: r.public.index),
    "gap_members": ("自评−党员", lambda r: r.gaps["members"][0]),
    "gap_public": ("自评−群众", lambda r: r.gaps["public"][0]),
}


def ranked(rows, sort):
    """Rows highest first by one column (an unknown sort: the units' own order); units
    without that number last, in their own order."""
    if sort not in SORTS:
        return rows
    key = SORTS[sort][1]
    have = sorted((r for r in rows if key(r) is not None), key=key, reverse=True)
    return have + [r for r in rows if key(r) is None]


def comparison_table(rows, dimensions):
    """The comparison as a header and rows, once, for the page's download: per unit each
    source's index and n, the gaps, flags and the composite. `dimensions`: [(code, name)]."""
    header = ["单位", "自评", "党员评议", "党员评议人数", "群众评议", "群众评议人数"]
    header += [f"自评−党员·{name}" for _code, name in dimensions]
    header += [f"自评−群众·{name}" for _code, name in dimensions]
    header += ["自评−党员", "自评−群众", "自评偏高（党员）", "自评偏高（群众）", "综合指数", "折算"]

    def shown(source):
        return "样本不足" if source.status == "too_few" else source.index

    table = []
    for row in rows:
        line = [row.unit.name, shown(row.self), shown(row.members), row.members.n]
        line += [shown(row.public), row.public.n]
        for key in ("members", "public"):
            line += [row.gaps[key][1].get(code) for code, _name in dimensions]
        line += [row.gaps["members"][0], row.gaps["public"][0]]
        line += ["、".join(row.gaps["members"][2]), "、".join(row.gaps["public"][2])]
        line += [row.composite, "" if row.complete else "是"]
        table.append(line)
    return header, table
