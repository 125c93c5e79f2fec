"""From diagnosis to action in a browser (issue 15): the office imports business results and
sees the quadrant, sets a rectification task from a unit page, the secretary completes it on
a phone, and the office downloads the Word 通报."""

import io
from pathlib import Path

import docx
import pytest
from django.conf import settings
from openpyxl import load_workbook

from reports.models import UnitScore
from reports.rectification.models import RectificationTask
from surveys.demo.seed import seed_demo
from surveys.organisation.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/action-loop")


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.RONGHE_DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_business_results_task_and_notice(live_server, browser, tmp_path):
    seed_demo(seed=3)
    SHOTS.mkdir(parents=True, exist_ok=True)
    # The newest round with every unit scored.
    score = UnitScore.objects.filter(index__isnull=False).order_by("-round__opens_at").first()
    round_ = score.round
    desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = desk.new_page()
    page.set_default_timeout(30_000)
    log_in(page, live_server, "office")

    # The template lists every unit; fill in business scores and upload it.
    page.goto(f"{live_server.url}/reports/rounds/{round_.pk}/business/")
    with page.expect_download() as got:
        page.get_by_role("link", name="下载模板").click()
    book = load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()))
    sheet = book["业务绩效"]
    for k, row in enumerate(sheet.iter_rows(min_row=2), start=0):
        row[2].value = 50 + (k * 7) % 50
    filled = tmp_path / "业务绩效.xlsx"
    book.save(filled)
    page.set_input_files("input[name=file]", str(filled))
    page.get_by_role("button", name="上传并预览").click()
    page.locator("#pending").wait_for()
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入").first.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.chart-img')].some("
        "i => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator("#business-table tbody tr").count() >= sheet.max_row - 1
    assert "双强" in page.locator("#quadrant-counts").inner_text()
    page.screenshot(path=str(SHOTS / "business-1440.png"), full_page=True)

    # From the unit page, 下达整改 arrives with the unit and its weakest items filled in.
    unit = score.unit
    page.goto(f"{live_server.url}/reports/rounds/{round_.pk}/units/{unit.pk}/")
    page.locator("#new-task-link").click()
    page.locator("#task-form").wait_for()
    assert page.locator("select[name=unit]").input_value() == str(unit.pk)
    page.fill("input[name=title]", "规范三会一课记录")
    page.fill("input[name=due_date]", "2099-12-31")
    page.locator("#task-form").get_by_role("button", name="下达").click()
    page.get_by_text("已向").first.wait_for()
    task = RectificationTask.objects.get()
    assert (task.unit, task.title) == (unit, "规范三会一课记录")
    assert task.question_codes  # the weakest items came along

    # The secretary sees it at home on a phone and reports it done.
    secretary = User.objects.filter(branch__unit=unit, role=User.Role.SECRETARY).first()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    mobile = phone.new_page()
    mobile.set_default_timeout(30_000)
    log_in(mobile, live_server, secretary.username)
    panel = mobile.locator("#rectification-panel")
    assert "整改任务：1 项未完成" in panel.inner_text()
    mobile.screenshot(path=str(SHOTS / "home-390.png"), full_page=True)
    panel.get_by_role("link", name="规范三会一课记录").click()
    mobile.get_by_text("已完成").first.click()
    mobile.fill("textarea[name=note]", "已建立会议记录台账并补齐本季度记录")
    mobile.screenshot(path=str(SHOTS / "report-390.png"), full_page=True)
    mobile.get_by_role("button", name="提交进展").click()
    mobile.get_by_text("已报告整改完成").wait_for()
    task.refresh_from_db()
    assert task.status == "done"
    phone.close()

    # The office sees it done, then downloads the 通报 and opens it in python-docx.
    page.goto(f"{live_server.url}/reports/rounds/{round_.pk}/tasks/")
    assert "已完成" in page.locator(f"#task-{task.pk}").inner_text()
    page.goto(f"{live_server.url}/reports/?round={round_.pk}")
    with page.expect_download() as got:
        page.locator("#notice-link").click()
    document = docx.Document(io.BytesIO(Path(got.value.path()).read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert round_.name in text
    desk.close()
