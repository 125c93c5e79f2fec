"""The CSRF failure page (CSRF_FAILURE_VIEW): a POST whose token went stale, most often a
questionnaire saved after logging out and in again in another tab.

Rendered without a request context, like Django's own, so nothing here queries or needs
a user (templates/standalone.html)."""

from django.http import HttpResponseForbidden
from django.template import loader
from django.urls import Resolver404, resolve

# The page whose typing static/js/questionnaire.js keeps in the browser (by URL name, so
# core imports nothing from the feature).
KEEPS_TYPING = {"questionnaire"}


def csrf_failure(request, reason=""):
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    form_url = request.path if match and match.url_name in KEEPS_TYPING else None
    html = loader.render_to_string("403_csrf.html", {"form_url": form_url})
    return HttpResponseForbidden(html)
