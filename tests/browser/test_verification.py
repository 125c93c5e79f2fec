"""考评 → 公示 → 申诉 → 处理 in a browser, at a phone's 390 px and a desk's 1440 px: the office
verifies one item beside its photo with a reason and publishes; the secretary sees the change
and its reason and appeals; the office adjusts the item, and the score moves at once."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from reports.models import SubmissionScore
from surveys.evidence.models import Evidence
from surveys.verification.models import Appeal
from tests.browser.helpers import log_in
from tests.helpers import submit
from tests.surveys.verification.conftest import plain_likert

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SHOTS = "/tmp/shots/verification"


def _jpeg(color):
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def submitted(client, secretary_a, secretary_b, open_round, questionnaire, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    a = submit(client, secretary_a, open_round, questionnaire, likert="4")
    b = submit(client, secretary_b, open_round, questionnaire, likert="3")
    item = plain_likert(questionnaire)
    evidence = Evidence(
        submission=a,
        question=item,
        kind=Evidence.Kind.IMAGE,
        original_name="主题党日.jpg",
        size=1000,
        submitted_in=1,
    )
    evidence.file.save("photo.jpg", ContentFile(_jpeg((200, 30, 30))), save=False)
    evidence.thumbnail.save("thumb.jpg", ContentFile(_jpeg((30, 30, 200))), save=False)
    evidence.save()
    return a, b, item


def _confirm(page):
    page.locator("#confirm-dialog-ok").click()


@pytest.mark.parametrize("width", [390, 1440])
def test_verify_publish_appeal_decide(browser, live_server, office, secretary_a, submitted, width):
    a, b, item = submitted
    shots = f"{SHOTS}/{width}"
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server, office.username)
        page.goto(f"{live_server.url}/office/submissions/{a.pk}/verification/")
        card = page.locator(f"#item-{item.code}")
        thumb = card.locator("img.verification-thumb")
        thumb.scroll_into_view_if_needed()  # thumbnails load lazily
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
        )
        assert "/evidence/" in card.locator("a:has(img)").get_attribute("href")
        card.locator(f"select[name=v_{item.code}]").select_option("2")
        card.locator(f"textarea[name=r_{item.code}]").fill("照片只显示一次活动，记录不足")
        page.screenshot(path=f"{shots}-review.png", full_page=False)
        page.locator("#save-review").click()
        page.wait_for_url("**?saved=1")
        assert "已保存" in page.content()
        next_button = page.locator("#next-submission")
        assert f"/office/submissions/{b.pk}/verification/" in next_button.get_attribute("href")
        card = page.locator(f"#item-{item.code}")
        card.scroll_into_view_if_needed()
        page.screenshot(path=f"{shots}-saved.png")
        score = SubmissionScore.objects.get(submission=a)
        assert score.verified and score.index < score.self_index

        secretary = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        phone = secretary.new_page()
        phone.set_default_timeout(15_000)
        log_in(phone, live_server, secretary_a.username)
        phone.goto(f"{live_server.url}/reports/my/{a.pk}/")
        assert "等待公示" in phone.locator("#awaiting-publication").inner_text()
        assert phone.locator("#branch-index").count() == 0
        phone.screenshot(path=f"{shots}-awaiting.png")

        page.goto(f"{live_server.url}/office/rounds/{a.round_id}/verification/")
        assert page.locator("#count-reviewed").inner_text() == "1"
        page.locator("#publish-form button").click()
        _confirm(page)
        page.wait_for_selector("#publication-state .text-bg-success")
        page.screenshot(path=f"{shots}-queue.png", full_page=True)

        phone.reload()
        phone.screenshot(path=f"{shots}-published.png")
        phone.locator("#verified-note a").click()
        change = phone.locator(f"#change-{item.code}")
        assert "照片只显示一次活动，记录不足" in change.inner_text()
        phone.locator("#appeal-form textarea").fill("我们每月都开展主题党日，已补充会议记录。")
        assert "最多 5 个文件" in phone.locator("#appeal-limits").inner_text()
        phone.set_input_files(
            "#appeal-form input[type=file]",
            [{"name": "活动现场.jpg", "mimeType": "image/jpeg", "buffer": _jpeg((30, 160, 30))}],
        )
        phone.screenshot(path=f"{shots}-results.png", full_page=True)
        phone.locator("#appeal-form button").click()
        _confirm(phone)
        phone.wait_for_selector("#appeal-status")
        assert "正在处理" in phone.locator("#appeal-status").inner_text()
        photo = phone.locator("#appeal-files img.evidence-thumb")
        phone.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
        )
        assert "活动现场.jpg" in phone.locator("#appeal-files").inner_text()
        phone.screenshot(path=f"{shots}-appealed.png", full_page=True)

        page.goto(f"{live_server.url}/office/submissions/{a.pk}/verification/")
        assert "活动现场.jpg" in page.locator("#appeal-files").inner_text()
        form = page.locator("#decide-form")
        form.locator("input[value=adjusted]").check()
        form.locator("textarea[name=reason]").fill("补充的会议记录属实")
        form.locator("select[name=code]").select_option(item.code)
        form.locator("input[name=value]").fill("4")
        page.screenshot(path=f"{shots}-decide.png")
        form.locator("button").click()
        _confirm(page)
        page.wait_for_selector("#appeal .text-bg-secondary")
        appeal = Appeal.objects.get()
        assert appeal.status == Appeal.Status.ADJUSTED
        score = SubmissionScore.objects.get(submission=a)
        assert score.index == pytest.approx(score.self_index)

        phone.reload()
        assert "处理结果：调整" in phone.locator("#appeal-status").inner_text()
        phone.screenshot(path=f"{shots}-decided.png", full_page=True)
        secretary.close()
    finally:
        context.close()
