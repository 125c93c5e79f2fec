"""The people pages in Chromium: a password result survives a reload without issuing another
and prints as the credentials alone; the import preview reads on a phone; the handover form
shows the fields of the chosen mode."""

import io

import openpyxl
import pytest
from django.urls import reverse

from surveys.audit.models import AuditEvent
from surveys.organisation.models import User
from tests.browser.helpers import log_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def one_line(locator):
    """Whether an element's text is laid out on a single line."""
    return locator.evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size === 1; }"
    )


def printed_alone(page, credential):
    """On paper: the credential shows, the navigation, buttons and messages do not."""
    page.emulate_media(media="print")
    try:
        assert page.locator(credential).first.is_visible()
        assert page.locator("nav.navbar").is_hidden()
        assert page.get_by_text("登录地址：").is_visible()
        for selector in ["main .btn", "main .alert", "main form"]:
            items = page.locator(selector)
            assert all(items.nth(i).is_hidden() for i in range(items.count())), selector
    finally:
        page.emulate_media(media="screen")


def test_reset_result_prints_the_credentials_and_survives_a_reload(
    live_server, desk_page, office, secretary_a
):
    page = desk_page
    log_in(page, live_server, office.username)
    page.goto(live_server.url + reverse("people_password_reset", args=[secretary_a.pk]))
    page.click("text=确认重置")
    password = page.locator("#shown-password").inner_text()
    assert page.url.endswith(reverse("people_password_reset_done", args=[secretary_a.pk]))
    # print.js shows the button once it has run: wait for it rather than race it.
    page.get_by_role("button", name="打印").wait_for(state="visible")
    printed_alone(page, "#shown-password")

    page.reload()
    page.get_by_text("现已不再显示").wait_for()
    assert page.locator("#shown-password").count() == 0
    page.go_back()
    page.go_forward()
    page.get_by_text("现已不再显示").wait_for()
    assert User.objects.get(pk=secretary_a.pk).check_password(password)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PASSWORD_RESET).count() == 1


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
    log_in(page, live_server, office.username)
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


def test_import_passwords_print_alone_and_show_once(
    live_server, phone_page, office, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    page = phone_page
    preview_import(page, live_server, office)
    page.click("#confirm-import")
    page.locator("#initial-passwords").wait_for()
    # Each login name and its password read together without scrolling sideways.
    password = page.locator("#initial-passwords tbody tr").first.locator("td").nth(1)
    box = password.bounding_box()
    assert box["x"] + box["width"] <= 390
    assert page.locator("#download-passwords").is_visible()
    printed_alone(page, "#initial-passwords")

    page.reload()
    page.get_by_text("现已不能再查看或下载").wait_for()
    assert page.locator("#initial-passwords").count() == 0
    assert page.locator("#download-passwords").count() == 0


def test_handover_form_shows_the_fields_of_the_chosen_mode(
    live_server, desk_page, browser, office, secretary_a, branch_a
):
    make_user("zhouping", last_name="周", first_name="平")
    url = live_server.url + reverse("people_branch_handover", args=[branch_a.pk])
    page = desk_page
    log_in(page, live_server, office.username)
    page.goto(url)
    existing, name = page.locator("select[name=existing]"), page.locator("input[name=name]")
    assert name.is_visible() and existing.is_hidden()

    page.fill("input[name=name]", "陈晓东")
    page.fill("input[name=username]", "chenxd")
    page.click("text=确认更换")
    page.get_by_text("新建账号时须填写新书记的手机号（11位数字）。").wait_for()
    assert name.is_visible() and existing.is_hidden()

    page.check("input[name=mode][value=existing]")
    assert existing.is_visible() and name.is_hidden()
    page.click("text=确认更换")
    page.get_by_text("请选择接任的账号。").wait_for()
    assert existing.is_visible() and name.is_hidden()
    page.select_option("select[name=existing]", label="周平（zhouping）")
    page.click("text=确认更换")
    page.get_by_text("的书记已更换为 周平").wait_for()

    # Without JavaScript both groups show, each saying when it applies.
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        plain = context.new_page()
        log_in(plain, live_server, office.username)
        plain.goto(url)
        assert plain.locator("select[name=existing]").is_visible()
        assert plain.locator("input[name=name]").is_visible()
        assert plain.get_by_text("选“新建账号”时填写").is_visible()
    finally:
        context.close()


def test_people_page_finds_a_branch_as_one_types(
    live_server, desk_page, office, secretary_a, secretary_b
):
    page = desk_page
    log_in(page, live_server, office.username)
    page.goto(live_server.url + reverse("people"))
    rows = page.locator("tr[id^='branch-']")
    assert rows.count() == 2
    page.fill("#people-filter", "财政")  # a word of branch B's unit
    assert page.locator("tr[id^='branch-']:visible").count() == 1
    assert page.locator(f"#branch-{secretary_b.branch.code}").is_visible()
    assert page.locator("#people-filter-count").inner_text() == "找到 1 个党支部"
    page.fill("#people-filter", secretary_a.username)  # a login
    assert page.locator(f"#branch-{secretary_a.branch.code}").is_visible()
    assert not page.locator(f"#branch-{secretary_b.branch.code}").is_visible()
    page.fill("#people-filter", "")
    assert page.locator("tr[id^='branch-']:visible").count() == 2
