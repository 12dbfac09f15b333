"""``python manage.py bench [name ...]``: run benchmarks, print one JSON object per line.

A benchmark is a function registered with ``@benchmark("name")`` in an app's
``benchmarks.py`` (found by autodiscovery). It gets the iteration count and
returns a JSON-serialisable dict; it must leave no rows behind in the database.
One registered with ``workers=N`` also gets ``workers=`` (``--workers``, default N):
how many clients work at once.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Benchmark:
    name: str
    run: Callable[..., dict]
    help: str
    iterations: int
    workers: int | None = None  # the default of --workers, for those that take it


BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str, *, help: str = "", iterations: int = 10, workers: int | None = None):
    """Register ``fn(iterations) -> dict`` (``fn(iterations, workers=)`` with ``workers``)
    as ``bench <name>``."""

    def decorator(fn: Callable[..., dict]) -> Callable[..., dict]:
        summary = help or (fn.__doc__ or "").strip()
        BENCHMARKS[name] = Benchmark(name, fn, summary, iterations, workers)
        return fn

    return decorator


class Command(BaseCommand):
    help = "Run benchmarks and print one JSON object per benchmark."

    def add_arguments(self, parser) -> None:
        parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
        parser.add_argument("-n", "--iterations", type=int, help="timed runs per variant")
        parser.add_argument(
            "--workers",
            type=int,
            help="clients working at once, for the benchmarks that have them (claim, queue)",
        )
        parser.add_argument("--list", action="store_true", help="list the benchmarks")

    def handle(self, *args, names, iterations, workers, list, **options) -> None:
        autodiscover_modules("benchmarks")
        if list:
            for bench in BENCHMARKS.values():
                self.stdout.write(f"{bench.name}\t{bench.help}")
            return
        if workers is not None and workers < 1:
            raise CommandError("--workers needs at least 1")
        for bench in self._selected(names):
            knobs = {} if bench.workers is None else {"workers": workers or bench.workers}
            result = bench.run(iterations or bench.iterations, **knobs)
            self.stdout.write(json.dumps({"benchmark": bench.name, **result}, ensure_ascii=False))

    def _selected(self, names: list[str]) -> list[Benchmark]:
        if not names or names == ["all"]:
            return [BENCHMARKS[name] for name in sorted(BENCHMARKS)]
        unknown = [name for name in names if name not in BENCHMARKS]
        if unknown:
            known = ", ".join(sorted(BENCHMARKS)) or "none"
            raise CommandError(f"unknown benchmark {', '.join(unknown)} (known: {known})")
        return [BENCHMARKS[name] for name in names]
