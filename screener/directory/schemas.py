"""The shapes of the directory API's answers, as marshmallow schemas.

The views send exactly what these schemas dump (unknown keys are dropped, dates formatted),
and apispec's MarshmallowPlugin turns the same classes into the OpenAPI components, so the
document cannot drift from what is sent. Required means "always present"; allow_none means
"present, possibly null".
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from . import vocab


def _text(description: str | None = None, **kwargs: Any) -> fields.String:
    return fields.String(metadata={"description": description} if description else {},
                         **kwargs)


class PlaceSchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "geonames id"})
    name = _text("In the UI language where known", required=True)
    label = _text("Name, province, country: enough to tell places of one name apart",
                  required=True)
    country = _text("ISO 3166-1 alpha-2", required=True)
    country_name = _text(required=True)
    province = _text(required=True, allow_none=True)
    population = fields.Integer(required=True)
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)
    distance_km = fields.Float(
        metadata={"description": "Only in a look-up by coordinates: how far the place is"})


class PointSchema(Schema):
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)


class PlaceListSchema(Schema):
    query = _text("The text searched for, stripped", required=True)
    near = fields.Nested(
        PointSchema, required=True, allow_none=True,
        metadata={"description": "The point of a look-up by coordinates; null for a name"})
    places = fields.List(fields.Nested(PlaceSchema), required=True,
                         metadata={"description": "Best match first, or nearest first"})


class ProviderSchema(Schema):
    slug = _text(required=True)
    name = _text(required=True)
    clinic = _text(required=True, allow_none=True)
    address = _text(required=True, allow_none=True)
    city = _text(required=True)
    country = _text("ISO 3166-1 alpha-2", required=True)
    country_name = _text(required=True)
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)
    distance_km = fields.Float(required=True, validate=validate.Range(min=0))
    phone = _text(required=True, allow_none=True)
    website = _text(required=True, allow_none=True)
    email = _text(required=True, allow_none=True)
    languages = fields.List(_text("ISO 639-1"), required=True)
    conditions = fields.List(fields.String(validate=validate.OneOf(list(vocab.CONDITIONS))),
                             required=True)
    tms_types = fields.List(fields.String(validate=validate.OneOf(list(vocab.TMS_TYPES))),
                            required=True)
    accepting_new_patients = fields.Boolean(required=True)
    remote_consultation = fields.Boolean(required=True)
    last_verified = fields.Date(required=True)
    is_sample = fields.Boolean(required=True, metadata={"description": "Fictional demo data"})


class OriginSchema(Schema):
    label = _text(required=True)
    lat = fields.Float(required=True)
    lon = fields.Float(required=True)
    place = fields.Nested(PlaceSchema, required=True, allow_none=True,
                          metadata={"description": "null when searched from coordinates"})


class ProviderSearchSchema(Schema):
    near = fields.Nested(OriginSchema, required=True)
    alternatives = fields.List(
        fields.Nested(PlaceSchema), required=True,
        metadata={"description": "Other places sharing the name, for 'did you mean'"})
    requested_radius_km = fields.Float(required=True)
    radius_km = fields.Float(
        required=True, allow_none=True,
        metadata={"description": "How far the search went; null means any distance"})
    widened = fields.Boolean(required=True)
    message = _text("The outcome in words, in the UI language", required=True)
    sample_data = fields.Boolean(
        required=True, metadata={"description": "true when any provider listed is fictional"})
    providers = fields.List(fields.Nested(ProviderSchema), required=True,
                            metadata={"description": "Nearest first"})


class InvalidParamSchema(Schema):
    name = _text(required=True)
    reason = _text(required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem details: the one shape of every API error."""

    type = _text(required=True)
    title = _text(required=True)
    status = fields.Integer(required=True)
    detail = _text()
    invalid_params = fields.List(fields.Nested(InvalidParamSchema),
                                 metadata={"description": "Every bad parameter"})
    errors = fields.List(fields.Raw(), metadata={"description": "Every problem in a body"})
