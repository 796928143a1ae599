"""What a client has to pay (DESIGN §2): «К оплате до D» and «Просрочено сейчас» on a given day, and what an
early repayment on a chosen day would take, whole («Досрочное погашение», «Выкуп») or in part."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from portal.domain.schedule import ZERO, Entry, Status

CENT = Decimal("0.01")


@dataclass(frozen=True)
class AmountDue:
    """«К оплате до `pay_by`» is `amount`; «Просрочено сейчас» is `overdue`, shown only above zero.

    `pay_by` is the first due date on or after the day, None once every entry's due date has passed (then all
    that is owed is owed now)."""

    pay_by: date | None
    amount: Decimal
    overdue: Decimal


def amount_due(
    entries: Sequence[Entry], statuses: Sequence[Status], charges: Decimal, balance: Decimal, today: date
) -> AmountDue:
    """What is unpaid of every entry due by the next due date that is not «Погашено», plus the charges (пеня,
    штраф, госпошлина), minus what the personal account holds; and the same for the entries due before today.
    Neither is ever below zero."""
    ahead = [entry.due_on for entry in entries if entry.due_on >= today]
    pay_by = min(ahead) if ahead else None

    def owed(counts: Callable[[date], bool]) -> Decimal:
        unpaid = sum(
            (
                entry.accrued - entry.debited_by(today)
                for entry, status in zip(entries, statuses, strict=True)
                if status is not Status.PAID and counts(entry.due_on)
            ),
            ZERO,
        )
        return max(unpaid + charges - balance, ZERO)

    return AmountDue(
        pay_by=pay_by,
        amount=owed(lambda due_on: pay_by is None or due_on <= pay_by),
        overdue=owed(lambda due_on: due_on < today),
    )


@dataclass(frozen=True)
class EarlyRepayment:
    """What would close the contract on `on`, part by part (DESIGN §2), a preliminary estimate.

    `total` = `principal` + `reward` + `unpaid` + `charges` − `balance`, never below zero."""

    on: date
    principal: Decimal  # principal not yet repaid of the entries due after `on`
    reward: Decimal  # the running period's reward (вознаграждение), pro rata by days
    unpaid: Decimal  # what is unpaid of the entries due on or before `on`, principal and reward
    charges: Decimal  # пеня, штраф and государственная пошлина
    balance: Decimal  # what the personal account holds, taken off
    total: Decimal


def early_repayment(
    entries: Sequence[Entry], charges: Decimal, balance: Decimal, signed_on: date, today: date, on: date
) -> EarlyRepayment:
    """The amount that would close the contract on `on` (today or later), from what was debited by `today`."""
    ordered = sorted(entries, key=lambda entry: entry.due_on)
    unpaid = sum((max(e.accrued - e.debited_by(today), ZERO) for e in ordered if e.due_on <= on), ZERO)
    later = [entry for entry in ordered if entry.due_on > on]
    principal = sum((max(e.principal - e.debited_by(today), ZERO) for e in later), ZERO)
    reward = ZERO
    if later:
        running = later[0]
        before = [entry.due_on for entry in ordered if entry.due_on <= on]
        started = before[-1] if before else signed_on
        period = (running.due_on - started).days
        if period > 0:
            reward = (running.interest * max((on - started).days, 0) / period).quantize(CENT)
    total = max(principal + reward + unpaid + charges - balance, ZERO)
    return EarlyRepayment(on, principal, reward, unpaid, charges, balance, total)


@dataclass(frozen=True)
class PartialRepayment:
    """What paying `amount` of the principal early would do, by the contract's own annuity: the same monthly
    payment for fewer months, or the same months for a lower payment."""

    amount: Decimal
    monthly_rate: Decimal
    payments_left: int
    monthly_payment: Decimal
    shorter_payments_left: int
    lower_monthly_payment: Decimal


def monthly_rate(entries: Sequence[Entry], on: date) -> Decimal:
    """The contract's monthly rate as its schedule shows it: the reward of the first entry due after `on` over the
    principal still to be repaid before it (exact for an annuity schedule). Zero when nothing is left."""
    later = sorted((entry for entry in entries if entry.due_on > on), key=lambda entry: entry.due_on)
    outstanding = sum((entry.principal for entry in later), ZERO)
    if not later or outstanding <= 0:
        return Decimal(0)
    return later[0].interest / outstanding


def annuity(principal: Decimal, rate: Decimal, payments: int) -> Decimal:
    """The monthly payment that repays `principal` in `payments` months at `rate` a month."""
    if payments <= 0:
        return ZERO
    if rate == 0:
        return (principal / payments).quantize(CENT)
    return (principal * rate / (1 - (1 + rate) ** -payments)).quantize(CENT)


def payments_for(principal: Decimal, rate: Decimal, payment: Decimal) -> int:
    """How many monthly payments of `payment` repay `principal` at `rate` a month (the last one may be smaller)."""
    if principal <= 0:
        return 0
    if rate == 0:
        return int((principal / payment).to_integral_value(rounding=ROUND_CEILING))
    share = principal * rate / payment
    if share >= 1:
        raise ValueError("the payment does not cover the monthly reward")
    months = -(1 - share).ln() / (1 + rate).ln()
    return int(months.to_integral_value(rounding=ROUND_CEILING))


def partial_repayment(entries: Sequence[Entry], today: date, on: date, amount: Decimal) -> PartialRepayment | None:
    """What `amount` paid early on `on` would do; None when it would close the contract or nothing is left."""
    later = [entry for entry in entries if entry.due_on > on]
    outstanding = sum((max(e.principal - e.debited_by(today), ZERO) for e in later), ZERO)
    if not later or amount <= 0 or amount >= outstanding:
        return None
    rate = monthly_rate(entries, on)
    payment = annuity(outstanding, rate, len(later))
    rest = outstanding - amount
    return PartialRepayment(
        amount=amount,
        monthly_rate=rate,
        payments_left=len(later),
        monthly_payment=payment,
        shorter_payments_left=payments_for(rest, rate, payment),
        lower_monthly_payment=annuity(rest, rate, len(later)),
    )
