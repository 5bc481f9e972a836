"""One call per use case, so that views stay thin: find providers near a place, list the
languages the directory can offer."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from .models import Provider
from .params import ProviderQuery
from .places import Origin, resolve, resolve_id
from .search import Nearest, nearest


@dataclass(frozen=True)
class Found:
    origin: Origin
    nearest: Nearest

    @property
    def shows_sample_data(self) -> bool:
        return any(hit.provider.is_sample for hit in self.nearest.hits)


def find_providers(query: ProviderQuery, lang: str) -> Found:
    """Resolve where (a place id wins over text), then search; raises PlaceNotFound or
    PlaceQueryError for a place that cannot be used."""
    if query.place_id is not None:
        origin = resolve_id(query.place_id)
    else:
        origin = resolve(query.near or "", lang)
    return Found(origin, nearest(origin.point, query.filters, query.radius_km, query.limit))


def spoken_languages() -> list[str]:
    """Every language some provider in the directory speaks (ISO 639-1), for the filter: a
    patient is offered only languages that can find someone."""
    rows = db.session.scalars(sa.select(Provider.spoken_languages).distinct())
    return sorted({code for row in rows for code in row.split(",") if code})
