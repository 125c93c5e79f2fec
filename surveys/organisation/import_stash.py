"""An uploaded people sheet awaiting the office's confirmation.

The bytes stay on disk under a random token (never under a name the office chose); the
session holds the token, the file's sha256, its name and the digest of the plan the office
last saw, so that the commit applies exactly that plan or refuses. Uploads older than a day
are swept away at the next upload."""

import hashlib
import re
import secrets
import time

from django.conf import settings

PENDING = "people_import"  # the session key
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
STALE_UPLOAD_SECONDS = 24 * 3600


def _folder():
    path = settings.DATA_DIR / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def stash(session, *, content, name, digest):
    """Keep the uploaded bytes on disk under a random token; the session holds the token."""
    discard(session)
    folder = _folder()
    cutoff = time.time() - STALE_UPLOAD_SECONDS
    for old in folder.glob("*.xlsx"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.xlsx").write_bytes(content)
    session[PENDING] = {
        "token": token,
        "sha256": hashlib.sha256(content).hexdigest(),
        "name": name,
        "digest": digest,
    }


def pending(session):
    """The stashed upload and its session record, or (None, None) if gone or tampered with."""
    meta = session.get(PENDING)
    if not meta or not TOKEN_RE.match(meta.get("token", "")):
        return None, None
    try:
        content = (_folder() / f"{meta['token']}.xlsx").read_bytes()
    except OSError:
        return None, None
    if hashlib.sha256(content).hexdigest() != meta["sha256"]:
        return None, None
    return content, meta


def shown(session, meta, digest):
    """The office has now seen the plan with this digest: the commit must apply that one."""
    session[PENDING] = {**meta, "digest": digest}


def discard(session):
    meta = session.pop(PENDING, None)
    if meta and TOKEN_RE.match(meta.get("token", "")):
        (_folder() / f"{meta['token']}.xlsx").unlink(missing_ok=True)
