"""Clinics: deep links, share page and QR codes, and the cookieless screener in a frame."""

from __future__ import annotations

import html as htmllib
import io
import json
import re
from html.parser import HTMLParser

import pytest
import zxingcpp
from PIL import Image

from screener.directory import importer
from screener.extensions import db
from screener.patient import model
from tests.flow import BASELINE, csrf, field, start

pytestmark = pytest.mark.both_databases

ORIGIN = "https://www.clinic-example.bg"
CLINIC = {
    "slug": "sofia-mind-clinic",
    "name": "Dr. Example",
    "clinic": "Sofia Mind Clinic",
    "city": "Sofia",
    "country": "BG",
    "lat": 42.6977,
    "lon": 23.3219,
    "languages": ["bg", "en"],
    "conditions": ["depression"],
    "tms_types": ["rtms-10hz"],
    "accepting_new_patients": True,
    "remote_consultation": False,
    "last_verified": "2026-10-01",
    "embed_origins": [ORIGIN],
    "language": "bg",
}


OTHER_ORIGIN = "https://www.other-clinic.example"
OTHER = {**CLINIC, "slug": "other-clinic", "clinic": "Other Clinic",
         "embed_origins": [OTHER_ORIGIN], "language": "en"}
EN_GB = {"Accept-Language": "en-GB,en;q=0.9"}
FRAMED = {"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "same-origin", **EN_GB}
"""What a browser sends for a page inside the clinic's frame (here an en-GB browser)."""


def _import(app, tmp_path, *records) -> list[str]:
    path = tmp_path / "clinics.json"
    path.write_text(json.dumps(list(records)), encoding="utf-8")
    with app.app_context():
        return importer.import_file(path).created


@pytest.fixture
def clinic(app, tmp_path):
    assert _import(app, tmp_path, CLINIC) == [CLINIC["slug"]]
    return CLINIC["slug"]


@pytest.fixture
def two_clinics(app, tmp_path):
    assert _import(app, tmp_path, CLINIC, OTHER) == [CLINIC["slug"], OTHER["slug"]]
    return CLINIC["slug"], OTHER["slug"]


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model.Screening))


def _record(app, screening_id: str) -> model.Screening:
    with app.app_context():
        return db.session.get(model.Screening, screening_id)


def _framed_id(base: str) -> str:
    return base.split("/f/")[1].split("/")[0]


def test_deep_link_names_the_clinic_and_addresses_the_screening(client, app, clinic):
    page = client.get(f"/c/{clinic}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert ('<h1><span class="clinic-heading">Safety screening for Sofia Mind Clinic</span> '
            in html)
    assert 'class="caption"' not in html
    response = client.post(f"/c/{clinic}/start", data={"csrf_token": csrf(html)})
    assert response.headers["Location"].endswith("/questions/about_you")
    with app.app_context():
        record = db.session.scalars(db.select(model.Screening)).one()
        assert record.clinic_slug == clinic


def test_deep_link_in_bulgarian(client, clinic):
    html = client.get(f"/c/{clinic}?lang=bg").get_data(as_text=True)
    assert '<html lang="bg">' in html


def test_unknown_clinic_is_a_helpful_404(client, clinic):
    response = client.get("/c/no-such-clinic")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "We do not know this clinic" in html
    assert 'href="/"' in html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))


