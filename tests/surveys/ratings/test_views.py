"""The rater pages through the test client: the office's pages, slips shown once with QR
codes, the public form (no login, kept input, one refusal message), rate limiting, and the
access matrix for every new URL."""

import logging
import re

import pytest
import time_machine
from django.urls import reverse

from surveys.audit.models import AuditEvent
from surveys.ratings import codes, throttle
from surveys.ratings.models import RaterCode, RaterGroup, RaterResponse
from surveys.ratings.services import CODE_REFUSED, rating_submit
from tests.surveys.ratings.conftest import form_post, sheet

pytestmark = pytest.mark.django_db


def test_office_adds_groups_and_sees_progress(
    client, office, open_round, django_assert_num_queries
):
    client.force_login(office)
    url = reverse("ratings_round", args=[open_round.pk])
    client.post(reverse("ratings_groups_add", args=[open_round.pk]), {"audience": "members"})
    client.post(reverse("ratings_groups_add", args=[open_round.pk]), {"audience": "public"})
    assert RaterGroup.objects.count() == 4
    client.get(url)
    with django_assert_num_queries(5):  # session, user, round, settings, groups with counts
        page = client.get(url).content.decode()
    assert "党员评议" in page and "群众评议" in page
    # default count: the branch's member count (18 for branch A)
    assert 'value="18"' in page and 'value="22"' in page


def test_issue_shows_codes_once_as_slips_with_qr(client, office, group_a):
    client.force_login(office)
    response = client.post(reverse("ratings_codes_issue", args=[group_a.pk]), {"count": "3"})
    assert response.status_code == 302 and response.url == reverse("ratings_slips")
    page = client.get(reverse("ratings_slips")).content.decode()
    shown = re.findall(r"data-code>([0-9A-Z-]+)<", page)
    assert len(shown) == 3 and page.count("<svg") == 3
    assert all(
        RaterCode.objects.filter(digest=codes.digest(codes.normalise(c))).exists() for c in shown
    )
    assert reverse("rater_form", args=[codes.normalise(shown[0])]) in page
    assert 'style="' not in page
    again = client.get(reverse("ratings_slips")).content.decode()
    assert "不再显示" in again and shown[0] not in again
    # the session row in the database never holds a code in clear
    from django.contrib.sessions.models import Session

    for session in Session.objects.all():
        assert codes.normalise(shown[0]) not in str(session.get_decoded())
    # The office's issue is in the audit log: how many, to which group — never the codes.
    event = AuditEvent.objects.get(action="rater_codes_issued")
    assert (event.actor, event.detail["count"]) == (office, 3)
    assert all(codes.normalise(c) not in str(event.detail) for c in shown)


def test_issue_form_errors_in_chinese(client, office, group_a):
    client.force_login(office)
    response = client.post(
        reverse("ratings_codes_issue", args=[group_a.pk]), {"count": "abc"}, follow=True
    )
    assert "请填写整数" in response.content.decode()
    response = client.post(
        reverse("ratings_codes_issue", args=[group_a.pk]), {"count": "9999"}, follow=True
    )
    assert "最多生成 500" in response.content.decode()
    assert not RaterCode.objects.exists()


def test_rater_fills_in_and_is_refused_the_second_time(client, group_a, issue):
    [code] = issue(group_a)
    url = reverse("rater_form", args=[code])
    page = client.get(url)
    assert page.status_code == 200 and "党员评议问卷" in page.content.decode()
    response = client.post(url, form_post(group_a, comment="多联系群众"))
    assert response.status_code == 302 and response.url == reverse("rater_done")
    assert RaterResponse.objects.count() == 1
    again = client.get(url).content.decode()
    assert CODE_REFUSED in again and "党员评议问卷" not in again
    replay = client.post(url, form_post(group_a))
    assert CODE_REFUSED in replay.content.decode()
    assert RaterResponse.objects.count() == 1


def test_a_failed_validation_keeps_what_was_typed(client, group_a, issue):
    [code] = issue(group_a)
    url = reverse("rater_form", args=[code])
    data = form_post(group_a, "2", comment="食堂饭菜太咸", skip={"M05"})
    page = client.post(url, data).content.decode()
    assert "请选择一项" in page and "食堂饭菜太咸" in page
    assert (
        page.count('value="2" id="') and page.count("checked") == len(data) - 1
    )  # all but the comment
    assert not RaterCode.objects.get().used


def test_typed_code_leads_to_the_form(client, group_a, issue):
    [code] = issue(group_a)
    response = client.post(reverse("rater_start"), {"code": codes.display(code).lower()})
    assert response.status_code == 302 and response.url == reverse("rater_form", args=[code])


