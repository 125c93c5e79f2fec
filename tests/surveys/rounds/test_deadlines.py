"""A branch's own deadline (单独延期) only ever extends: whichever of it and the round's
deadline is later applies, in Python and in SQL, on every page and in every service that
reads it. Closing a round early says which extensions it ends."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from surveys.audit.models import AuditEvent
from surveys.organisation.models import Branch
from surveys.rounds import services as rounds_services
from surveys.rounds.models import Reminder, RosterEntry
from surveys.submissions import selectors as submissions_selectors
from surveys.submissions import services as submissions_services
from surveys.submissions.models import Submission
from tests.conftest import make_round
from tests.helpers import answer_post, values_for

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)  # 09:00 in Asia/Shanghai
ROUND_END = dt.datetime(2026, 12, 20, 10, 0, tzinfo=dt.UTC)
OWN_END = dt.datetime(2026, 12, 25, 10, 0, tzinfo=dt.UTC)  # 12-25 18:00
ROUND_EXTENDED = dt.datetime(2027, 1, 10, 10, 0, tzinfo=dt.UTC)  # 01-10 18:00


def local(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def round_(questionnaire, branch_a, branch_b):
    return make_round(questionnaire, [branch_a, branch_b], opens_at=T0, closes_at=ROUND_END)


def entry_of(round_, branch):
    return RosterEntry.objects.select_related("round").get(round=round_, branch=branch)


@pytest.fixture
def overtaken(client, office, round_, branch_a):
    """The audit's steps: branch A gets 12-25 of its own, then the round moves to 01-10."""
    with time_machine.travel(T0 + dt.timedelta(days=5), tick=False):
        client.force_login(office)
        url = reverse("round_extend", args=[round_.pk])
        client.post(url, {"closes_at": local(OWN_END), "reason": "汛期抢险", "branch": branch_a.pk})
        client.post(url, {"closes_at": local(ROUND_EXTENDED), "reason": "元旦顺延"})
    round_.refresh_from_db()
    assert round_.closes_at == ROUND_EXTENDED
    assert entry_of(round_, branch_a).closes_at_override == OWN_END
    return round_


def test_round_extension_past_a_branch_extension_applies_to_that_branch_too(
    overtaken, branch_a, branch_b
):
    entry = entry_of(overtaken, branch_a)
    assert entry.closes_at == ROUND_EXTENDED
    assert not entry.has_own_deadline and entry.override_superseded
    assert entry_of(overtaken, branch_b).closes_at == ROUND_EXTENDED
    with time_machine.travel(OWN_END + dt.timedelta(days=1), tick=False):
        assert entry.is_open()


def test_branch_extension_later_than_the_round_still_applies(round_, branch_a):
    RosterEntry.objects.filter(round=round_, branch=branch_a).update(closes_at_override=OWN_END)
    entry = entry_of(round_, branch_a)
    assert entry.closes_at == OWN_END and entry.has_own_deadline
    assert not entry.override_superseded


@pytest.mark.parametrize(
    "moment",
    [
        T0 - dt.timedelta(hours=1),  # not open yet
        T0 + dt.timedelta(days=1),  # open for everyone
        ROUND_END + dt.timedelta(hours=1),  # only the later own deadline still runs
        OWN_END + dt.timedelta(hours=1),  # closed for everyone
    ],
)
def test_sql_filter_agrees_with_is_open(questionnaire, branch_a, branch_b, unit_a, moment):
    branch_c = Branch.objects.create(unit=unit_a, code="U-A-3", name="县水利局第三党支部")
    round_ = make_round(
        questionnaire, [branch_a, branch_b, branch_c], opens_at=T0, closes_at=ROUND_END
    )
    RosterEntry.objects.filter(round=round_, branch=branch_a).update(closes_at_override=OWN_END)
    # An own deadline the round's has overtaken: must not shorten branch B's time.
    RosterEntry.objects.filter(round=round_, branch=branch_b).update(
        closes_at_override=T0 + dt.timedelta(days=2)
    )
    in_python = {
        e.branch_id
        for e in RosterEntry.objects.filter(round=round_).select_related("round")
        if e.is_open(moment)
    }
    in_sql = set(
        RosterEntry.objects.filter(round=round_).open_at(moment).values_list("branch_id", flat=True)
    )
    assert in_sql == in_python


