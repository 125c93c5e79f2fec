"""The office's writes on rounds: create and edit, rosters, deadlines and reminders (催报).

Each service checks that the user is office staff, runs in one transaction and writes the
audit record beside the change."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from reports.store import bump_version
from surveys.audit import events
from surveys.core.permissions import require_office
from surveys.core.text import local_minute
from surveys.organisation.models import Branch
from surveys.organisation.selectors import secretaries_by_branch
from surveys.questionnaires.models import Questionnaire
from surveys.rounds.models import Reminder, RosterEntry, Round
from surveys.rounds.selectors import branches_missing_from
from surveys.submissions.models import Submission

REMINDER_INTERVAL = dt.timedelta(hours=24)


class OfficeError(Exception):
    """A refused office action, with a message fit to show."""


def round_name_normalised(name) -> str:
    """A round's name as stored: outer spaces dropped, inner runs of spaces made one."""
    return " ".join(str(name).split())


def round_name_taken(name, *, exclude_pk=None) -> bool:
    """Whether another round already has this name, spaces collapsed and case ignored."""
    rounds = Round.objects.filter(name__iexact=round_name_normalised(name))
    if exclude_pk is not None:
        rounds = rounds.exclude(pk=exclude_pk)
    return rounds.exists()


def round_name_taken_message(name) -> str:
    name = round_name_normalised(name)
    return f"已有名为“{name}”的测评批次，请换一个名称（例如加上年份或季度）。"


def _check_name(name, *, exclude_pk=None) -> str:
    name = round_name_normalised(name)
    if not name:
        raise OfficeError("请填写批次名称。")
    if round_name_taken(name, exclude_pk=exclude_pk):
        raise OfficeError(round_name_taken_message(name))
    return name


def round_create(*, user, name, questionnaire, opens_at, closes_at, branches=None) -> Round:
    """A new round; the roster is every active branch unless branches are given."""
    require_office(user)
    if closes_at <= opens_at:
        raise OfficeError("截止时间必须晚于开始时间。")
    name = _check_name(name)
    with transaction.atomic():
        # Lock the version: an edit of it running now either finishes first or sees it frozen.
        questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        try:
            # A savepoint: a round of the same name saved a moment ago by another office
            # user trips the constraint, and that is said in Chinese, not as a 500.
            with transaction.atomic():
                round_ = Round.objects.create(
                    name=name, questionnaire=questionnaire, opens_at=opens_at, closes_at=closes_at
                )
        except IntegrityError:
            raise OfficeError(round_name_taken_message(name)) from None
        roster = list(branches) if branches is not None else Branch.objects.filter(is_active=True)
        RosterEntry.objects.bulk_create(RosterEntry(round=round_, branch=b) for b in roster)
        events.round_created(
            actor=user,
            round_=round_,
            questionnaire=str(questionnaire),
            opens_at=local_minute(opens_at),
            closes_at=local_minute(closes_at),
            roster=len(roster),
        )
    return round_


def round_update(*, user, round_, name, questionnaire, opens_at, closes_at, branches) -> Round:
    """Change a round that has not opened yet: everything, roster included."""
    require_office(user)
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        if round_.status != Round.Status.SCHEDULED:
            raise OfficeError("测评已经开始，不能再修改批次设置；如需延期，请使用“延长截止时间”。")
        if closes_at <= opens_at:
            raise OfficeError("截止时间必须晚于开始时间。")
        name = _check_name(name, exclude_pk=round_.pk)
        changes = {}
        for field, value in (
            ("name", name),
            ("questionnaire", questionnaire),
            ("opens_at", opens_at),
            ("closes_at", closes_at),
        ):
            if getattr(round_, field) != value:
                old = getattr(round_, field)
                changes[field] = [_show(old), _show(value)]
                setattr(round_, field, value)
        try:
            with transaction.atomic():
                round_.save()
        except IntegrityError:
            raise OfficeError(round_name_taken_message(name)) from None
        wanted = {b.pk for b in branches}
        current = set(round_.roster.values_list("branch_id", flat=True))
        RosterEntry.objects.filter(round=round_, branch_id__in=current - wanted).delete()
        RosterEntry.objects.bulk_create(
            RosterEntry(round=round_, branch_id=pk) for pk in wanted - current
        )
        if wanted != current:
            changes["roster"] = [len(current), len(wanted)]
        if changes:
            events.round_changed(actor=user, round_=round_, changes=changes)
    return round_


ROSTER_NAMES_NOTED = 20  # the audit note names this many added branches, then counts


