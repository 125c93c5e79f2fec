"""Accounts: the forced first password change, resets, deactivating and reactivating a
branch, handing a branch to a new secretary, and who may reach the people pages."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys.audit.models import AuditEvent
from surveys.organisation import services
from surveys.organisation.models import Branch, SecretaryAssignment, Unit, User
from surveys.rounds.services import round_create
from surveys.submissions.models import Submission
from tests.conftest import PASSWORD, make_round, make_user
from tests.helpers import csrf_token_from

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Xw7-ronghe-branch"


def browser():
    return Client(enforce_csrf_checks=True)


def log_in(client, username, password):
    page = client.get(reverse("login"))
    return client.post(
        reverse("login"),
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": csrf_token_from(page.content.decode()),
        },
    )


def post_form(client, url, data=None):
    """POST the way a browser does: token from the rendered page."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    token = csrf_token_from(page.content.decode())
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token})


@pytest.fixture
def office_client(office):
    client = browser()
    client.force_login(office)
    return client


@pytest.fixture
def new_secretary(branch_a):
    return make_user(
        "new_sec",
        role=User.Role.SECRETARY,
        branch=branch_a,
        last_name="新书记",
        must_change_password=True,
    )


@pytest.fixture
def past_submission(questionnaire, branch_a, branch_b):
    """A closed round that branch A answered, before any change of secretary."""
    now = timezone.now()
    round_ = make_round(
        questionnaire,
        [branch_a, branch_b],
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=30),
        name="2026年第一季度融合度测评",
    )
    return Submission.objects.create(
        round=round_,
        branch=branch_a,
        status=Submission.Status.SUBMITTED,
        submitted_at=now - dt.timedelta(days=40),
    )


# Forced password change ------------------------------------------------------------------


def test_new_secretary_must_change_password_before_anything_else(new_secretary, past_submission):
    client = browser()
    response = log_in(client, "new_sec", PASSWORD)
    change = reverse("password_change")
    assert client.get(response.url).url == change
    for url in [
        reverse("home"),
        reverse("submission_detail", args=[past_submission.pk]),
        reverse("branch_report", args=[past_submission.pk]),
        reverse("dashboard"),
        reverse("people"),
        reverse("office_home"),
        "/admin/",
    ]:
        response = client.get(url)
        assert (response.status_code, response.url) == (302, change), url
    assert client.post(reverse("home")).url == change
    assert client.get("/static/css/ronghe.css").status_code == 200

    page = client.get(change)
    assert "请先设置您自己的新密码" in page.content.decode()
    token = csrf_token_from(page.content.decode())
    wrong_old = client.post(
        change,
        {
            "old_password": "not-it",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )
    assert wrong_old.status_code == 200
    same = client.post(
        change,
        {
            "old_password": PASSWORD,
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )
    assert "新密码不能与当前密码相同" in same.content.decode()
    new_secretary.refresh_from_db()
    assert new_secretary.must_change_password and new_secretary.check_password(PASSWORD)

    done = client.post(
        change,
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )
    assert done.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200  # still logged in, no redirect
    new_secretary.refresh_from_db()
    assert not new_secretary.must_change_password
    assert new_secretary.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_CHANGED)
    assert (event.actor, event.branch) == (new_secretary, new_secretary.branch)


def test_a_forced_user_can_log_out(new_secretary):
    client = browser()
    log_in(client, "new_sec", PASSWORD)
    token = csrf_token_from(client.get(reverse("password_change")).content.decode())
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": token})
    assert response.url == reverse("login")
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_anyone_may_change_their_own_password(client, secretary_a):
    client.force_login(secretary_a)
    assert client.get(reverse("password_change")).status_code == 200
    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    secretary_a.refresh_from_db()
    assert secretary_a.check_password(NEW_PASSWORD)
    client.logout()
    assert client.get(reverse("password_change")).url.startswith(reverse("login"))


def test_generated_passwords_are_readable():
    passwords = {services.generate_password() for _ in range(200)}
    assert len(passwords) == 200
    for password in passwords:
        assert len(password) == 10
        assert not set(password) & set("0Oo1lIi")
        assert any(c.isdigit() for c in password) and any(c.isupper() for c in password)


def test_initial_passwords_are_rehashed_at_full_strength_on_first_login(settings, branch_a):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    (encoded,) = services.hash_initial_passwords(["Kx7mPq2RtZ"])
    assert encoded.startswith("pbkdf2_sha256$20000$")
    User.objects.create(
        username="fresh", password=encoded, role=User.Role.SECRETARY, branch=branch_a
    )
    assert Client().login(request=HttpRequest(), username="fresh", password="Kx7mPq2RtZ")
    upgraded = User.objects.get(username="fresh").password
    assert upgraded.startswith("pbkdf2_sha256$") and not upgraded.startswith("pbkdf2_sha256$20000$")


# Reset password ----------------------------------------------------------------------------


def test_office_resets_a_secretarys_password(office_client, office, secretary_a):
    url = reverse("people_password_reset", args=[secretary_a.pk])
    confirm = office_client.get(url)
    assert "确认重置" in confirm.content.decode()
    secretary_a.refresh_from_db()
    assert secretary_a.check_password(PASSWORD), "the confirmation page changes nothing"

    response = post_form(office_client, url)
    assert response.status_code == 302
    response = office_client.get(response.url)
    password = shown_password(response)
    assert response["Cache-Control"].startswith("max-age=0")
    secretary_a.refresh_from_db()
    assert secretary_a.check_password(password) and not secretary_a.check_password(PASSWORD)
    assert secretary_a.must_change_password
    event = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_RESET)
    assert (event.actor, event.branch) == (office, secretary_a.branch)
    assert password not in str(event.detail)

    client = browser()
    response = log_in(client, "sec_a", password)
    assert client.get(response.url).url == reverse("password_change")


