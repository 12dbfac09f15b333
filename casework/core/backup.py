"""Backup and restore of one installation (`manage.py backup` / `manage.py restore`).

A backup is one dated folder, ``casework-YYYYmmdd-HHMMSS``, holding:

- ``database.dump``: ``pg_dump -Fc`` of the configured PostgreSQL database, or
  ``database.sqlite3``: a copy made with SQLite's online backup API (the demo set-up);
- ``media.tar``: the files under MEDIA_ROOT (local disk), or ``media-objects.tsv``: the
  keys and sizes of the objects in the bucket (STORAGE_S3_BUCKET; the bucket itself is
  backed up with the storage provider's own tools, the list says what must be there);
- ``secret_key``: a copy of <CASEWORK_VAR_DIR>/secret_key when the secret key comes from
  that file (it hashes the one-time signing codes: without it codes in flight are lost);
  with DJANGO_SECRET_KEY set the manifest says so and the key is not copied;
- ``MANIFEST.txt``: every file with its size and SHA-256, and what must be kept offline
  separately (the seal's private key, SEAL_KEY_FILE, is never copied into a backup).

The folder is written as ``.casework-....partial`` and renamed when complete, so a
failed backup never looks like a good one. Restore checks every SHA-256 first.
"""

import datetime
import glob
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from casework.core.roles import forget_access

BACKUP_NAME = re.compile(r"^casework-\d{8}-\d{6}$")
MANIFEST = "MANIFEST.txt"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
MEDIA_TAR = "media.tar"
MEDIA_OBJECTS = "media-objects.tsv"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 (a file name)


class BackupError(Exception):
    """A step of a backup or restore failed; the message says which and why."""


def find_pg_tool(name: str) -> str:
    """The PostgreSQL client program: from PATH first, else the newest /usr/lib/postgresql/*/bin.

    pg_dump must be at least as new as the server; Debian's /usr/bin/pg_dump (the
    postgresql-client-common wrapper) picks the right version itself.
    """
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> tuple:
        part = Path(path).parent.parent.name
        return tuple(int(n) for n in re.findall(r"\d+", part)) or (0,)

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"{name} not found on PATH or in /usr/lib/postgresql/*/bin; install the PostgreSQL "
        f"client (Debian: apt-get install postgresql-client) / "
        f"未找到 {name}，请安装 PostgreSQL 客户端"
    )


def pg_args(settings_dict: dict) -> tuple[list[str], dict]:
    """Connection options for pg_dump / pg_restore / psql, and the environment (PGPASSWORD)."""
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(command: list[str], env: dict) -> None:
    # The program is pg_dump / pg_restore and every argument comes from the settings.
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} exited with status {result.returncode}:\n"
            f"{result.stderr.strip() or result.stdout.strip()}"
        )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def secret_key_from_env() -> bool:
    return bool(os.environ.get("DJANGO_SECRET_KEY", "").strip())


@dataclass
class Result:
    folder: Path
    files: list[str]
    notes: list[str]


# --- Backup ------------------------------------------------------------------------


