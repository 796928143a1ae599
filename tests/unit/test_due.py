"""«К оплате до …» and «Просрочено сейчас» (DESIGN §2): hand-computed cases and properties on generated contracts."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.due import AmountDue, amount_due
from portal.domain.schedule import ZERO, Deposit, Entry, Status, contract_figures, statuses
from tests.unit.test_schedule_properties import DETERMINISTIC, Contract, contracts

CHARGES = st.sampled_from([ZERO, Decimal("1500.00"), Decimal("12345.67")])


def due_on(entries: list[Entry], deposits: list[Deposit], today: date, charges: Decimal = ZERO) -> AmountDue:
    found = statuses(entries, deposits, today)
    balance = contract_figures(len(entries), entries, deposits, today, found).account_balance
    return amount_due(entries, found, charges, balance, today)


def month(day: int, month_: int, debited: str = "0", debited_on: date | None = None) -> Entry:
    """120 000 ₸ a month (100 000 principal, 20 000 reward), due on the 10th, debited on the 25th."""
    return Entry(
        date(2022, month_, day), date(2022, month_, 25), Decimal("100000.00"), Decimal("20000.00"),
        Decimal(debited), debited_on,
    )  # fmt: skip


JULY, AUGUST, SEPTEMBER = month(10, 7), month(10, 8), month(10, 9)


def test_nothing_paid_owes_every_month_due_so_far_and_the_next() -> None:
    due = due_on([JULY, AUGUST, SEPTEMBER], [], date(2022, 8, 15))
    assert due == AmountDue(pay_by=date(2022, 9, 10), amount=Decimal("360000.00"), overdue=Decimal("240000.00"))


def test_a_month_paid_in_time_and_waiting_for_its_debit_is_covered_by_the_balance() -> None:
    # Paid in on 05.07 for July; on 15.07 July waits for its debit on 25.07: nothing is overdue, August is next.
    due = due_on([JULY, AUGUST], [Deposit(date(2022, 7, 5), Decimal("120000.00"))], date(2022, 7, 15))
    assert due == AmountDue(pay_by=date(2022, 8, 10), amount=Decimal("120000.00"), overdue=ZERO)


def test_charges_are_owed_now_and_an_overpaid_account_owes_nothing() -> None:
    paid = month(10, 7, "120000.00", date(2022, 7, 25))
    due = due_on([paid, AUGUST], [Deposit(date(2022, 7, 5), Decimal("120000.00"))], date(2022, 7, 26), Decimal("500"))
    assert due == AmountDue(pay_by=date(2022, 8, 10), amount=Decimal("120500.00"), overdue=Decimal("500.00"))

    rich = [Deposit(date(2022, 7, 5), Decimal("120000.00")), Deposit(date(2022, 7, 26), Decimal("200000.00"))]
    assert due_on([paid, AUGUST], rich, date(2022, 7, 26), Decimal("500")) == AmountDue(
        pay_by=date(2022, 8, 10), amount=ZERO, overdue=ZERO
    )


def test_after_the_last_due_date_everything_unpaid_is_owed_now() -> None:
    due = due_on([JULY, AUGUST], [], date(2023, 1, 1))
    assert due == AmountDue(pay_by=None, amount=Decimal("240000.00"), overdue=Decimal("240000.00"))


@DETERMINISTIC
@given(contracts(), CHARGES)
def test_never_below_zero_and_overdue_never_above_the_amount_due(contract: Contract, charges: Decimal) -> None:
    due = due_on(contract.entries, contract.deposits, contract.today, charges)
    assert ZERO <= due.overdue <= due.amount
    if due.pay_by is not None:
        assert due.pay_by >= contract.today
        assert due.pay_by == min(e.due_on for e in contract.entries if e.due_on >= contract.today)


@DETERMINISTIC
@given(contracts(), CHARGES)
def test_equal_to_the_debt_block_when_nothing_is_due_ahead_and_nothing_waits(
    contract: Contract, charges: Decimal
) -> None:
    """With every due date passed, no entry waiting for its debit and an empty account, both figures are the debt
    block's «Итого задолженность»: overdue monthly payments plus the charges."""
    entries, deposits, today = contract.entries, contract.deposits, contract.today
    found = statuses(entries, deposits, today)
    figures = contract_figures(len(entries), entries, deposits, today, found)
    if any(e.due_on >= today for e in entries) or Status.PENDING in found or figures.account_balance != 0:
        return
    due = amount_due(entries, found, charges, figures.account_balance, today)
    assert due.amount == due.overdue == figures.overdue_debt + charges


@DETERMINISTIC
@given(contracts(), CHARGES, st.integers(1, 50_000_000))
def test_a_deposit_today_lowers_both_by_its_amount_until_they_reach_zero(
    contract: Contract, charges: Decimal, tiyn: int
) -> None:
    paid_in = Decimal(tiyn).scaleb(-2)
    before = due_on(contract.entries, contract.deposits, contract.today, charges)
    after = due_on(contract.entries, [*contract.deposits, Deposit(contract.today, paid_in)], contract.today, charges)
    assert after.pay_by == before.pay_by
    assert after.amount == max(before.amount - paid_in, ZERO)
    assert after.overdue == max(before.overdue - paid_in, ZERO)
