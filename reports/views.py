"""The office's dashboards, the unit page, chart images, and a branch's own report."""

import hashlib
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from reports import chart_store, scoring, selectors, services
from reports.business import selectors as business_selectors
from reports.charts import county, profile
from reports.exports import pdf
from reports.models import SubmissionScore
from reports.rectification import selectors as rectification_selectors
from reports.terms.extract import top_terms
from reports.terms.selectors import round_text_answers
from reports.warnings import selectors as warning_selectors
from surveys.core.downloads import download_response
from surveys.core.permissions import office_required
from surveys.organisation.models import Unit
from surveys.ratings import selectors as rating_selectors
from surveys.ratings.chart import self_vs_others_svg
from surveys.ratings.models import RaterGroup
from surveys.rounds.models import Round
from surveys.submissions.selectors import visible_submissions
from surveys.verification.models import RoundPublication

CACHE_SECONDS = 60 * 60 * 24
ROUND_CHARTS = ("ranking", "heatmap", "trend", "causes", "grades", "progress")
UNIT_CHARTS = ("radar", "items", "trend", "causes")
BRANCH_CHARTS = ("radar", "trend", "items")
UNIT_TERMS = 10  # top terms on the unit page; the terms page lists more
SVG = "image/svg+xml"


def _cached(key, build):
    """Build once per data version: the version is part of the key, so a change in the
    scores makes a new key and the old entry simply ages out."""
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    return value


def _raters(round_, version, closed):
    """The round's 自评与他评 rows ranked by composite (surveys/ratings), or [] when the round
    has not closed or has no rater groups. `closed` is part of the key: rater sheets do not
    move the data version, but they can only arrive while the round is open, and nothing is
    shown before it closes, so the closed state stands for every sheet there will be."""

    def build():
        if not closed or not RaterGroup.objects.filter(round=round_).exists():
            return []
        rows = rating_selectors.round_comparison(round_) or []
        return rating_selectors.ranked(rows, "composite")

    return _cached(f"raters:{round_.pk}:{version}:{int(closed)}", build)


def _rater_card(round_, version, closed):
    """The dashboard's 自评与他评 card, read only on a cold render: {} when there is none, else
    the rows (each with its self / members / public scores) and the chart inline (its text
    then uses the page's fonts, which an <img> of the SVG cannot)."""
    rows = _raters(round_, version, closed)
    if not rows:
        return {}
    return {
        "rows": [(r, (r.self, r.members, r.public)) for r in rows],
        "chart": self_vs_others_svg(_rater_chart_data(rows)),
        "settings": rating_selectors.round_settings(round_),  # the weights, shown with them
    }


def _rater_chart_data(rows):
    return [
        (r.unit.name, {"self": r.self.index, "members": r.members.index, "public": r.public.index})
        for r in rows
    ]


def _overview(round_, version):
    return _cached(f"overview:{round_.pk}:{version}", lambda: selectors.round_overview(round_))


def _unit_report(round_, unit, version):
    return _cached(
        f"unit:{round_.pk}:{unit.pk}:{version}",
        lambda: selectors.unit_report(round_, unit, county=_overview(round_, version)),
    )


@office_required
def dashboard(request):
    version = selectors.data_version()
    rounds = _cached(f"picker:{version}", selectors.rounds_for_picker)
    round_id = request.GET.get("round")
    round_ = next((r for r in rounds if str(r.pk) == round_id), None)
    if round_ is None and round_id:
        # A round asked for by name (the round page's 看板 link) is that round or a page
        # saying why it has nothing to show; never another round's numbers.
        return _dashboard_without_scores(request, round_id, rounds)
    if not rounds:
        return render(request, "reports/dashboard_empty.html")
    round_ = round_ or rounds[0]
    # Read only where the page's cached fragment has to be rendered anew.
    overview = SimpleLazyObject(lambda: _overview(round_, version))
    business = SimpleLazyObject(lambda: business_selectors.business_overview(overview))
    # Pure (no query): the fragment's key carries it, see _raters.
    closed = round_.status == Round.Status.CLOSED
    return render(
        request,
        "reports/dashboard.html",
        {
            "rounds": rounds,
            "round": round_,
            "overview": overview,
            "version": version,
            "tables": SimpleLazyObject(lambda: _overview_tables(overview)),
            "alts": SimpleLazyObject(
                lambda: {name: chart_alt(overview, name) for name in ROUND_CHARTS}
            ),
            "business": business,
            # The county's top terms over the counted texts (reports/terms), in the fragment.
            "terms": SimpleLazyObject(
                lambda: top_terms((a.text for a in round_text_answers(round_)), UNIT_TERMS)
            ),
            "lights": SimpleLazyObject(lambda: _lights(overview, business)),
            "raters_closed": int(closed),
            "raters": SimpleLazyObject(lambda: _rater_card(round_, version, closed)),
        },
    )