def _dump_database(folder: Path) -> tuple[str, str]:
    """Write the database into the folder; returns (file name, description)."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        args, env = pg_args(db)
        target = folder / PG_DUMP_FILE
        _run(
            [
                find_pg_tool("pg_dump"),
                "-Fc",
                "--no-password",
                *args,
                "--file",
                str(target),
                "--dbname",
                str(db["NAME"]),
            ],
            env,
        )
        return PG_DUMP_FILE, f"PostgreSQL database {db['NAME']!r} (pg_dump -Fc)"
    if connection.vendor == "sqlite":
        target = folder / SQLITE_FILE
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
        return SQLITE_FILE, f"SQLite database {str(db['NAME'])!r} (sqlite3 backup API)"
    raise BackupError(f"backup supports PostgreSQL and SQLite, not {connection.vendor}")


def _media(folder: Path) -> tuple[str, str]:
    if settings.S3_BUCKET:
        from django.core.files.storage import default_storage

        target = folder / MEDIA_OBJECTS
        prefix = getattr(default_storage, "location", "") or ""
        with open(target, "w", encoding="utf-8") as out:
            out.write("key\tsize\n")
            for obj in default_storage.bucket.objects.filter(Prefix=prefix):
                out.write(f"{obj.key}\t{obj.size}\n")
        return MEDIA_OBJECTS, (
            f"the list of objects in bucket {settings.S3_BUCKET!r} (name, size); the objects "
            "themselves are backed up with the storage service's own tools"
        )
    root = Path(settings.MEDIA_ROOT)
    target = folder / MEDIA_TAR
    with tarfile.open(target, "w") as tar:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
    return MEDIA_TAR, f"the files under MEDIA_ROOT {str(root)!r} (tar)"


def _secret_key(folder: Path) -> tuple[str | None, str]:
    if secret_key_from_env():
        return None, (
            "the secret key comes from DJANGO_SECRET_KEY (the environment file), not from a "
            "file: keep a copy of that environment file offline; it is not in this backup"
        )
    source = Path(settings.VAR_DIR) / "secret_key"
    target = folder / SECRET_KEY_FILE
    shutil.copyfile(source, target)
    target.chmod(0o600)
    return SECRET_KEY_FILE, f"the secret key file {str(source)!r} (signs sessions, hashes codes)"


def _offline_notes() -> list[str]:
    notes = []
    if settings.SEAL_KEY_FILE:
        notes.append(
            f"the seal's private key SEAL_KEY_FILE={settings.SEAL_KEY_FILE} (and its password "
            "SEAL_KEY_PASSWORD) and certificate SEAL_CERT_FILE="
            f"{settings.SEAL_CERT_FILE or '(unset)'}: never copied into a backup; keep them "
            "offline, separately"
        )
    else:
        notes.append(
            "no SEAL_KEY_FILE is set: documents are sealed with the self-signed demo seal "
            f"under {settings.SEAL_DEMO_DIR} (not for production; not in this backup). In "
            "production the seal's private key (SEAL_KEY_FILE) is kept offline, separately, "
            "and never copied into a backup"
        )
    notes.append(
        "the environment file (/etc/lingong/casework.env: DJANGO_SECRET_KEY if set, database "
        "and storage passwords): keep a copy offline, separately"
    )
    return notes


def backup(to: Path, *, now: datetime.datetime | None = None, keep: int = 0) -> Result:
    """Write a complete backup folder under ``to``; keep only the newest ``keep`` (0: all)."""
    now = now or datetime.datetime.now()
    to = Path(to)
    to.mkdir(parents=True, exist_ok=True)
    name = f"casework-{now:%Y%m%d-%H%M%S}"
    final = to / name
    if final.exists():
        raise BackupError(f"{final} already exists")
    partial = to / f".{name}.partial"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(mode=0o700)
    try:
        parts = [_dump_database(partial), _media(partial)]
        key_file, key_note = _secret_key(partial)
        if key_file:
            parts.append((key_file, key_note))
        notes = _offline_notes()
        if not key_file:
            notes.insert(0, key_note)
        _write_manifest(partial, now, parts, notes)
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if keep:
        _prune(to, keep)
    return Result(final, [p[0] for p in parts], notes)


def _write_manifest(folder: Path, now, parts, notes) -> None:
    lines = [
        "Lingong Casework backup / 零工市场案件办理系统备份",
        f"created: {now:%Y-%m-%d %H:%M:%S} (server time)",
        f"database: {connection.vendor}",
        "",
        "files (sha256  size  name  what):",
    ]
    for file_name, what in parts:
        path = folder / file_name
        lines.append(f"{sha256(path)}  {path.stat().st_size}  {file_name}  {what}")
    lines += ["", "kept offline, separately (not in this backup) / 须另行离线保管："]
    lines += [f"- {note}" for note in notes]
    lines += ["", "restore: python manage.py restore --from <this folder> (deploy/README.md)", ""]
    (folder / MANIFEST).write_text("\n".join(lines), encoding="utf-8")


def _prune(to: Path, keep: int) -> None:
    folders = sorted(
        p
        for p in to.iterdir()
        if p.is_dir() and BACKUP_NAME.match(p.name) and (p / MANIFEST).exists()
    )
    for old in folders[:-keep]:
        shutil.rmtree(old)


# --- Restore -----------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, tuple[str, int]]:
    """{file name: (sha256, size)} from MANIFEST.txt."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise BackupError(f"{path} not found: not a backup folder (or an unfinished one)")
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([0-9a-f]{64})  (\d+)  (\S+)  ", line)
        if match:
            entries[match[3]] = (match[1], int(match[2]))
    if not entries:
        raise BackupError(f"{path} lists no files")
    return entries


