"""Fresh rate limits for the public complaint pages (sending and tracking)."""

import pytest
from django.core.cache import cache
from django.utils import translation

from casework.complaints.views.public import submit_limit_key, track_limit_key

TEST_ADDRESSES = ("127.0.0.1", "10.9.9.9", "203.0.113.7")


@pytest.fixture(autouse=True)
def _fresh_complaint_rate_limits():
    # Only our own keys: with CACHE_URL set the cache is a shared Redis database.
    keys = [
        key(address) for address in TEST_ADDRESSES for key in (submit_limit_key, track_limit_key)
    ]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


@pytest.fixture
def in_english():
    """Service messages checked by their English source text, whatever LANGUAGE_CODE is."""
    with translation.override("en"):
        yield
