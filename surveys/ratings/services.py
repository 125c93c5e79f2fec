"""The writes of the rater feature: groups and settings for a round, issuing codes, and a
rater's submission. Every write is one function, atomic, with its permission check.

A submission marks its code used and writes the answers in one transaction, through a
conditional UPDATE … WHERE used = false: of two taps (or a replayed POST) with one code, only
the first updates a row, so only one response is ever written."""

import logging

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from reports.store import bump_version
from surveys.audit import events
from surveys.core.permissions import require_office
from surveys.organisation.models import Branch, Unit
from surveys.ratings import codes as code_text
from surveys.ratings.instrument import (
    InstrumentError,
    standard_questionnaire,
    write_rater_file,
)
from surveys.ratings.models import (
    Audience,
    RaterAnswer,
    RaterCode,
    RaterComment,
    RaterGroup,
    RaterItem,
    RaterResponse,
    RatingSettings,
)

logger = logging.getLogger("ronghe.ratings")

MAX_CODES = 500  # per issue: one sheet of slips the office can still print
MAX_COMMENT = 2000
# Every refusal of a code reads the same, so no answer tells whether a code exists.
CODE_REFUSED = (
    "评议码无效、已使用或不在评议时间内。请核对纸条上的评议码后重新输入；"
    "如仍有疑问，请联系发放评议码的同志。"
)
STRAIGHT_LINE_MIN = 5  # a sheet with at least this many scale answers, all the same


