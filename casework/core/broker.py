"""Sending a Celery task from a web request without making people wait for a broker
that is down (docs/workflows.md, "Documents: faults and recovery").

The broker settings bound one send to about a second and there is no publish retry.
After a failed send this process leaves the broker alone for PAUSE_SECONDS: a step that
sends a document's render and two text messages, and the next requests, do not each wait
for it. Whatever was not sent stays in its table (a pending document, a queued
notification) and the sweeps send it again.
"""

import logging
import time

from celery import current_app

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 5.0
_paused_until = 0.0


def send(task_name: str, args: tuple, *, what: str) -> bool:
    """Send ``task_name(*args)``; False when the broker cannot take it now. Never raises.
    ``what`` names the thing for the log line ("document 12")."""
    global _paused_until
    if time.monotonic() < _paused_until:
        logger.info("%s: the broker failed just now; the sweep sends it", what)
        return False
    try:
        current_app.tasks[task_name].apply_async(args, retry=False)
    except Exception:
        _paused_until = time.monotonic() + PAUSE_SECONDS
        logger.warning("%s: not sent to the broker; the sweep sends it", what, exc_info=True)
        return False
    return True


def paused() -> bool:
    """Whether a send failed in this process less than PAUSE_SECONDS ago."""
    return time.monotonic() < _paused_until


def resume() -> None:
    """Forget the last failure (tests, and a process pointed at another broker)."""
    global _paused_until
    _paused_until = 0.0