def test_secretary_may_submit_until_the_later_round_deadline(
    overtaken, questionnaire, branch_a, secretary_a
):
    with time_machine.travel(OWN_END + dt.timedelta(days=1), tick=False):
        entry = entry_of(overtaken, branch_a)
        submissions_services.submission_save_draft(
            entry=entry, user=secretary_a, values=values_for(questionnaire, 3), version=0
        )
        result = submissions_services.submission_submit(
            entry=entry, user=secretary_a, values=values_for(questionnaire, 4), version=1
        )
    assert result.submission.status == Submission.Status.SUBMITTED


def test_questionnaire_page_takes_a_submit_after_the_overtaken_own_deadline(
    client, overtaken, questionnaire, secretary_a
):
    with time_machine.travel(OWN_END + dt.timedelta(days=1), tick=False):
        client.force_login(secretary_a)
        url = reverse("questionnaire", args=[overtaken.pk])
        assert "2027年1月10日" in client.get(url).content.decode()
        response = client.post(url, answer_post(questionnaire, version=0, action="submit"))
    assert response.status_code == 302
    assert Submission.objects.get().status == Submission.Status.SUBMITTED


def test_secretary_home_shows_the_round_deadline_without_an_extension_badge(
    client, overtaken, secretary_a
):
    with time_machine.travel(T0 + dt.timedelta(days=6), tick=False):
        client.force_login(secretary_a)
        html = client.get(reverse("home")).content.decode()
    assert "2027年1月10日 18:00 截止" in html
    assert "12月25日" not in html
    assert "已单独延期" not in html


def test_secretary_home_marks_an_extension_in_force(client, round_, branch_a, secretary_a):
    RosterEntry.objects.filter(round=round_, branch=branch_a).update(closes_at_override=OWN_END)
    with time_machine.travel(T0 + dt.timedelta(days=6), tick=False):
        client.force_login(secretary_a)
        html = client.get(reverse("home")).content.decode()
    assert "2026年12月25日 18:00 截止" in html and "已单独延期" in html


def test_round_page_says_an_overtaken_extension_no_longer_applies(
    client, office, overtaken, branch_a
):
    with time_machine.travel(T0 + dt.timedelta(days=6), tick=False):
        client.force_login(office)
        response = client.get(reverse("office_round", args=[overtaken.pk]))
    html = response.content.decode()
    roster = html[html.index('id="roster-table"') :]
    assert "原单独延期至 2026年12月25日 18:00，现按批次截止时间" in roster
    assert "已单独延期" not in roster
    assert "12月25日 18:00</td>" not in html  # no row shows the overtaken date as its deadline
    pending = html[html.index('id="pending-table"') : html.index('id="roster-table"')]
    assert "已延期" not in pending  # nor the not-submitted list's badge


def test_round_page_marks_an_extension_in_force(client, office, round_, branch_a):
    RosterEntry.objects.filter(round=round_, branch=branch_a).update(
        closes_at_override=OWN_END, override_reason="汛期抢险"
    )
    with time_machine.travel(T0 + dt.timedelta(days=6), tick=False):
        client.force_login(office)
        html = client.get(reverse("office_round", args=[round_.pk])).content.decode()
    roster = html[html.index('id="roster-table"') :]
    assert '<span class="badge text-bg-info" title="汛期抢险">已单独延期</span>' in roster
    assert "原单独延期至" not in roster


def test_branch_extension_must_be_later_than_the_deadline_in_force(
    client, office, overtaken, branch_a
):
    with time_machine.travel(T0 + dt.timedelta(days=6), tick=False):
        client.force_login(office)
        # 12-30 is later than the branch's old own deadline but earlier than the round's.
        response = client.post(
            reverse("round_extend", args=[overtaken.pk]),
            {
                "closes_at": local(OWN_END + dt.timedelta(days=5)),
                "reason": "再延",
                "branch": branch_a.pk,
            },
            follow=True,
        )
    assert "新的截止时间必须晚于该支部原截止时间" in response.content.decode()
    assert entry_of(overtaken, branch_a).closes_at_override == OWN_END


