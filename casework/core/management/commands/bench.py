"""``python manage.py bench [name ...]``: run benchmarks, print one JSON object per line.

A benchmark is a function registered with ``@benchmark("name")`` in an app's
``benchmarks.py`` (found by autodiscovery). It gets the iteration count and
returns a JSON-serialisable dict; it must leave no rows behind in the database.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Benchmark:
    name: str
    run: Callable[[int], dict]
    help: str
    iterations: int


BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str, *, help: str = "", iterations: int = 10):
    """Register ``fn(iterations) -> dict`` as ``bench <name>``."""

    def decorator(fn: Callable[[int], dict]) -> Callable[[int], dict]:
        BENCHMARKS[name] = Benchmark(name, fn, help or (fn.__doc__ or "").strip(), iterations)
        return fn

    return decorator


class Command(BaseCommand):
    help = "Run benchmarks and print one JSON object per benchmark."

    def add_arguments(self, parser) -> None:
        parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
        parser.add_argument("-n", "--iterations", type=int, help="timed runs per variant")
        parser.add_argument("--list", action="store_true", help="list the benchmarks")

    def handle(self, *args, names, iterations, list, **options) -> None:
        autodiscover_modules("benchmarks")
        if list:
            for bench in BENCHMARKS.values():
                self.stdout.write(f"{bench.name}\t{bench.help}")
            return
        for bench in self._selected(names):
            result = bench.run(iterations or bench.iterations)
            self.stdout.write(json.dumps({"benchmark": bench.name, **result}, ensure_ascii=False))

    def _selected(self, names: list[str]) -> list[Benchmark]:
        if not names or names == ["all"]:
            return [BENCHMARKS[name] for name in sorted(BENCHMARKS)]
        unknown = [name for name in names if name not in BENCHMARKS]
        if unknown:
            known = ", ".join(sorted(BENCHMARKS)) or "none"
            raise CommandError(f"unknown benchmark {', '.join(unknown)} (known: {known})")
        return [BENCHMARKS[name] for name in names]
