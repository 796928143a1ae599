"""A contract statement over a period: opening and closing balance, movements, the period's sensible bounds."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.schedule import Deposit, Entry
from portal.domain.statement import EARLIEST, MovementKind, statement, statement_period

TODAY = date(2026, 11, 24)
D = Decimal


def entry(due: date, debited: str = "0", debited_on: date | None = None) -> Entry:
    return Entry(due, due + timedelta(days=15), D("100000.00"), D("20000.00"), D(debited), debited_on)


ENTRIES = [
    entry(date(2022, 7, 10), "120000.00", date(2022, 7, 25)),
    entry(date(2022, 8, 10), "120000.00", date(2022, 8, 25)),
    entry(date(2022, 9, 10)),
]
DEPOSITS = [
    Deposit(date(2022, 7, 5), D("120000.00")),
    Deposit(date(2022, 8, 5), D("120000.00")),
    Deposit(date(2022, 9, 12), D("50000.00")),
]


def test_a_quarter() -> None:
    found = statement(ENTRIES, DEPOSITS, date(2022, 7, 1), date(2022, 9, 30), TODAY)
    assert found.opening_balance == 0
    assert found.deposited == D("290000.00")
    assert found.debited == D("240000.00")
    assert found.closing_balance == D("50000.00")
    assert found.accrued == D("360000.00")
    assert [(m.on, m.kind) for m in found.movements] == [
        (date(2022, 7, 5), MovementKind.DEPOSIT),
        (date(2022, 7, 25), MovementKind.DEBIT),
        (date(2022, 8, 5), MovementKind.DEPOSIT),
        (date(2022, 8, 25), MovementKind.DEBIT),
        (date(2022, 9, 12), MovementKind.DEPOSIT),
    ]
    assert found.movements[1].for_due_on == date(2022, 7, 10)


def test_a_later_period_opens_with_what_was_left() -> None:
    found = statement(ENTRIES, DEPOSITS, date(2022, 8, 6), date(2022, 8, 31), TODAY)
    assert found.opening_balance == D("120000.00")  # 240 000 paid in − 120 000 debited by 05.08
    assert found.closing_balance == D("0.00")


def test_a_debit_not_yet_known_today_is_left_out() -> None:
    found = statement(ENTRIES, DEPOSITS, date(2022, 7, 1), date(2022, 7, 31), date(2022, 7, 20))
    assert found.debited == 0


@given(
    start=st.dates(date(2021, 1, 1), date(2023, 12, 31)),
    length=st.integers(0, 800),
)
def test_opening_plus_movements_is_closing(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    found = statement(ENTRIES, DEPOSITS, start, end, TODAY)
    assert found.opening_balance + found.deposited - found.debited == found.closing_balance


@pytest.mark.parametrize(
    ("raw_start", "raw_end", "expected"),
    [
        (None, None, (date(2025, 11, 24), TODAY)),
        ("2022-07-01", "2022-09-30", (date(2022, 7, 1), date(2022, 9, 30))),
        ("abc", "2022-09-30", (date(2021, 9, 30), date(2022, 9, 30))),
        ("2022-07-01", "2099-01-01", (date(2022, 7, 1), TODAY)),
        ("2026-11-01", "2025-01-01", (date(2024, 1, 1), date(2025, 1, 1))),
        ("0001-01-01", None, (EARLIEST, TODAY)),
        ("2022-02-30", "20220930", (date(2025, 11, 24), TODAY)),
        (None, "1999-01-01", (EARLIEST, EARLIEST)),
    ],
)
def test_the_period_is_kept_sensible(raw_start: str | None, raw_end: str | None, expected: tuple[date, date]) -> None:
    assert statement_period(raw_start, raw_end, TODAY) == expected


def test_a_year_before_the_29th_of_february() -> None:
    assert statement_period(None, None, date(2028, 2, 29)) == (date(2027, 2, 28), date(2028, 2, 29))
