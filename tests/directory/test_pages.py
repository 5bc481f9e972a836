import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from screener.extensions import db
from screener.storage import Screening
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


def page(client, **params):
    response = client.get("/providers/", query_string=params)
    assert response.status_code == 200
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
    assert "Доставчици близо до Левски, Плевен, България" in html
    assert "Няма доставчици в радиус 25 км от Левски; най-близките са в радиус 50 км." in html
    assert 'class="sample-banner"' in html
    names = results(html)
    assert names and any("Pleven" in name for name in names)
    assert html.count("Последна проверка") == len(names)
    assert html.count("Примерни данни: не е истински доставчик") == len(names)
    assert re.search(r"<dt>Разстояние</dt><dd>4\d (km|км)</dd>", html)
    assert "Имахте предвид" not in html
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
        ({"accepting": "true"}, "<dt>Accepting new patients</dt><dd>Yes</dd>"),
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
    ("params", "field", "message"),
    [
        ({"q": ""}, "q", "Enter a town, city or coordinates"),
        ({"q": "x" * 10_000}, "q", "must be 200 characters or fewer"),
        ({"q": "\x00\x01"}, "q", "The place name contains characters that are not text"),
        ({"q": "NaN, 25"}, "q", "Coordinates must be a latitude between -90 and 90"),
        ({"q": "Qwxzqwxz"}, "q", "No place called “Qwxzqwxz” was found."),
        ({"q": "Sofia", "radius_km": "-5"}, "radius_km", "Search within: must be between"),
        ({"q": "Sofia", "condition": "flu"}, "condition", "Condition treated: is not one of"),
    ],
)
def test_bad_input_gets_an_error_summary(client, params, field, message):
    html = page(client, **params)
    assert "<title>Error: " in html
    assert re.search(rf'<a href="#{field}">[^<]*{re.escape(message)}', html)
    assert f'id="{field}-error"' in html
    assert "dir-result" not in html


def test_coordinates_search(client):
    html = page(client, q="42.6981, 23.3242")
    assert "Providers near your location (42.698, 23.324)" in html
    assert "Sofia" in results(html)[0]


def test_alternatives_keep_filters_and_choose_the_place(client):
    html = page(client, q="Novi Pazar", lang="bg", condition="depression")
    assert "Имахте предвид друго място?" in html
    link = re.search(r'<div class="dir-alternatives">.*?<a href="([^"]+)">([^<]+)</a>', html,
                     re.S)
    assert link.group(2).startswith("Нови Пазар") and link.group(2).endswith("Сърбия")
    chosen = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert f"Доставчици близо до {link.group(2)}" in chosen
    assert '<option value="depression" selected>' in chosen
    # Editing the text box starts a new search instead of keeping the chosen place.
    edited = re.search(r'href="([^"]+)"', link.group(0)).group(1).replace("&amp;", "&")
    edited = re.sub(r"(?<=[?&])q=[^&]*", "q=Levski", edited)
    assert "Доставчици близо до Левски" in client.get(edited).get_data(as_text=True)


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
