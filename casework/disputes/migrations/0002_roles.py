from django.db import migrations


def sync(apps, schema_editor):
    from casework.core.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0001_initial"),
        ("core", "0003_chain_head"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
