"""An index in the order of the system API's sync (casework/api/system.py): a market's
agreements by (updated_at, id), so that a page after a cursor is one range of the index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0004_report_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(fields=["market", "updated_at", "id"], name="agreement_updated_idx"),
        ),
    ]
