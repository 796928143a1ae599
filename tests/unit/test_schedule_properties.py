"""Schedule invariants on generated contracts, and agreement with DESIGN §2 read literally."""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.domain.schedule import Deposit, Entry, Status, contract_figures, statuses

pytestmark = pytest.mark.slow  # Hypothesis: hundreds of generated contracts a test

DETERMINISTIC = settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CENTS = Decimal("0.01")
ZERO = Decimal("0.00")

AmountKind = Literal["none", "full", "partial", "over"]


@dataclass(frozen=True)
class Month:
    """How one month went, amounts in tiyn.

    The debit is mostly what was paid in (kind None) on the planned day (day None).
    """

    principal_tiyn: int
    interest_tiyn: int
    share: int
    deposit: AmountKind
    deposit_day: int
    debit: AmountKind | None
    debit_day: int | None


@dataclass(frozen=True)
class Contract:
    entries: list[Entry]
    deposits: list[Deposit]
    today: date


# Mostly what clients and the core system do (pay the amount around the due date, debit
# it on the planned day), with enough of the odd (advance and late debits, short and
# excess amounts, stray deposits) to reach every branch.
AMOUNT_KINDS: st.SearchStrategy[AmountKind] = st.sampled_from(["full", "full", "full", "none", "partial", "over"])
MONTHS = st.builds(
    Month,
    principal_tiyn=st.integers(0, 20_000_000),
    interest_tiyn=st.integers(0, 10_000_000),
    share=st.integers(0, 99),
    deposit=AMOUNT_KINDS,
    deposit_day=st.integers(-20, 10),
    debit=st.one_of(st.none(), AMOUNT_KINDS),
    debit_day=st.one_of(st.none(), st.integers(-70, -20), st.integers(-5, 60)),
)
STRAY_DEPOSITS = st.lists(st.tuples(st.integers(0, 36 * 31 + 100), st.integers(0, 40_000_000)), max_size=5)


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, day.day)


def tenge(tiyn: int) -> Decimal:
    return Decimal(tiyn).scaleb(-2)


def amount_of(kind: AmountKind, accrued: Decimal, share: int) -> Decimal:
    return {
        "none": ZERO,
        "full": accrued,
        "partial": (accrued * share / 100).quantize(CENTS),
        "over": accrued + tenge(share * 100),
    }[kind]


def month_entry(due_on: date, debit_on: date, month: Month) -> Entry:
    accrued = tenge(month.principal_tiyn + month.interest_tiyn)
    debit = month.deposit if month.debit is None else month.debit
    if debit == "none":
        debited_on = None
    elif month.debit_day is None:
        debited_on = debit_on
    else:
        debited_on = due_on + timedelta(days=month.debit_day)
    return Entry(
        due_on=due_on,
        debit_on=debit_on,
        principal=tenge(month.principal_tiyn),
        interest=tenge(month.interest_tiyn),
        debited=amount_of(debit, accrued, month.share),
        debited_on=debited_on,
    )


@st.composite
def contracts(draw: st.DrawFn) -> Contract:
    first_due = draw(st.dates(date(2020, 1, 1), date(2030, 12, 1))).replace(day=draw(st.integers(1, 28)))
    debit_lag = draw(st.integers(0, 20))
    size = draw(st.integers(1, 36))
    entries, deposits = [], []
    for index, month in enumerate(draw(st.lists(MONTHS, min_size=size, max_size=size))):
        due_on = add_months(first_due, index)
        entry = month_entry(due_on, due_on + timedelta(days=debit_lag), month)
        entries.append(entry)
        paid_in = amount_of(month.deposit, entry.accrued, month.share)
        if paid_in:
            deposits.append(Deposit(on=due_on + timedelta(days=month.deposit_day), amount=paid_in))
    start = first_due - timedelta(days=40)
    deposits += [Deposit(on=start + timedelta(days=day), amount=tenge(tiyn)) for day, tiyn in draw(STRAY_DEPOSITS)]
    # The days worth looking at lie mostly between a due date and its debit date.
    around = entries[draw(st.integers(0, size - 1))].due_on
    in_debit_window = st.one_of(st.just(debit_lag), st.integers(min(1, debit_lag), debit_lag))
    today = around + timedelta(days=draw(st.one_of(in_debit_window, st.integers(-10, 40))))
    return Contract(entries=entries, deposits=deposits, today=today)


