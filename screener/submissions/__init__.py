"""Submissions: screenings a patient chose to send to a clinic, sealed at rest, kept apart from
the patient's own screening (whose 24 h retention and "delete now" they do not change)."""
