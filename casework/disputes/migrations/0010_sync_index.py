"""An index in the order of the system API's sync (casework/api/system.py): a market's
disputes by (updated_at, id), so that a page after a cursor is one range of the index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0009_holder_updated_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dispute",
            index=models.Index(
                fields=["market", "updated_at", "id"], name="dispute_market_updated_idx"
            ),
        ),
        # The new index serves the statistics' reads by last change as well.
        migrations.RemoveIndex(model_name="dispute", name="dispute_updated_idx"),
    ]
