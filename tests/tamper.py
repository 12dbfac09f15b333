"""Changing the audit trail behind the application's back, as the tamper tests need.

On PostgreSQL the triggers of core migration 0007 refuse UPDATE and DELETE on the
audit rows. Someone with the database owner's or a superuser's rights can switch
triggers off for their session; the tamper tests do the same, to show that
verify_audit and the daily digests still catch the change.
"""

from django.db import connection


def tamper(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # triggers off
        try:
            cursor.execute(sql, params)
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")
