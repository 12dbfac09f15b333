"""``python manage.py seed_load --disputes N [--agreements N]``: bulk realistic data.

Each kind of case has a loader: ``fn(count, *, market, batch_size, seed, progress) ->
dict`` registered with ``@loader("name")`` in the workflow app's ``loaders.py``
(found by autodiscovery: casework/disputes/loaders.py, agreements/loaders.py), which
gives it its ``--<name> N`` option; ``casework.core.bulk`` writes the rows fast. A kind
listed in PLANNED that no app loads yet is accepted and reported as not available, so
scripts that already pass it keep working.

Progress goes to stdout, then one JSON line with the counts and the seconds.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from casework.core.models import Market


@dataclass(frozen=True)
class Loader:
    name: str
    load: Callable[..., dict]
    help: str


LOADERS: dict[str, Loader] = {}
# Listed in docs/workflows.md; the options exist before the workflows that load them.
PLANNED = ("disputes", "agreements")
DEMO_MARKET = "cd"


def loader(name: str, *, help: str = ""):
    """Register ``fn(count, *, market, batch_size, seed, progress) -> dict`` as ``--<name>``."""

    def decorator(fn: Callable[..., dict]) -> Callable[..., dict]:
        summary = ((fn.__doc__ or "").strip().splitlines() or [name])[0]
        LOADERS[name] = Loader(name, fn, help or summary)
        return fn

    return decorator


class Command(BaseCommand):
    help = "Write many realistic cases in bulk (for benchmarks); prints one JSON line at the end."

    def add_arguments(self, parser) -> None:
        autodiscover_modules("loaders")
        for name in sorted({*PLANNED, *LOADERS}):
            known = LOADERS.get(name)
            parser.add_argument(
                f"--{name}",
                type=int,
                default=0,
                metavar="N",
                help=f"how many {known.help if known else name + ' (not available yet)'}",
            )
        parser.add_argument(
            "--market",
            default=DEMO_MARKET,
            help=f"code of the market the cases belong to (default {DEMO_MARKET!r}, the demo "
            "market, created if missing)",
        )
        parser.add_argument("--batch-size", type=int, default=10_000, help="rows per transaction")
        parser.add_argument("--seed", type=int, help="random seed, for repeatable data")

    def handle(self, *args, market, batch_size, seed, **options) -> None:
        wanted = {name: options.get(name) or 0 for name in sorted({*PLANNED, *LOADERS})}
        if any(n < 0 for n in wanted.values()) or batch_size < 1:
            raise CommandError(_("Counts cannot be negative and a batch needs at least one row."))
        if not any(wanted.values()):
            raise CommandError(_("Say how many cases to write, e.g. --disputes 1000."))
        market_obj = self._market(market)
        started = time.monotonic()
        report: dict = {"market": market_obj.code, "database": connection.vendor}
        for name, count in wanted.items():
            if not count:
                continue
            if name not in LOADERS:
                self.stderr.write(
                    _("%(name)s: not available yet (no app loads them); skipped.") % {"name": name}
                )
                report[name] = None
                continue
            report[name] = LOADERS[name].load(
                count,
                market=market_obj,
                batch_size=batch_size,
                seed=seed,
                progress=self._progress(name),
            )
        report["seconds"] = round(time.monotonic() - started, 1)
        self.stdout.write(json.dumps(report, ensure_ascii=False))

    def _market(self, code: str) -> Market:
        market = Market.objects.filter(code=code).first()
        if market is not None:
            return market
        if code != DEMO_MARKET:
            raise CommandError(_("There is no market with the code %(code)s.") % {"code": code})
        from casework.core.management.commands.seed_demo import MARKET

        return Market.objects.create(**MARKET)

    def _progress(self, name: str) -> Callable[[int, int, float], None]:
        def report(done: int, total: int, seconds: float) -> None:
            self.stdout.write(
                _("%(name)s: %(done)s of %(total)s written in %(seconds)s s")
                % {
                    "name": name,
                    "done": f"{done:,}",
                    "total": f"{total:,}",
                    "seconds": f"{seconds:.1f}",
                }
            )

        return report
