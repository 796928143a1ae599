"""Schedule statuses and contract figures on hand-checked contracts, the manual's first."""

from datetime import date
from decimal import Decimal

import pytest

from portal.domain.schedule import (
    ContractFigures,
    Deposit,
    Entry,
    Status,
    contract_figures,
    statuses,
)

PAID, OVERDUE, PENDING = Status.PAID, Status.OVERDUE, Status.PENDING

# The manual's example: due 10.07.2022, debited 25.07.2022.
DUE = date(2022, 7, 10)
DEBIT_ON = date(2022, 7, 25)
PRINCIPAL = Decimal("61234.56")
INTEREST = Decimal("90000.00")
MONTHLY = Decimal("151234.56")


def manual_entry(debited_on: date | None = None) -> Entry:
    return Entry(
        due_on=DUE,
        debit_on=DEBIT_ON,
        principal=PRINCIPAL,
        interest=INTEREST,
        debited=MONTHLY if debited_on else Decimal("0.00"),
        debited_on=debited_on,
    )


def monthly(
    month: int,
    accrued: str = "100.00",
    debited: str = "0.00",
    debited_on: date | None = None,
) -> Entry:
    """An entry due on the 10th and debited on the 25th of ``month`` 2022; all interest."""
    return Entry(
        due_on=date(2022, month, 10),
        debit_on=date(2022, month, 25),
        principal=Decimal("0.00"),
        interest=Decimal(accrued),
        debited=Decimal(debited),
        debited_on=debited_on,
    )


def test_accrued_is_principal_plus_interest() -> None:
    assert manual_entry().accrued == MONTHLY


def test_status_values_are_stable_identifiers() -> None:
    assert [s.value for s in Status] == ["paid", "overdue", "pending"]


@pytest.mark.parametrize(
    "today",
    [date(2022, 7, 9), date(2022, 7, 10), date(2022, 7, 11), date(2022, 7, 24)],
)
def test_manual_example_waits_for_debit_until_the_25th(today: date) -> None:
    # The debit of 25.07 is on file, but does not count before its day.
    recorded = [manual_entry(debited_on=DEBIT_ON)]
    on_time = [Deposit(on=date(2022, 7, 5), amount=MONTHLY)]
    assert statuses(recorded, on_time, today) == [PENDING]


def test_manual_example_still_waits_on_the_25th_when_the_debit_is_not_recorded() -> None:
    on_time = [Deposit(on=date(2022, 7, 5), amount=MONTHLY)]
    assert statuses([manual_entry()], on_time, date(2022, 7, 25)) == [PENDING]


@pytest.mark.parametrize("today", [date(2022, 7, 25), date(2022, 7, 26)])
def test_manual_example_is_paid_from_the_day_of_the_debit(today: date) -> None:
    on_time = [Deposit(on=date(2022, 7, 5), amount=MONTHLY)]
    assert statuses([manual_entry(DEBIT_ON)], on_time, today) == [PAID]


def test_money_arriving_on_the_due_date_is_in_time() -> None:
    on_due_date = [Deposit(on=DUE, amount=MONTHLY)]
    assert statuses([manual_entry()], on_due_date, date(2022, 7, 11)) == [PENDING]


@pytest.mark.parametrize("today", [date(2022, 7, 11), date(2022, 7, 12), date(2022, 7, 24)])
def test_deposit_after_the_due_date_leaves_the_entry_overdue(today: date) -> None:
    late = [Deposit(on=date(2022, 7, 12), amount=MONTHLY)]
    assert statuses([manual_entry()], late, today) == [OVERDUE]


def test_late_deposit_is_paid_once_debited() -> None:
    late = [Deposit(on=date(2022, 7, 12), amount=MONTHLY)]
    assert statuses([manual_entry(DEBIT_ON)], late, date(2022, 7, 25)) == [PAID]


def test_no_deposit_is_not_overdue_until_the_day_after_the_due_date() -> None:
    assert statuses([manual_entry()], [], date(2022, 7, 10)) == [PENDING]
    assert statuses([manual_entry()], [], date(2022, 7, 11)) == [OVERDUE]


def test_short_deposit_leaves_the_entry_overdue() -> None:
    short = [Deposit(on=date(2022, 7, 5), amount=MONTHLY - Decimal("0.01"))]
    assert statuses([manual_entry()], short, date(2022, 7, 11)) == [OVERDUE]


