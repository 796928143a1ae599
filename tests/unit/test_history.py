"""The personal account's history: the running balance by hand, and its agreement with DESIGN §2 on generated
contracts."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given

from portal.domain.history import Kind, Operation, account_history, in_period
from portal.domain.schedule import Deposit, Entry, contract_figures
from tests.unit.test_schedule_properties import DETERMINISTIC, ZERO, Contract, contracts


def test_the_manuals_example_newest_first_with_the_balance_after_each_operation() -> None:
    entries = [
        Entry(
            date(2022, 7, 10),
            date(2022, 7, 25),
            Decimal("100000"),
            Decimal("20000"),
            Decimal("120000"),
            date(2022, 7, 25),
        ),
        Entry(
            date(2022, 8, 10),
            date(2022, 8, 25),
            Decimal("100000"),
            Decimal("20000"),
            Decimal("120000"),
            date(2022, 8, 25),
        ),
        Entry(date(2022, 9, 10), date(2022, 9, 25), Decimal("100000"), Decimal("20000")),
    ]
    deposits = [
        Deposit(date(2022, 7, 5), Decimal("120000")),
        Deposit(date(2022, 8, 5), Decimal("120000")),
        Deposit(date(2022, 9, 12), Decimal("50000")),
    ]

    history = account_history(entries, deposits, date(2022, 10, 15))

    assert [(op.on, op.kind, op.amount, op.balance, op.due_on) for op in history] == [
        (date(2022, 9, 12), Kind.DEPOSIT, Decimal("50000"), Decimal("50000"), None),
        (date(2022, 8, 25), Kind.DEBIT, Decimal("120000"), Decimal("0"), date(2022, 8, 10)),
        (date(2022, 8, 5), Kind.DEPOSIT, Decimal("120000"), Decimal("120000"), None),
        (date(2022, 7, 25), Kind.DEBIT, Decimal("120000"), Decimal("0"), date(2022, 7, 10)),
        (date(2022, 7, 5), Kind.DEPOSIT, Decimal("120000"), Decimal("120000"), None),
    ]
    assert history[-1].signed_amount == Decimal("120000") and history[1].signed_amount == Decimal("-120000")
    # Before the July debit: only the first deposit has happened.
    assert account_history(entries, deposits, date(2022, 7, 24)) == [
        Operation(date(2022, 7, 5), Kind.DEPOSIT, Decimal("120000"), Decimal("120000"))
    ]


def test_on_one_day_the_deposit_comes_before_the_debit() -> None:
    entries = [
        Entry(date(2024, 1, 10), date(2024, 1, 10), Decimal("90"), Decimal("10"), Decimal("100"), date(2024, 1, 10))
    ]
    deposits = [Deposit(date(2024, 1, 10), Decimal("100"))]
    history = account_history(entries, deposits, date(2024, 2, 1))
    assert [(op.kind, op.balance) for op in history] == [(Kind.DEBIT, ZERO), (Kind.DEPOSIT, Decimal("100"))]


def test_a_period_keeps_the_balances_of_the_whole_history() -> None:
    deposits = [Deposit(date(2024, month, 1), Decimal("10")) for month in range(1, 7)]
    history = account_history([], deposits, date(2024, 12, 31))
    chosen = in_period(history, date(2024, 2, 1), date(2024, 4, 1))
    assert [(op.on, op.balance) for op in chosen] == [
        (date(2024, 4, 1), Decimal("40")),
        (date(2024, 3, 1), Decimal("30")),
        (date(2024, 2, 1), Decimal("20")),
    ]
    assert in_period(history, None, None) == history
    assert in_period(history, date(2025, 1, 1), None) == []


@DETERMINISTIC
@pytest.mark.slow
@given(contracts())
def test_the_newest_balance_is_the_contracts_balance_and_each_step_adds_up(contract: Contract) -> None:
    history = account_history(contract.entries, contract.deposits, contract.today)
    figures = contract_figures(len(contract.entries), contract.entries, contract.deposits, contract.today)

    assert (history[0].balance if history else ZERO) == figures.account_balance
    assert all(op.on <= contract.today and op.amount > 0 for op in history)
    assert [op.on for op in history] == sorted((op.on for op in history), reverse=True)
    oldest_first = list(reversed(history))
    previous = ZERO
    for op in oldest_first:
        assert op.balance == previous + op.signed_amount
        previous = op.balance
    # After the last operation of any day, the balance is DESIGN's balance(d).
    for op in oldest_first:
        same_day_last = [o for o in oldest_first if o.on == op.on][-1]
        paid_in = sum((d.amount for d in contract.deposits if d.on <= op.on), ZERO)
        taken = sum(
            (e.debited_by(contract.today) for e in contract.entries if e.debited_on and e.debited_on <= op.on), ZERO
        )
        assert same_day_last.balance == paid_in - taken