def roster_add(*, user, round_, branch_ids=None) -> list[Branch]:
    """Put active branches that are not on the roster of a round that has not ended on
    it (all of them, or the chosen ones), e.g. branches imported after the round was made.
    They get the round's deadline.

    Returns the branches added. The round row is locked first, so a second request for
    the same branches (a double click) waits, finds them on the roster and adds none."""
    require_office(user)
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        if round_.status == Round.Status.CLOSED:
            raise OfficeError("本批次已经结束，不能再加入参评支部。")
        missing = branches_missing_from(round_)
        if branch_ids is not None:
            missing = missing.filter(pk__in=branch_ids)
        added = list(missing)
        if not added:
            return []
        before = RosterEntry.objects.filter(round=round_).count()
        RosterEntry.objects.bulk_create(RosterEntry(round=round_, branch=b) for b in added)
        names = "、".join(b.name for b in added[:ROSTER_NAMES_NOTED])
        if len(added) > ROSTER_NAMES_NOTED:
            names += f" 等 {len(added)} 个"
        events.round_changed(
            actor=user,
            round_=round_,
            branch=added[0] if len(added) == 1 else None,
            changes={"roster": [before, before + len(added)]},
            note=f"加入参评支部：{names}",
            added=[b.code for b in added],
        )
        bump_version()  # the dashboards count a round's roster
    return added


def _show(value):
    if isinstance(value, dt.datetime):
        return local_minute(value)
    return str(value)


def round_close_now(*, user, round_) -> dict:
    """End an open round now. Branch extensions (单独延期) end with it: the round's page
    says how many before the office confirms, and the audit entry lists them.

    Returns {"round": the round, "cancelled": branches whose own deadline was in force}."""
    require_office(user)
    now = timezone.now()
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        if round_.status_at(now) != Round.Status.OPEN:
            raise OfficeError("只有进行中的批次可以提前结束。")
        old = round_.closes_at
        # Every own deadline after the new end would keep the round open for its branch,
        # even one the old round deadline had overtaken: clear them all. Only those later
        # than the old deadline were extensions in force, and only they are reported.
        overrides = RosterEntry.objects.filter(round=round_, closes_at_override__gt=now)
        cancelled = list(
            overrides.filter(closes_at_override__gt=old)
            .select_related("branch")
            .order_by("branch__unit__order", "branch__unit__code", "branch__code")
        )
        overrides.update(closes_at_override=None)
        round_.closes_at = now
        round_.save(update_fields=["closes_at"])
        note = "提前结束"
        if cancelled:
            note += f"；同时取消 {len(cancelled)} 个支部的单独延期：" + "、".join(
                f"{e.branch.name}（原至 {local_minute(e.closes_at_override)}）" for e in cancelled
            )
        events.round_changed(
            actor=user,
            round_=round_,
            changes={"closes_at": [local_minute(old), local_minute(now)]},
            note=note,
            cancelled_extensions=[
                # Data, not shown: ISO, so it reads back as a datetime.
                {
                    "branch": e.branch.code,
                    "closes_at": timezone.localtime(e.closes_at_override).isoformat(
                        timespec="minutes"
                    ),
                }
                for e in cancelled
            ],
        )
    return {"round": round_, "cancelled": [e.branch for e in cancelled]}


def round_extend(*, user, round_, closes_at, reason) -> Round:
    """Move the deadline of the whole round later (also reopens a closed round)."""
    require_office(user)
    if not reason.strip():
        raise OfficeError("请填写延期原因。")
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        if closes_at <= max(round_.closes_at, timezone.now()):
            raise OfficeError("新的截止时间必须晚于原截止时间和当前时间。")
        old = round_.closes_at
        round_.closes_at = closes_at
        round_.save(update_fields=["closes_at"])
        events.round_changed(
            actor=user,
            round_=round_,
            changes={"closes_at": [local_minute(old), local_minute(closes_at)]},
            reason=reason,
        )
    return round_


def branch_extend(*, user, entry, closes_at, reason) -> RosterEntry:
    """A deadline of one branch's own, later than the round's."""
    require_office(user)
    if not reason.strip():
        raise OfficeError("请填写延期原因。")
    with transaction.atomic():
        entry = RosterEntry.objects.select_for_update().select_related("round").get(pk=entry.pk)
        if closes_at <= max(entry.closes_at, timezone.now()):
            raise OfficeError("新的截止时间必须晚于该支部原截止时间和当前时间。")
        old = entry.closes_at
        entry.closes_at_override = closes_at
        entry.override_reason = reason.strip()
        entry.save(update_fields=["closes_at_override", "override_reason"])
        events.round_changed(
            actor=user,
            round_=entry.round,
            branch=entry.branch,
            changes={"branch_closes_at": [local_minute(old), local_minute(closes_at)]},
            reason=reason.strip(),
        )
    return entry


