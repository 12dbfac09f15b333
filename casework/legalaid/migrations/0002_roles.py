from django.db import migrations


def sync(apps, schema_editor):
    from casework.core.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    # Supervisors and auditors read the legal-aid ledger (casework.reports.access).
    dependencies = [
        ("legalaid", "0001_initial"),
        ("reports", "0002_roles"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
