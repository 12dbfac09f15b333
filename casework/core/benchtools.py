"""What the benchmarks (``manage.py bench``) share: server-side request timing, a GET that
must answer 200, the nearest-rank percentile and a reference loop for the machine's speed."""

import math
import time

from django.core.signals import request_finished, request_started


class ServerClock:
    """Times each request from Django's request_started to its request_finished signal."""

    def __enter__(self) -> "ServerClock":
        self.last_ms = 0.0
        self._uid = f"bench-clock-{id(self)}"
        request_started.connect(self._started, dispatch_uid=f"{self._uid}-started")
        request_finished.connect(self._finished, dispatch_uid=f"{self._uid}-finished")
        return self

    def __exit__(self, *exc) -> None:
        request_started.disconnect(dispatch_uid=f"{self._uid}-started")
        request_finished.disconnect(dispatch_uid=f"{self._uid}-finished")

    def _started(self, **kwargs) -> None:
        self._start = time.perf_counter()

    def _finished(self, **kwargs) -> None:
        self.last_ms = (time.perf_counter() - self._start) * 1000


def get_ok(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")


def percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(len(ordered) * percent / 100) - 1, 0)]


def reference_loop_ms() -> float:
    """A fixed pure-Python loop (10 million additions), timed now on this machine.

    Page times are mostly Python; this number lets runs on machines of different speed,
    or on one shared machine at different moments, be compared.
    """
    start = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return round((time.perf_counter() - start) * 1000, 1)
