"""Steps run at the same moment from threads, for the race tests on PostgreSQL."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.core.exceptions import ValidationError
from django.db import connection


def messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def at_once(*steps: Callable, refusal: Callable[[ValidationError], str] = messages_of) -> list:
    """Run the steps in threads released together; each gives "done" or ``refusal(exc)``."""
    start = threading.Barrier(len(steps))

    def run(step) -> str:
        try:
            start.wait()
            step()
            return "done"
        except ValidationError as exc:
            return refusal(exc)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(steps)) as pool:
        return list(pool.map(run, steps))
