"""An index in the order of the system API's sync (casework/api/system.py): a market's
assistance cases by (updated_at, id), so that a page after a cursor is one range of the index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0004_supporting_documents"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="assistancecase",
            index=models.Index(fields=["market", "updated_at", "id"], name="assist_updated_idx"),
        ),
    ]
