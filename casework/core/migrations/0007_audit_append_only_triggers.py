"""The database itself keeps the audit trail append-only (PostgreSQL only).

Triggers refuse UPDATE and DELETE on core_caseevent and let a chain head
(core_chainhead) only move forward: a larger seq, never back, never deleted. The
application's own guard (CaseEvent.save/delete and the queryset) stops mistakes in
code; these stop anyone writing SQL with the application's credentials. TRUNCATE is
left to the table owner (test databases are emptied with it). See docs/architecture.md,
"The audit trail".
"""

from django.db import migrations

from casework.core.sql import on_postgresql

CREATE = """
CREATE OR REPLACE FUNCTION casework_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case events are append-only: % refused on core_caseevent id=%',
        TG_OP, OLD.id USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER casework_caseevent_append_only
    BEFORE UPDATE OR DELETE ON core_caseevent
    FOR EACH ROW EXECUTE FUNCTION casework_caseevent_append_only();

CREATE OR REPLACE FUNCTION casework_chainhead_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit chain heads are never deleted: core_chainhead id=%', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.seq <= OLD.seq OR NEW.subject_type_id <> OLD.subject_type_id
            OR NEW.subject_id <> OLD.subject_id THEN
        RAISE EXCEPTION 'audit chain heads only move forward: core_chainhead id=% seq % -> %',
            OLD.id, OLD.seq, NEW.seq USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER casework_chainhead_forward_only
    BEFORE UPDATE OR DELETE ON core_chainhead
    FOR EACH ROW EXECUTE FUNCTION casework_chainhead_forward_only();
"""

DROP = """
DROP TRIGGER IF EXISTS casework_chainhead_forward_only ON core_chainhead;
DROP FUNCTION IF EXISTS casework_chainhead_forward_only();
DROP TRIGGER IF EXISTS casework_caseevent_append_only ON core_caseevent;
DROP FUNCTION IF EXISTS casework_caseevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0006_formtoken")]

    operations = [on_postgresql(CREATE, DROP)]
