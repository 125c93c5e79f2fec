"""Error pages Django leaves bare: a Chinese page with a way back for a 405 (a POST-only URL
opened directly), and for a 404 in the demo, which runs with DEBUG on (`make run`)."""

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import Resolver404, resolve


class ErrorPageMiddleware:
    """Replaces `require_POST`'s empty 405, and in the demo Django's English DEBUG 404, with
    the app's own pages (templates/405.html, templates/404.html), keeping the status code.

    Outside the demo a 404 already renders templates/404.html (DEBUG is off); a developer
    running with DEBUG on and RONGHE_DEMO off keeps Django's technical 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            page = render(
                request, "405.html", {"back_url": parent_page(request.path_info)}, status=405
            )
            page["Allow"] = response["Allow"]
            return page
        if (
            response.status_code == 404
            and settings.DEBUG
            and settings.RONGHE_DEMO
            and response.get("Content-Type", "").startswith("text/html")
        ):
            return render(request, "404.html", status=404)
        return response


def parent_page(path):
    """The page one level up that exists (/office/rounds/1/close/ -> /office/rounds/1/), or ""."""
    parts = [p for p in path.split("/") if p]
    while parts:
        parts.pop()
        candidate = "/" + "".join(f"{p}/" for p in parts)
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate if candidate != "/" else ""
    return ""