def _lights(overview, business):
    """{unit id: LightRow}: each unit's warning light for the units table (reports/warnings)."""
    rows = warning_selectors.lights(overview, business if business.imported else None)
    return {row.unit_id: row for row in rows}


def _dashboard_without_scores(request, round_id, rounds):
    round_ = None
    if round_id.isdigit() and len(round_id) < 10:
        round_ = Round.objects.select_related("questionnaire").filter(pk=round_id).first()
    if round_ is None:
        raise Http404("没有这个测评批次。")
    return render(
        request,
        "reports/dashboard_round_pending.html",
        {"round": round_, "rounds": rounds, "started": round_.status != Round.Status.SCHEDULED},
    )


def _overview_tables(overview):
    codes = [d.code for d in overview.dimensions]
    return {
        "heatmap": [(u, [u.dimensions.get(c) for c in codes]) for u in overview.units],
        "trend": [
            (name, index, [dims.get(c) for c in codes]) for name, index, dims in overview.trend
        ],
        "causes": [
            (label, overview.county_causes.get(tag))
            for tag, label in selectors.CAUSE_LABELS.items()
        ],
        "county_dimensions": [
            (d, overview.county_dimensions.get(d.code)) for d in overview.dimensions
        ],
    }


@office_required
def unit_detail(request, round_id, unit_id):
    round_ = get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)
    unit = get_object_or_404(Unit, pk=unit_id)
    version = selectors.data_version()
    report = _unit_report(round_, unit, version)
    codes = [d.code for d in report.dimensions]
    # 考评: the self-assessed means beside the counted ones once any counted branch is verified.
    own = _cached(
        f"unit-self:{round_.pk}:{unit.pk}:{version}",
        lambda: selectors.unit_self_scores(round_, unit),
    )
    return render(
        request,
        "reports/unit.html",
        {
            "round": round_,
            "unit": unit,
            "report": report,
            "version": version,
            "own": own if own.verified else None,
            "dimension_rows": [
                (
                    d,
                    report.row.dimensions.get(d.code),
                    report.county.county_dimensions.get(d.code),
                    own.dimensions.get(d.code),
                )
                for d in report.dimensions
            ],
            # The unit's top terms from the texts the report already read (counted ones).
            "terms": _cached(
                f"unit-terms:{round_.pk}:{unit.pk}:{version}",
                lambda: top_terms(
                    (text for _question, answers in report.texts for _branch, text in answers),
                    UNIT_TERMS,
                ),
            ),
            "trend_rows": [
                (name, index, [dims.get(c) for c in codes]) for name, index, dims in report.trend
            ],
            "alts": {name: chart_alt(report, name, unit=True) for name in UNIT_CHARTS},
            "cause_rows": [
                (label, report.row.causes.get(tag)) for tag, label in selectors.CAUSE_LABELS.items()
            ],
            "business": next(
                (
                    row
                    for row in business_selectors.business_overview(report.county).rows
                    if row.unit_id == unit.pk and row.business is not None
                ),
                None,
            ),
            "tasks": rectification_selectors.unit_tasks(round_, unit),
            "today": timezone.localdate(),
            "task_link": _task_link(round_, unit, report),
        },
    )


def _task_link(round_, unit, report):
    """下达整改 with the unit, its weakest dimension and its weakest items filled in."""
    scored = [(d.code, report.row.dimensions.get(d.code)) for d in report.dimensions]
    scored = [(code, value) for code, value in scored if value is not None]
    query = {"unit": unit.pk, "questions": ",".join(sorted(report.weakest))}
    if scored:
        query["dimension"] = min(scored, key=lambda pair: pair[1])[0]
    return reverse("rectification_round", args=[round_.pk]) + "?" + urlencode(query)


