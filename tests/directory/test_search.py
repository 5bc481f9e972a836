import pytest

from screener.directory.geo import Point
from screener.directory.search import Filters, nearest

from .conftest import add_providers, provider_record

pytestmark = pytest.mark.both_databases

LEVSKI = Point(43.36667, 25.13333)
# Real towns around Levski, and how far they are from it.
PLEVEN = (43.41667, 24.61667)  # 42 km
SVISHTOV = (43.61875, 25.35033)  # 33 km
VELIKO_TARNOVO = (43.08124, 25.62904)  # 50.2 km
SOFIA = (42.69751, 23.32415)  # 165 km
VARNA = (43.21667, 27.91667)  # 226 km
ATHENS = (37.98376, 23.72784)  # 610 km


def slugs(result):
    return [hit.provider.slug for hit in result.hits]


@pytest.fixture
def around_levski(app):
    with app.app_context():
        add_providers(
            provider_record("pleven", *PLEVEN, conditions=["depression", "ocd"],
                            tms_types=["theta-burst"], languages=["bg", "en"]),
            provider_record("svishtov", *SVISHTOV, accepting_new_patients=False,
                            remote_consultation=True),
            provider_record("sofia", *SOFIA, conditions=["migraine"], tms_types=["deep-tms"],
                            languages=["bg", "de"]),
            provider_record("varna", *VARNA, conditions=["smoking", "ptsd"],
                            tms_types=["accelerated", "rtms-10hz"]),
            provider_record("athens", *ATHENS, conditions=["anxious-depression", "other"],
                            languages=["el"]),
        )


def test_nothing_within_25_km_widens_to_50(app, around_levski):
    with app.app_context():
        result = nearest(LEVSKI, radius_km=25)
    assert (result.requested_radius_km, result.radius_km, result.widened) == (25, 50, True)
    assert slugs(result) == ["svishtov", "pleven"]
    assert [round(hit.distance_km) for hit in result.hits] == [33, 42]


def test_found_within_the_chosen_radius_is_not_widened(app, around_levski):
    with app.app_context():
        result = nearest(LEVSKI, radius_km=40)
    assert (result.radius_km, result.widened, slugs(result)) == (40, False, ["svishtov"])


def test_widening_continues_to_250_km(app, around_levski):
    with app.app_context():
        result = nearest(LEVSKI, Filters(condition="migraine"))
    assert (result.radius_km, slugs(result)) == (250, ["sofia"])


def test_past_250_km_the_nearest_at_any_distance(app, around_levski):
    with app.app_context():
        result = nearest(LEVSKI, Filters(language="el"))
    assert result.radius_km is None
    assert slugs(result) == ["athens"]
    assert round(result.hits[0].distance_km) == 610


def test_no_match_anywhere_is_empty(app, around_levski):
    with app.app_context():
        result = nearest(LEVSKI, Filters(language="ja"))
    assert (result.hits, result.radius_km) == ([], None)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), ["svishtov", "pleven", "sofia", "varna"]),
        (Filters(condition="ocd"), ["pleven"]),
        (Filters(condition="depression"), ["svishtov", "pleven"]),
        (Filters(condition="smoking"), ["varna"]),
        (Filters(tms_type="theta-burst"), ["pleven"]),
        (Filters(tms_type="rtms-10hz"), ["svishtov", "varna"]),
        (Filters(language="en"), ["pleven"]),
        (Filters(language="de"), ["sofia"]),
        (Filters(accepting=True), ["pleven", "sofia", "varna"]),
        (Filters(accepting=False), ["svishtov"]),
        (Filters(remote=True), ["svishtov"]),
        (Filters(condition="depression", language="en", accepting=True), ["pleven"]),
    ],
)
def test_every_filter_changes_the_list(app, around_levski, filters, expected):
    with app.app_context():
        result = nearest(LEVSKI, filters, radius_km=250)
    assert slugs(result) == expected


def test_limit_keeps_the_nearest(app, around_levski):
    with app.app_context():
        result = nearest(LEVSKI, radius_km=250, limit=2)
    assert slugs(result) == ["svishtov", "pleven"]


def test_any_distance_returns_up_to_the_limit(app, around_levski):
    with app.app_context():
        result = nearest(Point(-33.87, 151.21), limit=3)  # Sydney: nothing within 250 km
    assert result.radius_km is None
    assert slugs(result) == ["varna", "svishtov", "athens"]


def test_search_across_the_antimeridian(app):
    with app.app_context():
        add_providers(provider_record("fiji-east", -17.0, -179.95),
                      provider_record("fiji-west", -17.0, 179.95))
        result = nearest(Point(-17.0, 179.99), radius_km=25)
    assert slugs(result) == ["fiji-west", "fiji-east"]


def test_search_near_the_pole(app):
    with app.app_context():
        add_providers(provider_record("north", 89.9, 100.0))
        result = nearest(Point(89.95, -80.0), radius_km=25)
    assert slugs(result) == ["north"]


def test_empty_directory(app):
    with app.app_context():
        result = nearest(LEVSKI)
    assert result.hits == []


def test_dense_area_returns_exactly_the_nearest(app):
    # 60 providers 0.5 km apart going east: the nearest 7 are the first 7, even though the
    # search stops probing as soon as it has enough.
    with app.app_context():
        add_providers(*(provider_record(f"p{i:02d}", 43.0, 25.0 + i * 0.00613)
                        for i in range(60)))
        result = nearest(Point(43.0, 24.99), radius_km=25, limit=7)
    assert slugs(result) == [f"p{i:02d}" for i in range(7)]
    assert result.radius_km == 25