@pytest.mark.parametrize("typed", ["", "123", "ZZZZ-ZZZZ-ZZZZ", "<script>"])
def test_bad_codes_get_one_message(client, group_a, typed):
    page = client.post(reverse("rater_start"), {"code": typed}).content.decode()
    if typed:
        assert CODE_REFUSED in page
        assert typed.replace("<", "&lt;").replace(">", "&gt;") in page
    else:
        assert "请输入纸条上的评议码" in page


def test_used_and_unknown_codes_read_alike(client, group_a, issue):
    used, _fresh = issue(group_a, 2)
    rating_submit(typed_code=used, answers=sheet(group_a))
    a = client.get(reverse("rater_form", args=[used])).content.decode()
    b = client.get(reverse("rater_form", args=[codes.new_code()])).content.decode()

    def strip(html):  # the typed value and the form's token differ, nothing else may
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|value="[0-9A-Z]+"', "", html)

    assert strip(a) == strip(b)
    with time_machine.travel(group_a.round.closes_at, tick=False):
        expired = client.get(reverse("rater_form", args=[_fresh])).content.decode()
    assert strip(expired) == strip(b)


def test_brute_force_is_slowed_and_logged(client, group_a, issue, caplog):
    [good] = issue(group_a)
    with caplog.at_level(logging.WARNING, logger="ronghe.ratings"):
        for _ in range(throttle.LIMIT):
            client.post(reverse("rater_start"), {"code": codes.new_code()})
    assert any(
        "blocked" in r.getMessage() and "127.0.0.1" in r.getMessage() for r in caplog.records
    )
    # now even a good code from that client is refused, with its own Chinese message
    page = client.get(reverse("rater_form", args=[good])).content.decode()
    assert throttle.BLOCKED in page and "党员评议问卷" not in page
    other = client.get(reverse("rater_form", args=[good]), REMOTE_ADDR="10.0.0.9")
    assert "党员评议问卷" in other.content.decode()


def test_the_limit_lifts_after_the_window(client, group_a, issue):
    [good] = issue(group_a)
    with time_machine.travel("2026-06-15 10:00:00+00:00", tick=False) as traveller:
        for _ in range(throttle.LIMIT):
            client.post(reverse("rater_start"), {"code": codes.new_code()})
        assert throttle.is_blocked("127.0.0.1")
        traveller.shift(throttle.WINDOW + 1)
        assert not throttle.is_blocked("127.0.0.1")


def test_rater_form_queries(client, group_a, issue, django_assert_num_queries):
    [code] = issue(group_a)
    with django_assert_num_queries(2):  # the code with its group, the items
        assert client.get(reverse("rater_form", args=[code])).status_code == 200


# Access matrix ---------------------------------------------------------------------------

OFFICE_URLS = [
    "ratings_round",
    "ratings_group",
    "ratings_slips",
    "ratings_compare",
    "ratings_compare_xlsx",
    "ratings_questionnaires",
]
OFFICE_POSTS = ["ratings_groups_add", "ratings_settings", "ratings_codes_issue"]


def _url(name, round_, group):
    round_names = ("ratings_compare", "ratings_compare_xlsx")
    if name in ("ratings_round", "ratings_groups_add", "ratings_settings", *round_names):
        return reverse(name, args=[round_.pk])
    if name in ("ratings_group", "ratings_codes_issue"):
        return reverse(name, args=[group.pk])
    return reverse(name)


@pytest.mark.parametrize("who", ["secretary", "office", "anon"])
@pytest.mark.parametrize("name", OFFICE_URLS + OFFICE_POSTS)
def test_office_pages_access(client, who, name, secretary_a, office, open_round, group_a):
    if who != "anon":
        client.force_login(secretary_a if who == "secretary" else office)
    url = _url(name, open_round, group_a)
    post = name in OFFICE_POSTS
    response = (
        client.post(url, {"audience": "members", "min_raters": "5", "count": "1"})
        if post
        else client.get(url)
    )
    redirects = post or name == "ratings_compare_xlsx"  # before close: back to the page
    expected = {"secretary": 403, "anon": 302, "office": 302 if redirects else 200}[who]
    assert response.status_code == expected
    if who == "anon":
        assert response.url.startswith(reverse("login"))
    if who != "office":
        assert not RaterCode.objects.exists()


@pytest.mark.parametrize("who", ["secretary", "office", "anon"])
@pytest.mark.parametrize("name", ["rater_start", "rater_done"])
def test_public_pages_need_no_login(client, who, name, secretary_a, office):
    if who != "anon":
        client.force_login(secretary_a if who == "secretary" else office)
    assert client.get(reverse(name)).status_code == 200


def test_unknown_group_and_round_are_404(client, office):
    client.force_login(office)
    assert client.get(reverse("ratings_round", args=[999])).status_code == 404
    assert client.get(reverse("ratings_group", args=[999])).status_code == 404
