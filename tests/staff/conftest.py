from tests.inbox_support import app, clinics  # noqa: F401 - fixtures
