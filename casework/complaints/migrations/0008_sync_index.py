"""An index in the order of the system API's sync (casework/api/system.py): a market's
complaints by (updated_at, id), so that a page after a cursor is one range of the index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0007_feedback_and_decision_items"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["market", "updated_at", "id"], name="complaint_updated_idx"),
        ),
    ]
