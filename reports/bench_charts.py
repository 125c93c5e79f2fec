"""The cold-chart figures of `manage.py bench_reports --charts` (issue 14): the whole-round
PDF and the first dashboard view after a submit, each without and with the charts warmed
beforehand (reports/warming.py), on a synthetic county from reports/bench.py.

Like reports/bench.py it writes to whatever database is configured, so it only ever runs
inside the throw-away process the command starts. "Task time" is the build function alone
(`pdf.round_report_pdf`), what the background job spends; "cold" means the shared cache is
empty while the process itself has already drawn one chart (imports and fonts are paid once
per worker, not once per PDF).
"""

import cProfile
import datetime as dt
import io
import pstats

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from reports import bench, warming
from reports.charts import profile as profile_charts
from reports.exports import pdf
from reports.views import ROUND_CHARTS
from surveys.organisation.models import User
from surveys.rounds.models import Round
from surveys.submissions import services as submission_services
from surveys.submissions.models import Answer, Submission
from surveys.submissions.values import answer_value

TARGETS = {
    "pdf_cold_ms": "≤ 5000（25 个单位的全批次 PDF，任务耗时，冷缓存）",
    "dashboard_after_submit_warmed_ms": "≤ 1000（提交一份答卷后第一次打开看板：页面 + 图表）",
}


def run(*, branches, rounds, items, units, seed, profile_to=None, log=lambda m: None) -> dict:
    result = {"database_vendor": connection.vendor, "seed": seed}
    _none, result["migrate_ms"] = bench.timed(
        lambda: call_command("migrate", verbosity=0, interactive=False)
    )
    log(f"building {branches} branches, {units} units, {rounds} round(s)")
    county = bench.build(branches=branches, rounds=rounds, items=items, units=units, seed=seed)
    bench.measure_scoring(county, log)
    result.update(branches=branches, units=units, rounds=rounds, items=len(county.questions))
    latest = Round.objects.select_related("questionnaire").get(pk=county.rounds[-1].pk)
    log("round PDF")
    result.update(measure_pdf(latest, profile_to, log))
    log("first dashboard view after a submit")
    result.update(measure_after_submit(county, latest))
    result["targets"] = TARGETS
    return result


def _pdf_ms(round_):
    return bench.timed(lambda: pdf.round_report_pdf(round_))[1]


def measure_pdf(round_, profile_to, log) -> dict:
    # A worker process has drawn before: imports and fonts are not the PDF's cost.
    profile_charts.radar(["甲", "乙", "丙"], [("全县", [1, 2, 3])], fmt="png")
    cache.clear()
    if profile_to:
        profiler = cProfile.Profile()
        cold = bench.timed(lambda: profiler.runcall(pdf.round_report_pdf, round_))[1]
        profiler.dump_stats(profile_to)
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
        log(f"cold PDF under cProfile: {cold:.0f} ms; stats in {profile_to}\n{text.getvalue()}")
        cache.clear()
    cold = _pdf_ms(round_)
    log(f"cold PDF {cold:.0f} ms")
    cache.clear()
    _none, warm_ms = bench.timed(warming.warm)
    log(f"warming {warm_ms:.0f} ms")
    return {
        "pdf_cold_ms": cold,
        "warm_task_ms": warm_ms,
        # Every chart in the cache: what is left is fpdf2 laying out tables and text.
        "pdf_after_warming_ms": _pdf_ms(round_),
    }


def _dashboard_urls(round_):
    return [reverse("dashboard") + f"?round={round_.pk}"] + [
        reverse("round_chart", args=[round_.pk, name, "svg"]) for name in ROUND_CHARTS
    ]


def _resubmit(county, round_, secretary):
    """One sheet returned by the office and submitted again, through the services the pages
    call: the data version moves on as after any submit."""
    submission = Submission.objects.filter(round=round_).order_by("pk").first()
    branch = submission.branch
    secretary.branch = branch
    secretary.save(update_fields=["branch"])
    submission_services.submission_return(
        user=county.office,
        submission=submission,
        reason="基准测试：退回后重新提交",
        closes_at=timezone.now() + dt.timedelta(days=7),
    )
    submission.refresh_from_db()
    entry = round_.roster.select_related("round__questionnaire").get(branch=branch)
    answers = Answer.objects.filter(submission=submission).select_related("question")
    values = {a.question.code: answer_value(a) for a in answers}
    submission_services.submission_submit(
        entry=entry, user=secretary, values=values, version=submission.version
    )


def measure_after_submit(county, round_) -> dict:
    secretary = User.objects.create(
        username="bench_secretary",
        role=User.Role.SECRETARY,
        branch=county.units[0].branches.order_by("pk").first(),
    )
    urls = _dashboard_urls(round_)
    result = {}
    with override_settings(ALLOWED_HOSTS=["*"]):
        client = Client()
        client.force_login(county.office)
        bench._page_set(client, urls)  # templates and fonts loaded, the cache full
        for label, warm_first in (("unwarmed", False), ("warmed", True)):
            _resubmit(county, round_, secretary)
            if warm_first:
                # What db_worker does a few seconds after the submit.
                result["warm_task_after_submit_ms"] = bench.timed(warming.warm)[1]
            times = bench._page_set(client, urls)
            result[f"dashboard_after_submit_{label}_ms"] = round(sum(times), 3)
            result[f"dashboard_after_submit_{label}_page_ms"] = times[0]
    return result
