"""The staff pages' forms: Flask-WTF, CSRF bound to the staff cookie (never exempted)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..submissions.service import DECISIONS, MAX_NOTE
from .accounts import MAX_EMAIL, MAX_NAME
from .passwords import MAX_LENGTH

CODE_LENGTH = 20
"""A TOTP code (6 digits) or a recovery code (12 characters, dashes and spaces allowed)."""


class SignInForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        InputRequired(_l("Enter your e-mail address.")), Length(max=MAX_EMAIL)])
    password = PasswordField(_l("Password"), validators=[
        InputRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)])
    code = StringField(_l("Code from your authenticator app, or a recovery code"), validators=[
        InputRequired(_l("Enter the code from your authenticator app.")),
        Length(max=CODE_LENGTH)])


class EnrolForm(FlaskForm):
    name = StringField(_l("Your name, as it should appear on a sign-off"), validators=[
        InputRequired(_l("Enter your name.")), Length(max=MAX_NAME)])
    password = PasswordField(_l("New password (at least 12 characters)"), validators=[
        InputRequired(_l("Enter a password.")), Length(max=MAX_LENGTH)])
    confirm = PasswordField(_l("The same password again"), validators=[
        InputRequired(_l("Enter the password again.")), Length(max=MAX_LENGTH)])
    code = StringField(_l("The 6-digit code your authenticator app now shows"), validators=[
        InputRequired(_l("Enter the code from your authenticator app.")),
        Length(max=CODE_LENGTH)])


DECISION_LABELS = {
    "proceed": _l("Proceed to consultation"),
    "clarify": _l("Needs clarification"),
    "not_suitable": _l("Not suitable for TMS"),
}


class ReviewForm(FlaskForm):
    decision = RadioField(_l("Decision"), choices=[(d, DECISION_LABELS[d]) for d in DECISIONS],
                          validators=[InputRequired(_l("Choose a decision."))])
    note = TextAreaField(_l("Note (optional)"), validators=[
        Length(max=MAX_NOTE, message=_l("The note is too long: at most %(max)d characters."))])


class ConfirmForm(FlaskForm):
    """A button and its CSRF token: sign out, delete."""
