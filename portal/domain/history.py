"""The personal account's history: deposits and debits in order, each with the balance it left behind."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.domain.schedule import ZERO, Deposit, Entry


class Kind(enum.Enum):
    DEPOSIT = "deposit"
    DEBIT = "debit"


@dataclass(frozen=True)
class Operation:
    """Money into the account (a deposit) or out of it (a debit for the entry due on ``due_on``).

    ``amount`` is positive either way; ``balance`` is the account's balance right after the operation.
    """

    on: date
    kind: Kind
    amount: Decimal
    balance: Decimal
    due_on: date | None = None

    @property
    def signed_amount(self) -> Decimal:
        return self.amount if self.kind is Kind.DEPOSIT else -self.amount


def account_history(entries: Sequence[Entry], deposits: Sequence[Deposit], today: date) -> list[Operation]:
    """Every operation dated on or before ``today``, newest first, with the running balance.

    The balance is DESIGN §2's: deposits dated ≤ d − debits dated ≤ d, so the newest operation's balance is
    `contract_figures(...).account_balance`. On one day deposits come before debits (the money is in before it
    is taken); deposits keep the order they came in, debits go by their entry's due date.
    """
    moves: list[tuple[date, int, date, int, Kind, Decimal, date | None]] = []
    for position, deposit in enumerate(deposits):
        if deposit.on <= today and deposit.amount > 0:
            moves.append((deposit.on, 0, deposit.on, position, Kind.DEPOSIT, deposit.amount, None))
    for position, entry in enumerate(entries):
        debited = entry.debited_by(today)
        if debited > 0 and entry.debited_on is not None:
            moves.append((entry.debited_on, 1, entry.due_on, position, Kind.DEBIT, debited, entry.due_on))
    moves.sort(key=lambda move: move[:4])
    balance = ZERO
    operations = []
    for on, _order, _due, _position, kind, amount, due_on in moves:
        balance += amount if kind is Kind.DEPOSIT else -amount
        operations.append(Operation(on=on, kind=kind, amount=amount, balance=balance, due_on=due_on))
    operations.reverse()
    return operations


def in_period(operations: Sequence[Operation], start: date | None, end: date | None) -> list[Operation]:
    """The operations dated within [start, end]; an open end does not limit."""
    return [op for op in operations if (start is None or op.on >= start) and (end is None or op.on <= end)]
