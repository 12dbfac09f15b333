"""Model instances from plain SQL, for the few statements on the hottest paths.

Building a query with the ORM costs more than running it on a short statement (a take
next ran eleven), and ``Manager.raw()`` works out its column mapping and converters again
for every query. Here they are worked out once per model: the statement selects
``columns(model)`` and each row becomes an instance as a queryset would make it (the same
converters: JSON, dates, decimals).
"""

import functools

from django.db import connection, models


def columns(model: type[models.Model], table: str = "") -> str:
    """The model's concrete columns, quoted, in the order ``instances()`` reads them."""
    quote = connection.ops.quote_name
    prefix = f"{quote(table)}." if table else ""
    return ", ".join(prefix + quote(str(f.column)) for f in model._meta.concrete_fields)


def instances(model: type[models.Model], sql: str, params) -> list[models.Model]:
    """Run ``sql`` (selecting or returning ``columns(model)``) and make instances of the rows."""
    attnames, readers = _readers(model, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    made = []
    for row in rows:
        values = [
            value if not read else read(value) for value, read in zip(row, readers, strict=True)
        ]
        made.append(model.from_db(connection.alias, attnames, values))
    return made


@functools.cache
def _readers(model: type[models.Model], vendor: str) -> tuple[list[str], list]:
    attnames, readers = [], []
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        attnames.append(field.attname)
        readers.append(_chain(converters, col) if converters else None)
    return attnames, readers


def _chain(converters: list, expression):
    def read(value):
        for convert in converters:
            value = convert(value, expression, connection)
        return value

    return read
