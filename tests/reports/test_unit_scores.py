"""Unit means are kept beside the submission scores, and the data version moves whenever
something the reports show changes, so cached pages never show yesterday's numbers."""

import importlib
from statistics import mean

import pytest
from django.apps import apps
from django.urls import reverse

from reports import scoring, selectors
from reports.models import Recommendation, SubmissionScore, UnitScore
from reports.services import score_set_excluded
from reports.store import bump_version, bump_version_once, refresh_unit_scores, rescore_round
from surveys.demo.seed import seed_demo
from surveys.organisation.models import Branch, Unit, User
from surveys.rounds.models import RosterEntry, Round
from surveys.submissions import services
from surveys.submissions.models import Submission
from surveys.submissions.services import submission_return
from tests.conftest import make_user
from tests.helpers import answer_post, run_concurrently, submit, values_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch_a2(unit_a, open_round):
    branch = Branch.objects.create(
        unit=unit_a, code="U-A-2", name="县水利局水政监察大队党支部", member_count=9
    )
    RosterEntry.objects.create(round=open_round, branch=branch)
    return branch


@pytest.fixture
def secretary_a2(branch_a2):
    return make_user("sec_a2", role=User.Role.SECRETARY, branch=branch_a2, last_name="赵")


def expected_unit_means(round_):
    """The unit means straight from the submission scores, the slow way."""
    by_unit = {}
    for score in SubmissionScore.objects.filter(round=round_, excluded=False):
        by_unit.setdefault(score.unit_id, []).append(score)
    result = {}
    for unit_id, scores in by_unit.items():
        indices = [s.index for s in scores if s.index is not None]
        result[unit_id] = (
            _rounded(mean(indices)) if indices else None,
            len(scores),
            sum(s.straightlined for s in scores),
        )
    return result


def stored_unit_means(round_):
    return {
        u.unit_id: (_rounded(u.index), u.branches_scored, u.straightlined)
        for u in UnitScore.objects.filter(round=round_)
    }


def _rounded(value):
    return None if value is None else round(value, 9)


def test_unit_means_follow_submits_exclusion_and_restoring(
    client, office, secretary_a, secretary_a2, secretary_b, open_round, questionnaire, unit_a
):
    a = submit(client, secretary_a, open_round, questionnaire, "5")
    a2 = submit(client, secretary_a2, open_round, questionnaire, "2")
    submit(client, secretary_b, open_round, questionnaire, "3")
    stored = stored_unit_means(open_round)
    assert stored == expected_unit_means(open_round)
    assert stored[unit_a.pk][1] == 2
    row = UnitScore.objects.get(round=open_round, unit=unit_a)
    a_score, a2_score = (SubmissionScore.objects.get(submission=s) for s in (a, a2))
    assert row.index == pytest.approx((a_score.index + a2_score.index) / 2)
    assert set(row.dimensions) == {"xueyong", "zuzhi", "huoli"}

    score_set_excluded(submission_id=a2.pk, user=office, excluded=True)
    row.refresh_from_db()
    assert row.index == pytest.approx(a_score.index) and row.branches_scored == 1

    score_set_excluded(submission_id=a.pk, user=office, excluded=True)
    # No counted branch left: no unit mean; the unit stays in the round's table as 数据不足.
    assert not UnitScore.objects.filter(round=open_round, unit=unit_a).exists()
    row_a = next(u for u in selectors.round_overview(open_round).units if u.unit_id == unit_a.pk)
    assert (row_a.index, row_a.grade, row_a.branches_scored) == (None, None, 0)
    assert (row_a.submitted, row_a.roster) == (2, 2)

    score_set_excluded(submission_id=a.pk, user=office, excluded=False)
    score_set_excluded(submission_id=a2.pk, user=office, excluded=False)
    assert stored_unit_means(open_round) == expected_unit_means(open_round)