def _snippet(page: str) -> list[tuple[str, dict[str, str | None]]]:
    """The tags of the snippet as a clinic's page would parse it after pasting."""
    found = re.search(r'<textarea id="snippet"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "no snippet"
    parser = _Tags()
    parser.feed(htmllib.unescape(found.group(1)))
    return parser.tags


def test_share_page_gives_link_qr_and_snippet(client, clinic):
    html = client.get(f"/c/{clinic}/share").get_data(as_text=True)
    assert f"http://localhost/c/{clinic}" in html
    assert f"/c/{clinic}/qr.svg" in html and f"/c/{clinic}/poster" in html
    assert _snippet(html) == [
        ("iframe", {"src": f"http://localhost/c/{clinic}/embed?lang=bg",
                    "title": "Скрининг за безопасност преди ТМС – Sofia Mind Clinic",
                    "width": "100%", "height": "900", "style": "border:0;max-width:100%",
                    "data-tms-screener": None}),
        ("script", {"src": "http://localhost/static/embed.js", "async": None}),
    ]
    svg = client.get(f"/c/{clinic}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_snippet_survives_quotes_and_angle_brackets_in_the_name(app, client, tmp_path):
    name = 'Dr "Quote" <b>&amp; Co</b> \'Clinic\''
    _import(app, tmp_path, {**CLINIC, "clinic": name, "language": "en"})
    html = client.get(f"/c/{CLINIC['slug']}/share").get_data(as_text=True)
    assert "<b>" not in html  # shown escaped, never as markup on the share page
    tags = _snippet(html)
    assert [tag for tag, _ in tags] == ["iframe", "script"]
    assert tags[0][1]["title"] == f"TMS safety screening – {name}"
    assert tags[0][1]["src"] == f"http://localhost/c/{CLINIC['slug']}/embed?lang=en"


def test_share_page_tells_staff_how_to_try_the_snippet_locally(app, client, tmp_path):
    _import(app, tmp_path, {**CLINIC, "embed_origins": [ORIGIN, "http://localhost:8000"]})
    html = client.get(f"/c/{CLINIC['slug']}/share").get_data(as_text=True)
    assert "python3 -m http.server 8000" in html
    assert "http://localhost:8000/clinic-test.html" in html
    _import(app, tmp_path, CLINIC)
    assert "http.server" not in client.get(f"/c/{CLINIC['slug']}/share").get_data(as_text=True)


def test_qr_codes_are_cached_only_with_a_configured_public_address(app, client, clinic):
    for path in (f"/c/{clinic}/qr.svg", f"/c/{clinic}/qr.png"):
        spoofed = client.get(path, headers={"Host": "evil.example"})
        assert spoofed.headers["Cache-Control"] == "no-store", path
    assert client.get(f"/c/{clinic}/share").headers["Cache-Control"] == "no-store"
    app.config["PUBLIC_BASE_URL"] = "https://screener.example.org"
    png = client.get(f"/c/{clinic}/qr.png", headers={"Host": "evil.example"})
    assert png.headers["Cache-Control"] == "public, max-age=3600"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert [d.text for d in decoded] == [f"https://screener.example.org/c/{clinic}"]


def test_qr_code_decodes_to_the_clinic_link(client, clinic):
    png = client.get(f"/c/{clinic}/qr.png")
    assert png.mimetype == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert [d.text for d in decoded] == [f"http://localhost/c/{clinic}"]
    bg = client.get(f"/c/{clinic}/qr.png?lang=bg")
    assert zxingcpp.read_barcodes(Image.open(io.BytesIO(bg.data)))[0].text.endswith("?lang=bg")


def test_poster_prints_in_both_languages(client, clinic):
    html = client.get(f"/c/{clinic}/poster").get_data(as_text=True)
    assert "Before your first TMS consultation" in html
    assert "Преди първата ви консултация" in html


def test_only_the_clinics_origins_may_frame_its_pages(client, clinic):
    embed = client.get(f"/c/{clinic}/embed")
    csp = embed.headers["Content-Security-Policy"]
    assert csp.endswith(f"; frame-ancestors {ORIGIN}")
    assert "X-Frame-Options" not in embed.headers
    for path in ("/", f"/c/{clinic}", f"/c/{clinic}/share", f"/c/{clinic}/poster",
                 f"/c/{clinic}/qr.svg"):
        page = client.get(path)
        assert page.headers["Content-Security-Policy"].endswith("; frame-ancestors 'none'"), path
        assert page.headers["X-Frame-Options"] == "DENY", path


@pytest.mark.parametrize("bad", [
    "https://a.example *", "*", "https://*", "https://a.example; sandbox", "https://a.example\n",
    "https:", "'self'", "https://a.example/path", "http://plain.example",
])
def test_a_bad_stored_origin_never_reaches_a_header(app, client, clinic, bad):
    """Defence in depth: a row written past the importer cannot widen framing or break a page."""
    from screener.directory.models import Provider

    with app.app_context():
        provider = db.session.scalar(db.select(Provider).where(Provider.slug == clinic))
        provider.embed_origins = [bad, ORIGIN]
        db.session.commit()
    embed = client.get(f"/c/{clinic}/embed")
    assert embed.status_code == 200
    assert embed.headers["Content-Security-Policy"].endswith(f"; frame-ancestors {ORIGIN}")
    assert f"data-parent-origins='[\"{ORIGIN}\"]'" in embed.get_data(as_text=True)
    with app.app_context():
        provider = db.session.scalar(db.select(Provider).where(Provider.slug == clinic))
        provider.embed_origins = [bad]
        db.session.commit()
    alone = client.get(f"/c/{clinic}/embed")
    assert alone.status_code == 200
    assert alone.headers["Content-Security-Policy"].endswith("; frame-ancestors 'none'")
    assert alone.headers["X-Frame-Options"] == "DENY"


def _in_frame(app):
    """A cookieless client that sends what Chromium sends from inside the clinic's frame: an
    en-GB browser, Sec-Fetch-Dest: iframe, and `Origin: null` on posts (our pages say
    Referrer-Policy: no-referrer), with Sec-Fetch-Site: same-origin."""
    client = app.test_client(use_cookies=False)
    client.environ_base.update({
        "HTTP_SEC_FETCH_DEST": "iframe", "HTTP_SEC_FETCH_SITE": "same-origin",
        "HTTP_ORIGIN": "null", "HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9",
    })
    return client


def _framed_step(client, base: str, section: str, answers: dict):
    page = client.get(f"{base}/questions/{section}")
    assert page.status_code == 200, (section, page.status_code)
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf(html)}
    data.update({field(k): v for k, v in answers.items()})
    return client.post(f"{base}/questions/{section}", data=data)


def _framed_start(client, clinic: str, lang: str = "bg") -> str:
    html = client.get(f"/c/{clinic}/embed?lang={lang}").get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+/embed/start[^"]*)"', html).group(1)
    started = client.post(htmllib.unescape(action), data={"csrf_token": csrf(html)})
    assert started.status_code in (302, 303), started.status_code
    return started.headers["Location"].rsplit("/questions/", 1)[0]


def test_whole_path_in_a_frame_without_any_cookie(app, clinic):
    client = _in_frame(app)
    embed = client.get(f"/c/{clinic}/embed?lang=bg")
    html = embed.get_data(as_text=True)
    assert "site-header" not in html
    assert f"data-parent-origins='[\"{ORIGIN}\"]'" in html
    base = _framed_start(client, clinic, lang="en")
    assert re.fullmatch(rf"/c/{clinic}/f/[A-Za-z0-9_-]+", base), base
    changes = {"devices": {"cardiac_device": "yes", "cardiac_device.kind": ["pacemaker"]}}
    for section, answers in BASELINE.items():
        response = _framed_step(client, base, section, {**answers, **changes.get(section, {})})
        assert response.status_code in (302, 303), (section, response.get_data(True)[:500])
        assert response.headers["Location"].startswith(base)
    check = client.get(f"{base}/check")
    assert check.status_code == 200
    confirmed = client.post(f"{base}/check", data={"csrf_token": csrf(check.get_data(True))})
    assert confirmed.headers["Location"] == f"{base}/results"
    results = client.get(f"{base}/results").get_data(as_text=True)
    assert "Possible contraindication" in results
    assert "Your clinic: Sofia Mind Clinic" in results
    assert results.index("Your clinic") < results.index("What happens next")
    assert f"{base}/summary.pdf" in results
    assert (
        f"frame-ancestors {ORIGIN}"
        in client.get(f"{base}/results").headers["Content-Security-Policy"]
    )
    deleted = client.post(f"{base}/delete", data={"csrf_token": csrf(results)})
    assert deleted.headers["Location"] == f"{base}/deleted"
    assert _count(app) == 0


def test_framed_responses_never_set_a_cookie(app, clinic):
    client = _in_frame(app)
    responses = [client.get(f"/c/{clinic}/embed?lang=bg"), client.get(f"/c/{clinic}/embed")]
    base = _framed_start(client, clinic)
    responses += [client.get(f"{base}/questions/about_you"),
                  client.get(f"{base}/questions/devices?lang=en"),
                  client.post(f"/c/{clinic}/embed/start?lang=bg", data={"csrf_token": "x"}),
                  client.get(f"/c/{clinic}/embed?m=expired&lang=bg")]
    for response in responses:
        assert "Set-Cookie" not in response.headers, response.request.path


def test_a_bulgarian_clinic_stays_bulgarian_after_start_for_an_en_gb_browser(app, clinic):
    client = _in_frame(app)
    entry = client.get(f"/c/{clinic}/embed?lang=bg").get_data(as_text=True)
    assert '<html lang="bg">' in entry
    assert f'action="/c/{clinic}/embed/start?lang=bg"' in entry
    assert f'action="/c/{clinic}/embed/resume?lang=bg"' in entry
    base = _framed_start(client, clinic, lang="bg")
    assert _record(app, _framed_id(base)).language == "bg"
    step = client.get(f"{base}/questions/about_you").get_data(as_text=True)
    assert '<html lang="bg">' in step
    expired = client.post(f"/c/{clinic}/embed/start?lang=bg", data={"csrf_token": "forged"})
    assert expired.headers["Location"] == f"/c/{clinic}/embed?m=expired&lang=bg"
    notice = client.get(expired.headers["Location"]).get_data(as_text=True)
    assert '<html lang="bg">' in notice and 'class="flash error" role="alert"' in notice


def test_framed_delete_asks_first_inside_the_frame(app, clinic):
    client = _in_frame(app)
    base = _framed_start(client, clinic, lang="en")
    page = client.get(f"{base}/questions/devices").get_data(as_text=True)
    assert f'href="{base}/delete?back={base}/questions/devices"' in page
    confirm = client.get(f"{base}/delete?back={base}/questions/devices").get_data(as_text=True)
    assert f'action="{base}/delete"' in confirm
    assert f'href="{base}/questions/devices" id="keep-answers"' in confirm
    assert _count(app) == 1
    client.post(f"{base}/delete", data={"csrf_token": csrf(confirm)})
    assert _count(app) == 0


def test_a_framed_screening_gone_returns_to_the_entry_in_the_clinics_language(app, clinic):
    client = _in_frame(app)
    base = _framed_start(client, clinic, lang="bg")
    page = client.get(f"{base}/questions/devices").get_data(as_text=True)
    client.post(f"{base}/delete", data={"csrf_token": csrf(page)})
    response = client.get(f"{base}/questions/devices")
    assert response.headers["Location"] == f"/c/{clinic}/embed?m=gone&lang=bg"
    entry = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="bg">' in entry
    assert entry.count("Отговорите ви вече не се пазят") == 1  # shown once, without a cookie


def test_a_framed_notice_is_read_from_the_url_and_rendered_by_the_page(app, clinic):
    """frame.notice(): inside a frame the message code rides in the redirect URL."""
    client = _in_frame(app)
    base = _framed_start(client, clinic, lang="en")
    page = client.get(f"{base}/questions/devices?m=missing")
    html = page.get_data(as_text=True)
    assert 'role="alert">Some questions still need an answer.</div>' in html
    assert "Set-Cookie" not in page.headers
    assert "flash" not in client.get(f"{base}/questions/devices?m=bogus").get_data(True)


def test_cross_site_posts_to_framed_urls_are_refused(app, clinic):
    """Login CSRF: the attacker fetches an entry token and posts their own resume code from
    their site; the victim's browser says where the post came from."""
    attacker = _in_frame(app)
    base = _framed_start(attacker, clinic)
    saved = _framed_step(attacker, base, "about_you", {"age_band": "18_64", "action": "save"})
    code = re.search(r'class="code">([A-Z0-9-]+)<',
                     attacker.get(saved.headers["Location"]).get_data(True)).group(1)
    entry = attacker.get(f"/c/{clinic}/embed?lang=bg").get_data(as_text=True)
    token = csrf(entry)
    victim = app.test_client(use_cookies=False)
    cross = [
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},  # no Fetch Metadata: the Origin alone
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},  # a sandboxed frame
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is not us either
    ]
    before = _count(app)
    for headers in cross:
        resumed = victim.post(f"/c/{clinic}/embed/resume?lang=bg",
                              data={"csrf_token": token, "code": code}, headers=headers)
        assert resumed.status_code == 403, headers
        started = victim.post(f"/c/{clinic}/embed/start", data={"csrf_token": token},
                              headers=headers)
        assert started.status_code == 403, headers
        page = attacker.get(f"{base}/questions/devices").get_data(as_text=True)
        answered = victim.post(f"{base}/questions/devices", headers=headers, data={
            "csrf_token": csrf(page), "cochlear_implant": "yes"})
        assert answered.status_code == 403, headers
    assert _count(app) == before
    assert "cochlear_implant" not in _record(app, _framed_id(base)).answers
    ours = [{"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
            {"Origin": "null", "Sec-Fetch-Site": "same-origin"}, {}]
    for headers in ours:
        resumed = victim.post(f"/c/{clinic}/embed/resume?lang=bg",
                              data={"csrf_token": token, "code": code}, headers=headers)
        assert resumed.status_code == 303, headers
        assert resumed.headers["Location"].startswith(base)


def test_framed_urls_opened_as_a_page_go_to_the_clinics_start(app, clinic):
    """A link to someone's framed screening, sent to a victim, shows them nothing of it."""
    client = _in_frame(app)
    base = _framed_start(client, clinic)
    top = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Site": "none"}
    for path in (f"{base}/check", f"{base}/questions/devices", f"{base}/results",
                 f"/c/{clinic}/embed"):
        response = client.get(path, headers=top)
        assert response.status_code == 303, path
        assert response.headers["Location"] == f"/c/{clinic}?lang=bg", path
    assert client.get(f"/c/{clinic}/embed?lang=en", headers=top).headers["Location"] == (
        f"/c/{clinic}?lang=en")
    assert client.get(f"{base}/check").status_code == 200  # in the frame, as before
    plain = app.test_client(use_cookies=False)  # no Sec-Fetch-*: not a browser, served
    assert plain.get(f"{base}/check").status_code == 200


def test_a_screening_cannot_be_opened_under_another_clinic(app, two_clinics):
    mine, other = two_clinics
    client = _in_frame(app)
    base = _framed_start(client, mine)
    screening_id = _framed_id(base)
    elsewhere = f"/c/{other}/f/{screening_id}"
    page = client.get(f"{elsewhere}/questions/devices")
    assert page.status_code in (302, 303)
    assert page.headers["Location"].startswith(f"/c/{other}/embed?m=gone")
    assert client.get(f"{elsewhere}/check").status_code in (302, 303)
    token = csrf(client.get(f"{base}/questions/devices").get_data(as_text=True))
    posted = client.post(f"{elsewhere}/questions/devices",
                         data={"csrf_token": token, "cochlear_implant": "yes"})
    assert posted.status_code in (302, 303)
    record = _record(app, screening_id)
    assert record.clinic_slug == mine and "cochlear_implant" not in record.answers
    assert client.get(f"/c/no-such-clinic/f/{screening_id}/questions/devices").status_code == 404


def _saved_code(client, base: str) -> str:
    saved = _framed_step(client, base, "about_you", {"age_band": "18_64", "action": "save"})
    assert saved.headers["Location"] == f"{base}/saved"
    page = client.get(f"{base}/saved").get_data(as_text=True)
    return re.search(r'class="code">([A-Z0-9-]+)<', page).group(1)


def _resume(client, clinic: str, code: str, lang: str = "bg"):
    entry = client.get(f"/c/{clinic}/embed?lang={lang}").get_data(as_text=True)
    return client.post(f"/c/{clinic}/embed/resume?lang={lang}",
                       data={"csrf_token": csrf(entry), "code": code})


def test_saving_in_a_frame_gives_a_working_resume_code(app, clinic):
    client = _in_frame(app)
    base = _framed_start(client, clinic, lang="en")
    code = _saved_code(client, base)
    resumed = _resume(client, clinic, code, lang="bg")
    assert resumed.headers["Location"].startswith(base)
    assert _record(app, _framed_id(base)).language == "bg"  # the entry page's language


def test_a_code_from_elsewhere_does_not_resume_in_this_clinics_frame(app, two_clinics):
    mine, other = two_clinics
    client = _in_frame(app)
    base = _framed_start(client, mine)
    code = _saved_code(client, base)
    posted = _resume(client, other, code, lang="bg")
    assert posted.status_code == 303  # the error comes back through a GET: Back stays safe
    assert posted.headers["Location"] == f"/c/{other}/embed/resume?error=elsewhere&lang=bg"
    assert code not in posted.headers["Location"].upper()
    refused = client.get(posted.headers["Location"])
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Set-Cookie" not in refused.headers
    assert '<html lang="bg">' in html and "Върнете се с код за продължаване" in html
    assert html.count('class="error-summary"') == 1
    assert 'href="/resume?lang=bg" target="_blank"' in html
    assert f'action="/c/{other}/embed/resume?lang=bg"' in html
    assert _record(app, _framed_id(base)).clinic_slug == mine
    general = app.test_client()  # a screening started on the general screener
    start(general)
    general_page = general.get("/questions/about_you").get_data(as_text=True)
    general.post("/questions/about_you", data={
        "csrf_token": csrf(general_page), "age_band": "18_64", "action": "save"})
    general_code = re.search(r'class="code">([A-Z0-9-]+)<',
                             general.get("/saved").get_data(True)).group(1)
    assert "error=elsewhere" in _resume(client, mine, general_code).headers["Location"]
    empty = client.get(_resume(client, mine, "").headers["Location"]).get_data(as_text=True)
    assert "Not found" not in empty and "Въведете кода си" in empty


def test_framed_starts_are_rate_limited(tmp_path):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'r.sqlite3'}", RATELIMIT_ENABLED=True)
    _import(app, tmp_path, CLINIC)
    client = _in_frame(app)
    token = csrf(client.get(f"/c/{CLINIC['slug']}/embed").get_data(as_text=True))
    codes = [client.post(f"/c/{CLINIC['slug']}/embed/start", data={"csrf_token": token})
             .status_code for _ in range(31)]
    assert codes[:30] == [303] * 30
    assert codes[30] == 429
    assert _count(app) == 30


