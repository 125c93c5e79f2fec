"""`manage.py check --deploy` refuses a database whose active accounts still have the demo
password (seeded in demo mode, then served for real), and passes once they are reset."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.checks import ERROR, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from surveys.organisation import services
from surveys.organisation.models import User
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def demo_ids():
    return [
        issue.id
        for issue in run_checks(include_deployment_checks=True, databases=["default"])
        if issue.id == "ronghe.E001"
    ]


@pytest.fixture
def demo_seeded(secretary_a, secretary_b, office):
    """The demo seed's way: one shared hash of the demo password for every account."""
    shared = make_password(settings.RONGHE_DEMO_PASSWORD)
    User.objects.filter(pk__in=[secretary_a.pk, secretary_b.pk]).update(password=shared)
    return shared


def test_check_deploy_fails_while_accounts_have_the_demo_password(demo_seeded):
    with pytest.raises(SystemCheckError) as failure:
        call_command("check", "--deploy", "--fail-level", "ERROR")
    message = str(failure.value)
    assert "ronghe.E001" in message
    assert "2 个启用的账号仍在使用演示密码（sec_a、sec_b）" in message
    assert "重置密码" in message


def test_it_passes_after_the_passwords_are_reset(demo_seeded, secretary_a, secretary_b, office):
    for secretary in (secretary_a, secretary_b):
        services.password_reset(user=office, secretary=secretary)
    assert demo_ids() == []


def test_an_office_account_alone_with_the_demo_password_fails(office):
    office.set_password(settings.RONGHE_DEMO_PASSWORD)
    office.save()
    issues = [i for i in run_checks(include_deployment_checks=True) if i.id == "ronghe.E001"]
    assert len(issues) == 1 and issues[0].level == ERROR
    assert "office_user" in issues[0].msg


def test_deactivated_demo_accounts_and_other_shared_passwords_pass(demo_seeded, secretary_a):
    User.objects.filter(password=demo_seeded).update(is_active=False)
    shared = make_password("another-shared-password")
    make_user("sec_c")
    User.objects.filter(username__in=["sec_c", "office_user"]).update(password=shared)
    assert demo_ids() == []


def test_the_check_runs_only_with_deploy(demo_seeded):
    assert [i for i in run_checks() if i.id == "ronghe.E001"] == []
    call_command("check")  # no SystemCheckError: a demo run (make run) starts
