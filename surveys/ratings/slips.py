"""Codes shown once: issuing redirects to the slips page, which takes them from the session.
They wait there sealed under a key only the office's browser holds (a cookie sent to the
slips page only), because sessions live in the database, the very thing that must never
hold a usable code. A reload finds them gone."""

import json
import time

from django.urls import reverse

from surveys.organisation.passwords import is_key, new_key, seal, unseal

SLOT = "rater_slips"
COOKIE = "ronghe_slips_key"
SECONDS = 3600


def hold(request, response, *, group, codes):
    key = request.COOKIES.get(COOKIE, "")
    if not is_key(key):
        key = new_key()
    response.set_cookie(
        COOKIE,
        key,
        max_age=SECONDS,
        path=reverse("ratings_slips"),
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    text = json.dumps({"group": group.pk, "codes": codes})
    request.session[SLOT] = {"sealed": seal(key, text), "at": time.time()}
    return response


def take(request):
    """(group id, codes) held for the slips page, once; (None, []) after that."""
    record = request.session.pop(SLOT, None)
    if not record:
        return None, []
    text = unseal(request.COOKIES.get(COOKIE, ""), record.get("sealed", ""), SECONDS)
    if text is None:
        return None, []
    data = json.loads(text)
    return data["group"], data["codes"]
