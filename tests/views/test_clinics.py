"""Clinics: deep links, share page and QR codes, and the cookieless screener in a frame."""

from __future__ import annotations

import io
import json
import re

import pytest
import zxingcpp
from PIL import Image

from screener import storage
from screener.directory import importer
from screener.extensions import db
from tests.flow import BASELINE, csrf, field

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


@pytest.fixture
def clinic(app, tmp_path):
    path = tmp_path / "clinic.json"
    path.write_text(json.dumps([CLINIC]), encoding="utf-8")
    with app.app_context():
        report = importer.import_file(path)
        assert not report.problems if hasattr(report, "problems") else True
    return CLINIC["slug"]


def test_deep_link_names_the_clinic_and_addresses_the_screening(client, app, clinic):
    page = client.get(f"/c/{clinic}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Safety screening for Sofia Mind Clinic" in html
    response = client.post(f"/c/{clinic}/start", data={"csrf_token": csrf(html)})
    assert response.headers["Location"].endswith("/questions/about_you")
    with app.app_context():
        record = db.session.scalars(db.select(storage.Screening)).one()
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


def test_share_page_gives_link_qr_and_snippet(client, clinic):
    html = client.get(f"/c/{clinic}/share").get_data(as_text=True)
    assert f"http://localhost/c/{clinic}" in html
    assert f"/c/{clinic}/qr.svg" in html and f"/c/{clinic}/poster" in html
    assert "&lt;iframe src=&#34;http://localhost/c/" in html or "&lt;iframe src=" in html
    assert "title=" in html and "embed.js" in html
    svg = client.get(f"/c/{clinic}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


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
    assert f"frame-ancestors {ORIGIN}" in csp
    assert "X-Frame-Options" not in embed.headers
    home = client.get("/")
    assert "frame-ancestors 'none'" in home.headers["Content-Security-Policy"]
    assert home.headers["X-Frame-Options"] == "DENY"


def _framed_step(client, base: str, section: str, answers: dict):
    page = client.get(f"{base}/questions/{section}")
    assert page.status_code == 200, (section, page.status_code)
    html = page.get_data(as_text=True)
    data = {"csrf_token": csrf(html)}
    data.update({field(k): v for k, v in answers.items()})
    return client.post(f"{base}/questions/{section}", data=data)


def test_whole_path_in_a_frame_without_any_cookie(app, clinic):
    client = app.test_client(use_cookies=False)
    embed = client.get(f"/c/{clinic}/embed")
    html = embed.get_data(as_text=True)
    assert "site-header" not in html
    assert f"data-parent-origins='[\"{ORIGIN}\"]'" in html
    started = client.post(f"/c/{clinic}/embed/start", data={"csrf_token": csrf(html)})
    location = started.headers["Location"]
    match = re.match(rf"^/c/{clinic}/f/([A-Za-z0-9_-]+)/questions/about_you$", location)
    assert match, location
    base = f"/c/{clinic}/f/{match.group(1)}"
    changes = {"devices": {"cardiac_device": "yes", "cardiac_device.kind": ["pacemaker"]}}
    for section, answers in BASELINE.items():
        response = _framed_step(client, base, section, {**answers, **changes.get(section, {})})
        assert response.status_code == 302, (section, response.get_data(as_text=True)[:500])
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
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(storage.Screening)) == 0


def test_forged_posts_in_a_frame_are_refused(app, clinic):
    client = app.test_client(use_cookies=False)
    html = client.get(f"/c/{clinic}/embed").get_data(as_text=True)
    refused = client.post(f"/c/{clinic}/embed/start", data={"csrf_token": "forged"})
    assert "m=expired" in refused.headers["Location"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(storage.Screening)) == 0
    started = client.post(f"/c/{clinic}/embed/start", data={"csrf_token": csrf(html)})
    base = started.headers["Location"].rsplit("/questions/", 1)[0]
    for token in ("", "forged", csrf(html)):  # none, wrong, the entry token
        response = client.post(
            f"{base}/questions/devices", data={"csrf_token": token, "cochlear_implant": "yes"}
        )
        assert response.status_code == 400
    with app.app_context():
        record = db.session.scalars(db.select(storage.Screening)).one()
        assert record.answers == {}


def test_a_screening_cannot_be_opened_under_another_clinic(app, clinic, client):
    other = app.test_client(use_cookies=False)
    html = other.get(f"/c/{clinic}/embed").get_data(as_text=True)
    base = other.post(f"/c/{clinic}/embed/start", data={"csrf_token": csrf(html)}).headers[
        "Location"
    ]
    token = base.split("/f/")[1].split("/")[0]
    response = other.get(f"/c/no-such-clinic/f/{token}/questions/devices")
    assert response.status_code == 404


def test_saving_in_a_frame_gives_a_working_resume_code(app, clinic):
    client = app.test_client(use_cookies=False)
    base = _framed_start(client, clinic)
    saved = _framed_step(client, base, "about_you", {"age_band": "18_64", "action": "save"})
    page = client.get(f"{base}/saved").get_data(as_text=True)
    code = re.search(r'class="code">([A-Z0-9-]+)<', page).group(1)
    entry = client.get(f"/c/{clinic}/embed").get_data(as_text=True)
    resumed = client.post(
        f"/c/{clinic}/embed/resume", data={"csrf_token": csrf(entry), "code": code}
    )
    assert resumed.headers["Location"].startswith(base)
    assert saved.headers["Location"] == f"{base}/saved"


def test_a_deleted_framed_screening_returns_to_the_clinics_entry(app, clinic):
    client = app.test_client(use_cookies=False)
    base = _framed_start(client, clinic)
    page = client.get(f"{base}/questions/devices").get_data(as_text=True)
    client.post(f"{base}/delete", data={"csrf_token": csrf(page)})
    response = client.get(f"{base}/")
    assert response.headers["Location"].endswith(f"/c/{clinic}/embed?m=gone")


def _framed_start(client, clinic: str) -> str:
    html = client.get(f"/c/{clinic}/embed").get_data(as_text=True)
    started = client.post(f"/c/{clinic}/embed/start", data={"csrf_token": csrf(html)})
    return started.headers["Location"].rsplit("/questions/", 1)[0]
