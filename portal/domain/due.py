"""What a client has to pay (DESIGN §2): «К оплате до D» and «Просрочено сейчас» on a given day."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.domain.schedule import ZERO, Entry, Status


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
