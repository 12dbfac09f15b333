"""Counting requests per client address (or per another key, such as a mobile number),
for public pages that take a secret or a form.

A fixed window per address (or key) and purpose: ``over_limit()`` is True once the
address has made more than ``limit`` requests in the window. It only keeps
guessing and flooding slow and visible; the secrets themselves are long.
"""

from django.core.cache import cache

from casework.core.audit import client_ip


def limit_key(scope: str, address: str | None) -> str:
    return f"{scope}:{address or 'unknown'}"


def over_limit(request, scope: str, *, limit: int, window: int, key: str | None = None) -> bool:
    """``key``: count by this value (a mobile number) instead of the client address."""
    key = limit_key(scope, client_ip(request) if key is None else key)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit
