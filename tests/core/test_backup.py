"""manage.py backup / restore: a backup restored into a new database passes verify_audit and
check_invariants with the same case events (PostgreSQL: make test-services; SQLite: always)."""

import io
import os
import re
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from casework.core import backup as backup_module
from casework.core.backup import BackupError, _extract_safely, read_manifest, sha256, verify
from casework.core.models import CaseEvent
from casework.disputes.models import Dispute
from casework.documents.models import Document
from tests.celery_worker import database_url

# transaction=True: the cases are committed before pg_dump (another connection) reads them;
# serialized_rollback=True: an earlier transactional test may have flushed the role groups.

NEEDS_POSTGRES = (
    "needs PostgreSQL (DATABASE_URL=postgres://...): pg_dump, createdb and pg_restore; "
    "run by make test-services"
)


@pytest.fixture(autouse=True)
def _secret_key_from_file(monkeypatch):
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)


@pytest.fixture
def some_cases(new_dispute):
    cases = [
        new_dispute(),
        new_dispute(Dispute.State.ACCEPTED),
        new_dispute(Dispute.State.EFFECTIVE),
    ]
    return cases


def run_backup(to: Path) -> Path:
    call_command("backup", to=str(to), stdout=io.StringIO())
    (folder,) = [p for p in to.iterdir() if p.name.startswith("casework-")]
    return folder


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def subprocess_env(var_dir: Path, database: str | None) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SECRET_KEY", "STORAGE_S3_BUCKET"}
    }
    env["CASEWORK_VAR_DIR"] = str(var_dir)
    env["DJANGO_SETTINGS_MODULE"] = os.environ.get("DJANGO_SETTINGS_MODULE", "tests.settings")
    if database:
        env["DATABASE_URL"] = database
    return env


def restore_and_check(folder: Path, env: dict) -> None:
    """Restore in a fresh process, then verify_audit and check_invariants agree with this one."""
    restored = manage("restore", "--from", str(folder), env=env)
    assert restored.returncode == 0, restored.stderr + restored.stdout
    audit = manage("verify_audit", env=env)
    assert audit.returncode == 0, audit.stderr + audit.stdout
    events = int(re.search(r"Checked (\d+) case events", audit.stdout)[1])
    assert events == CaseEvent.objects.count() > 0
    invariants = manage("check_invariants", "--orphan-grace", "0", env=env)
    assert invariants.returncode == 0, invariants.stderr + invariants.stdout
    assert "All invariants hold." in invariants.stdout
    var_dir = Path(env["CASEWORK_VAR_DIR"])
    assert (var_dir / "secret_key").read_text() == (settings.VAR_DIR / "secret_key").read_text()
    for document in Document.objects.exclude(file=""):
        assert (var_dir / "media" / document.file.name).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_folder_holds_the_database_media_secret_key_and_a_manifest(some_cases, tmp_path):
    folder = run_backup(tmp_path / "backups")

    entries = read_manifest(folder)
    database_file = "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"
    assert set(entries) == {database_file, "media.tar", "secret_key"}
    for name, (digest, size) in entries.items():
        assert sha256(folder / name) == digest and (folder / name).stat().st_size == size
    assert (folder / "secret_key").stat().st_mode & 0o077 == 0
    with tarfile.open(folder / "media.tar") as tar:
        stored = {m.name for m in tar.getmembers() if m.isfile()}
    documents = {d.file.name for d in Document.objects.exclude(file="")}
    assert documents and documents <= stored
    manifest = (folder / "MANIFEST.txt").read_text()
    assert "SEAL_KEY_FILE" in manifest and "offline" in manifest
    assert not list(folder.parent.glob(".*partial"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_with_the_key_in_the_environment_notes_it_and_does_not_copy_it(
    some_cases, tmp_path, monkeypatch, settings
):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 64)
    settings.SEAL_KEY_FILE = "/etc/lingong/seal/key.pem"
    folder = run_backup(tmp_path)
    assert "secret_key" not in read_manifest(folder)
    manifest = (folder / "MANIFEST.txt").read_text()
    assert "DJANGO_SECRET_KEY" in manifest
    assert "SEAL_KEY_FILE=/etc/lingong/seal/key.pem" in manifest


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_refuses_a_damaged_backup_and_a_database_that_is_not_empty(some_cases, tmp_path):
    folder = run_backup(tmp_path)
    with pytest.raises(BackupError, match="not empty"):
        backup_module.restore(folder)
    with open(folder / "media.tar", "r+b") as f:
        f.seek(100)
        f.write(b"\0damaged")
    with pytest.raises(BackupError, match="SHA-256"):
        verify(folder)


def test_keep_deletes_all_but_the_newest_backups(tmp_path, monkeypatch):
    monkeypatch.setattr(backup_module, "_dump_database", lambda f: _touch(f, "database.dump"))
    monkeypatch.setattr(backup_module, "_media", lambda f: _touch(f, "media.tar"))
    import datetime

    for day in (1, 2, 3):
        backup_module.backup(tmp_path, now=datetime.datetime(2026, 5, day, 2), keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "casework-20260502-020000",
        "casework-20260503-020000",
    ]


def _touch(folder: Path, name: str) -> tuple[str, str]:
    (folder / name).write_bytes(b"x")
    return name, "test"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sqlite_backup_restores_into_a_new_file(some_cases, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip; PostgreSQL has its own test below")
    folder = run_backup(tmp_path / "backups")
    restore_and_check(folder, subprocess_env(tmp_path / "restored-var", None))


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgres_backup_restores_into_a_new_database(some_cases, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(NEEDS_POSTGRES)
    folder = run_backup(tmp_path / "backups")
    name = f"casework_restore_{uuid.uuid4().hex[:10]}"
    quoted = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {quoted}")
    try:
        target = database_url({**connection.settings_dict, "NAME": name})
        restore_and_check(folder, subprocess_env(tmp_path / "restored-var", target))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


# -- extracting the media archive without tarfile's filters (Python before 3.11.4) -------


def _archive(tmp_path, name: str, data: bytes = b"pdf") -> tarfile.TarFile:
    path = tmp_path / "media.tar"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return tarfile.open(path)


@pytest.mark.parametrize("has_filters", [True, False])
def test_the_media_archive_is_extracted_inside_the_media_folder(tmp_path, monkeypatch, has_filters):
    if not has_filters:
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    root = tmp_path / "media"

    with _archive(tmp_path, "documents/2026/a.pdf") as tar:
        _extract_safely(tar, root)

    assert (root / "documents/2026/a.pdf").read_bytes() == b"pdf"


@pytest.mark.parametrize("has_filters", [True, False])
def test_a_member_outside_the_media_folder_is_refused(tmp_path, monkeypatch, has_filters):
    if not has_filters:
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    root = tmp_path / "media"
    root.mkdir()

    with (
        _archive(tmp_path, "../escaped.pdf") as tar,
        pytest.raises((BackupError, tarfile.TarError)),
    ):
        _extract_safely(tar, root)

    assert not (tmp_path / "escaped.pdf").exists()
