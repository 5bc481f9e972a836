import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from screener.extensions import db
from screener.patient.model import Screening
from tests import flow

pytestmark = pytest.mark.usefixtures("places", "demo")


class Page(HTMLParser):
    """Just enough structure for accessibility checks: controls, labels, scripts, styles."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.controls: list[dict] = []
        self.labels: set[str] = set()
        self.inline_scripts = 0
        self.style_attributes = 0
        self.headings: list[int] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "style" in a:
            self.style_attributes += 1
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a)
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if tag == "script":
            self._in_script = "src" not in a
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def page(client, status=200, **params):
    response = client.get("/providers/", query_string=params)
    assert response.status_code == status
    return response.get_data(as_text=True)


def results(html):
    return re.findall(r'<li class="dir-result">\s*<h3>([^<]+)</h3>', html)


def test_empty_form_is_accessible_and_script_free(client):
    html = page(client)
    parsed = Page(html)
    assert parsed.controls and all(c["id"] in parsed.labels for c in parsed.controls)
    assert parsed.inline_scripts == 0 and parsed.style_attributes == 0
    assert parsed.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(parsed.headings, parsed.headings[1:], strict=False))
    assert re.search(r'<button type="button"[^>]*id="use-location"[^>]*\bhidden\b', html)
    assert 'src="/static/providers.js"' in html
    assert "<legend>Filter results (optional)</legend>" in html
    assert "dir-result" not in html and "Sample data" not in html


def test_levski_in_bulgarian(client):
    html = page(client, q="Левски", lang="bg")
    assert "близо до Левски, Плевен, България</h2>" in html
    assert "в радиус 25 км от Левски; най-близките са в радиус 50 км." in html
    assert 'class="sample-banner"' in html
    names = results(html)
    assert names and any("Pleven" in name for name in names)
    assert html.count("Последна проверка") == len(names)
    assert html.count("Примерни данни: не е истинск") == len(names)
    assert re.search(r'<p class="dir-where">4\d (km|км) · ', html)
    assert "Имахте ли предвид" not in html
    parsed = Page(html)
    assert all(b - a <= 1 for a, b in zip(parsed.headings, parsed.headings[1:], strict=False))


def test_english_place_names_in_english(client):
    html = page(client, q="Левски", lang="en")
    assert "Providers near Levski, Pleven, Bulgaria" in html


@pytest.mark.parametrize(
    ("filters", "needle"),
    [
        ({"condition": "ocd"}, "Obsessive-compulsive disorder (OCD)"),
        ({"tms_type": "deep-tms"}, "Deep TMS"),
        ({"accepting": "true"}, "Accepting new patients: <strong>Yes</strong>"),
        ({"remote": "true"}, "<dt>First consultation by phone or video</dt><dd>Yes</dd>"),
    ],
)
def test_each_filter_narrows_the_results(client, filters, needle):
    base = {"q": "Sofia", "radius_km": "250"}
    everyone = results(page(client, **base))
    html = page(client, **base, **filters)
    narrowed = results(html)
    assert narrowed and narrowed != everyone
    assert html.count(needle) >= len(narrowed)


def test_language_filter(client):
    html = page(client, q="Sofia", radius_km="250", language="ru")
    blocks = html.split('<li class="dir-result">')[1:]
    assert blocks and all("Russian" in block for block in blocks)


@pytest.mark.parametrize(
    ("params", "field", "message", "status"),
    [
        ({"q": ""}, "q", "Enter a town, city or coordinates", 400),
        ({"q": "x" * 10_000}, "q",
         "Town, city or coordinates: must be 200 characters or fewer", 400),
        ({"q": "\x00\x01"}, "q", "The place name contains characters that are not text", 400),
        ({"q": "NaN, 25"}, "q", "Coordinates must be a latitude between -90 and 90", 400),
        ({"q": "Qwxzqwxz"}, "q", "No place called “Qwxzqwxz” was found.", 404),
        ({"q": "Sofia", "radius_km": "-5"}, "radius_km",
         "Search within: must be between 0.1 and 1,000", 400),
        ({"q": "Sofia", "condition": "flu"}, "condition", "Condition treated: is not one of", 400),
        ({"q": "Sofia", "accepting": "yes"}, "accepting",
         "Accepting new patients: tick the box or leave it empty", 400),
        ({"q": "Levski", "place": "abc", "place_q": "Levski"}, "q",
         "The place picked earlier cannot be used. Type your town and search again.", 400),
        ({"q": "Levski", "place": "2147483647", "place_q": "Levski"}, "q",
         "The place picked earlier cannot be used. Type your town and search again.", 404),
    ],
)
def test_bad_input_gets_an_error_summary(client, params, field, message, status):
    html = page(client, status, **params)
    assert "<title>Error: " in html
    assert re.search(rf'<a href="#{field}">{re.escape(message)}', html), html[-3000:]
    assert f'id="{field}-error"' in html
    assert "dir-result" not in html
    assert "must be a whole number" not in html and "true or false" not in html


def test_bulgarian_messages_write_numbers_the_bulgarian_way(client):
    html = page(client, 400, q="Sofia", radius_km="5000", lang="bg")
    assert "между 0,1 и 1\xa0000" in html  # CLDR: decimal comma, no-break space groups
    assert "0.1" not in html


@pytest.mark.parametrize("raw", ["%FF", "%C3%28", "Lev%FFski"])
def test_text_that_is_not_utf8_is_refused(client, raw):
    response = client.get(f"/providers/?q={raw}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r'<a href="#q">Town, city or coordinates: contains characters that are '
                     r"not text</a>", html)
    assert "dir-result" not in html and "Providers near" not in html


def test_echoed_values_lose_control_characters(client):
    html = page(client, 400, q="Lev\x00ski\x07", condition="flu\x00")
    assert "\x00" not in html and "\x07" not in html
    assert 'value="Levski"' in html
    assert "Condition treated: is not one of the listed values" in html


def test_coordinates_search(client):
    html = page(client, q="42.6981, 23.3242")
    assert "Providers near your location (42.698, 23.324)" in html
    assert "Sofia" in results(html)[0]


def test_alternatives_keep_filters_and_choose_the_place(client):
    html = page(client, q="Novi Pazar", lang="bg", condition="depression")
    assert "Имахте ли предвид друго място?" in html
    link = re.search(r'<div class="dir-alternatives">.*?<a href="([^"]+)">([^<]+)</a>', html,
                     re.S)
    assert link.group(2).startswith("Нови Пазар") and link.group(2).endswith("Сърбия")
    chosen = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert link.group(1).endswith("#results")
    assert f"близо до {link.group(2)}</h2>" in chosen
    assert '<option value="depression" selected>' in chosen
    # Editing the text box starts a new search instead of keeping the chosen place.
    edited = re.search(r'href="([^"]+)"', link.group(0)).group(1).replace("&amp;", "&")
    edited = re.sub(r"(?<=[?&])q=[^&]*", "q=Levski", edited)
    assert "близо до Левски, Плевен" in client.get(edited).get_data(as_text=True)


def screening_place(app):
    with app.app_context():
        return db.session.scalar(sa.select(Screening.place))


def test_place_is_remembered_for_that_screening_only(app, client):
    flow.start(client)
    page(client, q="Levski")
    assert screening_place(app) == {"q": "Levski", "place_id": 729636}
    again = page(client)
    assert 'value="Levski"' in again and "Providers near Levski" in again
    assert "Providers near" not in page(app.test_client()), "another browser sees nothing"
    flow.start(client)
    assert "Providers near" not in page(client), "a new screening starts afresh"


def test_coordinates_are_remembered_coarsely(app, client):
    flow.start(client)
    page(client, q="42.697512, 23.324151")
    assert screening_place(app) == {"q": "42.7, 23.32"}


def test_nothing_is_remembered_without_a_screening(app, client):
    page(client, q="Levski")
    assert screening_place(app) is None


def test_results_can_be_reached_straight_after_a_search(app, client):
    from tests.directory.conftest import add_providers, provider_record

    empty = page(client)
    assert re.search(r'<form method="get" action="/providers/#results"', empty)
    assert 'id="results"' not in empty
    html = page(client, q="Sofia", radius_km="250")
    heading = re.search(r'<h2 id="results" tabindex="-1">([^<]+)</h2>', html)
    assert heading and heading.group(1) == "Providers near Sofia, Sofia-Capital, Bulgaria"
    status = re.search(r'<div role="status" class="dir-status">(.*?)</div>', html, re.S).group(1)
    assert f"{len(results(html))} providers found." in status
    assert "Providers within 250 km of Sofia, nearest first." in status
    with app.app_context():
        add_providers(provider_record("only-japanese", 42.7, 23.3, languages=["ja"]))
    one = page(client, q="Levski", language="ja")
    assert len(results(one)) == 1 and "1 provider found." in one


def test_language_filter_offers_the_languages_the_directory_has(app, client):
    import json

    from tests.directory.conftest import DEMO, add_providers, provider_record

    def offered(html):
        select = re.search(r'<select id="language".*?</select>', html, re.S).group(0)
        return re.findall(r'<option value="([a-z]{2})"[^>]*>([^<]+)</option>', select)

    english = dict(offered(page(client)))
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    assert set(english) == {code for record in demo for code in record["languages"]}
    assert "it" not in english, "no demo provider speaks Italian"
    assert english["el"] == "Greek" and english["mk"] == "Macedonian"
    with app.app_context():
        add_providers(provider_record("tokyo-1", 42.7, 23.3, languages=["ja", "bg"]))
    bulgarian = offered(page(client, lang="bg"))
    assert ("ja", "японски") in bulgarian and ("bg", "български") in bulgarian
    names = [name for _, name in bulgarian]
    assert names == sorted(names, key=str.casefold)
    # A valid language from the address stays selected even when nobody speaks it.
    assert '<option value="it" selected>' in page(client, q="Sofia", language="it")


def test_bulgarian_pages_say_tms_centre_not_supplier(client):
    """"доставчик" reads as a supplier or vendor; the pages speak of TMS centres."""
    html = page(client, q="Левски", lang="bg") + page(client, 404, q="Qwxzqwxz", lang="bg")
    assert "оставчи" not in html


def test_a_patient_can_delete_their_answers_from_the_provider_page(app, client):
    from tests.flow import start

    assert "Delete my answers now" not in client.get("/providers/").get_data(as_text=True)
    start(client)
    page = client.get("/providers/?q=Levski").get_data(as_text=True)
    assert 'href="/delete?back=/providers/?q%3DLevski"' in page and "Delete my answers now" in page


def test_a_broken_language_parameter_is_ignored_not_blamed_on_the_town(client):
    response = client.get("/providers/?q=Levski&lang=%FF")
    assert response.status_code == 200
    assert "contains characters that are not text" not in response.get_data(as_text=True)


def test_a_result_is_a_short_card_with_the_rest_folded(client):
    html = page(client, q="Levski")
    card = html[html.index('<li class="dir-result">'):]
    card = card[:card.index("</li>")]
    head = card[:card.index("<details>")]
    assert 'href="tel:' in head and "Accepting new patients" in head and "km" in head
    assert "Conditions treated" not in head and "Conditions treated" in card


def test_far_results_fold_under_one_control(client):
    html = page(client, q="-33.87, 151.21")  # Sydney: every provider is far away
    assert html.count('<details class="dir-far">') == 1
    shown = html[:html.index('<details class="dir-far">')]
    assert shown.count('<li class="dir-result">') == 1  # only the nearest stays open
    assert re.search(r"Show \d+ more providers, the nearest [\d,]+ km away", html)


def test_from_a_screening_the_condition_is_the_default_and_results_one_click_back(client):
    from tests.flow import complete

    complete(client, {"about_you": {"age_band": "18_64", "indication": "ocd"}})
    html = page(client)
    assert '<option value="ocd" selected>' in html
    assert 'class="back-link" href="/results"' in html


def test_no_results_names_each_filter_with_a_link_that_drops_it(client):
    html = page(client, q="Sofia", language="zu", accepting="true", condition="ocd")
    assert results(html) == []
    assert "These filters are on. Remove one to see more providers:" in html
    links = dict((text, href.replace("&amp;", "&")) for href, text in re.findall(
        r'<li><a href="([^"]+)">Remove “([^”]+)”</a></li>', html))
    assert set(links) == {"Condition treated: Obsessive-compulsive disorder (OCD)",
                          "Language spoken: Zulu", "Accepting new patients"}
    dropped = links["Language spoken: Zulu"]
    assert "language=" not in dropped and "condition=ocd" in dropped and "q=Sofia" in dropped
    assert results(page(client, **dict(p.split("=") for p in
                                       dropped.split("?")[1].split("#")[0].split("&"))))


def test_no_results_in_bulgarian_names_the_filters_in_bulgarian(client):
    html = page(client, q="Sofia", language="zu", lang="bg")
    assert "Включен е този филтър." in html
    assert "Премахнете „Говорени езици: зулуски“" in html
