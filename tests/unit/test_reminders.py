"""Which entries call for an SMS reminder: due soon and not covered, or missed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.reminders import Reason, reminders_due
from portal.domain.schedule import Deposit, Entry, Status, statuses
from tests.unit.test_schedule_properties import DETERMINISTIC, ZERO, Contract, contracts

JULY = date(2022, 7, 10)


def month(due_on: date, debited: str = "0", debited_on: date | None = None) -> Entry:
    return Entry(due_on, due_on + timedelta(days=15), Decimal("100000"), Decimal("20000"), Decimal(debited), debited_on)


@pytest.mark.parametrize(
    ("today", "deposited", "expected"),
    [
        (date(2022, 7, 6), "0", []),  # four days ahead: not yet
        (date(2022, 7, 7), "0", [(Reason.UPCOMING, Decimal("120000"))]),  # three days ahead
        (date(2022, 7, 10), "0", [(Reason.UPCOMING, Decimal("120000"))]),  # the due day itself
        (date(2022, 7, 7), "50000", [(Reason.UPCOMING, Decimal("70000"))]),  # the shortfall
        (date(2022, 7, 7), "120000", []),  # covered: nothing to say
        (date(2022, 7, 11), "0", [(Reason.MISSED, Decimal("120000"))]),  # the due day passed uncovered
        (date(2022, 7, 11), "120000", []),  # covered: «Ожидает списания» until the 25th
        (date(2022, 7, 26), "120000", [(Reason.MISSED, Decimal("120000"))]),  # the debit day passed without a debit
    ],
)
def test_reminders_by_hand(today: date, deposited: str, expected: list[tuple[Reason, Decimal]]) -> None:
    deposits = [Deposit(date(2022, 7, 1), Decimal(deposited))] if deposited != "0" else []
    found = reminders_due([month(JULY)], deposits, today, days_before=3)
    assert [(due.reason, due.amount) for due in found] == expected


def test_an_earlier_arrear_uncovers_the_next_month() -> None:
    entries = [month(JULY), month(date(2022, 8, 10))]
    deposits = [Deposit(date(2022, 8, 1), Decimal("130000"))]
    found = reminders_due(entries, deposits, date(2022, 8, 8), days_before=3)
    # July went unpaid past its due date; the 130 000 pays July first, leaving 10 000 of August's 120 000.
    assert [(d.index, d.reason, d.amount) for d in found] == [
        (0, Reason.MISSED, Decimal("120000")),
        (1, Reason.UPCOMING, Decimal("110000")),
    ]


def test_a_repaid_entry_calls_for_nothing() -> None:
    paid = month(JULY, "120000", date(2022, 7, 25))
    assert reminders_due([paid], [Deposit(date(2022, 7, 1), Decimal("120000"))], date(2022, 8, 1), 3) == []


@DETERMINISTIC
@pytest.mark.slow
@given(contracts(), st.integers(0, 10))
def test_missed_is_exactly_overdue_and_upcoming_is_soon_and_short(contract: Contract, days: int) -> None:
    entries, deposits, today = contract.entries, contract.deposits, contract.today
    found = reminders_due(entries, deposits, today, days)
    status = statuses(entries, deposits, today)

    assert {d.index for d in found if d.reason is Reason.MISSED} == {
        i for i, s in enumerate(status) if s is Status.OVERDUE
    }
    for due in found:
        assert due.amount > ZERO or due.reason is Reason.MISSED
        if due.reason is Reason.UPCOMING:
            assert status[due.index] is Status.PENDING
            assert 0 <= (entries[due.index].due_on - today).days <= days
    # Nothing is reminded twice in one run.
    assert len({(d.index, d.reason) for d in found}) == len(found)
