"""The people pages in Chromium: the import preview reads on a phone."""

import io

import openpyxl
import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def one_line(locator):
    """Whether an element's text is laid out on a single line."""
    return locator.evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size === 1; }"
    )


def sheet(rows):
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = "组织与账号"
    worksheet.append(
        "单位编码 单位名称 支部编码 支部名称 党员人数 书记姓名 手机号 登录账号".split()
    )
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def preview_import(page, live_server, office):
    unit = "县人力资源和社会保障局"
    rows = [
        [
            f"U0{i}",
            unit,
            f"U0{i}B1",
            f"{unit}机关第{i}党支部",
            20,
            "欧阳晓明",
            f"138{i:08d}",
            f"oy{i}",
        ]
        for i in range(1, 4)
    ]
    log_in(page, live_server, office)
    page.goto(live_server.url + reverse("people_import"))
    page.set_input_files(
        "input[name=file]", files=[{"name": "名单.xlsx", "mimeType": XLSX, "buffer": sheet(rows)}]
    )
    page.click("text=上传并预览")
    page.locator("#confirm-import").wait_for()


def test_import_preview_keeps_names_on_one_line_on_a_phone(
    live_server, phone_page, office, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    page = phone_page
    preview_import(page, live_server, office)
    for row in page.locator("tbody tr").all():
        assert one_line(row.locator("td").nth(2)), row.inner_text()
    # The tables scroll sideways inside their cards; the page itself does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert (
        page.locator(".table-responsive").nth(1).evaluate("el => el.scrollWidth > el.clientWidth")
    )
