"""The demo county: plausible, deterministic for a seed, and safe to run twice."""

import io
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from surveys.demo.seed import seed_demo
from surveys.organisation.models import Branch, Unit, User
from surveys.questionnaires.models import Question
from surveys.rounds.models import RosterEntry, Round
from surveys.submissions.models import Answer, Submission, SubmissionSnapshot
from surveys.submissions.values import answer_value

SEED = 7


@pytest.fixture
def demo(db):
    return seed_demo(seed=SEED)


def fingerprint():
    """Everything a seed decides, in a stable order, without database ids or clock times."""
    answers = Answer.objects.order_by(
        "submission__round__opens_at", "submission__branch__code", "question__code"
    ).values_list(
        "submission__round__name",
        "submission__branch__code",
        "submission__status",
        "question__code",
        "likert",
        "flag",
        "number",
        "choice",
        "text",
        "not_applicable",
    )
    return {
        "units": list(Unit.objects.order_by("code").values_list("code", "name")),
        "branches": list(
            Branch.objects.order_by("code").values_list("code", "name", "member_count")
        ),
        "users": list(
            User.objects.order_by("username").values_list(
                "username", "last_name", "first_name", "phone", "role", "branch__code"
            )
        ),
        "answers": list(answers),
    }


def table_counts():
    models = (Unit, Branch, User, Round, RosterEntry, Submission, Answer, SubmissionSnapshot)
    return {model.__name__: model.objects.count() for model in models}


def likert_goodness(answer):
    return 6 - answer.likert if answer.question.reverse_keyed else answer.likert


def test_counts_are_those_of_a_county(demo):
    assert demo["created"] is True
    assert demo["units"] == 25
    assert 55 <= demo["branches"] <= 65, demo
    per_unit = Counter(Branch.objects.values_list("unit__code", flat=True))
    assert all(1 <= n <= 4 for n in per_unit.values()), per_unit
    assert Unit.objects.filter(name="县水利局").exists()
    assert Branch.objects.filter(name="县水利局机关第一党支部", code="U11B1").exists()
    assert all(5 <= n <= 40 for n in Branch.objects.values_list("member_count", flat=True))
    assert demo["rounds"] == 4
    assert 150 <= demo["submitted"] <= 240, demo
    assert demo["answers"] == demo["submissions"] * Question.objects.count()
    assert demo["snapshots"] == demo["submitted"]


def test_accounts_and_passwords(demo):
    secretaries = User.objects.filter(role=User.Role.SECRETARY).select_related("branch")
    assert secretaries.count() == Branch.objects.count(), "one secretary per branch"
    for user in secretaries:
        assert user.username == f"s_{user.branch.code.lower()}"
        assert user.last_name and user.phone, f"{user.username} lacks a name or phone"
    assert Counter(s.branch_id for s in secretaries).most_common(1)[0][1] == 1
    office = User.objects.get(username="office")
    admin = User.objects.get(username="admin")
    assert (office.role, office.is_superuser) == (User.Role.OFFICE, False)
    assert (admin.role, admin.is_staff, admin.is_superuser) == (User.Role.OFFICE, True, True)
    for user in (office, admin, secretaries.get(username="s_u01b1")):
        assert user.check_password(settings.RONGHE_DEMO_PASSWORD), user.username


def test_past_rounds_are_closed_and_submitted(demo):
    now = timezone.now()
    rounds = list(Round.objects.order_by("opens_at"))
    assert [r.status for r in rounds] == ["closed", "closed", "closed", "open"]
    for round_ in rounds[:3]:
        submissions = round_.submissions.all()
        assert all(s.status == Submission.Status.SUBMITTED for s in submissions), round_.name
        assert submissions.count() >= round_.roster.count() - 2, f"{round_.name} nearly full"
    submitted = Submission.objects.filter(status=Submission.Status.SUBMITTED).select_related(
        "round", "branch"
    )
    for submission in submitted:
        assert submission.round.opens_at <= submission.submitted_at, submission
        assert submission.submitted_at < min(submission.round.closes_at, now), submission
        assert submission.submitted_by == submission.branch.secretaries.get(), submission


