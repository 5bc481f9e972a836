import pytest

from screener.directory import display
from screener.directory.geo import Point
from screener.directory.places import (
    PlaceNotFound,
    PlaceQueryError,
    check_query,
    resolve,
    search_places,
)

pytestmark = pytest.mark.both_databases
LEVSKI_ID = 729636


@pytest.mark.parametrize(
    "text", ["Levski", "levski", "LEVSKI", "Lewski", "Левски", "ЛЕВСКИ", "Levsky", "  Levski "]
)
def test_every_spelling_finds_levski_first(app, places, text):
    with app.app_context():
        found = search_places(text, "en")
        assert found[0].id == LEVSKI_ID
        assert display.place_label(found[0], "en") == "Levski, Pleven, Bulgaria"


def test_bulgarian_ui_shows_bulgarian_names(app, places):
    with app.app_context():
        levski = search_places("Levski", "bg")[0]
        assert display.place_label(levski, "bg") == "Левски, Плевен, България"


@pytest.mark.parametrize(
    ("text", "lang", "first_country"),
    [("Novi Pazar", "en", "RS"), ("Novi Pazar", "bg", "BG"), ("Roman", "en", "RO"),
     ("Roman", "bg", "BG"), ("Нови пазар", "bg", "BG")],
)
def test_shared_names_put_the_ui_languages_country_first(app, places, text, lang, first_country):
    with app.app_context():
        found = search_places(text, lang)
        assert found[0].country == first_country
        assert len({p.country for p in found}) >= 2


def test_others_of_the_same_name_rank_by_population(app, places):
    with app.app_context():
        found = [p for p in search_places("Novo Selo", "en") if p.country == "MK"]
        assert [p.population for p in found] == sorted((p.population for p in found),
                                                       reverse=True)


@pytest.mark.parametrize(
    ("text", "name"),
    [("Plev", "Pleven"), ("Velik", "Veliko Tŭrnovo"), ("Плеве", "Pleven"), ("Плевен", "Pleven"),
     ("Stara Zagroa", "Stara Zagora")],
)
def test_prefixes_and_near_misses(app, places, text, name):
    with app.app_context():
        assert search_places(text, "en")[0].name == name


def test_exact_spelling_beats_a_longer_name(app, places):
    with app.app_context():
        assert search_places("Ruse", "en")[0].name == "Ruse"


@pytest.mark.parametrize("text", ["Qwxzqwxz", "!!!", "🙂🙂"])
def test_nothing_found_is_an_empty_list(app, places, text):
    with app.app_context():
        assert search_places(text, "en") == []


@pytest.mark.parametrize(
    "text", ["", "   ", "x" * 10_000, "Lev\x00ski", "\ufffd\ufffd", "a\x07b", "a\x85b"]
)
def test_unsearchable_text_is_refused(app, places, text):
    with app.app_context(), pytest.raises(PlaceQueryError):
        search_places(text, "en")


def test_check_query_keeps_the_text():
    assert check_query("  Левски ") == "Левски"


def test_resolve_coordinates_needs_no_place(app, places):
    with app.app_context():
        origin = resolve("43.37, 25.13", "en")
        assert origin.point == Point(43.37, 25.13)
        assert origin.place is None


@pytest.mark.parametrize("text", ["NaN, 25", "95, 25", "43, 200"])
def test_resolve_refuses_bad_coordinates(app, places, text):
    with app.app_context(), pytest.raises(PlaceQueryError):
        resolve(text, "en")


def test_resolve_offers_alternatives(app, places):
    with app.app_context():
        origin = resolve("Novi Pazar", "bg")
        assert origin.place.country == "BG"
        assert {p.country for p in origin.alternatives} == {"RS"}


def test_resolve_unknown_place(app, places):
    with app.app_context(), pytest.raises(PlaceNotFound):
        resolve("Qwxzqwxz", "en")
