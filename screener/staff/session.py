"""The staff session: its own cookie, never the patient's.

Pages under /clinic/ read and write `tms_staff` (path /clinic, SameSite=Strict, HttpOnly,
Secure in production, signed with its own salt, so a patient's cookie can never pass for a
staff one); every other path keeps the app's usual session cookie untouched. The staff cookie
lapses after 30 minutes without a request (its signature's age) and 8 hours after sign-in
whatever happens (`started`, checked on every request). Sign-in clears it and starts anew
(`begin`), so a cookie planted before sign-in is worth nothing after it.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from flask import Flask, Request, Response, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature

STAFF_PREFIX = "/clinic"
COOKIE = "tms_staff"
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=8)
STARTED = "started"


def staff_path(path: str) -> bool:
    return path == STAFF_PREFIX or path.startswith(STAFF_PREFIX + "/")


class StaffSession(SecureCookieSession):
    pass


class StaffCookie(SecureCookieSessionInterface):
    salt = "staff-session"
    session_class = StaffSession

    def get_cookie_name(self, app: Flask) -> str:
        return COOKIE

    def get_cookie_path(self, app: Flask) -> str:
        return STAFF_PREFIX

    def get_cookie_domain(self, app: Flask) -> str | None:
        return None

    def get_cookie_samesite(self, app: Flask) -> str:
        return "Strict"

    def get_cookie_httponly(self, app: Flask) -> bool:
        return True

    def get_cookie_partitioned(self, app: Flask) -> bool:
        return False

    def get_expiration_time(self, app: Flask, session: SessionMixin) -> datetime | None:
        return None  # a browser-session cookie; the idle bound is the signature's age

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        return True  # every response re-signs it: the idle clock restarts

    def open_session(self, app: Flask, request: Request) -> StaffSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(COOKIE)
        if not value:
            return StaffSession()
        try:
            data = serializer.loads(value, max_age=int(IDLE.total_seconds()))
        except BadSignature:
            return StaffSession()
        started = data.get(STARTED) if isinstance(data, dict) else None
        if not isinstance(started, int | float) or time.time() - started > ABSOLUTE.total_seconds():
            return StaffSession()
        return StaffSession(data)


class SplitSessionInterface(SecureCookieSessionInterface):
    """The app's cookie everywhere but /clinic/, the staff cookie there."""

    def __init__(self) -> None:
        self.staff = StaffCookie()

    def open_session(self, app: Flask, request: Request):
        if staff_path(request.path):
            return self.staff.open_session(app, request)
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if isinstance(session, StaffSession):
            if session and STARTED not in session:
                session[STARTED] = int(time.time())
            return self.staff.save_session(app, session, response)
        return super().save_session(app, session, response)


def begin() -> None:
    """At sign-in: drop whatever the cookie held (CSRF token included) and start the clock."""
    session.clear()
    session[STARTED] = int(time.time())


def init_app(app: Flask) -> None:
    app.session_interface = SplitSessionInterface()

