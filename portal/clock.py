""" "Today" for the web layer: Kazakhstan's date, or the fixed PORTAL_TODAY of a demonstration or a test."""

from __future__ import annotations

from datetime import date

from flask import current_app

from portal.domain.clock import kazakhstan_today


def today() -> date:
    fixed: date | None = current_app.config.get("PORTAL_TODAY")
    return fixed if fixed is not None else kazakhstan_today()
