"""Kazakhstan's calendar day: the one place that reads the system clock."""

import re
from datetime import UTC, date, datetime
from importlib import resources
from typing import Final
from zoneinfo import ZoneInfo

_ZONE_KEY: Final = "Asia/Almaty"
_ISO_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _zone_from_tzdata(key: str) -> ZoneInfo:
    # ZoneInfo(key) prefers the machine's zone database, which may predate Kazakhstan's
    # move to UTC+5 on 2024-03-01; the pinned tzdata package does not.
    with resources.files("tzdata.zoneinfo").joinpath(*key.split("/")).open("rb") as f:
        return ZoneInfo.from_file(f, key=key)


KZ_TZ: Final = _zone_from_tzdata(_ZONE_KEY)


def kazakhstan_now(now_utc: datetime | None = None) -> datetime:
    """The aware time in Kazakhstan at ``now_utc`` (any aware datetime), or now."""
    if now_utc is None:
        return datetime.now(KZ_TZ)
    if now_utc.utcoffset() is None:
        raise ValueError("now_utc must be an aware datetime")
    return now_utc.astimezone(KZ_TZ)


def from_kazakhstan_time(wall: datetime) -> datetime:
    """The UTC instant of a wall-clock time in Kazakhstan (naive, as a person types it), aware."""
    if wall.utcoffset() is not None:
        raise ValueError("wall must be a naive datetime: a time as read on a clock in Kazakhstan")
    return wall.replace(tzinfo=KZ_TZ).astimezone(UTC)


def kazakhstan_today(now_utc: datetime | None = None) -> date:
    """The calendar day in Kazakhstan at ``now_utc``, or today."""
    return kazakhstan_now(now_utc).date()


def parse_fixed_today(raw: str) -> date:
    """Read the ``PORTAL_TODAY`` setting: ``YYYY-MM-DD`` and no other ISO form."""
    problem = f"PORTAL_TODAY must be a day as YYYY-MM-DD, not {raw!r}"
    if not _ISO_DAY.fullmatch(raw):
        raise ValueError(problem)
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise ValueError(problem) from error
