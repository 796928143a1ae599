"""Which schedule entries call for an SMS reminder today: a payment due soon that the account will not cover,
or a payment that was missed. Sending, and remembering what was sent, is the caller's business."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.domain.schedule import ZERO, Deposit, Entry, Status, statuses


class Reason(enum.Enum):
    UPCOMING = "upcoming"  # due within the next days, and the balance will not cover it
    MISSED = "missed"  # overdue: the debit did not happen


@dataclass(frozen=True)
class Due:
    """An entry (by its index in the schedule) that calls for a reminder, and why."""

    index: int
    reason: Reason
    due_on: date
    # UPCOMING: what the account lacks to cover this entry and everything unpaid before it.
    # MISSED: what is still unpaid of this entry.
    amount: Decimal


def reminders_due(
    entries: Sequence[Entry],
    deposits: Sequence[Deposit],
    today: date,
    days_before: int,
    found: Sequence[Status] | None = None,
) -> list[Due]:
    """The reminders the schedule calls for on ``today``, oldest entry first.

    UPCOMING: an entry not repaid, due between today and ``days_before`` days from now, while today's balance is
    less than what is unpaid of it and of every entry due before it (money pays the oldest debt first; money not
    yet paid in is not counted on). MISSED: an entry whose status is «Просрочено». ``found``: the entries'
    statuses on ``today`` when the caller has them already (schedule.statuses), else they are worked out here.
    """
    if found is None:
        found = statuses(entries, deposits, today)
    balance = sum((d.amount for d in deposits if d.on <= today), ZERO) - sum(
        (e.debited_by(today) for e in entries), ZERO
    )
    order = sorted(range(len(entries)), key=lambda i: entries[i].due_on)
    owed = ZERO
    result = []
    for index in order:
        entry, status = entries[index], found[index]
        unpaid = max(entry.accrued - entry.debited_by(today), ZERO)
        owed += unpaid
        if status is Status.OVERDUE:
            result.append(Due(index, Reason.MISSED, entry.due_on, unpaid))
        elif (
            status is Status.PENDING
            and unpaid > 0
            and 0 <= (entry.due_on - today).days <= days_before
            and balance < owed
        ):
            result.append(Due(index, Reason.UPCOMING, entry.due_on, owed - balance))
    return result