@office_required
@require_POST
def score_exclude(request, submission_id):
    score = get_object_or_404(
        SubmissionScore.objects.select_related("branch"), submission_id=submission_id
    )
    excluded = request.POST.get("excluded") == "1"
    services.score_set_excluded(submission_id=submission_id, user=request.user, excluded=excluded)
    if excluded:
        messages.success(request, f"{score.branch.name}的答卷已不计入统计，各项得分已重新汇总。")
    else:
        messages.success(request, f"{score.branch.name}的答卷已恢复计入统计。")
    return redirect("unit_detail", round_id=score.round_id, unit_id=score.unit_id)


# --- charts -----------------------------------------------------------------------------


def _unit_urls(overview):
    return [reverse("unit_detail", args=[overview.round.pk, u.unit_id]) for u in overview.units]


def _linked(function, urls):
    return lambda *data, fmt: function(*data, urls=urls, fmt=fmt)


CHART_NAMES = {
    "ranking": "单位排名",
    "heatmap": "分维度得分",
    "trend": "历次趋势",
    "causes": "成因分析",
    "grades": "等次分布",
    "progress": "填报进度",
    "radar": "维度雷达图",
    "items": "各题平均得分",
    "raters": "自评与他评",
}


def _file_name(*parts):
    # A name the office recognises in the downloads folder; no path separators.
    return "_".join(str(p).replace("/", "-").replace("\\", "-") for p in parts)


def _round_chart_data(overview, name):
    codes = [d.code for d in overview.dimensions]
    names = [d.name for d in overview.dimensions]
    if name == "ranking":
        data = ([(u.name, u.index, u.grade) for u in overview.units],)
        # In the SVG (opened alone) each unit's bar and name link to its unit page.
        return _linked(county.ranking_bar, _unit_urls(overview)), county.alt_text_ranking_bar, data
    if name == "heatmap":
        data = (
            [u.name for u in overview.units],
            names,
            [[u.dimensions.get(c) for c in codes] for u in overview.units],
        )
        function = _linked(county.dimension_heatmap, _unit_urls(overview))
        return function, county.alt_text_dimension_heatmap, data
    if name == "trend":
        rounds = [r[0] for r in overview.trend]
        series = [("融合度指数", [r[1] for r in overview.trend])] + [
            (d.name, [r[2].get(d.code) for r in overview.trend]) for d in overview.dimensions
        ]
        return profile.trend, profile.alt_text_trend, (rounds, series)
    if name == "causes":
        data = (
            [
                (label, overview.county_causes.get(tag))
                for tag, label in selectors.CAUSE_LABELS.items()
            ],
            selectors.CAUSE_LABELS.get(overview.county_main_cause),
        )
        return profile.cause_profile, profile.alt_text_cause_profile, data
    if name == "grades":
        return (
            county.grade_distribution,
            county.alt_text_grade_distribution,
            (overview.grade_counts,),
        )
    if name == "progress":
        data = (overview.submitted_count, overview.roster_count)
        return county.progress_donut, county.alt_text_progress_donut, data
    raise Http404("没有这个图表。")


def _unit_chart_data(report, name):
    dims = report.dimensions
    if name == "radar":
        series = [
            (report.unit.name, [report.row.dimensions.get(d.code) for d in dims]),
            ("全县平均", [report.county.county_dimensions.get(d.code) for d in dims]),
        ]
        return profile.radar, profile.alt_text_radar, ([d.name for d in dims], series)
    if name == "items":
        data = ([(f"{q.code} {q.text}", s) for q, s in report.items],)
        return profile.item_bars, profile.alt_text_item_bars, data
    if name == "trend":
        rounds = [r[0] for r in report.trend]
        series = [("融合度指数", [r[1] for r in report.trend])] + [
            (d.name, [r[2].get(d.code) for r in report.trend]) for d in dims
        ]
        return profile.trend, profile.alt_text_trend, (rounds, series)
    if name == "causes":
        data = (
            [(label, report.row.causes.get(tag)) for tag, label in selectors.CAUSE_LABELS.items()],
            report.row.main_cause_label or None,
        )
        return profile.cause_profile, profile.alt_text_cause_profile, data
    raise Http404("没有这个图表。")


