"""The agreements loader of ``manage.py seed_load --agreements N``."""

from agreements.load import load_agreements
from agreements.models import Agreement
from casework.core.management.commands.seed_load import loader
from casework.core.models import Market


@loader("agreements", help="gig agreements: mostly completed, a few percent open", model=Agreement)
def agreements(count: int, *, market: Market, batch_size: int, seed, progress) -> dict:
    return load_agreements(
        count, market=market, batch_size=batch_size, seed=seed, progress=progress
    ).summary()
