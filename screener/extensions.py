"""Flask extensions, created unbound so that every module can import them without cycles."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


# A request commits at most once and reads its rows again only by mistake: no reload after
# commit (it would be a second SELECT on every step).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
"""The base of our models: Flask-SQLAlchemy's `db.Model`, which type checkers cannot see
through, named as the declarative base it is."""
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
