"""The disputes loader of ``manage.py seed_load --disputes N``."""

from casework.core.management.commands.seed_load import loader
from casework.core.models import Market
from casework.disputes.load import load_disputes
from casework.disputes.models import Dispute


@loader("disputes", help="wage disputes: historic, and a few percent open", model=Dispute)
def disputes(count: int, *, market: Market, batch_size: int, seed, progress) -> dict:
    return load_disputes(
        count, market=market, batch_size=batch_size, seed=seed, progress=progress
    ).summary()