def test_reminder_and_its_banner_follow_a_running_own_deadline(
    client, office, round_, branch_a, branch_b, secretary_a, secretary_b
):
    """After the round's deadline, a branch with its own later deadline can still be
    reminded, and sees the reminder; a branch whose time is up is neither."""
    RosterEntry.objects.filter(round=round_, branch=branch_a).update(closes_at_override=OWN_END)
    with time_machine.travel(ROUND_END + dt.timedelta(days=1), tick=False):
        client.force_login(office)
        page = client.get(reverse("office_round", args=[round_.pk])).content.decode()
        assert 'id="remind-all"' in page
        response = client.post(
            reverse("reminders_start", args=[round_.pk]), {"all": "1"}, follow=True
        )
        assert "已向 1 个支部发出催报：" in response.content.decode()
        assert "县财政局机关党支部的填报时间已过，未催报" in response.content.decode()
        assert list(Reminder.objects.values_list("branch_id", flat=True)) == [branch_a.pk]
        assert "2026年12月25日 18:00 截止" in Reminder.objects.get().message

        client.force_login(secretary_a)
        assert "催报提醒" in client.get(reverse("home")).content.decode()

    with time_machine.travel(OWN_END + dt.timedelta(minutes=1), tick=False):
        # Her own deadline has passed: the home page shows the reminder no more.
        client.force_login(secretary_a)
        assert "催报提醒" not in client.get(reverse("home")).content.decode()
        client.force_login(office)
        response = client.post(
            reverse("reminders_start", args=[round_.pk]), {"all": "1"}, follow=True
        )
        assert "只能对进行中的批次催报" in response.content.decode()


def test_close_early_says_how_many_extensions_it_ends_and_records_them(
    client, office, round_, branch_a, branch_b, secretary_a
):
    RosterEntry.objects.filter(round=round_, branch=branch_a).update(
        closes_at_override=OWN_END, override_reason="汛期抢险"
    )
    # Overtaken by the round's own deadline: not an extension in force, not reported.
    RosterEntry.objects.filter(round=round_, branch=branch_b).update(
        closes_at_override=ROUND_END - dt.timedelta(days=1)
    )
    now = T0 + dt.timedelta(days=3)
    with time_machine.travel(now, tick=False):
        client.force_login(office)
        page = client.get(reverse("office_round", args=[round_.pk])).content.decode()
        assert "有 1 个支部单独延期到了更晚的时间，它们的单独延期也将一并取消" in page
        response = client.post(reverse("round_close", args=[round_.pk]), follow=True)
        assert "1 个支部的单独延期已一并取消" in response.content.decode()

        event = AuditEvent.objects.get(action=AuditEvent.Action.ROUND_CHANGED)
        assert "取消 1 个支部的单独延期" in event.detail["note"]
        assert "县水利局机关党支部（原至 2026年12月25日 18:00）" in event.detail["note"]
        assert "县财政局" not in event.detail["note"]
        assert event.detail["cancelled_extensions"] == [
            {"branch": branch_a.code, "closes_at": "2026-12-25T18:00+08:00"}
        ]
        log = client.get(reverse("audit_log")).content.decode()
        assert "取消 1 个支部的单独延期" in log

    # Both branches are closed now, the overtaken own deadline included.
    with time_machine.travel(now + dt.timedelta(hours=1), tick=False):
        for branch in (branch_a, branch_b):
            assert not entry_of(round_, branch).is_open()
        assert not RosterEntry.objects.filter(round=round_).open_at(timezone.now()).exists()


def test_close_early_without_extensions_keeps_the_plain_confirmation(client, office, round_):
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        client.force_login(office)
        page = client.get(reverse("office_round", args=[round_.pk])).content.decode()
        assert "单独延期到了更晚的时间" not in page
        result = rounds_services.round_close_now(user=office, round_=round_)
    assert result["cancelled"] == []
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROUND_CHANGED)
    assert event.detail["note"] == "提前结束"


def test_secretary_home_lists_open_rounds_by_deadline_then_scheduled_then_past(
    client, questionnaire, branch_a, secretary_a
):
    now = T0 + dt.timedelta(days=10)
    days = dt.timedelta(days=1)
    for name, opens_at, closes_at in (
        ("甲批次", T0, now + 20 * days),  # open, the later deadline
        ("乙批次", now + 3 * days, now + 30 * days),  # opens in three days
        ("丙批次", T0 + 2 * days, now + 5 * days),  # open, the sooner deadline
        ("丁批次", T0 - 40 * days, T0 - 10 * days),  # over
    ):
        make_round(questionnaire, [branch_a], name=name, opens_at=opens_at, closes_at=closes_at)
    with time_machine.travel(now, tick=False):
        client.force_login(secretary_a)
        html = client.get(reverse("home")).content.decode()
        current, past = submissions_selectors.tasks_for_branch(branch_a)
    assert [e.round.name for e in current] == ["丙批次", "甲批次", "乙批次"]
    assert [e.round.name for e in past] == ["丁批次"]
    positions = [html.index(name) for name in ("丙批次", "甲批次", "乙批次", "丁批次")]
    assert positions == sorted(positions)