def test_confirming_a_framed_screening_with_gaps_says_so_without_a_cookie(app, clinic):
    client = _in_frame(app)
    base = _framed_start(client, clinic, lang="en")
    check = client.get(f"{base}/check")
    confirmed = client.post(f"{base}/check", data={"csrf_token": csrf(check.get_data(True))})
    assert confirmed.headers["Location"] == f"{base}/questions/about_you?m=missing"
    assert "Set-Cookie" not in confirmed.headers
    page = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert "Some questions still need an answer." in page


def test_start_again_on_a_clinic_link_deletes_that_clinics_old_answers(app, client, clinic):
    page = client.get(f"/c/{clinic}").get_data(as_text=True)
    client.post(f"/c/{clinic}/start", data={"csrf_token": csrf(page)})
    again = client.get(f"/c/{clinic}").get_data(as_text=True)
    assert "Starting again deletes the answers you have given so far." in again
    client.post(f"/c/{clinic}/start", data={"csrf_token": csrf(again)})
    assert _count(app) == 1
    refused = client.post(f"/c/{clinic}/start", data={"csrf_token": "forged"})
    shown = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "We could not confirm that this came from you" in shown and _count(app) == 1


def test_help_is_one_link_away_inside_the_frame(app, clinic):
    client = _in_frame(app)
    base = _framed_start(client, clinic, lang="en")
    page = client.get(f"{base}/questions/about_you").get_data(as_text=True)
    assert 'href="/support" target="_blank" rel="noopener noreferrer">Need help now?' in page