def test_rescoring_a_round_rebuilds_every_unit_mean(
    client, secretary_a, secretary_b, open_round, questionnaire
):
    submit(client, secretary_a, open_round, questionnaire, "4")
    submit(client, secretary_b, open_round, questionnaire, "2")
    UnitScore.objects.update(index=0.0, branches_scored=99)  # stale, as if a bug had run
    rescore_round(open_round)
    assert stored_unit_means(open_round) == expected_unit_means(open_round)


def test_data_migration_fills_the_same_unit_means(
    client, secretary_a, secretary_b, open_round, questionnaire
):
    submit(client, secretary_a, open_round, questionnaire, "4")
    submit(client, secretary_b, open_round, questionnaire, "2")
    kept = {u.unit_id: (u.index, u.dimensions) for u in UnitScore.objects.all()}
    UnitScore.objects.all().delete()
    migration = importlib.import_module("reports.migrations.0004_unit_scores")
    migration.fill_unit_scores(apps, None)
    filled = {u.unit_id: (u.index, u.dimensions) for u in UnitScore.objects.all()}
    assert filled.keys() == kept.keys()
    for unit_id, (index, dimensions) in kept.items():
        assert filled[unit_id][0] == pytest.approx(index)
        assert filled[unit_id][1] == pytest.approx(dimensions)


def test_data_version_moves_with_everything_the_reports_show(
    client, office, secretary_a, open_round, questionnaire, unit_a
):
    versions = [selectors.data_version()]

    def moved():
        versions.append(selectors.data_version())
        return versions[-1] > versions[-2]

    submission = submit(client, secretary_a, open_round, questionnaire, "4")
    assert moved()
    score_set_excluded(submission_id=submission.pk, user=office, excluded=True)
    assert moved()
    # 退回: the dashboard's submitted count drops.
    submission_return(user=office, submission=submission, reason="请补充典型做法")
    assert moved()
    open_round.name = "2026年第二季度融合度测评（更正）"
    open_round.save()
    assert moved()
    unit_a.name = "县水利局（更名）"
    unit_a.save()
    assert moved()
    recommendation = Recommendation.objects.first()
    recommendation.title = "新的对策"
    recommendation.save()
    assert moved()
    # A draft save changes nothing any report shows.
    before = selectors.data_version()
    client.force_login(secretary_a)
    response = client.post(
        reverse("questionnaire", args=[open_round.pk]),
        answer_post(questionnaire, version=Submission.objects.get(pk=submission.pk).version),
    )
    assert response.status_code == 302
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.RETURNED
    assert selectors.data_version() == before


def test_bulk_writes_move_the_version_once(unit_a):
    start = selectors.data_version()
    with bump_version_once():
        for i in range(3):
            Branch.objects.create(unit=unit_a, code=f"U-A-{i + 5}", name=f"第{i + 5}党支部")
        with bump_version_once():  # nested: still the outer block's single bump
            bump_version()
        assert selectors.data_version() == start, "nothing moves before the end"
    assert selectors.data_version() == start + 1

    with bump_version_once():
        pass
    assert selectors.data_version() == start + 1, "nothing written, nothing owed"

    with pytest.raises(RuntimeError), bump_version_once():
        unit_a.name = "县水利局（半途）"
        unit_a.save()
        raise RuntimeError("import failed half-way")
    assert selectors.data_version() == start + 1
    assert Unit.objects.get(pk=unit_a.pk).name == "县水利局", "the failed block left nothing"

    unit_a.save()  # and outside a block each save moves it again
    assert selectors.data_version() == start + 2


def test_demo_county_moves_the_version_once():
    start = selectors.data_version()
    seed_demo(seed=5)
    assert selectors.data_version() == start + 1
    seed_demo(seed=5, reset=True)
    assert selectors.data_version() == start + 2


