"""Flask-Login for the staff pages: the user id in the (staff) session is "<id>.<epoch>", so
raising an account's epoch signs it out everywhere; "strong" session protection drops a
session whose browser identifier changed."""

from __future__ import annotations

from flask import Flask, abort
from flask_login import LoginManager

from .accounts import load

login_manager = LoginManager()
login_manager.login_view = "staff.sign_in"
login_manager.session_protection = "strong"
login_manager.login_message = None


@login_manager.user_loader
def _load(user_id: str):
    return load(user_id)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)


def require_admin(user) -> None:
    if not user.is_admin:
        abort(403)
