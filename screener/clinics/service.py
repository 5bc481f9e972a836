"""Clinics are directory entries with a slug: deep links, QR codes, embedding rights."""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
import sqlalchemy as sa
from markupsafe import escape

from ..directory.models import Provider
from ..directory.records import usable_embed_origins
from ..extensions import db


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
        embed_origins=usable_embed_origins(provider.embed_origins),
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


def embed_snippet(src: str, script_src: str, title: str) -> str:
    """The HTML a clinic pastes into its page. Every attribute value is escaped here, once, so
    a clinic called `Dr "A" <B>` still gives a working tag; a page showing the snippet escapes
    it again for display."""
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" height="900" '
        f'style="border:0;max-width:100%" data-tms-screener></iframe>\n'
        f'<script src="{escape(script_src)}" async></script>'
    )


def local_try_origin(clinic: Clinic) -> str | None:
    """An http loopback origin on the clinic's list (development only): where staff can try the
    snippet from a file served on their own machine."""
    return next((o for o in clinic.embed_origins if o.startswith("http://")), None)
