from django.db import migrations


def grant(apps, schema_editor):
    from casework.core.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0001_initial"),
        ("assistance", "0002_defaults_and_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
