"""The office's page of what a round's free text says: top terms per group as a chart and a
table, and the sentences containing a term the office clicked."""

import hashlib

from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render

from reports.selectors import data_version
from reports.terms.chart import alt_text_term_bars, term_bars
from reports.terms.groups import sentences_of, term_groups
from reports.terms.selectors import round_text_answers
from surveys.core.permissions import office_required
from surveys.organisation.models import Unit
from surveys.rounds.models import Round

CACHE_SECONDS = 60 * 60 * 24
MAX_TERM = 50  # longer than any word; a longer ?term= is simply not found
# A county-wide term can be in thousands of sentences; the page lists this many.
MAX_SENTENCES = 200


def _groups(round_, unit, version):
    """The round's (or one unit's) groups, worked out once per data version (a submission, a
    return or an exclusion moves it on, and those are what change the texts that count)."""
    key = f"terms:{round_.pk}:{unit.pk if unit else '-'}:{version}"
    groups = cache.get(key)
    if groups is None:
        groups = term_groups(round_text_answers(round_, unit))
        cache.set(key, groups, CACHE_SECONDS)
    return groups


def _chosen(groups, key):
    return next((g for g in groups if g.key == key), groups[0] if groups else None)


def _marked(sentence, term):
    """The sentence in (text, is_term) pieces, so the template can <mark> the term."""
    pieces, rest = [], sentence
    while term and term in rest:
        before, _, rest = rest.partition(term)
        pieces += [(before, False), (term, True)]
    return [*pieces, (rest, False)]


def _unit(request):
    """The unit of ?unit=, None without one; a unit that does not exist is a 404."""
    value = request.GET.get("unit", "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise Http404("没有这个单位。")
    return get_object_or_404(Unit, pk=value)


@office_required
def round_terms(request, round_id):
    round_ = get_object_or_404(Round, pk=round_id)
    unit = _unit(request)
    groups = _groups(round_, unit, data_version())
    group = _chosen(groups, request.GET.get("group", "all"))
    term = request.GET.get("term", "").strip()[:MAX_TERM]
    found = sentences_of(term, group.answers) if term and group else []
    ways = {}
    for g in groups:
        ways.setdefault(g.way, []).append(g)
    return render(
        request,
        "reports/terms/round.html",
        {
            "round": round_,
            "unit": unit,
            # Every link on the page keeps the unit it is about.
            "base": f"unit={unit.pk}&" if unit else "",
            "ways": ways,
            "group": group,
            "term": term,
            "sentences": [
                (answer, _marked(sentence, term)) for answer, sentence in found[:MAX_SENTENCES]
            ],
            "sentence_count": len(found),
            "alt": alt_text_term_bars(group.terms, f"{group.label}高频词") if group else "",
        },
    )


@office_required
def round_terms_chart(request, round_id, fmt):
    if fmt not in ("svg", "png"):
        raise Http404("不支持的图片格式。")
    version = data_version()
    key_part = request.GET.get("group", "all")[:80]
    group_hash = hashlib.sha256(key_part.encode()).hexdigest()[:16]
    unit = _unit(request)
    key = f"terms-chart:{round_id}:{unit.pk if unit else '-'}:{group_hash}:{fmt}:{version}"
    etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        body = cache.get(key)
        if body is None:
            round_ = get_object_or_404(Round, pk=round_id)
            group = _chosen(_groups(round_, unit, version), key_part)
            terms = group.terms if group else []
            title = f"{group.label}高频词" if group else "高频词"
            body = term_bars(terms, title, fmt=fmt)
            cache.set(key, body, CACHE_SECONDS)
        response = HttpResponse(body, content_type="image/svg+xml" if fmt == "svg" else "image/png")
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=300"
    return response
