"""The questionnaire on a phone (390 px) and at a desk (1440 px), issue 11: the save bar stays
in reach, the five-point scale is on one line, numbers are checked as one types, autosave
says when it saved, the progress reaches 100%, and the submit dialog leads to what is missing."""

import pytest

from surveys.questionnaires.models import Question
from surveys.submissions.models import Submission
from tests.browser.helpers import log_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/tmp/shots-phone"


@pytest.mark.parametrize("width", [390, 1440])
def test_the_long_questionnaire_on_a_phone_and_a_desk(
    browser, live_server, secretary_a, open_round, questionnaire, width
):
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, live_server, secretary_a.username)
        page.goto(f"{live_server.url}/rounds/{open_round.pk}/questionnaire/")
        page.evaluate("document.getElementById('questionnaire-form').dataset.autosaveDelay = '400'")

        # The save bar is on screen at the top and stays there further down.
        bar = page.locator("#action-bar")
        for y in (0, 3000):
            page.evaluate(f"window.scrollTo(0, {y})")
            box = bar.bounding_box()
            assert box["y"] + box["height"] <= 844 + 1 and box["y"] > 844 / 2

        # The five options of a Likert item are on one line (at 360 px too).
        likert = questionnaire.questions.filter(kind=Question.Kind.LIKERT).first()
        if width == 390:
            page.set_viewport_size({"width": 360, "height": 844})
        cells = page.locator(f"#q-{likert.code} td.opt").evaluate_all(
            "cells => cells.map(c => c.getBoundingClientRect())"
            ".map(r => [Math.round(r.top), r.left, r.right])"
        )
        assert len(cells) >= 5 and len({top for top, _l, _r in cells}) == 1, cells
        for (_t, left, right), (_t2, next_left, _r2) in zip(cells, cells[1:], strict=False):
            assert right - left >= 40 and right <= next_left + 1, cells  # side by side
        page.locator(f"#q-{likert.code}").scroll_into_view_if_needed()
        page.screenshot(path=f"{SHOTS}/likert-{width}.png")

        # A count refuses 2.5 beside the box as one types; a whole number is fine.
        number = questionnaire.questions.filter(kind=Question.Kind.NUMBER).first()
        box = page.locator(f"input[name=q_{number.code}]")
        box.fill("2.5")
        check = page.locator(f"#check-{number.code}")
        assert "请填写整数" in check.inner_text() and "0–60 的整数" in check.inner_text()
        box.scroll_into_view_if_needed()
        page.screenshot(path=f"{SHOTS}/number-{width}.png")
        box.fill("4")
        assert check.inner_text() == ""

        # Autosave: the draft is saved and the bar says so; the version moves on.
        page.locator("#autosave-status").get_by_text("已自动保存").wait_for()
        assert Submission.objects.get().version == 1
        assert page.locator("input[name=version]").input_value() == "1"

        # The submit dialog names what is missing and goes there.
        page.click("#submit-button")
        page.locator("#confirm-missing-list").wait_for()
        assert page.locator("#confirm-submit-button").is_hidden()
        assert "道必答题未作答" in page.locator("#confirm-progress").inner_text()
        assert page.locator("#confirm-missing-list li").count() == 5
        page.screenshot(path=f"{SHOTS}/dialog-{width}.png")
        page.click("#confirm-go-missing")
        page.locator("#confirm-submit").wait_for(state="hidden")
        page.wait_for_timeout(300)  # focus moves once the dialog has closed
        first = page.evaluate("document.activeElement.closest('.question').dataset.question")
        assert first == likert.code
        # Tapped while the dialog still fades in: it still closes (Bootstrap ignores an
        # early hide; static/js/confirm.js's rongheHideModal closes it once it is open).
        closed = page.evaluate(
            """() => new Promise((resolve) => {
              const dialog = document.getElementById("confirm-submit");
              dialog.addEventListener("hidden.bs.modal", () => resolve(true), { once: true });
              setTimeout(() => resolve(false), 5000);
              document.getElementById("submit-button").click();
              document.getElementById("confirm-go-missing").click();
            })"""
        )
        assert closed, "the submit dialog stayed open over the questionnaire"

        # Everything required answered: the bar reaches 100% and the dialog confirms.
        for q in questionnaire.questions.filter(required=True):
            if q.kind == Question.Kind.NUMBER:
                page.locator(f"input[name=q_{q.code}]").fill("3")
            elif q.kind == Question.Kind.TEXT:
                page.locator(f"textarea[name=q_{q.code}]").fill("做法")
            else:
                page.locator(f"#q-{q.code} input[type=radio]").first.check()
        assert page.locator("#progress-bar").get_attribute("style") == "width: 100%;"
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=f"{SHOTS}/top-{width}.png")
        page.click("#submit-button")
        page.locator("#confirm-submit-button").wait_for()
        page.click("#confirm-submit-button")
        page.wait_for_url("**/submissions/**")
        assert Submission.objects.get().status == Submission.Status.SUBMITTED
    finally:
        context.close()
