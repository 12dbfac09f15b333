from django.db import migrations


def install(apps, schema_editor):
    from assistance.defaults import install_defaults
    from casework.core.roles import sync_roles

    install_defaults(apps)
    sync_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0001_initial"),
        ("agreements", "0002_default_terms_and_roles"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