def verify(folder: Path) -> dict[str, tuple[str, int]]:
    entries = read_manifest(folder)
    for name, (digest, size) in entries.items():
        path = Path(folder) / name
        if not path.exists():
            raise BackupError(f"{name} is listed in {MANIFEST} but missing")
        if path.stat().st_size != size or sha256(path) != digest:
            raise BackupError(f"{name} does not match its SHA-256 in {MANIFEST}: damaged copy")
    return entries


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def restore(folder: Path) -> list[str]:
    """Restore a backup folder into the configured (empty) database and media; returns notes."""
    folder = Path(folder)
    entries = verify(folder)
    done = []
    if not _database_is_empty():
        raise BackupError(
            f"the database {connection.settings_dict['NAME']!r} is not empty: restore into a "
            "new database (createdb) and point DATABASE_URL at it"
        )
    db = connection.settings_dict
    if PG_DUMP_FILE in entries:
        if connection.vendor != "postgresql":
            raise BackupError(
                "this backup holds a PostgreSQL dump: set DATABASE_URL=postgres://..."
            )
        args, env = pg_args(db)
        connection.close()
        _run(
            [
                find_pg_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--no-password",
                *args,
                "--dbname",
                str(db["NAME"]),
                str(folder / PG_DUMP_FILE),
            ],
            env,
        )
        done.append(f"database restored into {db['NAME']!r}")
    elif SQLITE_FILE in entries:
        if connection.vendor != "sqlite":
            raise BackupError("this backup holds a SQLite database: unset DATABASE_URL")
        connection.ensure_connection()
        source = sqlite3.connect(folder / SQLITE_FILE)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        connection.close()
        done.append(f"database restored into {str(db['NAME'])!r}")
    else:
        raise BackupError(f"no database file in {folder}")
    forget_access()  # the users came back past the ORM: nothing cached of them holds

    if MEDIA_TAR in entries:
        root = Path(settings.MEDIA_ROOT)
        root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / MEDIA_TAR) as tar:
            clashes = [m.name for m in tar.getmembers() if m.isfile() and (root / m.name).exists()]
            if clashes:
                raise BackupError(f"{len(clashes)} file(s) already in {root}, e.g. {clashes[0]}")
            _extract_safely(tar, root)
        done.append(f"media files restored into {root}")
    elif MEDIA_OBJECTS in entries:
        done.append(_check_objects(folder / MEDIA_OBJECTS))

    if SECRET_KEY_FILE in entries:
        if secret_key_from_env():
            done.append(
                "the backup holds a secret key file but DJANGO_SECRET_KEY is set: the file "
                "was not restored (unset DJANGO_SECRET_KEY to use it)"
            )
        else:
            target = Path(settings.VAR_DIR) / "secret_key"
            shutil.copyfile(folder / SECRET_KEY_FILE, target)
            target.chmod(0o600)
            done.append(f"secret key restored into {target}; restart the services")
    else:
        done.append("the secret key came from DJANGO_SECRET_KEY: set the same value again")
    return done


def _check_objects(listing: Path) -> str:
    from django.core.files.storage import default_storage

    missing = []
    for line in listing.read_text(encoding="utf-8").splitlines()[1:]:
        key, _, _size = line.rpartition("\t")
        name = key
        location = getattr(default_storage, "location", "") or ""
        if location and name.startswith(location.rstrip("/") + "/"):
            name = name[len(location.rstrip("/")) + 1 :]
        if not default_storage.exists(name):
            missing.append(key)
    if missing:
        raise BackupError(
            f"{len(missing)} object(s) listed in {MEDIA_OBJECTS} are missing from bucket "
            f"{settings.S3_BUCKET!r}, e.g. {missing[0]}: restore the bucket first"
        )
    return f"every object listed in {MEDIA_OBJECTS} is in bucket {settings.S3_BUCKET!r}"


def _extract_safely(tar: tarfile.TarFile, root: Path) -> None:
    """Extract regular files and folders only, all inside ``root``.

    Python 3.11.4+ does this with the "data" filter; Debian 12's 3.11.2 has no filters,
    so the same refusals are made here: no absolute paths, no "..", no links or devices.
    """
    if hasattr(tarfile, "data_filter"):
        tar.extractall(root, filter="data")
        return
    resolved = root.resolve()
    for member in tar.getmembers():
        target = (root / member.name).resolve()
        if not (member.isfile() or member.isdir()) or resolved not in (target, *target.parents):
            raise BackupError(f"refusing {member.name!r} in the media archive")
    tar.extractall(root)  # noqa: S202  (every member checked above)