def test_several_deposits_adding_up_cover_the_entry() -> None:
    parts = [
        Deposit(on=date(2022, 7, 1), amount=Decimal("100000.00")),
        Deposit(on=date(2022, 7, 9), amount=Decimal("51234.56")),
    ]
    assert statuses([manual_entry()], parts, date(2022, 7, 11)) == [PENDING]


def test_nothing_debited_after_the_debit_date_is_overdue() -> None:
    on_time = [Deposit(on=date(2022, 7, 5), amount=MONTHLY)]
    assert statuses([manual_entry()], on_time, date(2022, 7, 26)) == [OVERDUE]


def test_partial_debit_after_the_debit_date_is_overdue() -> None:
    on_time = [Deposit(on=date(2022, 7, 5), amount=MONTHLY)]
    partial = Entry(
        due_on=DUE,
        debit_on=DEBIT_ON,
        principal=PRINCIPAL,
        interest=INTEREST,
        debited=Decimal("100000.00"),
        debited_on=DEBIT_ON,
    )
    assert statuses([partial], on_time, date(2022, 7, 26)) == [OVERDUE]


def test_debit_without_a_date_does_not_count() -> None:
    undated = Entry(
        due_on=DUE,
        debit_on=DEBIT_ON,
        principal=PRINCIPAL,
        interest=INTEREST,
        debited=MONTHLY,
    )
    assert statuses([undated], [], date(2022, 8, 1)) == [OVERDUE]


def test_half_payments_leave_every_month_overdue_because_the_oldest_debt_comes_first() -> None:
    # 50 a month against 100 accrued: by each due date the account holds half of what
    # is owed, and nothing is ever debited.
    entries = [monthly(month) for month in (1, 2, 3)]
    halves = [Deposit(on=date(2022, m, 5), amount=Decimal("50.00")) for m in (1, 2, 3)]
    assert statuses(entries, halves, date(2022, 2, 11)) == [OVERDUE, OVERDUE, PENDING]
    assert statuses(entries, halves, date(2022, 3, 11)) == [OVERDUE] * 3


def test_earlier_arrear_leaves_a_fully_paid_later_month_uncovered() -> None:
    # January: 50 of 100 paid in. February: the full 100 paid in before the 10th, but
    # on 10.02 the account holds 150 against 200 still owed for January and February.
    entries = [monthly(1), monthly(2)]
    deposits = [
        Deposit(on=date(2022, 1, 5), amount=Decimal("50.00")),
        Deposit(on=date(2022, 2, 5), amount=Decimal("100.00")),
    ]
    assert statuses(entries, deposits, date(2022, 2, 11)) == [OVERDUE, OVERDUE]


def test_arrear_paid_off_before_the_next_due_date_leaves_that_month_covered() -> None:
    # January's shortfall of 50 is made good on 01.02 together with February's 100:
    # on 10.02 the account holds 200 against 200 owed.
    entries = [monthly(1), monthly(2)]
    deposits = [
        Deposit(on=date(2022, 1, 5), amount=Decimal("50.00")),
        Deposit(on=date(2022, 2, 1), amount=Decimal("150.00")),
    ]
    assert statuses(entries, deposits, date(2022, 2, 11)) == [OVERDUE, PENDING]


def test_partial_debits_spread_the_shortfall_over_later_months() -> None:
    # 50 paid in and debited each month against 100 accrued. On 10.03 the account
    # holds 150 − 100 = 50 against (100 − 50) + (100 − 50) + 100 = 200 owed.
    entries = [
        monthly(1, debited="50.00", debited_on=date(2022, 1, 25)),
        monthly(2, debited="50.00", debited_on=date(2022, 2, 25)),
        monthly(3),
    ]
    deposits = [Deposit(on=date(2022, m, 5), amount=Decimal("50.00")) for m in (1, 2, 3)]
    assert statuses(entries, deposits, date(2022, 3, 11)) == [OVERDUE] * 3


def test_one_deposit_covering_two_months_keeps_both_waiting_then_paid() -> None:
    deposit = [Deposit(on=date(2022, 7, 1), amount=Decimal("200.00"))]
    undebited = [monthly(7), monthly(8)]
    assert statuses(undebited, deposit, date(2022, 8, 11)) == [OVERDUE, PENDING]
    # Before July's debit date both wait; once the debits are on file both are paid.
    debited = [
        monthly(7, debited="100.00", debited_on=date(2022, 7, 25)),
        monthly(8, debited="100.00", debited_on=date(2022, 8, 25)),
    ]
    assert statuses(debited, deposit, date(2022, 7, 20)) == [PENDING, PENDING]
    # On 10.08 July's debit has taken 100 and 100 remains against August's 100.
    assert statuses(debited, deposit, date(2022, 8, 15)) == [PAID, PENDING]
    assert statuses(debited, deposit, date(2022, 8, 26)) == [PAID, PAID]