def test_only_secretaries_passwords_are_reset(office_client, office):
    url = reverse("people_password_reset", args=[office.pk])
    assert office_client.get(url).status_code == 404


def shown_password(response):
    """The password on a result page (reached after the redirect that follows the POST)."""
    return response.content.decode().split('id="shown-password">', 1)[1].split("<", 1)[0]


# Deactivate a branch -----------------------------------------------------------------------


def test_deactivating_a_branch_stops_it_and_its_secretary(
    office_client, office, secretary_a, branch_a, branch_b, questionnaire
):
    SecretaryAssignment.objects.create(branch=branch_a, user=secretary_a)
    url = reverse("people_branch_deactivate", args=[branch_a.pk])
    confirm = office_client.get(url).content.decode()
    assert "确认停用" in confirm and "sec_a" in confirm
    assert Branch.objects.get(pk=branch_a.pk).is_active, "the confirmation page changes nothing"

    response = post_form(office_client, url)
    assert response.url == reverse("people")
    branch_a.refresh_from_db()
    secretary_a.refresh_from_db()
    assert not branch_a.is_active
    assert (secretary_a.is_active, secretary_a.role, secretary_a.branch) == (
        False,
        User.Role.SECRETARY,
        branch_a,
    )
    assert SecretaryAssignment.objects.get().ended_at is not None
    assert not browser().login(request=HttpRequest(), username="sec_a", password=PASSWORD)
    event = AuditEvent.objects.get(action=AuditEvent.Action.BRANCH_CHANGED)
    assert (event.actor, event.branch, event.detail["changes"]) == (
        office,
        branch_a,
        {"启用": ["是", "否"]},
    )

    new_round = round_create(
        user=office,
        name="停用之后的批次",
        questionnaire=questionnaire,
        opens_at=timezone.now(),
        closes_at=timezone.now() + dt.timedelta(days=7),
    )
    assert list(new_round.roster.values_list("branch", flat=True)) == [branch_b.pk]

    again = office_client.post(
        url,
        {
            "csrfmiddlewaretoken": csrf_token_from(
                office_client.get(reverse("people")).content.decode()
            )
        },
        follow=True,
    )
    assert "已经停用" in again.content.decode()


# Reactivate a branch -----------------------------------------------------------------------


@pytest.fixture
def stopped_branch(office, secretary_a, branch_a):
    """Branch A, deactivated through the office's own action, with its secretary."""
    SecretaryAssignment.objects.create(
        branch=branch_a, user=secretary_a, started_at=timezone.now() - dt.timedelta(days=30)
    )
    services.branch_deactivate(user=office, branch=branch_a)
    AuditEvent.objects.all().delete()
    return Branch.objects.get(pk=branch_a.pk)


