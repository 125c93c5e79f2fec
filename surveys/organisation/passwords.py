"""Passwords shown once: a new password reaches the one page that shows it by POST,
redirect, GET. The session holds it until that GET, sealed under a key that only the
office's browser has (a cookie, sent to the people pages only), because sessions live in the
database; an import's passwords stay for the one download from its page too. A reload or
back/forward repeats only the GET, which finds them gone and says so.

Sealing is cryptography's Fernet (AES-CBC with HMAC-SHA256); its token carries the time it
was made, so a held password older than SEAL_SECONDS no longer opens."""

import time

from cryptography.fernet import Fernet, InvalidToken
from django.urls import reverse

CREDENTIALS = "people_credentials"  # the last import's initial passwords, sealed, until shown
NEW_PASSWORDS = "people_new_passwords"  # a reset's or a handover's password, sealed, until shown
SEAL_COOKIE = "ronghe_seal_key"
SEAL_SECONDS = 3600  # how long a held password waits for its page (and an import's download)


# Sealing ---------------------------------------------------------------------------------


def new_key():
    """A fresh key for `seal`, as ASCII."""
    return Fernet.generate_key().decode("ascii")


def is_key(key):
    try:
        Fernet(key)
    except (TypeError, ValueError):
        return False
    return True


def seal(key, text):
    """Text encrypted and authenticated under key, as ASCII."""
    return Fernet(key).encrypt(text.encode()).decode("ascii")


def unseal(key, sealed, max_age=None):
    """The text sealed under key, or None if the key does not open it (wrong, damaged, or
    sealed more than max_age seconds ago)."""
    try:
        return Fernet(key).decrypt(sealed, ttl=max_age).decode()
    except (InvalidToken, TypeError, ValueError):
        return None


# The browser's key and the session -------------------------------------------------------


def seal_for_browser(request, response, text):
    """Text sealed under this browser's key, which is set (again) on response.

    The cookie goes only to the people pages and outlives no held password by much."""
    key = request.COOKIES.get(SEAL_COOKIE, "")
    if not is_key(key):
        key = new_key()
    response.set_cookie(
        SEAL_COOKIE,
        key,
        max_age=SEAL_SECONDS,
        path=reverse("people"),
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return seal(key, text)


def open_record(request, record):
    """The text of a held record, or None (expired, or sealed for another browser)."""
    return unseal(request.COOKIES.get(SEAL_COOKIE, ""), record.get("sealed", ""), SEAL_SECONDS)


def hold(request, response, slot, *, account, password):
    """Keep a new password for the result page that response redirects to."""
    now = time.time()
    held = {
        name: record
        for name, record in request.session.get(NEW_PASSWORDS, {}).items()
        if now - record["at"] <= SEAL_SECONDS  # expired ones no longer open: drop them
    }
    held[slot] = {
        "account": account.pk,
        "sealed": seal_for_browser(request, response, password),
        "at": now,
    }
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
    return record["account"], open_record(request, record)
