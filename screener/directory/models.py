"""Tables of the directory: places and their search keys, providers, and load stamps."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model

KEY_LENGTH = 100

SearchKey = sa.String(KEY_LENGTH).with_variant(sa.String(KEY_LENGTH, collation="C"), "postgresql")
"""Keys are folded ASCII compared by byte: prefix search is then a plain index range scan
(`key >= 'lev' AND key < 'lew'`). PostgreSQL's default collation would order by locale rules,
which ignores spaces and breaks such ranges, hence "C" there."""


class Place(Model):
    """A populated place from geonames (500+ inhabitants); `id` is the geonames id."""

    __tablename__ = "places"
    # The reverse look-up ("Use my location") asks for a latitude range and, within it, a
    # longitude range: one index range scan instead of reading every place.
    __table_args__ = (sa.Index("ix_places_lat_lon", "lat", "lon"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_bg: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    country: Mapped[str] = mapped_column(sa.String(2))
    province: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    province_bg: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    population: Mapped[int] = mapped_column(sa.Integer)
    lat: Mapped[float] = mapped_column(sa.Float)
    lon: Mapped[float] = mapped_column(sa.Float)


class PlaceName(Model):
    """One folded spelling of a place. Population and country are copied here so that ranking
    candidates needs no join; on SQLite the table is clustered on its key (WITHOUT ROWID).
    `alternate` marks spellings other than the main English and Bulgarian names: "Velik" should
    suggest Veliko Tarnovo before Oradea, whose old name "Velikiy Varadin" also starts so."""

    __tablename__ = "place_names"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012 - SQLAlchemy reads it once

    key: Mapped[str] = mapped_column(SearchKey, primary_key=True)
    place_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    population: Mapped[int] = mapped_column(sa.Integer)
    country: Mapped[str] = mapped_column(sa.String(2))
    alternate: Mapped[bool] = mapped_column(sa.Boolean)


class DirectoryStamp(Model):
    """What was loaded, so that set-up can skip a load that is already done."""

    __tablename__ = "directory_stamps"

    name: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(500))
    loaded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class Provider(Model):
    """A TMS provider. Conditions and TMS types are bit masks (see `vocab`); spoken languages
    are kept as ",bg,en," so that one LIKE filters them on either database."""

    __tablename__ = "providers"
    __table_args__ = (
        # Seeks use (lat_band, lon); the other columns make it a covering index, so that the
        # nearest search and its filters never read the table itself on either database.
        sa.Index(
            "ix_providers_lat_band_lon",
            "lat_band", "lon", "lat", "condition_bits", "tms_bits", "accepting_new_patients",
            "remote_consultation", "spoken_languages", "id",
        ),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    clinic: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    address: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    city: Mapped[str] = mapped_column(sa.String(100))
    country: Mapped[str] = mapped_column(sa.String(2))
    lat: Mapped[float] = mapped_column(sa.Float)
    lon: Mapped[float] = mapped_column(sa.Float)
    lat_band: Mapped[int] = mapped_column(sa.Integer)
    phone: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    website: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), nullable=True)
    spoken_languages: Mapped[str] = mapped_column(sa.String(200))
    condition_bits: Mapped[int] = mapped_column(sa.Integer)
    tms_bits: Mapped[int] = mapped_column(sa.Integer)
    accepting_new_patients: Mapped[bool] = mapped_column(sa.Boolean)
    remote_consultation: Mapped[bool] = mapped_column(sa.Boolean)
    last_verified: Mapped[date] = mapped_column(sa.Date)
    is_sample: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    embed_origins: Mapped[list[Any]] = mapped_column(sa.JSON, default=list)
    language: Mapped[str] = mapped_column(sa.String(2), default="en")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
