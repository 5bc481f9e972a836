import pytest

from screener.problems import PROBLEM_JSON

pytestmark = [pytest.mark.both_databases, pytest.mark.usefixtures("places", "demo")]


def get(client, path, **params):
    return client.get(path, query_string=params)


def test_places_autocomplete_in_any_script(client):
    for q in ("Левски", "lewski", "LEVSKI", "Levsky"):
        body = get(client, "/api/v1/places", q=q).get_json()
        assert body["places"][0]["label"] == "Levski, Pleven, Bulgaria"
    bg = get(client, "/api/v1/places", q="Levski", lang="bg").get_json()
    assert bg["places"][0] | {"lat": 0, "lon": 0} == {
        "id": 729636, "name": "Левски", "label": "Левски, Плевен, България", "country": "BG",
        "country_name": "България", "province": "Плевен", "population": 11467, "lat": 0,
        "lon": 0}


def test_places_limit(client):
    assert len(get(client, "/api/v1/places", q="Novo Selo", limit=2).get_json()["places"]) == 2


def test_levski_finds_pleven_and_nearby_with_distances(client):
    body = get(client, "/api/v1/providers", near="Левски").get_json()
    assert body["near"]["label"] == "Levski, Pleven, Bulgaria"
    assert (body["requested_radius_km"], body["radius_km"], body["widened"]) == (25, 50, True)
    assert body["message"] == ("No providers within 25 km of Levski; the nearest are within "
                               "50 km.")
    cities = [p["city"] for p in body["providers"]]
    assert {"Pleven", "Lovech"} <= set(cities)
    distances = [p["distance_km"] for p in body["providers"]]
    assert distances == sorted(distances) and 25 < distances[0] <= 50
    assert body["sample_data"] is True and all(p["is_sample"] for p in body["providers"])
    assert all(p["last_verified"] for p in body["providers"])


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"condition": "ocd"}, lambda p: "ocd" in p["conditions"]),
        ({"tms_type": "deep-tms"}, lambda p: "deep-tms" in p["tms_types"]),
        ({"language": "ru"}, lambda p: "ru" in p["languages"]),
        ({"accepting": "true"}, lambda p: p["accepting_new_patients"]),
        ({"accepting": "false"}, lambda p: not p["accepting_new_patients"]),
        ({"remote": "true"}, lambda p: p["remote_consultation"]),
    ],
)
def test_every_filter_changes_the_list(client, params, check):
    everyone = get(client, "/api/v1/providers", near="Sofia", radius_km=250, limit=100).get_json()
    filtered = get(client, "/api/v1/providers", near="Sofia", radius_km=250, limit=100,
                   **params).get_json()
    assert filtered["providers"], params
    assert all(check(p) for p in filtered["providers"])
    assert len(filtered["providers"]) < len(everyone["providers"])


def test_coordinates_and_place_id(client):
    by_point = get(client, "/api/v1/providers", near="42.6975,23.3242", limit=3).get_json()
    assert by_point["near"]["place"] is None
    assert by_point["near"]["label"].startswith("your location")
    assert len(by_point["providers"]) == 3
    assert by_point["providers"][0]["city"] == "Sofia"
    by_id = get(client, "/api/v1/providers", place_id=729636).get_json()
    assert by_id["near"]["place"]["id"] == 729636


def test_alternatives_list_other_places_of_the_name(client):
    body = get(client, "/api/v1/providers", near="Novi Pazar", lang="bg").get_json()
    assert body["near"]["place"]["country"] == "BG"
    assert [p["country"] for p in body["alternatives"]] == ["RS"]


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        ("/api/v1/places", {}, "q"),
        ("/api/v1/places", {"q": ""}, "q"),
        ("/api/v1/places", {"q": "x" * 10_000}, "q"),
        ("/api/v1/places", {"q": "\x00\x01"}, "q"),
        ("/api/v1/places", {"q": "Sofia", "limit": "0"}, "limit"),
        ("/api/v1/places", {"q": "Sofia", "limit": "many"}, "limit"),
        ("/api/v1/providers", {}, "near"),
        ("/api/v1/providers", {"near": ""}, "near"),
        ("/api/v1/providers", {"near": "x" * 10_000}, "near"),
        ("/api/v1/providers", {"near": "NaN,23"}, "near"),
        ("/api/v1/providers", {"near": "91,23"}, "near"),
        ("/api/v1/providers", {"near": "42,181"}, "near"),
        ("/api/v1/providers", {"near": "Sofia", "radius_km": "-5"}, "radius_km"),
        ("/api/v1/providers", {"near": "Sofia", "radius_km": "NaN"}, "radius_km"),
        ("/api/v1/providers", {"near": "Sofia", "radius_km": "far"}, "radius_km"),
        ("/api/v1/providers", {"near": "Sofia", "condition": "flu"}, "condition"),
        ("/api/v1/providers", {"near": "Sofia", "tms_type": "magic"}, "tms_type"),
        ("/api/v1/providers", {"near": "Sofia", "language": "xx"}, "language"),
        ("/api/v1/providers", {"near": "Sofia", "accepting": "yes"}, "accepting"),
        ("/api/v1/providers", {"near": "Sofia", "remote": "1"}, "remote"),
        ("/api/v1/providers", {"near": "Sofia", "limit": "1000"}, "limit"),
        ("/api/v1/providers", {"place_id": "-3"}, "place_id"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, path, params, name):
    response = get(client, path, **params)
    assert response.status_code == 400
    assert response.mimetype == PROBLEM_JSON
    body = response.get_json()
    assert body["invalid_params"][0]["name"] == name
    assert body["detail"].startswith(f"{name}: ")


def test_binary_query_string_is_a_400(client):
    response = client.get("/api/v1/places?q=%FF%FE%00")
    assert response.status_code == 400
    assert response.get_json()["invalid_params"][0]["name"] == "q"


@pytest.mark.parametrize("params", [{"near": "Qwxzqwxz"}, {"place_id": "2147483647"}])
def test_unknown_place_is_a_404(client, params):
    response = get(client, "/api/v1/providers", **params)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM_JSON
