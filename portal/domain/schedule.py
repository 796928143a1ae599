"""A contract's payment schedule: each entry's status and the figures on a given day."""

import enum
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import accumulate
from typing import Final

ZERO: Final = Decimal("0.00")


class Status(enum.Enum):
    """The manual's three statuses, in its order; the web layer names them in the user's language."""

    PAID = "paid"
    OVERDUE = "overdue"
    PENDING = "pending"


@dataclass(frozen=True)
class Entry:
    """One month of the schedule; ``debited`` was taken for it on ``debited_on``."""

    due_on: date
    debit_on: date
    principal: Decimal
    interest: Decimal
    debited: Decimal = ZERO
    debited_on: date | None = None

    @property
    def accrued(self) -> Decimal:
        return self.principal + self.interest

    def debited_by(self, day: date) -> Decimal:
        """What was debited for this entry on or before ``day``.

        A debit without a date cannot be placed in time, so it never counts.
        """
        if self.debited_on is None or self.debited_on > day or self.debited <= 0:
            return ZERO
        return self.debited

    def is_repaid_by(self, day: date) -> bool:
        return self.debited_by(day) >= self.accrued


@dataclass(frozen=True)
class Deposit:
    on: date
    amount: Decimal


class _RunningTotal:
    """The sum of the amounts dated on or before a day, by bisection over the dates."""

    def __init__(self, dated_amounts: Iterable[tuple[date, Decimal]]) -> None:
        ordered = sorted(dated_amounts, key=lambda pair: pair[0])
        self._dates = [day for day, _ in ordered]
        self._totals = list(accumulate((amount for _, amount in ordered), initial=ZERO))

    def up_to(self, day: date) -> Decimal:
        return self._totals[bisect_right(self._dates, day)]


def statuses(entries: Sequence[Entry], deposits: Sequence[Deposit], today: date) -> list[Status]:
    """The status of each entry as of ``today``, in the order the entries came.

    An entry not repaid is overdue once its planned debit date has passed, or once its
    due date has passed while the account held less on that date than was unpaid of it
    and of every entry due no later: money pays the oldest debt first. Otherwise it
    waits for the debit.
    """
    deposited = _RunningTotal((deposit.on, deposit.amount) for deposit in deposits)
    debited = _RunningTotal(
        (entry.debited_on, entry.debited_by(today)) for entry in entries if entry.debited_on is not None
    )
    accrued = _RunningTotal((entry.due_on, entry.accrued) for entry in entries)
    # An entry is judged on its own due date d only, and what counts against the debt
    # due by d is a debit for an entry due by d made by d: the later of its two dates
    # is on or before d. So one running total over that later date serves every entry.
    settled = _RunningTotal(
        (max(entry.due_on, entry.debited_on), entry.debited_by(today))
        for entry in entries
        if entry.debited_on is not None
    )

    def is_covered(entry: Entry) -> bool:
        day = entry.due_on
        balance = deposited.up_to(day) - debited.up_to(day)
        return balance >= accrued.up_to(day) - settled.up_to(day)

    result = []
    for entry in entries:
        if entry.is_repaid_by(today):
            result.append(Status.PAID)
        elif today > entry.debit_on or (today > entry.due_on and not is_covered(entry)):
            result.append(Status.OVERDUE)
        else:
            result.append(Status.PENDING)
    return result


@dataclass(frozen=True)
class ContractFigures:
    payments_made: int
    paid_sum: Decimal
    payments_left: int
    principal_left: Decimal
    account_balance: Decimal
    overdue_debt: Decimal
    overdue_since: date | None


def contract_figures(
    number_of_payments: int,
    entries: Sequence[Entry],
    deposits: Sequence[Deposit],
    today: date,
    statuses_: Sequence[Status] | None = None,
) -> ContractFigures:
    """The figures of a contract as of ``today``.

    Pass ``statuses_`` when the page has computed them already. ``account_balance``
    is deposits minus debits as recorded, so it is negative while a debit is on file
    before the deposit that paid for it.
    """
    if statuses_ is None:
        statuses_ = statuses(entries, deposits, today)
    elif len(statuses_) != len(entries):
        raise ValueError("statuses_ must hold one status per entry")
    payments_made = 0
    paid_sum = principal_left = overdue_debt = ZERO
    overdue_since: date | None = None
    for entry, status in zip(entries, statuses_, strict=True):
        debited = entry.debited_by(today)
        paid_sum += debited
        if status is Status.PAID:
            payments_made += 1
            continue
        principal_left += entry.principal
        if status is Status.OVERDUE:
            overdue_debt += entry.accrued - debited
            if overdue_since is None or entry.due_on < overdue_since:
                overdue_since = entry.due_on
    deposited = sum((d.amount for d in deposits if d.on <= today), ZERO)
    return ContractFigures(
        payments_made=payments_made,
        paid_sum=paid_sum,
        payments_left=max(number_of_payments - payments_made, 0),
        principal_left=principal_left,
        account_balance=deposited - paid_sum,
        overdue_debt=overdue_debt,
        overdue_since=overdue_since,
    )
