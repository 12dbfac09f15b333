"""A trigram index for searching people by part of the name (PostgreSQL only).

The people search matches names by substring (icontains: UPPER(name::text) LIKE
UPPER('%...%')), which no b-tree index serves; pg_trgm's GIN index on the same
expression does. ID and mobile numbers match only in full, on their unique/plain
indexes (docs/workflows.md, "Personal data").
"""

from django.db import migrations

from casework.core.sql import on_postgresql

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS parties_person_name_trgm
    ON parties_person USING gin ((UPPER(name::text)) gin_trgm_ops);
"""
DROP = "DROP INDEX IF EXISTS parties_person_name_trgm;"


class Migration(migrations.Migration):
    dependencies = [("parties", "0002_organization_licence_status")]

    operations = [on_postgresql(CREATE, DROP)]