def test_reactivating_a_branch_restores_it_and_its_former_secretary(
    office_client, office, secretary_a, stopped_branch, questionnaire
):
    url = reverse("people_branch_reactivate", args=[stopped_branch.pk])
    assert url in office_client.get(reverse("people")).content.decode()
    confirm = office_client.get(url).content.decode()
    assert "确认启用" in confirm and "sec_a" in confirm
    assert 'name="restore_secretary"' in confirm and "checked" in confirm
    assert not Branch.objects.get(pk=stopped_branch.pk).is_active, "the page changes nothing"

    response = post_form(office_client, url, {"restore_secretary": "1"})
    assert response.url == reverse("people")
    message = office_client.get(response.url).content.decode()
    assert "已重新启用“县水利局机关党支部”" in message and "sec_a" in message
    assert Branch.objects.get(pk=stopped_branch.pk).is_active
    secretary_a.refresh_from_db()
    assert (secretary_a.is_active, secretary_a.role, secretary_a.branch_id) == (
        True,
        User.Role.SECRETARY,
        stopped_branch.pk,
    )
    assert browser().login(request=HttpRequest(), username="sec_a", password=PASSWORD), (
        "the old password works"
    )
    current = SecretaryAssignment.objects.get(branch=stopped_branch, ended_at__isnull=True)
    assert current.user == secretary_a
    assert SecretaryAssignment.objects.filter(branch=stopped_branch).count() == 2
    event = AuditEvent.objects.get(action=AuditEvent.Action.BRANCH_CHANGED)
    assert (event.actor, event.branch, event.detail["changes"]) == (
        office,
        stopped_branch,
        {"启用": ["否", "是"]},
    )
    assert "sec_a" in event.detail["note"]

    new_round = round_create(
        user=office,
        name="重新启用之后的批次",
        questionnaire=questionnaire,
        opens_at=timezone.now(),
        closes_at=timezone.now() + dt.timedelta(days=7),
    )
    assert stopped_branch.pk in set(new_round.roster.values_list("branch", flat=True))


def test_reactivating_without_the_old_secretary_leaves_the_account_stopped(
    office_client, secretary_a, stopped_branch
):
    url = reverse("people_branch_reactivate", args=[stopped_branch.pk])
    response = post_form(office_client, url)  # the box unticked: no restore_secretary
    assert "更换书记" in office_client.get(response.url).content.decode()
    assert Branch.objects.get(pk=stopped_branch.pk).is_active
    assert not User.objects.get(pk=secretary_a.pk).is_active
    assert not browser().login(request=HttpRequest(), username="sec_a", password=PASSWORD)
    assert not SecretaryAssignment.objects.filter(ended_at__isnull=True).exists()
    assert "sec_a" not in AuditEvent.objects.get().detail["note"]

    # The office then appoints someone else, which retires the old account for good.
    post_form(
        office_client,
        reverse("people_branch_handover", args=[stopped_branch.pk]),
        {"mode": "new", "name": "陈晓东", "phone": "13700001111", "username": "chenxd"},
    )
    assert User.objects.get(username="chenxd").branch_id == stopped_branch.pk
    assert services.former_secretary(stopped_branch) is None


def test_former_secretary_is_the_one_who_left_last(office, secretary_a, stopped_branch):
    earlier = make_user("sec_old", role=User.Role.SECRETARY, branch=stopped_branch)
    User.objects.filter(pk=earlier.pk).update(is_active=False)
    SecretaryAssignment.objects.create(
        branch=stopped_branch,
        user=earlier,
        started_at=timezone.now() - dt.timedelta(days=400),
        ended_at=timezone.now() - dt.timedelta(days=300),
    )
    assert services.former_secretary(stopped_branch) == secretary_a
    _branch, restored = services.branch_reactivate(user=office, branch=stopped_branch)
    assert restored == secretary_a
    assert not User.objects.get(pk=earlier.pk).is_active


