"""The complaints loader of ``manage.py seed_load --complaints N``."""

from casework.complaints.load import load_complaints
from casework.complaints.models import Complaint
from casework.core.management.commands.seed_load import loader
from casework.core.models import Market


@loader(
    "complaints",
    help="complaints against intermediaries: historic, and a few percent open",
    model=Complaint,
)
def complaints(count: int, *, market: Market, batch_size: int, seed, progress) -> dict:
    return load_complaints(
        count, market=market, batch_size=batch_size, seed=seed, progress=progress
    ).summary()