def literal_statuses(contract: Contract) -> list[Status]:
    """DESIGN §2 transcribed sum for sum, quadratic: the yardstick for the real one."""
    entries, deposits, today = contract.entries, contract.deposits, contract.today

    def debited_on_or_before(entry: Entry, day: date) -> Decimal:
        if entry.debited_on is not None and entry.debited_on <= day:
            return max(entry.debited, ZERO)
        return ZERO

    def balance(day: date) -> Decimal:
        paid_in = sum((d.amount for d in deposits if d.on <= day), ZERO)
        return paid_in - sum((debited_on_or_before(e, day) for e in entries), ZERO)

    def owed(entry: Entry, day: date) -> Decimal:
        earlier = (i for i in entries if i.due_on <= entry.due_on)
        return sum((i.accrued - debited_on_or_before(i, day) for i in earlier), ZERO)

    result = []
    for e in entries:
        if debited_on_or_before(e, today) >= e.accrued:
            result.append(Status.PAID)
        elif today > e.debit_on or (today > e.due_on and balance(e.due_on) < owed(e, e.due_on)):
            result.append(Status.OVERDUE)
        else:
            result.append(Status.PENDING)
    return result


@DETERMINISTIC
@given(contracts())
def test_statuses_agree_with_the_design_read_literally(contract: Contract) -> None:
    assert statuses(contract.entries, contract.deposits, contract.today) == literal_statuses(contract)


@DETERMINISTIC
@given(contracts())
def test_paid_iff_repaid_by_today_and_never_overdue_before_the_due_date_passes(contract: Contract) -> None:
    today = contract.today
    got = statuses(contract.entries, contract.deposits, today)
    for entry, status in zip(contract.entries, got, strict=True):
        counted = entry.debited if entry.debited_on is not None and entry.debited_on <= today else ZERO
        assert (status is Status.PAID) == (counted >= entry.accrued)
        if entry.due_on >= today:
            assert status is not Status.OVERDUE


@DETERMINISTIC
@given(contracts(), st.randoms(use_true_random=False))
def test_statuses_do_not_depend_on_input_order(contract: Contract, rng: random.Random) -> None:
    order = list(range(len(contract.entries)))
    rng.shuffle(order)
    in_order = statuses(contract.entries, contract.deposits, contract.today)
    shuffled = statuses([contract.entries[i] for i in order], contract.deposits[::-1], contract.today)
    assert shuffled == [in_order[i] for i in order]


@DETERMINISTIC
@given(contracts())
def test_figures_hold_together(contract: Contract) -> None:
    entries, deposits, today = contract.entries, contract.deposits, contract.today
    got = statuses(entries, deposits, today)
    figures = contract_figures(len(entries), entries, deposits, today)
    assert figures == contract_figures(len(entries), entries, deposits, today, statuses_=got)
    assert figures.payments_made + figures.payments_left == len(entries)
    assert figures.payments_made == got.count(Status.PAID)
    assert figures.overdue_debt >= 0
    assert ZERO <= figures.principal_left <= sum((e.principal for e in entries), ZERO)
    overdue = [e.due_on for e, s in zip(entries, got, strict=True) if s is Status.OVERDUE]
    assert figures.overdue_since == min(overdue, default=None)
    assert (figures.overdue_debt > 0) == bool(overdue)
    paid_in = sum((d.amount for d in deposits if d.on <= today), ZERO)
    assert figures.account_balance == paid_in - figures.paid_sum
