"""«К оплате до …» and «Просрочено сейчас» (DESIGN §2): hand-computed cases and properties on generated contracts."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.due import AmountDue, amount_due, annuity, early_repayment, partial_repayment, payments_for
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


# A loan of 1 000 000 ₸ at 1 % a month over 12 months, signed 10.01.2026, due on the 10th: the annuity is
# 1 000 000 × 0.01 / (1 − 1.01⁻¹²) = 88 848.79 ₸ (a textbook figure), its schedule built month by month.
SIGNED = date(2026, 1, 10)
PAYMENT = Decimal("88848.79")


def annuity_schedule(paid_months: int = 0) -> list[Entry]:
    entries, left = [], Decimal("1000000.00")
    for n in range(12):
        due = date(2026 + (n + 1) // 12, (n + 1) % 12 + 1, 10)
        interest = (left * Decimal("0.01")).quantize(Decimal("0.01"))
        principal = left if n == 11 else PAYMENT - interest
        left -= principal
        paid = n < paid_months
        entries.append(
            Entry(due, due, principal, interest, principal + interest if paid else ZERO, due if paid else None)
        )
    return entries


def test_the_annuity_and_its_term_are_the_textbook_ones() -> None:
    assert annuity(Decimal("1000000"), Decimal("0.01"), 12) == PAYMENT
    assert annuity(Decimal("800000"), Decimal("0.01"), 12) == Decimal("71079.03")
    assert payments_for(Decimal("800000"), Decimal("0.01"), PAYMENT) == 10  # 9.48 months: ten payments
    assert annuity(Decimal("1200"), Decimal("0"), 12) == Decimal("100.00")
    assert payments_for(Decimal("1150"), Decimal("0"), Decimal("100")) == 12


def test_on_the_signing_day_the_whole_principal_closes_the_contract() -> None:
    early = early_repayment(annuity_schedule(), ZERO, ZERO, SIGNED, SIGNED, SIGNED)
    assert (early.principal, early.reward, early.unpaid, early.total) == (
        Decimal("1000000.00"),
        ZERO,
        ZERO,
        Decimal("1000000.00"),
    )


def test_the_running_periods_reward_is_counted_by_days() -> None:
    # 15 of the 31 days from 10.01 to 10.02: 10 000 × 15 / 31.
    early = early_repayment(annuity_schedule(), ZERO, ZERO, SIGNED, SIGNED, date(2026, 1, 25))
    assert early.reward == Decimal("4838.71")
    assert early.total == Decimal("1004838.71")


def test_an_unpaid_month_is_owed_whole_and_the_next_periods_reward_by_days() -> None:
    schedule = annuity_schedule()
    first, second = schedule[0], schedule[1]
    early = early_repayment(
        schedule, Decimal("3800.00"), Decimal("50000.00"), SIGNED, date(2026, 2, 20), date(2026, 2, 20)
    )
    assert early.unpaid == PAYMENT  # February, due 10.02, principal and reward
    assert early.principal == Decimal("1000000.00") - first.principal
    assert early.reward == (second.interest * 10 / 28).quantize(Decimal("0.01"))  # 10 of the 28 days to 10.03
    assert early.total == early.principal + early.reward + PAYMENT + Decimal("3800.00") - Decimal("50000.00")


def test_a_rich_account_closes_it_for_nothing_more() -> None:
    early = early_repayment(annuity_schedule(), ZERO, Decimal("2000000"), SIGNED, SIGNED, SIGNED)
    assert early.total == ZERO


def test_a_partial_repayment_shortens_the_term_or_lowers_the_payment() -> None:
    schedule = annuity_schedule(paid_months=1)
    on = date(2026, 2, 10)
    partial = partial_repayment(schedule, on, on, Decimal("200000"))
    assert partial is not None
    assert abs(partial.monthly_rate - Decimal("0.01")) < Decimal("0.00001")  # read back from the schedule
    assert partial.payments_left == 11
    assert abs(partial.monthly_payment - PAYMENT) <= Decimal("0.05")
    # 721 151.21 left: at 1 % over 11 months, 721 151.21 × 0.01 / (1 − 1.01⁻¹¹) = 69 557.96.
    assert abs(partial.lower_monthly_payment - Decimal("69557.96")) <= Decimal("0.05")
    # Or the same 88 848.79 a month: −ln(1 − 7 211.51 / 88 848.79) / ln 1.01 = 8.5 months, nine payments.
    assert partial.shorter_payments_left == 9


def test_a_partial_amount_that_would_close_the_contract_is_not_partial() -> None:
    on = date(2026, 2, 10)
    assert partial_repayment(annuity_schedule(paid_months=1), on, on, Decimal("921151.21")) is None
    assert partial_repayment(annuity_schedule(paid_months=1), on, on, ZERO) is None


@DETERMINISTIC
@given(contracts(), CHARGES, st.integers(0, 400))
def test_an_early_repayment_is_never_negative_and_adds_up(contract: Contract, charges: Decimal, ahead: int) -> None:
    entries, deposits, today = contract.entries, contract.deposits, contract.today
    balance = contract_figures(len(entries), entries, deposits, today).account_balance
    on = today + timedelta(days=ahead)
    early = early_repayment(entries, charges, balance, min(e.due_on for e in entries), today, on)
    assert early.total >= 0
    assert early.reward >= 0 and early.principal >= 0 and early.unpaid >= 0
    assert early.total == max(early.principal + early.reward + early.unpaid + charges - balance, ZERO)
