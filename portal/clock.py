""" "Now" and "today" for the web layer: the configured clock (real time, or a test's), and Kazakhstan's date
or the fixed PORTAL_TODAY of a demonstration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import cast

from flask import current_app

from portal.domain.clock import kazakhstan_today


def system_clock() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """The current instant, aware, in UTC; tests replace PORTAL_CLOCK to move time."""
    return cast(Callable[[], datetime], current_app.config["PORTAL_CLOCK"])()


def today() -> date:
    fixed: date | None = current_app.config.get("PORTAL_TODAY")
    return fixed if fixed is not None else kazakhstan_today(now())
