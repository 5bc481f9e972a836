"""Clinics are directory entries with a slug: deep links, QR codes, embedding rights."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
import sqlalchemy as sa

from .directory.models import Provider
from .extensions import db


@dataclass(frozen=True)
class Clinic:
    slug: str
    name: str
    city: str
    country: str
    language: str
    embed_origins: tuple[str, ...]
    is_sample: bool
    provider: Provider


def get_clinic(slug: str) -> Clinic | None:
    if not slug or len(slug) > 100:
        return None
    provider = db.session.scalar(sa.select(Provider).where(Provider.slug == slug))
    if provider is None:
        return None
    return Clinic(
        slug=provider.slug,
        name=provider.clinic or provider.name,
        city=provider.city,
        country=provider.country,
        language=provider.language or "en",
        embed_origins=tuple(provider.embed_origins or ()),
        is_sample=bool(provider.is_sample),
        provider=provider,
    )


def qr_svg(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=4, xmldecl=True,
                                     title="QR", dark="#000")
    return out.getvalue()


def qr_png(url: str, scale: int = 10) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
