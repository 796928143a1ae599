"""A contract statement over a period: the money paid into the personal account and debited from it, with the
balance before and after, and what fell due in the period."""

import enum
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from portal.domain.schedule import ZERO, Deposit, Entry

_ISO_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# No statement reaches further back: the company's contracts start long after, and `day - 1` stays a date.
EARLIEST: Final = date(2000, 1, 1)


class MovementKind(enum.Enum):
    DEPOSIT = "deposit"
    DEBIT = "debit"


@dataclass(frozen=True)
class Movement:
    on: date
    kind: MovementKind
    amount: Decimal
    for_due_on: date | None = None  # the month of the schedule a debit paid


@dataclass(frozen=True)
class Statement:
    start: date
    end: date
    opening_balance: Decimal
    movements: list[Movement]
    deposited: Decimal
    debited: Decimal
    closing_balance: Decimal
    accrued: Decimal  # what fell due in the period (principal + interest of the entries due in it)


def year_before(day: date) -> date:
    """The same date a year earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _day(raw: str | None) -> date | None:
    if raw is None or not _ISO_DAY.fullmatch(raw.strip()):
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def statement_period(raw_start: str | None, raw_end: str | None, today: date) -> tuple[date, date]:
    """The period asked for as YYYY-MM-DD (a date picker's value), kept sensible.

    The end defaults to today and is never after it; the start defaults to a year before the end and is never
    after the end nor before EARLIEST. Anything unreadable counts as not given.
    """
    end = _day(raw_end) or today
    end = min(max(end, EARLIEST), today)
    start = _day(raw_start)
    if start is None or start > end:
        start = year_before(end)
    return max(start, EARLIEST), end


def statement(entries: list[Entry], deposits: list[Deposit], start: date, end: date, today: date) -> Statement:
    """The statement of ``start``..``end`` (both included) as known ``today``: debits count on their dates."""
    debits = [
        Movement(entry.debited_on, MovementKind.DEBIT, entry.debited_by(today), entry.due_on)
        for entry in entries
        if entry.debited_on is not None and entry.debited_by(today) > 0
    ]
    paid_in = [Movement(deposit.on, MovementKind.DEPOSIT, deposit.amount) for deposit in deposits]
    everything = sorted(paid_in + debits, key=lambda m: (m.on, m.kind is MovementKind.DEBIT))

    def balance(day: date) -> Decimal:
        return sum((m.amount if m.kind is MovementKind.DEPOSIT else -m.amount for m in everything if m.on <= day), ZERO)

    movements = [m for m in everything if start <= m.on <= end]
    return Statement(
        start=start,
        end=end,
        opening_balance=balance(start - timedelta(days=1)),
        movements=movements,
        deposited=sum((m.amount for m in movements if m.kind is MovementKind.DEPOSIT), ZERO),
        debited=sum((m.amount for m in movements if m.kind is MovementKind.DEBIT), ZERO),
        closing_balance=balance(end),
        accrued=sum((entry.accrued for entry in entries if start <= entry.due_on <= end), ZERO),
    )
