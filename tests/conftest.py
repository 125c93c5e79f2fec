"""Named people with defined access, shared by every test module.

- secretary_a: secretary of branch A (unit 县水利局)
- secretary_b: secretary of branch B (unit 县财政局)
- office: 机关工委 staff, reads everything, edits no answers
"""

import datetime as dt
import os
import shutil

import pytest
from django.core.cache import cache
from django.utils import timezone

from surveys.core import memo
from surveys.organisation.models import Branch, Unit, User
from surveys.questionnaires.instrument import load_questionnaire
from surveys.rounds.models import RosterEntry, Round

PASSWORD = "correct-horse-battery"
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts and ends with an empty cache. Pages and charts are cached per round
    and data version, and each test's database starts afresh: ids and version numbers come
    round again, so one test's cached page could otherwise answer another's request. The
    process-local memos (surveys/core/memo.py) likewise."""
    cache.clear()
    memo.clear_all()
    yield
    cache.clear()
    memo.clear_all()


@pytest.fixture
def questionnaire(db):
    questionnaire, _created = load_questionnaire()
    return questionnaire


@pytest.fixture
def unit_a(db):
    return Unit.objects.create(code="U-A", name="县水利局", order=1)


@pytest.fixture
def unit_b(db):
    return Unit.objects.create(code="U-B", name="县财政局", order=2)


@pytest.fixture
def branch_a(unit_a):
    return Branch.objects.create(
        unit=unit_a, code="U-A-1", name="县水利局机关党支部", member_count=18
    )


@pytest.fixture
def branch_b(unit_b):
    return Branch.objects.create(
        unit=unit_b, code="U-B-1", name="县财政局机关党支部", member_count=22
    )


def make_user(username, **fields):
    user = User(username=username, **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def secretary_a(branch_a):
    return make_user(
        "sec_a", role=User.Role.SECRETARY, branch=branch_a, last_name="王", first_name="建国"
    )


@pytest.fixture
def secretary_b(branch_b):
    return make_user(
        "sec_b", role=User.Role.SECRETARY, branch=branch_b, last_name="李", first_name="红梅"
    )


@pytest.fixture
def office(db):
    return make_user("office_user", role=User.Role.OFFICE, last_name="机关工委", first_name="")


def make_round(questionnaire, branches, *, opens_at, closes_at, name=None):
    if name is None:  # round names are unique: a second default round is numbered
        name, n = "2026年第二季度融合度测评", Round.objects.count()
        name = f"{name}（{n + 1}）" if n else name
    round_ = Round.objects.create(
        name=name, questionnaire=questionnaire, opens_at=opens_at, closes_at=closes_at
    )
    RosterEntry.objects.bulk_create(RosterEntry(round=round_, branch=b) for b in branches)
    return round_


@pytest.fixture
def open_round(questionnaire, branch_a, branch_b):
    now = timezone.now()
    return make_round(
        questionnaire,
        [branch_a, branch_b],
        opens_at=now - dt.timedelta(days=7),
        closes_at=now + dt.timedelta(days=14),
    )


@pytest.fixture
def client_a(client, secretary_a):
    client.force_login(secretary_a)
    return client


# --- browser tests (Playwright + Debian's Chromium) -------------------------------------

CHROMIUM = os.environ.get("RONGHE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desk_page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()
