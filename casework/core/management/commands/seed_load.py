"""``python manage.py seed_load --disputes N [--agreements N] [--markets M]``: bulk data.

Each kind of case has a loader: ``fn(count, *, market, batch_size, seed, progress) ->
dict`` registered with ``@loader("name", model=...)`` in the workflow app's
``loaders.py`` (found by autodiscovery: casework/disputes/loaders.py,
agreements/loaders.py, ...), which gives it its ``--<name> N`` option;
``casework.core.bulk`` writes the rows fast. A kind listed in PLANNED that no app loads
yet is accepted and reported as not available, so scripts that already pass it keep
working.

``--markets M`` spreads the counts over M markets of a province (codes ``p001`` ...,
made when missing), skewed as caseloads are: a few city markets carry much of the work
(market k gets a share in proportion to 1/k^0.8). The run can be resumed: each batch is
one transaction, and a market's kind that already holds cases gets only what is missing,
so the same command run again after an interruption finishes the load.

Progress goes to stdout, then one JSON line with the counts, the seconds and the
database's size.
"""

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from casework.core.bulk import analyze_at_end
from casework.core.loading import apportion, shared_taken
from casework.core.models import Market


@dataclass(frozen=True)
class Loader:
    name: str
    load: Callable[..., dict]
    help: str
    model: Any = None  # its case model (with a ``market``): what a resumed run counts


LOADERS: dict[str, Loader] = {}
# Listed in docs/workflows.md; the options exist before the workflows that load them.
PLANNED = ("disputes", "agreements")
DEMO_MARKET = "cd"


def loader(name: str, *, help: str = "", model: type | None = None):
    """Register ``fn(count, *, market, batch_size, seed, progress) -> dict`` as ``--<name>``;
    ``model`` is the case model it writes (a resumed ``--markets`` run counts its rows)."""

    def decorator(fn: Callable[..., dict]) -> Callable[..., dict]:
        summary = ((fn.__doc__ or "").strip().splitlines() or [name])[0]
        LOADERS[name] = Loader(name, fn, help or summary, model)
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
        parser.add_argument(
            "--markets",
            type=int,
            default=0,
            metavar="M",
            help="spread the counts over M markets (p001 ..., made when missing), skewed; "
            "run again to resume an interrupted load",
        )
        parser.add_argument("--batch-size", type=int, default=10_000, help="rows per transaction")
        parser.add_argument("--seed", type=int, help="random seed, for repeatable data")

    def handle(self, *args, market, markets, batch_size, seed, **options) -> None:
        wanted = {name: options.get(name) or 0 for name in sorted({*PLANNED, *LOADERS})}
        if any(n < 0 for n in wanted.values()) or batch_size < 1 or markets < 0:
            raise CommandError(_("Counts cannot be negative and a batch needs at least one row."))
        if not any(wanted.values()):
            raise CommandError(_("Say how many cases to write, e.g. --disputes 1000."))
        started = time.monotonic()
        if markets:
            with shared_taken(), analyze_at_end():
                report = self._province(wanted, markets, batch_size, seed)
        else:
            report = self._one_market(wanted, self._market(market), batch_size, seed)
        report["seconds"] = round(time.monotonic() - started, 1)
        report["database_bytes"] = database_bytes()
        self.stdout.write(json.dumps(report, ensure_ascii=False))

    def _one_market(self, wanted: dict, market_obj: Market, batch_size: int, seed) -> dict:
        report: dict = {"market": market_obj.code, "database": connection.vendor}
        for name, count in wanted.items():
            if not count:
                continue
            if name not in LOADERS:
                self._not_available(name)
                report[name] = None
                continue
            report[name] = LOADERS[name].load(
                count,
                market=market_obj,
                batch_size=batch_size,
                seed=seed,
                progress=self._progress(name),
            )
        return report

    def _province(self, wanted: dict, markets: int, batch_size: int, seed) -> dict:
        province = province_markets(markets)
        report: dict = {"markets": markets, "database": connection.vendor}
        for name, count in wanted.items():
            if not count:
                continue
            if name not in LOADERS:
                self._not_available(name)
                report[name] = None
                continue
            report[name] = self._spread(LOADERS[name], count, province, batch_size, seed)
        return report

    def _spread(self, kind: Loader, count: int, province: list[Market], batch_size, seed) -> dict:
        """Load ``count`` of one kind over the markets, each market what it still lacks."""
        shares = apportion(count, {m: 1 / rank**SKEW for rank, m in enumerate(province, 1)})
        total: dict = {"wanted": count, "already_there": 0}
        for number, market_obj in enumerate(province, 1):
            there = kind.model._base_manager.filter(market=market_obj).count() if kind.model else 0
            missing = shares.get(market_obj, 0) - there
            total["already_there"] += min(there, shares.get(market_obj, 0))
            if missing <= 0:
                continue
            label = f"{kind.name} {market_obj.code} ({number}/{len(province)})"
            summary = kind.load(
                missing,
                market=market_obj,
                batch_size=batch_size,
                seed=None if seed is None else seed + number,
                progress=self._progress(label),
            )
            add_up(total, summary)
        return total

    def _not_available(self, name: str) -> None:
        self.stderr.write(
            _("%(name)s: not available yet (no app loads them); skipped.") % {"name": name}
        )

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


# Market k of a province gets a share in proportion to 1/k^SKEW: with 100 markets the
# first ten carry about half of the cases (a city's markets and the county towns).
SKEW = 0.8


def province_markets(count: int) -> list[Market]:
    """Markets p001 ... of a made-up province, made when missing (their order is their rank)."""
    markets = []
    for number in range(1, count + 1):
        code = f"p{number:03d}"
        market = Market.objects.filter(code=code).first()
        if market is None:
            market = Market.objects.create(
                code=code,
                name=f"省内第{number:03d}号零工市场",
                nature=Market.Nature.PUBLIC,
                region=f"第{number:03d}县（区）",
                address=f"第{number:03d}县（区）人民路{number}号",
                opening_hours="周一至周六 8:30-17:30",
                main_trades="搬运装卸、家政保洁、装修",
                hotline=f"0571-8{number:07d}",
                complaint_channel="服务大厅投诉窗口",
            )
        markets.append(market)
    return markets


def add_up(total: dict, part: dict) -> None:
    """Add a loader's summary into ``total``: numbers summed, nested counts merged."""
    for key, value in part.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            total[key] = round(total.get(key, 0) + value, 1)
        elif isinstance(value, dict):
            add_up(total.setdefault(key, {}), value)


def database_bytes() -> int | None:
    """The database's size on disk: PostgreSQL's own count, or the SQLite file's."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    name = connection.settings_dict["NAME"]
    return os.path.getsize(name) if name and os.path.exists(str(name)) else None