def test_snapshots_hold_the_submitted_answers(demo):
    snapshot = SubmissionSnapshot.objects.select_related("submission").order_by("id").first()
    answers = snapshot.submission.answers.select_related("question")
    assert snapshot.number == 1
    assert snapshot.answers == {a.question.code: answer_value(a, for_json=True) for a in answers}
    assert not SubmissionSnapshot.objects.filter(
        submission__status=Submission.Status.DRAFT
    ).exists(), "drafts have no snapshot"


def test_open_round_is_about_half_submitted_with_a_few_drafts(demo):
    open_round = Round.objects.order_by("-opens_at").first()
    roster = open_round.roster.count()
    statuses = Counter(open_round.submissions.values_list("status", flat=True))
    assert 0.4 <= statuses[Submission.Status.SUBMITTED] / roster <= 0.6, statuses
    assert 3 <= statuses[Submission.Status.DRAFT] <= 5, statuses
    assert not open_round.submissions.filter(
        status=Submission.Status.DRAFT, submitted_at__isnull=False
    ).exists()


def test_answers_sit_in_the_column_of_their_kind(demo):
    likert = Answer.objects.filter(question__kind=Question.Kind.LIKERT)
    assert not likert.filter(submission__status="submitted", likert__isnull=True).exists()
    assert not likert.filter(number__isnull=False).exists()
    numbers = Answer.objects.filter(question__kind=Question.Kind.NUMBER, number__isnull=False)
    assert numbers.exists() and not numbers.filter(likert__isnull=False).exists()
    flags = Answer.objects.filter(question__kind=Question.Kind.YES_NO, flag__isnull=False)
    assert flags.filter(flag=True).exists() and flags.filter(flag=False).exists()
    assert Answer.objects.filter(not_applicable=True, question__allow_na=False).count() == 0
    assert Answer.objects.filter(not_applicable=True).exists(), "some branches have no projects"
    assert Answer.objects.filter(question__kind=Question.Kind.TEXT).exclude(text="").exists()


def test_a_few_submissions_are_straight_lined(demo):
    values = {}
    likert = Answer.objects.filter(
        question__kind=Question.Kind.LIKERT, submission__status=Submission.Status.SUBMITTED
    )
    for submission_id, value in likert.values_list("submission_id", "likert"):
        values.setdefault(submission_id, set()).add(value)
    straight = [s for s, seen in values.items() if len(seen) == 1]
    assert 3 <= len(straight) <= 5, f"{len(straight)} straight-lined submissions"


def test_the_county_improves_a_little_round_over_round(demo):
    rounds = list(Round.objects.order_by("opens_at"))
    means = []
    for round_ in (rounds[0], rounds[-1]):
        answers = Answer.objects.filter(
            submission__round=round_, submission__status="submitted", likert__isnull=False
        ).select_related("question")
        means.append(sum(map(likert_goodness, answers)) / len(answers))
    assert means[1] > means[0], f"first and latest round means: {means}"


@pytest.mark.django_db
def test_same_seed_gives_the_same_county_after_a_reset():
    seed_demo(seed=SEED)
    first = fingerprint()

    result = seed_demo(seed=SEED, reset=True)

    assert result["created"] is True
    assert fingerprint() == first
    seed_demo(seed=SEED + 1, reset=True)
    assert fingerprint()["answers"] != first["answers"], "another seed, other answers"


@pytest.mark.django_db
def test_running_twice_changes_nothing():
    seed_demo(seed=SEED)
    before, print_before = table_counts(), fingerprint()

    result = seed_demo(seed=SEED + 1)

    assert result["created"] is False
    assert table_counts() == before
    assert fingerprint() == print_before


@pytest.mark.django_db
def test_command_prints_the_demo_logins(settings):
    settings.RONGHE_DEMO = True
    out = io.StringIO()

    call_command("seed_demo", "--seed", str(SEED), stdout=out)
    call_command("seed_demo", stdout=out)

    text = out.getvalue()
    assert "已创建演示县数据" in text and "演示县数据已存在" in text
    assert "office" in text and "admin" in text
    assert text.count("s_u") >= 3 and "党支部" in text
    assert settings.RONGHE_DEMO_PASSWORD in text


@pytest.mark.django_db
def test_command_refuses_outside_demo_mode(settings):
    settings.RONGHE_DEMO = False
    settings.DEBUG = False
    with pytest.raises(CommandError, match="RONGHE_DEMO=1"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not Unit.objects.exists()
