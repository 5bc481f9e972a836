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


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_a_large_place_by_another_spelling_beats_a_tiny_main_name(app, more_places, lang):
    """"Rousse" is how Ruse (BG, 121,000) is often written; Roussé (CI, 744) is its main name."""
    with app.app_context():
        found = search_places("Rousse", lang)
        assert [(p.name, p.country) for p in found[:2]] == [("Ruse", "BG"), ("Roussé", "CI")]
        origin = resolve("Rousse", lang)
        assert origin.place.name == "Ruse"
        assert [p.name for p in origin.alternatives] == ["Roussé"]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Sofia, Bulgaria", "en", "Sofia, Sofia-Capital, Bulgaria"),
        ("Levski, Bulgaria", "en", "Levski, Pleven, Bulgaria"),
        ("Plovdiv BG", "en", "Plovdiv, Bulgaria"),
        ("plovdiv bg", "en", "Plovdiv, Bulgaria"),
        ("Levski, Pleven", "en", "Levski, Pleven, Bulgaria"),
        ("Левски, България", "bg", "Левски, Плевен, България"),
        ("Левски, Плевен", "bg", "Левски, Плевен, България"),
        ("Levski, Pleven, Bulgaria", "en", "Levski, Pleven, Bulgaria"),
        ("Novi Pazar, Serbia", "bg", "Нови Пазар, Central Serbia, Сърбия"),
        ("Novi Pazar RS", "bg", "Нови Пазар, Central Serbia, Сърбия"),
        ("Нови Пазар, Шумен", "en", "Novi Pazar, Shumen, Bulgaria"),
        ("Roman, Romania", "bg", "Роман, Neamț County, Румъния"),
    ],
)
def test_labels_and_trailing_countries_or_provinces_narrow_the_match(
        app, places, text, lang, expected):
    with app.app_context():
        origin = resolve(text, lang)
        assert display.place_label(origin.place, lang) == expected
        assert all(p.country == origin.place.country for p in origin.alternatives)


@pytest.mark.parametrize("lang", ["en", "bg"])
def test_every_label_the_app_shows_finds_its_place_again(app, places, lang):
    with app.app_context():
        for text in ("Levski", "Sofia", "Plovdiv", "Novi Pazar", "Roman", "Pleven", "Ruse"):
            for place in search_places(text, lang, limit=5):
                label = display.place_label(place, lang)
                assert resolve(label, lang).place.id == place.id, label


@pytest.mark.parametrize("text", ["Sofia, Atlantis", "Levski, Serbia", "Plovdiv, Varna"])
def test_a_qualifier_that_fits_no_place_finds_nothing(app, places, text):
    with app.app_context(), pytest.raises(PlaceNotFound):
        resolve(text, "en")


def test_alternatives_share_the_name_as_well_as_the_choice(app, more_places):
    with app.app_context():
        varna = resolve("Varna", "en")
        assert varna.place.country == "BG"
        assert varna.alternatives and all(p.name == "Varna" for p in varna.alternatives)
        assert "Clio" not in {p.name for p in search_places("Varna", "en")[:1]}
        levsky = resolve("Levsky", "en")
        assert levsky.place.id == LEVSKI_ID
        assert all(p.name == "Levski" for p in levsky.alternatives)


def test_reverse_look_up_lists_the_nearest_places(app, places):
    from screener.directory.places import nearest_places

    with app.app_context():
        near = nearest_places(Point(43.37, 25.13), 5)
        assert near[0][0].id == LEVSKI_ID and near[0][1] < 2
        assert [km for _, km in near] == sorted(km for _, km in near)
        assert len(near) == 5
        # Out at sea, with nothing within 500 km: still the nearest, from the whole table.
        far = nearest_places(Point(35.0, 18.0), 3)
        assert len(far) == 3 and all(km > 500 for _, km in far)
        assert [km for _, km in far] == sorted(km for _, km in far)


def test_reverse_look_up_reads_an_index_not_the_table(app, places):
    """The boxes of "Use my location" are a latitude range and longitude ranges: with the
    (lat, lon) index that is a range scan, without it every place is read (~25 ms)."""
    import sqlalchemy as sa

    from screener.directory.places import nearest_places
    from screener.extensions import db

    statements = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    with app.app_context():
        found = sa.inspect(db.engine).get_indexes("places")
        indexes = {ix["name"]: ix["column_names"] for ix in found}
        assert indexes.get("ix_places_lat_lon") == ["lat", "lon"]
        sa.event.listen(db.engine, "before_cursor_execute", record)
        try:
            nearest_places(Point(43.37, 25.13), 5)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", record)
        statement, parameters = statements[0]
        assert "places.lat BETWEEN" in statement
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            assert any("USING INDEX ix_places_lat_lon" in row[-1] for row in plan), plan
        else:  # PostgreSQL may rightly scan a table this small: can it use the index at all?
            with db.engine.connect() as conn:
                conn.exec_driver_sql("SET enable_seqscan = off")
                plan = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            assert any("ix_places_lat_lon" in row[0] for row in plan), plan
