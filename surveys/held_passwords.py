"""Passwords shown once: a new password reaches the one page that shows it by POST,
redirect, GET. The session holds it until that GET, sealed under a key that only the
office's browser has (a cookie, sent to the people pages only), because sessions live in the
database; an import's passwords stay for the one download from its page too. A reload or
back/forward repeats only the GET, which finds them gone and says so."""

import time

from django.urls import reverse

from surveys import accounts

CREDENTIALS = "people_credentials"  # the last import's initial passwords, sealed, until shown
NEW_PASSWORDS = "people_new_passwords"  # a reset's or a handover's password, sealed, until shown
SEAL_COOKIE = "ronghe_seal_key"
SEAL_SECONDS = 3600  # how long a held password waits for its page (and an import's download)


def seal_key(request, response):
    """This browser's key for sealing passwords held in its session, set (again) on response.

    The cookie goes only to the people pages and outlives no held password by much."""
    key = request.COOKIES.get(SEAL_COOKIE, "")
    if not accounts.is_seal_key(key):
        key = accounts.seal_key()
    response.set_cookie(
        SEAL_COOKIE,
        key,
        max_age=SEAL_SECONDS,
        path=reverse("people"),
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return key


def unseal(request, record):
    if time.time() - record.get("at", 0) > SEAL_SECONDS:
        return None
    return accounts.unseal(request.COOKIES.get(SEAL_COOKIE, ""), record.get("sealed", ""))


def hold(request, response, slot, *, account, password):
    """Keep a new password for the result page that response redirects to."""
    key = seal_key(request, response)
    now = time.time()
    held = {
        name: record
        for name, record in request.session.get(NEW_PASSWORDS, {}).items()
        if now - record["at"] <= SEAL_SECONDS
    }
    held[slot] = {"account": account.pk, "sealed": accounts.seal(key, password), "at": now}
    request.session[NEW_PASSWORDS] = held
    return response


def take(request, slot):
    """The account id and password held for a result page, once; (None, None) after that.

    The password is None too if it can no longer be opened (expired, or another browser)."""
    held = request.session.get(NEW_PASSWORDS, {})
    record = held.pop(slot, None)
    if record is None:
        return None, None
    request.session[NEW_PASSWORDS] = held
    return record["account"], unseal(request, record)
