from django.db import migrations


def install(apps, schema_editor):
    from agreements.terms import install_default_terms
    from casework.core.roles import sync_roles

    install_default_terms(apps)
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0001_initial"),
        ("core", "0004_smsmessage"),
        ("disputes", "0003_queue_indexes"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
