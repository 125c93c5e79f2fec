"""A sheet with some bad rows: the errors and the good rows' preview side by side, nothing
imported; the done page sends new branches to the rosters of the rounds still running."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys.organisation import import_plan
from surveys.organisation.models import Branch, Unit
from tests.conftest import make_round
from tests.surveys.organisation.test_import import (
    ROWS,
    changed,
    import_file,
    state,
    upload,
    xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def office_client(office):
    """An office user in a client that enforces CSRF, as a browser would."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    return client


def test_bad_rows_show_errors_and_the_good_rows_preview_and_import_nothing(office_client):
    before = state()
    response = upload(office_client, xlsx(changed(1, "党员人数", "很多")))
    html = response.content.decode()
    assert response.status_code == 200
    assert "第3行" in html and "未导入任何数据" in html
    assert "只要所有行都正确才会导入" in html
    assert "再上传改好的文件即可" in html
    preview = html[html.index('id="valid-rows-preview"') :]
    # The good rows (sheet rows 2 and 4) are previewed; the bad one (row 3) is not.
    assert "县委办公室机关第一党支部" in preview and "县审计局机关党支部" in preview
    assert "县委办公室机关第二党支部" not in preview
    assert "新建党支部 2 个" in preview
    assert state() == before
    # Nothing is waiting to be committed: the preview page sends the office back.
    assert office_client.get(reverse("people_import_preview")).status_code == 302


def test_the_corrected_file_alone_imports_every_row(office_client):
    upload(office_client, xlsx(changed(1, "党员人数", "很多")))
    assert import_file(office_client, xlsx(ROWS)).status_code == 302
    assert Branch.objects.count() == 3


def test_a_sheet_with_only_bad_rows_shows_no_empty_preview(office_client):
    rows = [changed(i, "党员人数", "很多")[i] for i in range(len(ROWS))]
    html = upload(office_client, xlsx(rows)).content.decode()
    assert "未导入任何数据" in html
    assert 'id="valid-rows-preview"' not in html


@pytest.fixture
def rounds(questionnaire):
    """A running round and a scheduled one without the new branches, and an ended one."""
    unit = Unit.objects.create(code="U01", name="县委办公室")
    old = Branch.objects.create(unit=unit, code="U01B1", name="县委办公室机关第一党支部")
    now = timezone.now()
    day = dt.timedelta(days=1)
    return {
        "open": make_round(
            questionnaire, [old], opens_at=now - day, closes_at=now + 9 * day, name="进行中批次"
        ),
        "later": make_round(
            questionnaire, [], opens_at=now + day, closes_at=now + 9 * day, name="下月批次"
        ),
        "ended": make_round(
            questionnaire, [old], opens_at=now - 9 * day, closes_at=now - day, name="已结束批次"
        ),
    }


def test_done_page_links_new_branches_to_each_running_rounds_roster(office_client, rounds):
    assert import_file(office_client, xlsx(ROWS)).status_code == 302  # U01B1 exists: 2 new
    html = office_client.get(reverse("people_import_done")).content.decode()
    section = html[html.index('id="rosters-to-join"') :]
    for key in ("open", "later"):
        url = reverse("office_round", args=[rounds[key].pk]) + "#missing-branches"
        assert f'href="{url}"' in section
    assert "进行中批次（进行中）：本次新建的 2 个党支部中有 2 个不在名单中" in section
    assert "下月批次（未开始）" in section
    assert "已结束批次" not in section


def test_done_page_without_new_branches_links_no_round(office_client, rounds):
    import_file(office_client, xlsx(ROWS))
    office_client.get(reverse("people_import_done"))  # the passwords, shown once
    # Renaming a branch creates none: no roster to join.
    response = import_file(office_client, xlsx(changed(0, "党员人数", 30)))
    assert response.status_code == 302
    html = office_client.get(response.url).content.decode()
    assert "导入完成" in html and 'id="rosters-to-join"' not in html


def test_rounds_missing_counts_only_branches_not_on_the_roster(rounds, django_assert_num_queries):
    with django_assert_num_queries(1):
        missing = import_plan.rounds_missing(["U01B1", "NEW"], now=timezone.now())
    assert [(r.name, r.missing) for r in missing] == [("进行中批次", 1), ("下月批次", 2)]
    with django_assert_num_queries(0):
        assert import_plan.rounds_missing([], now=timezone.now()) == []
