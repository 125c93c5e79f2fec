"""The business page: the template, the checked upload with its preview, the confirmed
import, and the numbers beside the integration index (无数据 never counts as 0)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from reports import store
from reports.business import coupling, sheet
from reports.business.models import BusinessResult
from reports.models import UnitScore
from surveys.audit.models import AuditEvent
from tests.helpers import submit

pytestmark = pytest.mark.django_db


def workbook(rows, *, title=sheet.SHEET, header=None):
    book = Workbook()
    ws = book.active
    ws.title = title
    ws.append(header or [label for _, label in sheet.COLUMNS])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, round_, content, name="业务绩效.xlsx"):
    return client.post(
        reverse("business_upload", args=[round_.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


@pytest.fixture
def scored_round(client, open_round, questionnaire, secretary_a, secretary_b):
    submit(client, secretary_a, open_round, questionnaire, likert="5")
    submit(client, secretary_b, open_round, questionnaire, likert="3")
    return open_round


def test_every_fault_of_a_file_is_listed_by_row_and_nothing_is_imported(
    client, office, scored_round
):
    content = workbook(
        [
            ["U-A", "县水利局", 101, 100, None, None],  # above the full mark
            ["U-X", "", 80, None, None, None],  # unknown unit
            ["U-B", "县教育局", 80, None, None, None],  # name of another unit
            ["U-A", "", "八十", None, 1.5, None],  # duplicate, not a number, rank not whole
        ]
    )
    client.force_login(office)
    response = upload(client, scored_round, content)
    assert response.status_code == 200
    errors = response.context["errors"]
    assert errors == [
        "第 2 行：业务考核得分 101 超出 0 到 100 的范围。",
        "第 3 行：单位编码“U-X”在系统中不存在。",
        "第 4 行：单位名称“县教育局”与编码 U-B 的单位“县财政局”不一致。",
        "第 5 行：单位编码“U-A”与第 2 行重复。",
        "第 5 行：业务考核得分“八十”不是数字。",
        "第 5 行：名次应为正整数。",
    ]
    assert "未导入任何数据" in response.content.decode()
    assert not BusinessResult.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"not a workbook", "不是 Excel"),
        (workbook([["U-A", "", 80]], title="Sheet1"), "找不到工作表“业务绩效”"),
        (workbook([["U-A", 80]], header=["单位编码", "得分"]), "表头缺少列：业务考核得分"),
        (workbook([]), "表中没有数据行"),
    ],
)
def test_a_wrong_file_is_refused_in_chinese(client, office, scored_round, content, message):
    client.force_login(office)
    response = upload(client, scored_round, content)
    assert response.status_code == 200
    assert message in " ".join(response.context["errors"])
    assert not BusinessResult.objects.exists()


def test_upload_previews_then_confirm_replaces_the_rounds_results(
    client, office, scored_round, unit_a, unit_b
):
    BusinessResult.objects.create(round=scored_round, unit=unit_b, score=50)
    client.force_login(office)
    response = upload(client, scored_round, workbook([["U-A", "县水利局", 45, 50, 2, "良好"]]))
    assert response.status_code == 302
    page = client.get(reverse("business_page", args=[scored_round.pk]))
    pending = page.context["pending"]
    assert [row[1:] for row in pending["rows"]] == [["U-A", "县水利局", 45.0, 50.0, 2, "良好"]]
    assert "确认导入" in page.content.decode()
    # Nothing is written before the office confirms.
    assert list(BusinessResult.objects.values_list("unit_id", flat=True)) == [unit_b.pk]

    response = client.post(
        reverse("business_confirm", args=[scored_round.pk]), {"digest": pending["digest"]}
    )
    assert response.status_code == 302
    result = BusinessResult.objects.get()
    assert (result.unit, result.score, result.full_mark, result.rank, result.grade) == (
        unit_a,
        45.0,
        50.0,
        2,
        "良好",
    )
    assert result.percent == 90.0
    assert result.imported_by == office
    event = AuditEvent.objects.get(action="business_imported")
    assert (event.actor, event.round, event.detail) == (
        office,
        scored_round,
        {"file": "业务绩效.xlsx", "count": 1},
    )


def test_a_stale_confirmation_imports_nothing(client, office, scored_round):
    client.force_login(office)
    upload(client, scored_round, workbook([["U-A", "", 80]]))
    response = client.post(
        reverse("business_confirm", args=[scored_round.pk]), {"digest": "other"}, follow=True
    )
    assert "已失效" in response.content.decode()
    assert not BusinessResult.objects.exists()


def test_the_page_sets_each_unit_beside_its_business_score(
    client, office, scored_round, unit_a, unit_b
):
    BusinessResult.objects.create(round=scored_round, unit=unit_a, score=90)
    client.force_login(office)
    response = client.get(reverse("business_page", args=[scored_round.pk]))
    business = response.context["business"]
    rows = {row.name: row for row in business.rows}
    index_a = UnitScore.objects.get(round=scored_round, unit=unit_a).index
    a, b = rows["县水利局"], rows["县财政局"]
    assert a.business == 90.0
    assert a.degree == pytest.approx(coupling.coupling_degree(index_a / 100, 0.9))
    assert a.band == coupling.coupling_band(a.degree)
    # No business data: no D, no quadrant, not plotted, not in the correlation — never 0.
    assert (b.business, b.degree, b.band, b.quadrant) == (None, None, None, None)
    assert business.rho is None and business.rho_n == 1
    html = response.content.decode()
    assert "无数据" in html
    assert "单位不足 3 个" in html
    svg = client.get(reverse("business_chart", args=[scored_round.pk, "svg"])).content.decode()
    assert "<title>县水利局 党建" in svg
    assert svg.count('id="ronghe-quadrant-') == 1  # 县财政局 has no point: it has no data


def test_the_template_lists_every_active_unit(client, office, scored_round, unit_a, unit_b):
    client.force_login(office)
    response = client.get(reverse("business_template", args=[scored_round.pk]))
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book[sheet.SHEET].iter_rows(values_only=True))
    assert rows[0][:3] == ("单位编码", "单位名称", "业务考核得分")
    assert [r[:2] for r in rows[1:]] == [("U-A", "县水利局"), ("U-B", "县财政局")]


def test_clear_removes_the_rounds_results(client, office, scored_round, unit_a):
    BusinessResult.objects.create(round=scored_round, unit=unit_a, score=90)
    client.force_login(office)
    client.post(reverse("business_clear", args=[scored_round.pk]))
    assert not BusinessResult.objects.exists()


URLS = [
    ("business_page", "get", ()),
    ("business_template", "get", ()),
    ("business_chart", "get", ("svg",)),
    ("business_upload", "post", ()),
    ("business_confirm", "post", ()),
    ("business_cancel", "post", ()),
    ("business_clear", "post", ()),
]


@pytest.mark.parametrize("name, method, extra", URLS)
def test_only_the_office_reaches_the_business_pages(
    client, secretary_a, office, scored_round, unit_a, name, method, extra
):
    BusinessResult.objects.create(round=scored_round, unit=unit_a, score=90)
    url = reverse(name, args=[scored_round.pk, *extra])
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    client.force_login(secretary_a)
    assert getattr(client, method)(url).status_code == 403
    assert BusinessResult.objects.count() == 1
    client.force_login(office)
    assert getattr(client, method)(url).status_code in (200, 302)


def test_the_dashboard_shows_the_quadrant_once_business_results_are_in(
    client, office, scored_round, unit_a
):
    client.force_login(office)
    url = reverse("dashboard") + f"?round={scored_round.pk}"
    assert 'id="dashboard-business"' not in client.get(url).content.decode()
    BusinessResult.objects.create(round=scored_round, unit=unit_a, score=90)
    store.bump_version()
    html = client.get(url).content.decode()
    assert 'id="dashboard-business"' in html
    assert reverse("business_chart", args=[scored_round.pk, "svg"]) in html
    assert "无法计算" in html  # one unit with both numbers: no correlation