def not_submitted(round_):
    """Roster entries whose branch has not submitted (drafts and returned ones included)."""
    submitted = Submission.objects.filter(round=round_, status=Submission.Status.SUBMITTED).values(
        "branch_id"
    )
    return (
        RosterEntry.objects.filter(round=round_)
        .exclude(branch_id__in=submitted)
        .select_related("round", "branch", "branch__unit")
        .order_by("branch__unit__order", "branch__unit__code", "branch__code")
    )


def reminders_check(*, user, round_, branch_ids=None, now=None):
    """Whether 催报 may be sent now, checked before it is handed to a background job (and
    again by reminders_send when the job runs): office staff, something chosen (None is
    every branch; an empty list is nothing ticked), a branch that can still submit."""
    require_office(user)
    if branch_ids is not None and not branch_ids:
        raise OfficeError("请先勾选要催报的支部，或使用“一键催报”。")
    if not RosterEntry.objects.filter(round=round_).open_at(now or timezone.now()).exists():
        raise OfficeError("只能对进行中的批次催报。")


def reminders_send(*, user, round_, branch_ids=None, progress=None) -> dict:
    """催报: remind branches that have not submitted (all, or the chosen ones).

    Only branches that can still submit are reminded: after the round's deadline, those
    with an extension of their own still running. A branch is reminded at most once per
    round in 24 hours; the rest are skipped and counted, so pressing the button twice
    sends nothing twice.

    Each branch is one transaction (its reminder row, then its e-mail): a failure half-way
    keeps the reminders already sent, recorded and mailed, and a retry skips them by the
    24-hour rule. The audit event names every branch reminded, even on such a failure.
    `progress(done, total)` is called after each branch."""
    now = timezone.now()
    reminders_check(user=user, round_=round_, branch_ids=branch_ids, now=now)
    entries = not_submitted(round_)
    if branch_ids is not None:
        entries = entries.filter(branch_id__in=branch_ids)
    entries = list(entries)
    closed = [e.branch for e in entries if not e.is_open(now)]
    entries = [e for e in entries if e.is_open(now)]
    secretaries = secretaries_by_branch([e.branch_id for e in entries])
    sent, recent = [], []
    if progress:
        progress(0, len(entries))
    try:
        for done, entry in enumerate(entries, start=1):
            if _reminder_send(
                user=user,
                entry=entry,
                secretary=secretaries.get(entry.branch_id),
                since=now - REMINDER_INTERVAL,
            ):
                sent.append(entry.branch)
            else:
                recent.append(entry.branch)
            if progress:
                progress(done, len(entries))
    finally:
        if sent:
            events.branches_reminded(
                actor=user,
                round_=round_,
                branches=[b.name for b in sent],
                skipped_recent=[b.name for b in recent],
            )
    return {
        "sent": sent,
        "by_email": [b for b in sent if b.reminded_by_email],  # mailed, and noticed in-app
        "in_app_only": [b for b in sent if not b.reminded_by_email],  # no e-mail on record
        "recent": recent,
        "closed": closed,
    }


def _reminder_send(*, user, entry, secretary, since) -> bool:
    """One branch's reminder, in its own transaction; False if it was reminded after `since`
    (checked under a lock on its roster row, so two sends at once remind it once)."""
    round_ = entry.round
    with transaction.atomic():
        RosterEntry.objects.select_for_update().get(pk=entry.pk)
        if Reminder.objects.filter(round=round_, branch=entry.branch, sent_at__gt=since).exists():
            return False
        message = (
            f"{entry.branch.name}：《{round_.name}》将于 {local_minute(entry.closes_at)} 截止，"
            "贵支部尚未提交答卷，请尽快登录“融合”测评系统填写并提交。"
        )
        reminder = Reminder.objects.create(
            round=round_,
            branch=entry.branch,
            sent_by=user,
            sent_at=timezone.now(),
            recipient=secretary,
            email=secretary.email if secretary else "",
            message=message,
        )
        if reminder.email:
            # Inside the branch's transaction: if sending fails, its reminder is not logged.
            send_mail(
                f"【催报】{round_.name}",
                message,
                settings.DEFAULT_FROM_EMAIL,
                [reminder.email],
            )
    entry.branch.reminded_by_email = bool(reminder.email)
    return True
