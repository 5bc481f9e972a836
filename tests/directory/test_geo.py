import math

import pytest

from screener.directory.geo import (
    CoordinateError,
    Point,
    box_around,
    distance_km,
    lat_band,
    parse_coordinates,
)

SOFIA = Point(42.69751, 23.32415)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42.7,23.3", Point(42.7, 23.3)),
        (" 42.7 , 23.3 ", Point(42.7, 23.3)),
        ("42.7 23.3", Point(42.7, 23.3)),
        ("42.7;23.3", Point(42.7, 23.3)),
        ("42,69; 23,32", Point(42.69, 23.32)),
        ("-33.8688,151.2093", Point(-33.8688, 151.2093)),
        ("90,180", Point(90.0, 180.0)),
        ("Levski", None),
        ("Nan", None),
        ("42.7", None),
        ("1,2,3", None),
    ],
)
def test_parse_coordinates(text, expected):
    assert parse_coordinates(text) == expected


@pytest.mark.parametrize(
    "text", ["NaN,23", "42,nan", "inf,0", "1e400,3", "91,0", "-90.5,0", "0,180.1", "0,-999"]
)
def test_bad_coordinates_raise(text):
    with pytest.raises(CoordinateError):
        parse_coordinates(text)


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        (SOFIA, (42.15, 24.75), 132),  # Plovdiv
        (Point(43.36667, 25.13333), (43.41667, 24.61667), 42),  # Levski - Pleven
        (Point(0, 179.5), (0, -179.5), 111),  # across the antimeridian
        (Point(90, 0), (-90, 0), 20015),
    ],
)
def test_distance(a, b, km):
    assert distance_km(a, *b) == pytest.approx(km, abs=1.5)


def test_distance_to_itself_is_zero():
    assert distance_km(SOFIA, SOFIA.lat, SOFIA.lon) == 0


@pytest.mark.parametrize("radius", [1, 25, 250, 2000])
@pytest.mark.parametrize("centre", [SOFIA, Point(-60, 10), Point(0, 179.9), Point(70, -179)])
def test_box_holds_the_whole_circle(centre, radius):
    box = box_around(centre, radius)
    for bearing in range(0, 360, 5):
        # a point on the circle, by the direct geodesic formula on the sphere
        d = radius / 6371.0088
        phi1, lmb1, theta = map(math.radians, (centre.lat, centre.lon, bearing))
        phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d)
                         * math.cos(theta))
        lmb2 = lmb1 + math.atan2(math.sin(theta) * math.sin(d) * math.cos(phi1),
                                 math.cos(d) - math.sin(phi1) * math.sin(phi2))
        lat, lon = math.degrees(phi2), (math.degrees(lmb2) + 540) % 360 - 180
        assert box.south - 1e-9 <= lat <= box.north + 1e-9
        assert any(w - 1e-9 <= lon <= e + 1e-9 for w, e in box.lon_ranges)
        assert lat_band(lat) in box.bands


def test_box_splits_at_the_antimeridian():
    box = box_around(Point(0, 179.9), 100)
    assert len(box.lon_ranges) == 2


def test_box_near_a_pole_spans_all_longitudes():
    assert box_around(Point(89.9, 0), 50).lon_ranges == ((-180.0, 180.0),)


def test_no_box_for_the_whole_globe():
    assert box_around(SOFIA, 25000) is None
