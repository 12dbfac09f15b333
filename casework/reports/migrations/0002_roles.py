from django.db import migrations


def sync(apps, schema_editor):
    from casework.core.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("core", "0008_audit_digest"),
        ("complaints", "0006_sanctions_show_the_correction"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
