"""The deployment kit in deploy/: systemd units pass `systemd-analyze verify`, the nginx site
passes `nginx -t` (when nginx is installed), and the units run what the README says."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "deploy"
INSTALL_DIR = "/srv/casework/app"  # where deploy/README.md installs the application
UNITS = sorted([*DEPLOY.glob("*.service"), *DEPLOY.glob("*.timer")])


def units_for_this_checkout(tmp_path: Path) -> list[Path]:
    """The units with the install path replaced by this checkout, whose .venv exists:
    systemd-analyze verify checks that every ExecStart program is there."""
    repo = str(settings.BASE_DIR)
    copies = []
    for unit in UNITS:
        copy = tmp_path / unit.name
        copy.write_text(unit.read_text().replace(INSTALL_DIR, repo))
        copies.append(copy)
    return copies


def test_the_kit_has_web_worker_beat_and_the_timers():
    names = {unit.name for unit in UNITS}
    assert {
        "casework-web.service",
        "casework-worker.service",
        "casework-beat.service",
        "casework-check.service",
        "casework-check.timer",
        "casework-backup.service",
        "casework-backup.timer",
    } <= names
    for unit in DEPLOY.glob("*.service"):
        text = unit.read_text()
        assert "EnvironmentFile=/etc/lingong/casework.env" in text, unit.name
        assert f"WorkingDirectory={INSTALL_DIR}" in text, unit.name
        assert "User=casework" in text, unit.name
    web = (DEPLOY / "casework-web.service").read_text()
    assert "-k gthread" in web and "Restart=always" in web
    check = (DEPLOY / "casework-check.service").read_text()
    assert "verify_audit --digests" in check and "check_invariants --orphan-grace 60" in check
    assert "manage.py backup --to" in (DEPLOY / "casework-backup.service").read_text()
    # Exactly one beat: no other unit starts one.
    beats = [u.name for u in DEPLOY.glob("*.service") if "celery -A casework beat" in u.read_text()]
    assert beats == ["casework-beat.service"]


def test_nginx_site_passes_the_headers_and_allows_the_evidence_limit():
    site = (DEPLOY / "casework.nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "proxy_set_header X-Real-IP $remote_addr;" in site
    limit = int(re.search(r"client_max_body_size (\d+)m;", site)[1]) * 1024 * 1024
    assert limit >= settings.DISPUTE_EVIDENCE_MAX_BYTES
    assert limit >= settings.COMPLAINT_EVIDENCE_MAX_BYTES


def test_systemd_units_verify(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip(
            "systemd-analyze is not installed (Debian package systemd; "
            "scripts/system-packages.sh installs it)"
        )
    copies = units_for_this_checkout(tmp_path)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, copies)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Unknown keys and bad values are only warnings: none may concern our units.
    ours = [line for line in output.splitlines() if any(c.name in line for c in copies)]
    assert not ours, "\n".join(ours)


def test_nginx_site_passes_nginx_t(tmp_path):
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if not nginx:
        pytest.skip("nginx is not installed (not needed by the application; not installed in CI)")
    # A throw-away certificate in place of the real one, and a minimal main configuration.
    certificate = tmp_path / "cert.pem"
    key = tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=casework.test", "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    site = (DEPLOY / "casework.nginx.conf").read_text()
    site = site.replace("/etc/lingong/tls/fullchain.pem", str(certificate))
    site = site.replace("/etc/lingong/tls/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"    access_log {tmp_path}/access.log;\n"
        f"    client_body_temp_path {tmp_path}/body;\n"
        f"    proxy_temp_path {tmp_path}/proxy;\n"
        f"    fastcgi_temp_path {tmp_path}/fastcgi;\n"
        f"    uwsgi_temp_path {tmp_path}/uwsgi;\n"
        f"    scgi_temp_path {tmp_path}/scgi;\n"
        f"    include {tmp_path}/site.conf;\n"
        "}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr + result.stdout
