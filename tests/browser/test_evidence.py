"""佐证材料 on a phone (390 px) and at a desk (1440 px): a required-evidence item stops 提交
with a link to it; the secretary attaches a photo from the item's 佐证材料 area without losing
what was typed, sees its thumbnail, submits, and the submission page shows the photo."""

import io

import pytest
from fpdf import FPDF
from PIL import Image

from surveys.evidence.models import Evidence
from surveys.questionnaires.models import Question
from surveys.submissions.models import Submission
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SHOTS = "/tmp/shots/evidence"
TYPED = "每月结合防汛任务开展主题党日，未保存的文字。"


@pytest.fixture
def photo(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "三会一课现场.jpg"
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (180, 40, 40)).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture
def minutes(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="minutes")
    path = tmp_path / "会议记录.pdf"
    path.write_bytes(bytes(pdf.output()))
    return path


def answer_everything_required(page, questionnaire):
    for q in questionnaire.questions.filter(required=True):
        if q.kind == Question.Kind.NUMBER:
            page.locator(f"input[name=q_{q.code}]").fill("3")
        elif q.kind == Question.Kind.TEXT:
            page.locator(f"textarea[name=q_{q.code}]").fill("做法")
        else:
            page.locator(f"#q-{q.code} input[type=radio]").first.check()


@pytest.mark.parametrize("width", [390, 1440])
def test_attach_a_photo_and_submit(
    browser, live_server, secretary_a, open_round, questionnaire, photo, minutes, width
):
    Question.objects.filter(questionnaire=questionnaire, code="ZZF1").update(evidence="required")
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server, secretary_a.username)
        page.goto(f"{live_server.url}/rounds/{open_round.pk}/questionnaire/")
        page.evaluate(
            "document.getElementById('questionnaire-form').dataset.autosaveDelay = '600000'"
        )
        answer_everything_required(page, questionnaire)
        page.locator("textarea[name=q_ZZT1]").fill(TYPED)

        # 提交 without the required photo: the page names the item and links to it.
        page.click("#submit-button")
        page.locator("#confirm-submit-button").wait_for()
        assert "必须上传佐证材料" in page.locator("#confirm-evidence").inner_text()
        page.screenshot(path=f"{SHOTS}/dialog-{width}.png")
        page.click("#confirm-submit-button")
        page.locator("#confirm-submit").wait_for(state="hidden")
        missing = page.locator("#evidence-missing")
        missing.wait_for()
        # In view and not under the sticky progress bar: its first line can be tapped.
        page.wait_for_function(
            "() => { const r = document.getElementById('evidence-missing')"
            ".getBoundingClientRect();"
            " const hit = document.elementFromPoint(r.left + 12, r.top + 8);"
            " return r.top >= 0 && hit && hit.closest('#evidence-missing'); }"
        )
        assert missing.locator("a[href='#q-ZZF1']").count() == 1
        assert Submission.objects.filter(status=Submission.Status.SUBMITTED).count() == 0
        page.screenshot(path=f"{SHOTS}/missing-{width}.png")

        # Attach from the item's area: the camera or files, as the phone offers.
        area = page.locator("[data-evidence-question=ZZF1]")
        file_input = area.locator("input[type=file]")
        assert "image/*" in file_input.get_attribute("accept")
        assert "JPG" in area.locator(".evidence-limits").inner_text()
        file_input.set_input_files(str(photo))
        area.locator(".evidence-item img.evidence-thumb").wait_for()
        page.wait_for_function(
            "() => { const i = document.querySelector('[data-evidence-question=ZZF1] img');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )  # the thumbnail itself loads (through the checked view)
        assert "三会一课现场.jpg" in area.inner_text()
        assert missing.is_hidden()  # the list empties as the file arrives
        assert page.locator("textarea[name=q_ZZT1]").input_value() == TYPED  # nothing lost
        area.scroll_into_view_if_needed()
        page.screenshot(path=f"{SHOTS}/attached-{width}.png")
        thumb = area.locator("img.evidence-thumb").bounding_box()
        assert thumb["x"] + thumb["width"] <= width

        # A second file on another item, removed again: the app's dialog asks first.
        other = page.locator("[data-evidence-question=XYF1]")
        other.locator("input[type=file]").set_input_files(str(minutes))
        other.locator(".evidence-item").wait_for()
        other.locator(".evidence-remove").click()
        page.locator("#confirm-dialog-ok").wait_for()
        assert "会议记录.pdf" in page.locator("#confirm-dialog-message").inner_text()
        page.click("#confirm-dialog-ok")
        other.locator(".evidence-item").wait_for(state="detached")
        assert list(Evidence.objects.values_list("original_name", flat=True)) == [
            "三会一课现场.jpg"
        ]

        page.click("#submit-button")
        page.locator("#confirm-submit-button").wait_for()
        page.click("#confirm-submit-button")
        page.wait_for_url("**/submissions/**")
        submission = Submission.objects.get()
        assert submission.status == Submission.Status.SUBMITTED
        assert submission.answers.get(question__code="ZZT1").text == TYPED
        assert Evidence.objects.get().submitted_in == 1

        # The read-only page shows the photo under its answer.
        shown = page.locator("[data-evidence-question=ZZF1] img.evidence-thumb")
        shown.wait_for()
        shown.scroll_into_view_if_needed()
        page.screenshot(path=f"{SHOTS}/detail-{width}.png")
        assert page.locator("[data-evidence-question=ZZF1] .evidence-remove").count() == 0
    finally:
        context.close()