class RatingError(Exception):
    """A refused rater write; `message` is for the person who tried."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class CodeRefused(RatingError):
    def __init__(self):
        super().__init__(CODE_REFUSED)


def rating_settings_for(round_):
    settings, _ = RatingSettings.objects.get_or_create(round=round_)
    return settings


def rating_settings_set(*, actor, round_, min_raters, weights=None, gap_margin=None):
    """k, and optionally the composite's weights {"self", "members", "public"} (percent,
    summing to 100) and the 自评偏高 margin in points."""
    require_office(actor)
    if min_raters < 2:
        raise RatingError("最少评议人数不能少于 2 人。")
    if weights is not None and (
        sum(weights.values()) != 100 or min(weights.values()) < 0 or len(weights) != 3
    ):
        raise RatingError(f"三方权重之和必须为 100（现在是 {sum(weights.values())}）。")
    if gap_margin is not None and not 0 <= gap_margin <= 100:
        raise RatingError("自评偏高阈值应在 0 至 100 分之间。")
    with transaction.atomic():
        settings = rating_settings_for(round_)
        settings.min_raters = min_raters
        fields = ["min_raters"]
        if weights is not None:
            settings.weight_self = weights["self"]
            settings.weight_members = weights["members"]
            settings.weight_public = weights["public"]
            fields += ["weight_self", "weight_members", "weight_public"]
        if gap_margin is not None:
            settings.gap_margin = gap_margin
            fields.append("gap_margin")
        settings.save(update_fields=fields)
        bump_version()  # weights, margin and k change the numbers the cached pages show
    logger.info("rating settings: round %s min_raters=%s by %s", round_.pk, min_raters, actor.pk)
    return settings


def rater_groups_add(*, actor, round_, audience):
    """A group for every branch on the roster (党员评议) or every unit with a branch on it
    (群众评议) that has none yet; returns how many were added."""
    require_office(actor)
    if audience not in Audience.values:
        raise RatingError("请选择评议类型。")
    questionnaire = standard_questionnaire(audience)
    with transaction.atomic():
        rating_settings_for(round_)
        existing = RaterGroup.objects.filter(round=round_, audience=audience)
        if audience == Audience.MEMBERS:
            have = set(existing.values_list("branch_id", flat=True))
            targets = Branch.objects.filter(roster_entries__round=round_).exclude(pk__in=have)
            new = [
                RaterGroup(round=round_, audience=audience, branch=b, questionnaire=questionnaire)
                for b in targets
            ]
        else:
            have = set(existing.values_list("unit_id", flat=True))
            targets = (
                Unit.objects.filter(branches__roster_entries__round=round_)
                .exclude(pk__in=have)
                .distinct()
            )
            new = [
                RaterGroup(round=round_, audience=audience, unit=u, questionnaire=questionnaire)
                for u in targets
            ]
        RaterGroup.objects.bulk_create(new)
        bump_version()  # the dashboard's 自评与他评 card and the PDFs list the groups
        events.rater_groups_added(
            actor=actor, round_=round_, note=Audience(audience).label, count=len(new)
        )
    logger.info("rater groups: round %s %s +%d by %s", round_.pk, audience, len(new), actor.pk)
    return len(new)


def codes_issue(*, actor, group, count, now=None):
    """`count` new codes for the group, as text: the only time they exist in clear. The
    database keeps their keyed hashes."""
    require_office(actor)
    now = now or timezone.now()
    if not 1 <= count <= MAX_CODES:
        raise RatingError(f"每次可生成 1 至 {MAX_CODES} 个评议码。")
    if group.round.status_at(now) == group.round.Status.CLOSED:
        raise RatingError("该批次已结束，不能再发放评议码。")
    for _attempt in range(3):
        issued = [code_text.new_code() for _ in range(count)]
        try:
            with transaction.atomic():
                RaterCode.objects.bulk_create(
                    RaterCode(group=group, digest=code_text.digest(code)) for code in issued
                )
                events.rater_codes_issued(
                    actor=actor,
                    round_=group.round,
                    branch=group.branch,
                    name=str(group),
                    count=count,
                )
        except IntegrityError:  # a collision in 2^60: draw again
            continue
        logger.info("rater codes: group %s +%d by %s", group.pk, count, actor.pk)
        return issued
    raise RatingError("生成评议码失败，请重试。")


def _live_codes(now):
    return RaterCode.objects.filter(
        used=False, group__round__opens_at__lte=now, group__round__closes_at__gt=now
    )


def code_group(typed, *, now=None):
    """The group a live code belongs to, with its questionnaire; CodeRefused otherwise."""
    code = code_text.normalise(typed)
    if code is None:
        raise CodeRefused()
    row = (
        _live_codes(now or timezone.now())
        .select_related(
            "group__questionnaire", "group__branch__unit", "group__unit", "group__round"
        )
        .filter(digest=code_text.digest(code))
        .first()
    )
    if row is None:
        raise CodeRefused()
    return row.group


def is_straight_lined(values):
    return len(values) >= STRAIGHT_LINE_MIN and len(set(values)) == 1


def rating_submit(*, typed_code, answers, comment="", now=None):
    """Record one rater's sheet. `answers` maps each scale and satisfaction RaterItem id to a
    value (1–5; satisfaction 1–3) or None for 不了解; `comment` is the free text.

    Raises CodeRefused (unknown, used, expired or mistyped: one message) or RatingError."""
    now = now or timezone.now()
    code = code_text.normalise(typed_code)
    if code is None:
        raise CodeRefused()
    digest = code_text.digest(code)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise RatingError(f"意见建议请不超过 {MAX_COMMENT} 字。")
    with transaction.atomic():
        group_id = _live_codes(now).filter(digest=digest).values_list("group_id", flat=True).first()
        if group_id is None:
            raise CodeRefused()
        # The conditional update is the lock: a second request with the same code finds
        # used = true and updates nothing.
        if not RaterCode.objects.filter(digest=digest, used=False).update(used=True):
            raise CodeRefused()
        group = RaterGroup.objects.select_related("questionnaire").get(pk=group_id)
        items = {
            item.pk: item
            for item in RaterItem.objects.filter(questionnaire_id=group.questionnaire_id)
        }
        rows, scale_values = [], []
        response = RaterResponse(group=group)
        for item in items.values():
            if item.kind == RaterItem.Kind.TEXT:
                continue
            if item.pk not in answers:
                raise RatingError(f"请回答：{item.text}")
            value = answers[item.pk]
            top = 3 if item.kind == RaterItem.Kind.SATISFACTION else 5
            if value is not None and not (isinstance(value, int) and 1 <= value <= top):
                raise RatingError(f"答案不在选项范围内：{item.text}")
            rows.append(
                RaterAnswer(response=response, item=item, value=value, unknown=value is None)
            )
            if item.kind == RaterItem.Kind.SCALE and value is not None:
                scale_values.append(value)
        response.save()
        RaterAnswer.objects.bulk_create(rows)
        text_item = next((i for i in items.values() if i.kind == RaterItem.Kind.TEXT), None)
        if comment and text_item is not None:
            RaterComment.objects.create(group=group, item=text_item, text=comment)
        if is_straight_lined(scale_values):
            RaterGroup.objects.filter(pk=group.pk).update(straight_lined=F("straight_lined") + 1)


def rater_questionnaire_import(*, actor, data, filename="rater.yaml"):
    """A new rater questionnaire version from an uploaded .xlsx, .json or .yaml file (bytes);
    returns it. A used version number with other content is refused: raise the version."""
    require_office(actor)
    try:
        questionnaire, written = write_rater_file(filename, data)
    except InstrumentError as error:
        raise RatingError(str(error)) from None
    if not written:
        raise RatingError(f"{questionnaire} 已载入，内容相同，未作修改。")
    logger.info(
        "rater questionnaire %s v%s imported by %s",
        questionnaire.code,
        questionnaire.version,
        actor.pk,
    )
    return questionnaire
