import pytest

from screener.api.problems import PROBLEM_JSON

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


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("/api/v1/places?q=%FF%FE%00", "q"),
        ("/api/v1/places?q=%FF", "q"),
        ("/api/v1/places?q=%C3%28", "q"),
        ("/api/v1/places?q=Sofia&limit=%FF", "limit"),
        ("/api/v1/providers?near=%FF", "near"),
        ("/api/v1/providers?near=%C3%28", "near"),
        ("/api/v1/providers?near=Lev%E2%82ski", "near"),
        ("/api/v1/providers?near=Sofia&condition=%FF", "condition"),
        ("/api/v1/providers?near=Sofia&%FF=1", "%FF"),
    ],
)
def test_text_that_is_not_utf8_is_a_400_naming_the_parameter(client, query, name):
    """Werkzeug would hand these on as the literal text "%FF", which then finds "Ffestiniog"."""
    response = client.get(query)
    assert response.status_code == 400
    assert response.mimetype == PROBLEM_JSON
    body = response.get_json()
    assert body["invalid_params"][0] == {"name": name,
                                         "reason": "contains characters that are not text"}
    assert body["detail"] == f"{name}: contains characters that are not text"


def test_percent_encoded_utf8_is_fine(client):
    response = client.get("/api/v1/providers?near=%D0%9B%D0%B5%D0%B2%D1%81%D0%BA%D0%B8")
    assert response.status_code == 200
    assert response.get_json()["near"]["place"]["id"] == 729636


def test_places_near_coordinates_is_a_reverse_look_up(client):
    for q in ("43.37,25.13", "43,37; 25,13"):
        body = get(client, "/api/v1/places", q=q, limit=3).get_json()
        assert body["near"] == {"lat": 43.37, "lon": 25.13}
        assert body["places"][0]["id"] == 729636
        distances = [p["distance_km"] for p in body["places"]]
        assert len(distances) == 3 and distances == sorted(distances) and distances[0] < 2
    named = get(client, "/api/v1/places", q="Levski").get_json()
    assert named["near"] is None and "distance_km" not in named["places"][0]


@pytest.mark.parametrize("q", ["91,0", "0,181", "nan,nan", "NaN, 25", "inf,0", "-inf, 0",
                               "1e400, 0"])
def test_places_refuses_impossible_coordinates(client, q):
    response = get(client, "/api/v1/places", q=q)
    assert response.status_code == 400
    assert response.get_json()["invalid_params"][0]["name"] == "q"


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_the_apps_own_labels_find_their_place(client, lang):
    for q in ("Levski", "Sofia", "Novi Pazar", "Plovdiv"):
        for place in get(client, "/api/v1/places", q=q, lang=lang, limit=3).get_json()["places"]:
            body = get(client, "/api/v1/providers", near=place["label"], lang=lang).get_json()
            assert body["near"]["place"]["id"] == place["id"], place["label"]


@pytest.mark.parametrize(
    ("near", "lang", "place_id"),
    [("Sofia, Bulgaria", "en", 727011), ("Levski, Bulgaria", "en", 729636),
     ("Plovdiv BG", "en", 728193), ("Levski, Pleven", "en", 729636),
     ("Левски, България", "bg", 729636)],
)
def test_a_trailing_country_or_province_narrows_the_search(client, near, lang, place_id):
    response = get(client, "/api/v1/providers", near=near, lang=lang)
    assert response.status_code == 200, near
    assert response.get_json()["near"]["place"]["id"] == place_id


def test_answers_hold_exactly_the_documented_fields(client):
    """What is sent is what the schemas (and so the OpenAPI document) say, nothing more."""
    from screener.directory import schemas

    search = get(client, "/api/v1/providers", near="Novi Pazar", lang="bg").get_json()
    assert set(search) == set(schemas.ProviderSearchSchema().fields)
    assert set(search["near"]) == set(schemas.OriginSchema().fields)
    assert set(search["providers"][0]) == set(schemas.ProviderSchema().fields)
    place_fields = set(schemas.PlaceSchema().fields) - {"distance_km"}
    assert set(search["alternatives"][0]) == place_fields
    problem = get(client, "/api/v1/providers", near="Sofia", radius_km="0").get_json()
    assert set(problem) == {"type", "title", "status", "detail", "invalid_params"}


@pytest.mark.parametrize("params", [{"near": "Qwxzqwxz"}, {"place_id": "2147483647"}])
def test_unknown_place_is_a_404(client, params):
    response = get(client, "/api/v1/providers", **params)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM_JSON
