"""SQL that only PostgreSQL runs, for migrations (triggers, extensions, special indexes).

SQLite, the embedded database, has no such objects; the rules they enforce are kept in
the code as well (docs/architecture.md, "The audit trail").
"""

from django.db import migrations


def on_postgresql(forward: str, backward: str) -> migrations.RunPython:
    """A migration step running ``forward`` (and ``backward`` when reversed) on PostgreSQL."""

    def run(sql: str):
        def step(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                # Not schema_editor.execute(): it passes parameters, and PL/pgSQL's RAISE
                # uses % placeholders of its own.
                with schema_editor.connection.cursor() as cursor:
                    cursor.execute(sql)

        return step

    return migrations.RunPython(run(forward), run(backward))
