"""The shipped production site (deploy/nginx/screener-site.conf, with TLS) is a configuration
Debian's nginx accepts, with the other two shipped files, once its certificate, log and snippet
paths point into a temporary folder (a throw-away self-signed certificate)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ..conftest import ON_CI
from .servers import ROOT, nginx_binary

DEPLOY = ROOT / "deploy" / "nginx"
NGINX = nginx_binary()
if NGINX is None and ON_CI:
    raise RuntimeError("CI must check the nginx files, but nginx is not installed")

pytestmark = pytest.mark.scale_out


def self_signed(folder) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "screener.example.org")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=1)).not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "privkey.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (an error on CI)")
def test_the_production_site_is_valid_nginx(tmp_path):
    self_signed(tmp_path)
    site = (DEPLOY / "screener-site.conf").read_text(encoding="utf-8")
    moves = {"/etc/letsencrypt/live/screener.example.org/": f"{tmp_path}/",
             "/var/log/nginx/": f"{tmp_path}/",
             "/etc/nginx/snippets/": f"{DEPLOY}/"}
    for shipped, here in moves.items():
        assert shipped in site, shipped
        site = site.replace(shipped, here)
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/main-error.log;
events {{ }}
http {{
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    include {DEPLOY}/screener-http.conf;
    include {tmp_path}/site.conf;
}}
""", encoding="utf-8")
    check = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert "test is successful" in check.stderr
