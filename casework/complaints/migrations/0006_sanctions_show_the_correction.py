"""A published order to correct shows the correction ordered, not the statutory fine.

Rows published before showed the conduct's full statutory measures, which for some
conduct name a fine that only the labour administration imposes (a penalty decision,
published separately since 0005). Frozen here: the texts as casework/complaints/
penalties.py had them when this migration was written.
"""

from django.db import migrations

CORRECTION = {
    "unlicensed": "责令停止从事职业中介活动",
    "id_withheld": "责令限期将扣押的居民身份证退还劳动者",
    "deposit": "责令限期退还劳动者押金",
}


def show_corrections(apps, schema_editor):
    Sanction = apps.get_model("complaints", "Sanction")
    for sanction in Sanction.objects.filter(outcome="order_to_correct"):
        correction = CORRECTION.get(sanction.conduct, "责令改正")
        if sanction.measures != correction:
            sanction.measures = correction
            sanction.save(update_fields=["measures"])


class Migration(migrations.Migration):
    dependencies = [("complaints", "0005_penalty_decision")]

    operations = [migrations.RunPython(show_corrections, migrations.RunPython.noop)]
