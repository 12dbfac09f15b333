"""The hardship-assistance loader of ``manage.py seed_load --hardship N``."""

from assistance.load import load_hardship
from assistance.models import AssistanceCase
from casework.core.management.commands.seed_load import loader
from casework.core.models import Market


@loader(
    "hardship",
    help="hardship assistance cases: mostly past, a few percent open",
    model=AssistanceCase,
)
def hardship(count: int, *, market: Market, batch_size: int, seed, progress) -> dict:
    return load_hardship(
        count, market=market, batch_size=batch_size, seed=seed, progress=progress
    ).summary()