def test_future_entries_wait_even_with_an_empty_account() -> None:
    entries = [monthly(month) for month in range(1, 13)]
    assert statuses(entries, [], date(2021, 12, 31)) == [PENDING] * 12
    assert statuses(entries, [], date(2022, 6, 10)) == [OVERDUE] * 5 + [PENDING] * 7


def test_entry_debited_in_advance_is_paid_before_its_due_date() -> None:
    early = monthly(9, debited="100.00", debited_on=date(2022, 8, 20))
    deposit = [Deposit(on=date(2022, 8, 15), amount=Decimal("100.00"))]
    assert statuses([early], deposit, date(2022, 8, 21)) == [PAID]


def test_advance_debit_for_a_later_month_is_not_money_for_an_earlier_one() -> None:
    # 100 paid in on 05.07, then debited on 06.07 for August: on 10.07 the account is
    # empty and July's 100 is unpaid.
    entries = [
        monthly(7),
        monthly(8, debited="100.00", debited_on=date(2022, 7, 6)),
    ]
    deposit = [Deposit(on=date(2022, 7, 5), amount=Decimal("100.00"))]
    assert statuses(entries, deposit, date(2022, 7, 11)) == [OVERDUE, PAID]


def test_late_debit_of_an_earlier_month_is_still_owed_on_a_later_due_date() -> None:
    # Only January's 100 was paid in, and it was debited late, on 15.02. On 10.02 the
    # account holds 100 against 100 + 100 owed for January and February.
    entries = [
        monthly(1, debited="100.00", debited_on=date(2022, 2, 15)),
        monthly(2),
    ]
    deposit = [Deposit(on=date(2022, 1, 5), amount=Decimal("100.00"))]
    assert statuses(entries, deposit, date(2022, 2, 20)) == [PAID, OVERDUE]


def test_entries_due_the_same_day_are_owed_together() -> None:
    same_day = [monthly(7, accrued="60.00"), monthly(7, accrued="60.00")]
    deposit = [Deposit(on=date(2022, 7, 1), amount=Decimal("100.00"))]
    assert statuses(same_day, deposit, date(2022, 7, 11)) == [OVERDUE, OVERDUE]


def test_zero_accrued_entry_is_paid() -> None:
    assert statuses([monthly(7, accrued="0.00")], [], date(2022, 1, 1)) == [PAID]


def test_statuses_come_back_in_the_order_entries_were_given() -> None:
    entries = [
        monthly(1, debited="100.00", debited_on=date(2022, 1, 25)),
        monthly(2),
        monthly(3),
    ]
    deposits = [Deposit(on=date(2022, 1, 5), amount=Decimal("100.00"))]
    in_order = statuses(entries, deposits, date(2022, 3, 10))
    assert in_order == [PAID, OVERDUE, PENDING]
    shuffled = [entries[2], entries[0], entries[1]]
    assert statuses(shuffled, deposits, date(2022, 3, 10)) == [
        in_order[2],
        in_order[0],
        in_order[1],
    ]


def test_no_entries_give_no_statuses() -> None:
    assert statuses([], [Deposit(on=date(2022, 1, 1), amount=Decimal("5"))], DUE) == []


