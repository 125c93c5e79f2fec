"""The database session store, with the row's end kept in the session itself.

The questionnaire page says when the login ends (and warns before it does). That end is the
stored row's expire_date — sessions are saved at login and seldom after — and reading it was
one query on every page view. Every save writes the same moment into the session data as
EXPIRES_KEY, so the page reads it from the session already loaded. SESSION_ENGINE names this
module."""

import datetime as dt

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

EXPIRES_KEY = "_ronghe_expires"


class SessionStore(DatabaseSessionStore):
    def create_model_instance(self, data):
        expires = self.get_expiry_date()
        data[EXPIRES_KEY] = expires.timestamp()
        return self.model(
            session_key=self._get_or_create_session_key(),
            session_data=self.encode(data),
            expire_date=expires,
        )


def stored_expiry(session):
    """When the stored row of this session ends, from the session's own data; None for a
    session saved before this store (or by another one)."""
    stamp = session.get(EXPIRES_KEY)
    if not isinstance(stamp, int | float):
        return None
    return dt.datetime.fromtimestamp(stamp, tz=dt.UTC)
