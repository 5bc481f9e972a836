"""Clinic staff: accounts (password + TOTP), enrolment, sign-in, the staff session and API
tokens for clinics' systems."""