def test_reactivation_refuses_what_it_cannot_do(
    office_client, office, secretary_a, branch_b, stopped_branch
):
    with pytest.raises(PermissionDenied):
        services.branch_reactivate(user=secretary_a, branch=stopped_branch)
    with pytest.raises(services.AccountError, match="已经是启用状态"):
        services.branch_reactivate(user=office, branch=branch_b)

    Unit.objects.filter(pk=stopped_branch.unit_id).update(is_active=False)
    url = reverse("people_branch_reactivate", args=[stopped_branch.pk])
    assert "所属单位“县水利局”已停用" in office_client.get(url).content.decode()
    response = post_form(office_client, url, {"restore_secretary": "1"})
    assert "所属单位“县水利局”已停用" in office_client.get(response.url).content.decode()
    assert not Branch.objects.get(pk=stopped_branch.pk).is_active
    assert not User.objects.get(pk=secretary_a.pk).is_active
    assert not AuditEvent.objects.exists()

    active = reverse("people_branch_reactivate", args=[branch_b.pk])
    assert office_client.get(active).url == reverse("people")


# Hand a branch over ------------------------------------------------------------------------


def test_handover_to_a_new_account_keeps_the_branchs_history(
    office_client, office, secretary_a, branch_a, past_submission
):
    SecretaryAssignment.objects.create(branch=branch_a, user=secretary_a)
    detail = reverse("submission_detail", args=[past_submission.pk])
    old_session = Client()
    old_session.force_login(secretary_a)
    assert old_session.get(detail).status_code == 200

    url = reverse("people_branch_handover", args=[branch_a.pk])
    response = post_form(
        office_client,
        url,
        {"mode": "new", "name": "陈晓东", "phone": "13700001111", "username": "chenxd"},
    )
    response = office_client.get(response.url)
    assert "已更换支部书记" in response.content.decode()
    password = shown_password(response)

    secretary_a.refresh_from_db()
    assert (secretary_a.is_active, secretary_a.role, secretary_a.branch) == (False, "", None)
    new = User.objects.get(username="chenxd")
    assert (new.role, new.branch, new.phone, new.must_change_password) == (
        User.Role.SECRETARY,
        branch_a,
        "13700001111",
        True,
    )
    old_term, new_term = SecretaryAssignment.objects.order_by("started_at", "id")
    assert (old_term.user, old_term.ended_at is not None) == (secretary_a, True)
    assert (new_term.user, new_term.ended_at) == (new, None)
    event = AuditEvent.objects.get(action=AuditEvent.Action.SECRETARY_CHANGED)
    assert event.branch == branch_a and event.actor == office
    assert event.detail["changes"]["书记"] == ["王建国（sec_a）", "陈晓东（chenxd）"]

    # The old secretary is out: the open session ends and a new login fails.
    assert old_session.get(detail).url.startswith(reverse("login"))
    assert not browser().login(request=HttpRequest(), username="sec_a", password=PASSWORD)

    # The new one changes the initial password, then sees the branch's past round.
    client = browser()
    log_in(client, "chenxd", password)
    post_form(
        client,
        reverse("password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "2026年第一季度融合度测评" in client.get(reverse("home")).content.decode()
    assert client.get(detail).status_code == 200


def test_handover_to_an_existing_account(office_client, secretary_a, branch_a):
    former = make_user("former", last_name="周", first_name="平", is_active=False)
    response = post_form(
        office_client,
        reverse("people_branch_handover", args=[branch_a.pk]),
        {"mode": "existing", "existing": former.pk},
    )
    assert response.url == reverse("people")
    former.refresh_from_db()
    assert (former.is_active, former.role, former.branch) == (True, User.Role.SECRETARY, branch_a)
    assert former.check_password(PASSWORD), "an existing account keeps its password"
    assert not User.objects.get(pk=secretary_a.pk).is_active


@pytest.mark.parametrize(
    "data,message",
    [
        ({"mode": "new", "name": "", "username": "x1"}, "新建账号时须填写新书记的姓名"),
        ({"mode": "new", "name": "甲", "username": "sec_b"}, "登录账号“sec_b”已被使用"),
        ({"mode": "new", "name": "甲", "username": "a1", "phone": "123"}, "格式不正确"),
        ({"mode": "new", "name": "甲", "username": "王五"}, "只能由英文字母"),
        # Required as in the bulk import, where every row needs one.
        ({"mode": "new", "name": "甲", "username": "a1"}, "新建账号时须填写新书记的手机号"),
        ({"mode": "new", "name": "甲", "username": "a1", "phone": "  "}, "须填写新书记的手机号"),
        ({"mode": "existing"}, "请选择接任的账号"),
        ({"mode": "existing", "existing": "OFFICE"}, "选择一个有效的选项"),
    ],
)
def test_handover_form_refuses_bad_input(
    office_client, office, secretary_a, secretary_b, branch_a, data, message
):
    if data.get("existing") == "OFFICE":
        data = {**data, "existing": office.pk}
    response = post_form(office_client, reverse("people_branch_handover", args=[branch_a.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.get(pk=secretary_a.pk).is_active
    assert not AuditEvent.objects.exists()


def test_services_refuse_non_office_users(secretary_a, secretary_b, branch_b):
    with pytest.raises(PermissionDenied):
        services.password_reset(user=secretary_a, secretary=secretary_b)
    with pytest.raises(PermissionDenied, match="机关工委"):
        services.branch_deactivate(user=secretary_a, branch=branch_b)
    assert Branch.objects.get(pk=branch_b.pk).is_active


def test_a_new_secretary_account_needs_a_phone_number(office, secretary_b, branch_b):
    with pytest.raises(services.AccountError, match="手机号"):
        services.secretary_handover(user=office, branch=branch_b, name="甲", username="jia")
    assert User.objects.get(pk=secretary_b.pk).is_active
    assert not User.objects.filter(username="jia").exists()


# The people page and who reaches it --------------------------------------------------------


def test_people_page_lists_units_branches_and_secretaries(
    client, office, secretary_a, secretary_b, django_assert_num_queries
):
    secretary_a.phone = "13800001234"
    secretary_a.save()
    Branch.objects.filter(pk=secretary_b.branch_id).update(is_active=False)
    client.force_login(office)
    with django_assert_num_queries(6):  # the sixth: which accounts are locked out
        html = client.get(reverse("people")).content.decode()
    for text in [
        "县水利局",
        "县水利局机关党支部",
        "18",
        "王建国",
        "13800001234",
        "sec_a",
        "已停用",
    ]:
        assert text in html
    assert reverse("people_branch_handover", args=[secretary_a.branch_id]) in html
    assert reverse("people_branch_handover", args=[secretary_b.branch_id]) not in html
    assert reverse("people_branch_reactivate", args=[secretary_b.branch_id]) in html
    assert reverse("people_branch_reactivate", args=[secretary_a.branch_id]) not in html
    assert reverse("people_template") in html and reverse("people_import") in html
    assert "组织与账号" in client.get(reverse("office_home")).content.decode()


OFFICE_URLS = [
    ("people", "get"),
    ("people_template", "get"),
    ("people_export", "get"),
    ("people_import", "get"),
    ("people_import", "post"),
    ("people_import_preview", "get"),
    ("people_import_commit", "post"),
    ("people_import_cancel", "post"),
    ("people_import_done", "get"),
    ("people_import_passwords", "post"),
    ("people_password_reset", "get"),
    ("people_password_reset", "post"),
    ("people_password_reset_done", "get"),
    ("people_branch_deactivate", "get"),
    ("people_branch_deactivate", "post"),
    ("people_branch_reactivate", "get"),
    ("people_branch_reactivate", "post"),
    ("people_branch_handover", "get"),
    ("people_branch_handover", "post"),
    ("people_branch_handover_done", "get"),
]


def _url(name, secretary_b):
    if name.startswith("people_password_reset"):
        return reverse(name, args=[secretary_b.pk])
    if name.startswith("people_branch"):
        return reverse(name, args=[secretary_b.branch_id])
    return reverse(name)


@pytest.mark.parametrize("who", ["secretary", "anonymous"])
@pytest.mark.parametrize("name,method", OFFICE_URLS, ids=[f"{n}-{m}" for n, m in OFFICE_URLS])
def test_people_pages_are_office_only(client, who, name, method, secretary_a, secretary_b):
    if who == "secretary":
        client.force_login(secretary_a)
    response = getattr(client, method)(_url(name, secretary_b))
    if who == "secretary":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    secretary_b.refresh_from_db()
    assert secretary_b.is_active and secretary_b.check_password(PASSWORD)
    assert not AuditEvent.objects.exists()