def test_cached_unit_page_shows_an_edited_recommendation(
    client, office, secretary_a, open_round, questionnaire, unit_a
):
    submit(client, secretary_a, open_round, questionnaire, "1")  # weak everywhere
    client.force_login(office)
    url = reverse("unit_detail", args=[open_round.pk, unit_a.pk])
    html = client.get(url).content.decode()
    recommendation = next(r for r in Recommendation.objects.all() if r.title in html)
    recommendation.title = "把第一议题学习成果转化为年度重点任务清单"
    recommendation.save()
    assert "把第一议题学习成果转化为年度重点任务清单" in client.get(url).content.decode()


def test_cached_dashboard_shows_a_renamed_unit(
    client, office, secretary_a, open_round, questionnaire, unit_a
):
    submit(client, secretary_a, open_round, questionnaire, "4")
    client.force_login(office)
    assert "县水利局" in client.get(reverse("dashboard")).content.decode()
    unit_a.name = "县水务局"
    unit_a.save()
    assert "县水务局" in client.get(reverse("dashboard")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_submits_in_one_unit_both_count(
    secretary_a, secretary_a2, open_round, questionnaire, unit_a
):
    """Two branches of one unit submit at the same moment: the unit mean counts both (on
    PostgreSQL the second waits for the first's unit lock, then averages what it committed)."""
    secretaries = (secretary_a, secretary_a2)
    entries = [
        RosterEntry.objects.select_related("round__questionnaire").get(
            round=open_round, branch=user.branch
        )
        for user in secretaries
    ]
    values = values_for(questionnaire, 4)
    outcomes = run_concurrently(
        [
            lambda entry=entry, user=user: services.submission_submit(
                entry=entry, user=user, values=values, version=0
            )
            for entry, user in zip(entries, secretaries, strict=True)
        ]
    )
    assert all(isinstance(o, services.SubmitResult) for o in outcomes), outcomes
    row = UnitScore.objects.get(round=open_round, unit=unit_a)
    assert row.branches_scored == 2
    assert stored_unit_means(open_round) == expected_unit_means(open_round)


def test_refresh_of_one_unit_leaves_the_others_alone(
    client, secretary_a, secretary_b, open_round, questionnaire, unit_a, unit_b
):
    submit(client, secretary_a, open_round, questionnaire, "4")
    submit(client, secretary_b, open_round, questionnaire, "2")
    UnitScore.objects.filter(unit=unit_b).update(index=1.0)
    refresh_unit_scores(open_round.pk, [unit_a.pk])
    assert UnitScore.objects.get(unit=unit_b).index == 1.0
    refresh_unit_scores(open_round.pk)
    assert UnitScore.objects.get(unit=unit_b).index != 1.0


def test_county_trend_is_the_mean_over_units_of_every_round(db):
    """The trend is one GROUP BY over the unit means (JSON dimension means included); it
    must agree with the plain mean of the stored unit rows, round by round."""
    seed_demo(seed=3)
    latest = Round.objects.select_related("questionnaire").order_by("-opens_at").first()
    overview = selectors.round_overview(latest)
    assert len(overview.trend) == 4
    rounds = Round.objects.filter(opens_at__lte=latest.opens_at).order_by("opens_at", "id")
    for (name, index, dims), round_ in zip(overview.trend, rounds, strict=True):
        units = list(UnitScore.objects.filter(round=round_))
        assert name == round_.name
        assert index == pytest.approx(mean(u.index for u in units if u.index is not None))
        for code in ("xueyong", "zuzhi", "huoli"):
            present = [u.dimensions[code] for u in units if u.dimensions.get(code) is not None]
            assert dims[code] == pytest.approx(mean(present))
    # 较上轮 compares each unit with its own index in the round before, as both are shown
    # (two decimals each).
    before = dict(UnitScore.objects.filter(round=rounds[2]).values_list("unit_id", "index"))
    for row in overview.units:
        expected = (
            None
            if row.index is None or before.get(row.unit_id) is None
            else scoring.round2(scoring.round2(row.index) - scoring.round2(before[row.unit_id]))
        )
        assert row.change == expected
