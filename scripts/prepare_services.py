"""Get PostgreSQL and Redis ready for `make test-services`.

Creates the database named in DATABASE_URL if it is missing (pytest-django
makes its own test_<name> database next to it) and empties the Redis
databases named in CELERY_BROKER_URL and CACHE_URL, so tasks left over from
an earlier run are not picked up by this run's worker.

Run with the project's virtualenv: .venv/bin/python scripts/prepare_services.py
"""

import os
import sys
from urllib.parse import urlsplit


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        sys.exit(f"prepare_services: DATABASE_URL={url!r} names no database")
    try:
        conn = psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        )
    except psycopg.OperationalError as exc:
        sys.exit(f"prepare_services: cannot reach PostgreSQL at {parts.hostname}: {exc}")
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            print(f"prepare_services: database {name} exists")
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"prepare_services: created database {name}")


def flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=10)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        sys.exit(f"prepare_services: cannot flush Redis {url}: {exc}")
    print(f"prepare_services: flushed {url}")


def main() -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        create_database(database_url)
    for name in ("CELERY_BROKER_URL", "CACHE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("redis://", "rediss://")):
            flush_redis(url)


if __name__ == "__main__":
    main()
