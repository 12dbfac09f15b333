"""Indexes for the statistics (casework/disputes/reports.py, docs/reports.md): each
period's figures read the disputes of a market by the time they were received, ended or
last changed (an agreement performed, a case referred)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0004_dispute_disputes_dispute_received_plausible"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dispute",
            index=models.Index(fields=["market", "received_at"], name="dispute_received_idx"),
        ),
        migrations.AddIndex(
            model_name="dispute",
            index=models.Index(fields=["market", "ended_at"], name="dispute_ended_idx"),
        ),
        migrations.AddIndex(
            model_name="dispute",
            index=models.Index(fields=["market", "updated_at"], name="dispute_updated_idx"),
        ),
    ]
