"""What a secretary typed survives a lost login (issue 10): the browser keeps a copy and
puts it back after logging in again; a stale CSRF token's page leads back to it; another
user of the same browser never gets it; the login's end is announced."""

import pytest
from django.contrib.sessions.models import Session

from surveys.core.sessions import SessionStore
from surveys.questionnaires.models import Question
from surveys.submissions import services
from surveys.submissions.models import Submission
from tests.browser.helpers import log_in
from tests.conftest import PASSWORD
from tests.helpers import first_question, values_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "夜里写的：与项目村党支部联建，共同推进灌区改造。"
RESTORED = "您上次填写但未能保存的内容已恢复"


def type_answers(page, questionnaire):
    likert = first_question(questionnaire, Question.Kind.LIKERT)
    text = first_question(questionnaire, Question.Kind.TEXT)
    page.locator(f"#q-{likert.code} input[value='2']").check()
    page.locator(f"textarea[name=q_{text.code}]").fill(TYPED)
    return likert, text


def log_in_here(page, username):
    """Log in on the login page the browser was sent to, keeping its ?next=."""
    page.locator("input[name=username]").wait_for()
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def stored_keys(page):
    return page.evaluate(
        "() => Object.keys(localStorage).filter(k => k.startsWith('ronghe.typed.'))"
    )


def test_typing_survives_a_login_that_ended(
    live_server, phone_page, secretary_a, open_round, questionnaire, tmp_path
):
    page = phone_page
    log_in(page, live_server, secretary_a.username)
    url = f"{live_server.url}/rounds/{open_round.pk}/questionnaire/"
    page.goto(url)
    likert, text = type_answers(page, questionnaire)

    # The login ends while the form is open (overnight, or logged out on another device).
    Session.objects.all().delete()
    page.click("#save-button")
    page.wait_for_url(lambda u: "/login/?next=" in u)
    assert not Submission.objects.exists()

    log_in_here(page, secretary_a.username)
    assert page.url == url
    notice = page.locator("#restored-notice")
    notice.wait_for()
    assert RESTORED in notice.inner_text()
    assert page.locator(f"#q-{likert.code} input[value='2']").is_checked()
    assert page.locator(f"textarea[name=q_{text.code}]").input_value() == TYPED
    # The progress counts required items only (issue 11).
    assert page.locator("#answered-count").inner_text() == str(likert.required + text.required)
    assert page.locator("#session-warning").is_hidden()  # the login has 12 hours left
    page.screenshot(path=str(tmp_path / "restored-390.png"), full_page=False)

    page.click("#save-button")
    page.get_by_text("草稿已保存").wait_for()
    submission = Submission.objects.get(round=open_round, branch=secretary_a.branch)
    assert submission.answers.get(question=text).text == TYPED
    assert submission.answers.get(question=likert).likert == 2
    # Saved: the copy is dropped, and the next visit restores nothing.
    assert stored_keys(page) == []
    page.reload()
    page.locator("#questionnaire-form").wait_for()
    assert page.locator("#restored-notice").is_hidden()


def test_stale_token_after_logging_in_again_elsewhere_leads_back_to_the_typing(
    live_server, browser, secretary_a, open_round, questionnaire, tmp_path
):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        log_in(page, live_server, secretary_a.username)
        url = f"{live_server.url}/rounds/{open_round.pk}/questionnaire/"
        page.goto(url)
        likert, text = type_answers(page, questionnaire)

        # Another tab of the same browser logs out and in again: this tab's token is stale.
        other = context.new_page()
        other.goto(f"{live_server.url}/")
        other.get_by_role("button", name="退出").click()
        other.wait_for_url("**/login/")
        log_in_here(other, secretary_a.username)
        other.close()

        page.click("#save-button")
        page.get_by_text("页面已过期").wait_for()
        assert "已保存在本浏览器中" in page.content()
        page.screenshot(path=str(tmp_path / "csrf-1440.png"), full_page=False)
        page.click("#back-to-form")
        page.locator("#restored-notice").wait_for()
        assert page.locator(f"textarea[name=q_{text.code}]").input_value() == TYPED
        assert page.locator(f"#q-{likert.code} input[value='2']").is_checked()
        page.screenshot(path=str(tmp_path / "restored-1440.png"), full_page=False)
        assert not Submission.objects.exists()
    finally:
        context.close()


def test_another_user_of_the_same_browser_never_gets_the_typing(
    live_server, phone_page, secretary_a, secretary_b, open_round, questionnaire
):
    page = phone_page
    log_in(page, live_server, secretary_a.username)
    page.goto(f"{live_server.url}/rounds/{open_round.pk}/questionnaire/")
    type_answers(page, questionnaire)
    assert len(stored_keys(page)) == 1
    Session.objects.all().delete()
    page.click("#save-button")
    page.wait_for_url(lambda u: "/login/?next=" in u)
    assert len(stored_keys(page)) == 1  # the login page keeps it for her

    # Someone else logs in on this browser: secretary A's copy is removed at once.
    log_in_here(page, secretary_b.username)
    assert stored_keys(page) == []
    assert TYPED not in page.content()


def test_a_banner_offers_to_save_before_the_login_ends(
    live_server, phone_page, secretary_a, open_round, questionnaire, tmp_path
):
    page = phone_page
    log_in(page, live_server, secretary_a.username)
    # Her stored login now ends in 5 minutes (saved as the app saves sessions: the row and
    # the end the page reads from the session itself).
    store = SessionStore(session_key=Session.objects.get().session_key)
    store.set_expiry(5 * 60)
    store.save()
    page.goto(f"{live_server.url}/rounds/{open_round.pk}/questionnaire/")
    _likert, text = type_answers(page, questionnaire)

    banner = page.locator("#session-warning")
    banner.wait_for()
    assert "到期" in banner.inner_text() and "保存草稿" in banner.inner_text()
    assert banner.is_visible() and banner.bounding_box()["y"] >= 0  # in view, scrolled down
    page.screenshot(path=str(tmp_path / "session-warning-390.png"), full_page=False)
    banner.get_by_role("button", name="保存草稿").click()
    page.get_by_text("草稿已保存").wait_for()
    submission = Submission.objects.get(round=open_round, branch=secretary_a.branch)
    assert submission.answers.get(question=text).text == TYPED


def test_a_tab_opened_before_the_submit_sees_both_side_by_side(
    live_server, phone_page, secretary_a, open_round, questionnaire, tmp_path
):
    page = phone_page
    log_in(page, live_server, secretary_a.username)
    page.goto(f"{live_server.url}/rounds/{open_round.pk}/questionnaire/")
    # Meanwhile the branch's answers are submitted from another device.
    entry = open_round.roster.get(branch=secretary_a.branch)
    services.submission_submit(
        entry=entry, user=secretary_a, values=values_for(questionnaire, 4), version=0
    )
    _likert, text = type_answers(page, questionnaire)
    page.click("#save-button")

    table = page.locator("#typed-beside-saved-table")
    table.wait_for()
    assert "已提交的答案" in table.inner_text() and TYPED in table.inner_text()
    assert page.locator(f"textarea[name=q_{text.code}]").input_value() == TYPED
    assert page.locator("#save-button").count() == 0
    page.locator("#typed-beside-saved").screenshot(path=str(tmp_path / "beside-390.png"))
    page.set_viewport_size({"width": 1440, "height": 900})
    page.locator("#typed-beside-saved").screenshot(path=str(tmp_path / "beside-1440.png"))
    assert len(stored_keys(page)) == 1  # the typing is kept in this browser too