def _chart_response(request, key, render_chart, file_name=None):
    """The chart; with ``?download=1`` as an attachment named by ``file_name()``."""
    download = request.GET.get("download") == "1"
    etag = '"' + hashlib.sha256(f"{key}:{download}".encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        body, content_type = _cached(key, render_chart)
        response = HttpResponse(body, content_type=content_type)
        if download:
            response = download_response(body, file_name(), content_type)
    response["ETag"] = etag
    # Office-only data: browsers may keep it, shared proxies may not.
    response["Cache-Control"] = "private, max-age=300"
    return response


def _check_format(fmt):
    if fmt not in ("svg", "png"):
        raise Http404("不支持的图片格式。")
    return SVG if fmt == "svg" else "image/png"


@office_required
def round_chart(request, round_id, name, fmt):
    _check_format(fmt)
    if name == "raters":
        return _rater_chart(request, round_id, fmt)
    version = selectors.data_version()

    def file_name():
        round_ = get_object_or_404(Round, pk=round_id)
        return _file_name(round_.name, CHART_NAMES.get(name, name)) + f".{fmt}"

    return _chart_response(
        request,
        round_chart_key(round_id, name, fmt, version),
        lambda: _render_round_chart(round_id, name, fmt, version),
        file_name,
    )


def round_chart_key(round_id, name, fmt, version):
    return f"chart:{round_id}:-:{name}:{fmt}:{version}"


def _render_round_chart(round_id, name, fmt, version):
    # Deleting or renaming a round moves the version on, so a cached chart is current.
    round_ = get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)
    function, _alt, data = _round_chart_data(_overview(round_, version), name)
    return function(*data, fmt=fmt), _check_format(fmt)


def round_chart_cached(round_id, name, fmt, version):
    """(body, content type) of a round chart as round_chart serves it, drawn if not cached:
    reports/warming.py calls it after a change, so the page's next request is a hit."""
    return _cached(
        round_chart_key(round_id, name, fmt, version),
        lambda: _render_round_chart(round_id, name, fmt, version),
    )


def _rater_chart(request, round_id, fmt):
    """自评与他评 per unit, drawn by surveys/ratings (SVG only), once the round has closed."""
    if fmt != "svg":
        raise Http404("该图表只有 SVG 格式。")
    round_ = get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)
    version = selectors.data_version()
    closed = round_.status == Round.Status.CLOSED
    key = f"chart:{round_id}:-:raters:svg:{version}:{int(closed)}"

    def render_chart():
        rows = _raters(round_, version, closed)
        if not rows:
            raise Http404("批次结束且有评议组后才有自评与他评对比图。")
        return self_vs_others_svg(_rater_chart_data(rows)), SVG

    def file_name():
        return _file_name(round_.name, CHART_NAMES["raters"]) + ".svg"

    return _chart_response(request, key, render_chart, file_name)


@office_required
def unit_chart(request, round_id, unit_id, name, fmt):
    content_type = _check_format(fmt)
    version = selectors.data_version()

    def render_chart():
        round_ = get_object_or_404(Round.objects.select_related("questionnaire"), pk=round_id)
        unit = get_object_or_404(Unit, pk=unit_id)
        return _render_unit_chart(round_, unit, name, fmt, version), content_type

    def file_name():
        round_ = get_object_or_404(Round, pk=round_id)
        unit = get_object_or_404(Unit, pk=unit_id)
        return _file_name(round_.name, unit.name, CHART_NAMES.get(name, name)) + f".{fmt}"

    return _chart_response(
        request, unit_chart_key(round_id, unit_id, name, fmt, version), render_chart, file_name
    )


def unit_chart_key(round_id, unit_id, name, fmt, version):
    return f"chart:{round_id}:{unit_id}:{name}:{fmt}:{version}"


def _render_unit_chart(round_, unit, name, fmt, version):
    # Kept under its data as well: at the next data version a unit whose numbers did not
    # change (its items, trend and causes; the radar also shows the county mean) draws
    # nothing, and the PDF's PNGs are the same pictures.
    function, _alt, data = _unit_chart_data(_unit_report(round_, unit, version), name)
    return chart_store.drawn(function, *data, fmt=fmt)


def unit_page_charts(round_, unit, version):
    """Draw (into the cache) the SVG charts unit_detail's page shows for the unit, as
    unit_chart serves them: reports/warming.py calls it, so the office's first look at a unit
    after a change draws nothing."""
    report = _unit_report(round_, unit, version)
    names = UNIT_CHARTS if report.row.branches_scored else ("trend",)  # what the page shows
    for name in names:
        _cached(
            unit_chart_key(round_.pk, unit.pk, name, "svg", version),
            lambda name=name: (_render_unit_chart(round_, unit, name, "svg", version), SVG),
        )


