"""Indexes for the statistics (casework/disputes/reports.py, docs/reports.md): each
period's figures read the disputes of a market by the time they were received, ended or
last changed (an agreement performed, a case referred).

Only the database gets them: the model's Meta.indexes do not list them yet, so the
migration state is left as it is and ``makemigrations`` sees no change. When they are
added to Dispute.Meta.indexes (same names and fields), add them to the state only
(SeparateDatabaseAndState with state_operations).
"""

from django.db import migrations, models

INDEXES = [
    models.Index(fields=["market", "received_at"], name="dispute_received_idx"),
    models.Index(fields=["market", "ended_at"], name="dispute_ended_idx"),
    models.Index(fields=["market", "updated_at"], name="dispute_updated_idx"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0004_dispute_disputes_dispute_received_plausible"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AddIndex(model_name="dispute", index=index) for index in INDEXES
            ],
            state_operations=[],
        )
    ]
