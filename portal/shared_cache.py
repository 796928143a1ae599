"""The cache the workers share (Flask-Caching; Redis when REDIS_URL is set, else the process's memory).

It holds only what a request can work out again. When Redis fails, the page is worked out as if nothing were
cached and the failure is logged; the cache is then left alone for PAUSE seconds rather than waited for (up to
its one-second timeout) on every request."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from flask_caching.backends import NullCache
from redis.exceptions import RedisError

from portal.extensions import cache

log = logging.getLogger(__name__)

PAUSE = 30.0
_paused_until = 0.0


def get(key: str) -> Any | None:
    """The value kept under key, or None when there is none or the cache cannot be asked."""
    if _paused():
        return None
    try:
        return cache.get(key)
    except RedisError:
        _pause()
        return None


def set(key: str, make: Callable[[], Any]) -> None:
    """Keep what make() returns under key for the configured time (CACHE_DEFAULT_TIMEOUT); a failure only logs.
    make is not called when nothing would be kept: the cache turned off (NullCache), or paused."""
    if _paused() or isinstance(cache.cache, NullCache):
        return
    try:
        cache.set(key, make())
    except RedisError:
        _pause()


def _paused() -> bool:
    return time.monotonic() < _paused_until


def _pause() -> None:
    global _paused_until
    _paused_until = time.monotonic() + PAUSE
    log.warning("the shared cache does not answer; pages are worked out without it for %d s", PAUSE, exc_info=True)
