"""Writing many rows fast: COPY on PostgreSQL, multi-row INSERT elsewhere.

Rows are tuples of model-level values (aware datetimes, Decimals, dicts for JSON
fields, viewflow nodes for task references) in the order of the column names
given. Primary keys are reserved before the rows are built, so foreign keys and
many-to-many rows can point at rows written in the same transaction (Django
makes foreign keys deferrable, so the order of the tables does not matter).

Nothing here is specific to disputes; another workflow's loader can use it too.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager

from django.db import connection, models

# Django's own field classes whose Python values psycopg's COPY adapts as they are.
# Every other column (JSON, subclasses such as viewflow's task references and tokens,
# IP addresses) goes through get_db_prep_save, as the ORM would send it.
_PLAIN_FIELDS = (
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DateTimeField,
    models.DecimalField,
    models.ForeignKey,
    models.IntegerField,
    models.OneToOneField,
    models.PositiveBigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SlugField,
    models.SmallIntegerField,
    models.TextField,
)


class BulkWriter:
    """Reserves primary keys and writes rows on the default connection."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.rows_written = 0
        self._next: dict[type[models.Model], int] = {}  # without sequences: next free key
        self._superuser: bool | None = None

    def reserve_ids(self, model: type[models.Model], count: int) -> list[int]:
        """``count`` fresh primary keys for ``model``; call inside the writing transaction."""
        if count <= 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                # nextval() keeps the sequence ahead of the keys, so rows made later
                # by the ORM never collide with these.
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, model._meta.pk.column, count],
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite and the rest: after the largest key, and after keys reserved but
            # not written yet. One loader at a time (SQLite locks the whole database
            # for writing anyway).
            column = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(
                f"SELECT COALESCE(MAX({column}), 0) FROM {connection.ops.quote_name(table)}"  # noqa: S608
            )
            start = max(cursor.fetchone()[0] + 1, self._next.get(model, 0))
        self._next[model] = start + count
        return list(range(start, start + count))

    def defer_checks(self) -> None:
        """Skip the per-row foreign key triggers for the rest of this transaction.

        Only where the database allows it (a PostgreSQL superuser): they cost a
        quarter of the loading time, and every key the loaders write points at a
        row they created or read in the same run. Elsewhere the keys are checked
        at commit as usual (the SQLite tests check them).
        """
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            if self._superuser is None:
                cursor.execute("SELECT current_setting('is_superuser') = 'on'")
                self._superuser = cursor.fetchone()[0]
            if self._superuser:
                cursor.execute("SET LOCAL session_replication_role = replica")

    def write(
        self, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]
    ) -> int:
        """Insert ``rows``; ``columns`` are field names or attnames (``dispute_id``)."""
        with self.stream(model, columns) as send:
            for row in rows:
                send(row)
        return send.count

    @contextmanager
    def stream(
        self, model: type[models.Model], columns: Sequence[str]
    ) -> Iterator[Callable[[tuple], None]]:
        """``send(row)`` one row at a time; on PostgreSQL the server inserts as they come.

        Building the rows while the server writes the previous ones keeps both
        cores busy. Elsewhere the rows are collected and inserted at the end.
        """
        fields = [model._meta.get_field(name) for name in columns]
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        if self.postgres:
            sender = _CopySender(table, names, fields)
        else:
            sender = _InsertSender(table, names, fields)
        with sender:
            yield sender
        self.rows_written += sender.count

    def analyze(self, models_: Iterable[type[models.Model]]) -> None:
        """Prepare the tables for queries after a large load (PostgreSQL only).

        ANALYZE gives the planner fresh statistics; VACUUM sets the visibility map,
        without which every index-only scan (the queue's counts) reads the table
        rows too until autovacuum comes round. VACUUM cannot run inside a
        transaction, so within one (tests) only ANALYZE runs.
        """
        if not self.postgres:
            return
        if _DEFERRED is not None:
            _DEFERRED.update(models_)
            return
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {tables}")


_DEFERRED: set | None = None


@contextmanager
def analyze_at_end() -> Iterator[None]:
    """Within this block a loader's ``analyze()`` only notes its tables; they are analysed
    once at the end. A province load calls the loaders once per market and kind: a
    VACUUM ANALYZE of the growing tables after each call took a good part of its time."""
    global _DEFERRED
    _DEFERRED = set()
    try:
        yield
    finally:
        tables, _DEFERRED = _DEFERRED, None
    if tables:
        BulkWriter().analyze(sorted(tables, key=lambda m: m._meta.db_table))


class _CopySender:
    def __init__(self, table: str, names: str, fields) -> None:
        self.sql = f"COPY {table} ({names}) FROM STDIN"
        self.prepare = [
            (i, field) for i, field in enumerate(fields) if type(field) not in _PLAIN_FIELDS
        ]
        self.count = 0

    def __enter__(self) -> "_CopySender":
        connection.ensure_connection()
        self._stack = ExitStack()
        cursor = self._stack.enter_context(connection.connection.cursor())
        self._copy = self._stack.enter_context(cursor.copy(self.sql))
        return self

    def __call__(self, row: tuple) -> None:
        if self.prepare:
            row = list(row)
            for i, field in self.prepare:
                row[i] = field.get_db_prep_save(row[i], connection)
        self._copy.write_row(row)
        self.count += 1

    def __exit__(self, *exc) -> bool | None:
        return self._stack.__exit__(*exc)


class _InsertSender:
    def __init__(self, table: str, names: str, fields) -> None:
        placeholders = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
        self.fields = fields
        self.rows: list[tuple] = []
        self.count = 0

    def __enter__(self) -> "_InsertSender":
        return self

    def __call__(self, row: tuple) -> None:
        self.rows.append(
            tuple(
                field.get_db_prep_save(value, connection)
                for field, value in zip(self.fields, row, strict=True)
            )
        )
        self.count += 1

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None and self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
