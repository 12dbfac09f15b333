"""Proposed penalties leave the public list of sanctions.

A proposed penalty is the market's proposal to the labour administration, not a
decision; earlier versions published it at closing as if decided.
"""

from django.db import migrations


def unpublish_proposals(apps, schema_editor):
    Sanction = apps.get_model("complaints", "Sanction")
    Sanction.objects.filter(outcome="penalty_proposed").delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_roles")]

    operations = [migrations.RunPython(unpublish_proposals, migrations.RunPython.noop)]