def chart_alt(overview_or_report, name, *, unit=False):
    """Chinese alt text for a chart, from the same data the picture is drawn from."""
    source = _unit_chart_data if unit else _round_chart_data
    _function, alt, data = source(overview_or_report, name)
    return alt(*data)


# --- a branch's own report ----------------------------------------------------------------


def _own_submission(request, submission_id):
    """The submission if this user may see it (a secretary their own branch's, the office
    any), else 404: another branch's report, charts and PDF do not exist for them."""
    return get_object_or_404(visible_submissions(request.user), pk=submission_id)


def _branch_report(submission):
    report = selectors.branch_report(
        submission, overview_of=lambda round_: _overview(round_, selectors.data_version())
    )
    if report is None:
        raise Http404("该答卷尚未提交，暂无测评结果。")
    return report


def _login_first(view):
    """Anyone logged in may ask; what they see is decided by visible_submissions."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


def _branch_chart_data(report, name):
    dims = report.dims
    names = [d.dimension.name for d in dims]
    if name == "radar":
        # County means only once they are final; before that the branch alone.
        series = [(report.submission.branch.name, [d.score for d in dims])]
        if report.closed:
            series.append(("全县平均", [report.county_dims.get(d.dimension.code) for d in dims]))
        return profile.radar, profile.alt_text_radar, (names, series)
    if name == "items":
        # One branch's sheet: its own item scores, not means.
        data = ([(f"{q.code} {q.text}", s) for q, s in report.items], 3, "各题目得分")
        return profile.item_bars, profile.alt_text_item_bars, data
    if name == "trend":
        rounds = [r[0] for r in report.trend]
        series = [("融合度指数", [r[1] for r in report.trend])] + [
            (d.dimension.name, [r[2].get(d.dimension.code) for r in report.trend]) for d in dims
        ]
        return profile.trend, profile.alt_text_trend, (rounds, series)
    raise Http404("没有这个图表。")


def _branch_alt(report, name):
    _function, alt, data = _branch_chart_data(report, name)
    return alt(*data)


@_login_first
def branch_report(request, submission_id):
    """A secretary's own branch report (the office may open any). Other branches appear
    only as county aggregates and a position, never by name."""
    submission = _own_submission(request, submission_id)
    report = _branch_report(submission)
    context = {
        **vars(report),
        "awaiting": _awaiting_publication(request, submission),
        "insufficient": scoring.INSUFFICIENT,
        "alts": {name: _branch_alt(report, name) for name in BRANCH_CHARTS},
    }
    return render(request, "reports/branch_report.html", context)


def _awaiting_publication(request, submission):
    """The office is verifying this round (surveys/verification) and has not published yet:
    the secretary sees no score until 公示 — not on the page, in a chart or in the PDF."""
    if request.user.is_office:
        return False
    publication = RoundPublication.objects.filter(round_id=submission.round_id).first()
    return publication is not None and publication.published_at is None


@_login_first
def branch_chart(request, submission_id, name, fmt):
    content_type = _check_format(fmt)
    if name not in BRANCH_CHARTS:
        raise Http404("没有这个图表。")
    submission = _own_submission(request, submission_id)
    if _awaiting_publication(request, submission):
        raise Http404("测评结果等待公示，公示后才能查看图表。")
    # The round closing changes what the radar shows without moving the data version.
    closed, _extended = selectors.county_numbers_final(submission.round, timezone.now())
    version = selectors.data_version()
    key = f"branch-chart:{submission.pk}:{name}:{fmt}:{version}:{int(closed)}"

    def render_chart():
        function, _alt, data = _branch_chart_data(_branch_report(submission), name)
        return function(*data, fmt=fmt), content_type

    return _chart_response(request, key, render_chart)


@_login_first
def branch_pdf(request, submission_id):
    submission = _own_submission(request, submission_id)
    if _awaiting_publication(request, submission):
        messages.info(request, "测评结果等待公示，公示后才能下载本支部报告。")
        return redirect("branch_report", submission.pk)
    report = _branch_report(submission)
    return download_response(
        pdf.branch_report_pdf(report),
        f"{submission.branch.name}-{submission.round.name}-融合度测评报告.pdf",
        "application/pdf",
        fallback=f"round-{submission.round_id}-branch-{submission.branch_id}.pdf",
    )
