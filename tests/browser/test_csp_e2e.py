"""Every main page under the Content-Security-Policy, in Chromium, at a phone's and a desk's
width: no violation, no script error, and the page scripts that moved out of the templates
(static/js/*.js) still do their work.

RONGHE_SCREENSHOT_DIR=/some/dir keeps a screenshot of each page there, to look at."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from surveys.demo.seed import seed_demo
from surveys.organisation.models import User
from surveys.questionnaires.models import Questionnaire
from surveys.rounds.models import RosterEntry
from surveys.submissions.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("RONGHE_SCREENSHOT_DIR")

# Runs before any page script; the CSP does not apply to what the test itself injects.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Tour:
    """One browser context at one width, failing on the first page with a CSP violation or a
    script error."""

    def __init__(self, browser, live_server, width, name):
        self.context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        self.context.add_init_script(WATCH)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.base = live_server.url
        self.width = width
        self.name = name
        self.problems = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message):
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def visit(self, path, label):
        response = self.page.goto(self.base + path)
        assert response.status == 200, (path, response.status)
        self.check(label)

    def check(self, label):
        self.page.wait_for_load_state("load")
        page_url = self.page.url
        violations = self.page.evaluate("window.__cspViolations")
        assert violations == [], (page_url, violations)
        assert self.problems == [], (page_url, self.problems)
        assert "Content-Security-Policy" not in self.page.content()  # no meta override
        if SHOTS:
            path = Path(SHOTS) / f"{self.name}-{self.width}-{label}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(path), full_page=True)

    def log_in(self, username):
        self.visit("/login/", "login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", settings.RONGHE_DEMO_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(lambda url: "/login/" not in url)
        self.check("home")

    def close(self):
        self.context.close()


def open_task_without_submission():
    now = timezone.now()
    entries = RosterEntry.objects.filter(round__opens_at__lte=now, round__closes_at__gt=now)
    for entry in entries.select_related("branch"):
        if not Submission.objects.filter(round=entry.round, branch=entry.branch).exists():
            return entry
    raise AssertionError("the demo county has no open task left to fill in")


@pytest.mark.parametrize("width", [390, 1440])
def test_secretary_pages_pass_the_csp_and_their_scripts_work(browser, live_server, width):
    seed_demo(seed=5)
    entry = open_task_without_submission()
    secretary = entry.branch.secretaries.get()
    earlier = (
        Submission.objects.filter(branch=entry.branch, status=Submission.Status.SUBMITTED)
        .exclude(round=entry.round)
        .first()
    )
    tour = Tour(browser, live_server, width, "secretary")
    page = tour.page
    try:
        tour.log_in(secretary.username)
        if width < 768:
            # Bootstrap's collapse still opens the menu on a phone.
            page.click(".navbar-toggler")
            page.locator("#nav.show").wait_for()

        tour.visit(f"/rounds/{entry.round_id}/questionnaire/", "questionnaire")
        assert page.locator("#answered-count").inner_text() == "0"
        assert page.locator("#progress-bar").evaluate("b => b.getBoundingClientRect().width") == 0
        page.locator("tr.question").first.locator("input[type=radio][value='4']").check()
        assert page.locator("#answered-count").inner_text() == "1"
        # The bar grows through Bootstrap's width transition: wait for it rather than read the
        # first frame (0 px on a busy machine).
        page.wait_for_function(
            "() => document.getElementById('progress-bar').getBoundingClientRect().width > 0"
        )
        # Submitting asks first (a Bootstrap modal), saying what is still missing.
        page.click("#submit-button")
        page.locator("#confirm-submit.show").wait_for()
        assert "必答题未作答" in page.locator("#confirm-progress").inner_text()
        page.click("#confirm-submit button:has-text('再检查一下')")
        page.locator("#confirm-submit").wait_for(state="hidden")
        tour.check("questionnaire-confirm")

        if earlier is not None:
            tour.visit(f"/submissions/{earlier.pk}/", "submission")
            tour.visit(f"/reports/my/{earlier.pk}/", "branch-report")
    finally:
        tour.close()


@pytest.mark.parametrize("width", [390, 1440])
def test_office_pages_pass_the_csp_and_their_scripts_work(browser, live_server, width):
    seed_demo(seed=5)
    now = timezone.now()
    open_entry = RosterEntry.objects.filter(
        round__opens_at__lte=now, round__closes_at__gt=now
    ).first()
    round_id = open_entry.round_id
    submitted = Submission.objects.filter(
        round_id=round_id, status=Submission.Status.SUBMITTED
    ).first()
    secretary = User.objects.filter(role=User.Role.SECRETARY, is_active=True).first()
    standard = Questionnaire.objects.order_by("pk").first()
    unit_id = open_entry.branch.unit_id

    tour = Tour(browser, live_server, width, "office")
    page = tour.page
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        tour.log_in("office")  # the dashboard

        # The round picker shows the chosen round at once (data-autosubmit).
        options = page.locator("#round-select option")
        other = next(
            options.nth(i).get_attribute("value")
            for i in range(options.count())
            if options.nth(i).get_attribute("value") != str(round_id)
        )
        page.select_option("#round-select", other)
        page.wait_for_url(f"**/reports/?round={other}")
        tour.check("dashboard")
        tour.visit(f"/reports/rounds/{round_id}/units/{unit_id}/", "unit")

        tour.visit("/office/", "rounds")
        tour.visit(f"/office/rounds/{round_id}/", "round")
        tour.visit("/office/rounds/new/", "round-new")
        assert page.locator("#roster-choice").is_hidden()
        page.check("input[name=roster_mode][value=chosen]")
        assert page.locator("#roster-choice").is_visible()
        page.check("input[name=roster_mode][value=all]")
        assert page.locator("#roster-choice").is_hidden()

        if submitted is not None:
            tour.visit(f"/office/submissions/{submitted.pk}/return/", "return")
            page.click("#return-form button[type=submit]")
            page.locator("#reason-missing").wait_for()  # asked for the reason, nothing posted
            assert "/return/" in page.url

        tour.visit("/office/people/", "people")
        tour.visit(f"/office/people/branches/{secretary.branch_id}/handover/", "handover")
        page.check("input[name=mode][value=existing]")
        assert page.locator("[data-handover-mode=new]").is_hidden()
        assert page.locator("[data-handover-mode=existing]").is_visible()

        # A new password's page: the print button shows and prints.
        tour.visit(f"/office/people/secretaries/{secretary.pk}/reset-password/", "reset")
        page.click("button:has-text('确认重置')")
        page.locator("[data-print-page]").wait_for(state="visible")
        tour.check("password-shown")
        page.evaluate(
            "() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; }"
        )
        page.click("[data-print-page]")
        assert page.evaluate("window.__printed") == 1

        tour.visit("/office/questionnaires/", "questionnaires")
        tour.visit(f"/office/questionnaires/{standard.pk}/", "questionnaire-detail")
        page.click("#clone-version")  # asks first (data-confirm) in the app's dialog
        page.click("#confirm-dialog-ok")
        page.wait_for_url(lambda url: f"/questionnaires/{standard.pk}/" not in url)
        tour.check("questionnaire-clone")
        clone = Questionnaire.objects.order_by("-pk").first()
        assert clone.pk != standard.pk
        tour.visit(f"/office/questionnaires/{clone.pk}/edit/", "questionnaire-edit")
        tour.visit(f"/office/questionnaires/{clone.pk}/ahp/", "ahp")
        mirror = page.locator("#ahp-matrix [data-mirror]").first
        source = mirror.get_attribute("data-mirror")
        page.select_option(f"select[name={source}]", "3")
        assert mirror.inner_text() == "1/3"
        question = clone.questions.order_by("pk").first()
        tour.visit(f"/office/questionnaires/{clone.pk}/questions/{question.pk}/", "question")
        page.select_option("#id_kind", "number")
        assert page.locator("[data-kinds=number]").is_visible()
        assert page.locator("[data-kinds='likert yes_no']").is_hidden()
        page.select_option("#id_kind", "likert")
        assert page.locator("[data-kinds=number]").is_hidden()

        tour.visit("/office/audit/", "audit")
    finally:
        tour.close()