# A six-month contract seen on 15.04.2024; every entry accrues 150.00, due on the 10th,
# debited on the 25th. Paid in: 150 on 05.01, 150 on 05.02, 100 on 05.03, 100 on 05.04,
# 150 on 20.04 (after today: not counted). Debited: 150 on 25.01, 150 on 25.02, 100 on
# 25.03 (of 150); a debit of 150 for April is on file for 25.04 (after today).
#   January, February: debited in full          → PAID
#   March: 100 of 150 by its debit date 25.03   → OVERDUE (50 unpaid)
#   April: on 10.04 the account holds 500 − 400 = 100 against
#          (150 − 150) + (150 − 150) + (150 − 100) + 150 = 200 owed → OVERDUE (150)
#   May, June: not due yet                      → PENDING
# payments_made 2, payments_left 6 − 2 = 4, paid_sum 150 + 150 + 100 = 400.00,
# principal_left 102.30 + 103.40 + 104.50 + 105.60 = 415.80,
# account_balance 500 − 400 = 100.00, overdue_debt 50 + 150 = 200.00, since 10.03.2024.
SIX_MONTHS_TODAY = date(2024, 4, 15)
SIX_MONTHS = [
    Entry(
        due_on=date(2024, month, 10),
        debit_on=date(2024, month, 25),
        principal=Decimal(principal),
        interest=Decimal("150.00") - Decimal(principal),
        debited=Decimal(debited),
        debited_on=date(2024, month, 25) if debited != "0.00" else None,
    )
    for month, principal, debited in [
        (1, "100.10", "150.00"),
        (2, "101.20", "150.00"),
        (3, "102.30", "100.00"),
        (4, "103.40", "150.00"),
        (5, "104.50", "0.00"),
        (6, "105.60", "0.00"),
    ]
]
SIX_MONTHS_DEPOSITS = [
    Deposit(on=date(2024, 1, 5), amount=Decimal("150.00")),
    Deposit(on=date(2024, 2, 5), amount=Decimal("150.00")),
    Deposit(on=date(2024, 3, 5), amount=Decimal("100.00")),
    Deposit(on=date(2024, 4, 5), amount=Decimal("100.00")),
    Deposit(on=date(2024, 4, 20), amount=Decimal("150.00")),
]
SIX_MONTHS_FIGURES = ContractFigures(
    payments_made=2,
    paid_sum=Decimal("400.00"),
    payments_left=4,
    principal_left=Decimal("415.80"),
    account_balance=Decimal("100.00"),
    overdue_debt=Decimal("200.00"),
    overdue_since=date(2024, 3, 10),
)


def test_six_month_contract_statuses_match_the_hand_computation() -> None:
    assert statuses(SIX_MONTHS, SIX_MONTHS_DEPOSITS, SIX_MONTHS_TODAY) == [
        PAID,
        PAID,
        OVERDUE,
        OVERDUE,
        PENDING,
        PENDING,
    ]


def test_six_month_contract_figures_match_the_hand_computation() -> None:
    figures = contract_figures(6, SIX_MONTHS, SIX_MONTHS_DEPOSITS, SIX_MONTHS_TODAY)
    assert figures == SIX_MONTHS_FIGURES


def test_figures_accept_precomputed_statuses() -> None:
    computed = statuses(SIX_MONTHS, SIX_MONTHS_DEPOSITS, SIX_MONTHS_TODAY)
    figures = contract_figures(6, SIX_MONTHS, SIX_MONTHS_DEPOSITS, SIX_MONTHS_TODAY, statuses_=computed)
    assert figures == SIX_MONTHS_FIGURES


def test_figures_refuse_statuses_that_do_not_match_the_entries() -> None:
    with pytest.raises(ValueError, match="one status per entry"):
        contract_figures(6, SIX_MONTHS, SIX_MONTHS_DEPOSITS, SIX_MONTHS_TODAY, statuses_=[PAID])


def test_six_month_contract_after_its_last_debit() -> None:
    # By 26.06 everything on file counts: 650 paid in, 150 + 150 + 100 + 150 debited;
    # March is short by 50, May and June were never debited.
    figures = contract_figures(6, SIX_MONTHS, SIX_MONTHS_DEPOSITS, date(2024, 6, 26))
    assert figures == ContractFigures(
        payments_made=3,
        paid_sum=Decimal("550.00"),
        payments_left=3,
        principal_left=Decimal("312.40"),
        account_balance=Decimal("100.00"),
        overdue_debt=Decimal("350.00"),
        overdue_since=date(2024, 3, 10),
    )


def test_payments_left_count_the_whole_contract_not_just_the_schedule_on_file() -> None:
    figures = contract_figures(180, SIX_MONTHS, SIX_MONTHS_DEPOSITS, SIX_MONTHS_TODAY)
    assert figures.payments_left == 178


def test_payments_left_never_go_below_zero() -> None:
    figures = contract_figures(1, SIX_MONTHS, SIX_MONTHS_DEPOSITS, SIX_MONTHS_TODAY)
    assert figures.payments_left == 0


def test_account_balance_goes_negative_when_a_debit_precedes_its_deposit() -> None:
    entry = monthly(7, debited="100.00", debited_on=date(2022, 7, 25))
    figures = contract_figures(1, [entry], [], date(2022, 7, 26))
    assert figures.account_balance == Decimal("-100.00")


def test_empty_contract_has_zero_figures() -> None:
    assert contract_figures(0, [], [], DUE) == ContractFigures(
        payments_made=0,
        paid_sum=Decimal("0.00"),
        payments_left=0,
        principal_left=Decimal("0.00"),
        account_balance=Decimal("0.00"),
        overdue_debt=Decimal("0.00"),
        overdue_since=None,
    )
