"""Idle sessions without a database write on every request.

A session ends SESSION_COOKIE_AGE seconds after it was last renewed (the cookie's max-age and
the row's expire_date, both set at each save). Renewing it on every request cost an UPDATE and
a commit per page; it is renewed only once its expiry is more than SESSION_REFRESH_SECONDS old,
so a session ends between SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE
after the last request: never later than the idle limit, at most the refresh interval earlier.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.middleware import SessionMiddleware
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    """Django's database sessions (same table, same rows), remembering the expiry it read."""

    loaded_expiry: datetime | None = None

    def _get_session_from_db(self):
        row = super()._get_session_from_db()
        self.loaded_expiry = row.expire_date if row is not None else None
        return row


def renewal_due(session, *, now: datetime | None = None) -> bool:
    """Whether this request renews the idle deadline: the stored expiry is more than
    SESSION_REFRESH_SECONDS older than a renewal now would set (or was never read)."""
    if not session.session_key:
        return False  # no session (a new one that was written is saved anyway: it is modified)
    # A page that never read the session still renews it, as before (loading it sets
    # accessed, so the response varies on Cookie, as a saved session's did).
    session._get_session()
    if session.is_empty() or session.get_expire_at_browser_close():
        return False
    expiry = getattr(session, "loaded_expiry", None)
    if expiry is None:
        return True
    now = now or timezone.now()
    fresh = now + timedelta(seconds=session.get_expiry_age())
    return fresh - expiry > timedelta(seconds=settings.SESSION_REFRESH_SECONDS)


class IdleSessionMiddleware(SessionMiddleware):
    """SessionMiddleware that saves a session when it changed or its renewal is due
    (SESSION_SAVE_EVERY_REQUEST is off); Django's own code then saves it and sets the cookie."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.modified and renewal_due(session):
            session.modified = True
        return super().process_response(request, response)
