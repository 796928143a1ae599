"""`portal remind`: SMS reminders of payments, each sent at most once per schedule entry and reason.

What to remind of comes from portal.domain.reminders. A reminder is claimed before it is sent: its rows go into
`reminders_sent` (a unique key on entry and reason; ON CONFLICT DO NOTHING) and are committed, and only the run
whose insert took a row sends about it. A second run, or two runs at once, find the rows taken. If the gateway
refuses the message the claim is withdrawn so that the next run tries again; if the process dies between the
commit and the send, that reminder is lost rather than sent twice: a missing SMS is the lesser harm.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from flask import g
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.domain.due import AmountDue, amount_due
from portal.domain.phone import mask_phone
from portal.domain.reminders import Due, Reason, reminders_due
from portal.domain.schedule import contract_figures, statuses
from portal.i18n import day, money
from portal.models import Client, Contract, Deposit, ReminderSent, ScheduleEntry
from portal.sms import SmsError, gateway_for

log: Final = logging.getLogger("portal.reminders")


def _claim(session: Session, entry_ids: list[int], reason: Reason, moment: datetime) -> list[int]:
    """Record the reminders about these entries; the ids whose row this call inserted (the others were taken)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    claimed = []
    for entry_id in entry_ids:
        statement = (
            insert(ReminderSent)
            .values(schedule_entry_id=entry_id, reason=reason.value, sent_at=moment)
            .on_conflict_do_nothing(index_elements=["schedule_entry_id", "reason"])
            .returning(ReminderSent.id)
        )
        # A row comes back only when this statement inserted it (rowcount is not reliable with RETURNING).
        if session.execute(statement).scalar_one_or_none() is not None:
            claimed.append(entry_id)
    session.commit()
    return claimed


@dataclass(frozen=True)
class Pending:
    """The reminders of one reason about one contract, not yet claimed, with what the SMS needs."""

    phone: str
    language: str
    is_demo: bool
    number: str
    reason: Reason
    dues: dict[int, Due]  # by schedule entry id
    due: AmountDue  # «К оплате до …» and «Просрочено сейчас», as the cabinet shows them

    def text(self, claimed: set[int]) -> str:
        """The same figures and date as the cabinet shows (portal/domain/due.py)."""
        latest = max((due for entry_id, due in self.dues.items() if entry_id in claimed), key=lambda d: d.due_on)
        with force_locale(self.language):
            if self.reason is Reason.UPCOMING:
                text = _(
                    "Напоминание: по договору %(number)s к оплате до %(date)s %(amount)s, как в личном кабинете. "
                    "Пополните лицевой счет.",
                    number=self.number,
                    date=day(self.due.pay_by or latest.due_on),
                    amount=money(self.due.amount),
                )
            else:
                text = _(
                    "Платеж по договору %(number)s от %(date)s не списан. Просрочено сейчас: %(amount)s. "
                    "Пополните лицевой счет.",
                    number=self.number,
                    date=day(latest.due_on),
                    amount=money(self.due.overdue),
                )
        return str(text)


def send_reminders(
    session: Session, today: date, days_before: int, config: Mapping[str, Any], clock: Callable[[], datetime]
) -> int:
    """Remind every registered client who has not turned reminders off; the number of SMS sent."""
    # Flask-Babel takes an empty `g` for "no context" and would ignore force_locale; this run is a context.
    g.portal_task = "remind"
    contracts = session.scalars(
        select(Contract)
        .join(Client)
        .where(Client.password_hash.is_not(None), Client.reminders.is_(True))
        .order_by(Contract.id)
    ).all()
    ids = [contract.id for contract in contracts]
    clients = {c.id: c for c in session.scalars(select(Client).where(Client.id.in_({k.client_id for k in contracts})))}
    entries: dict[int, list[ScheduleEntry]] = defaultdict(list)
    for entry in session.scalars(
        select(ScheduleEntry).where(ScheduleEntry.contract_id.in_(ids)).order_by(ScheduleEntry.due_on)
    ):
        entries[entry.contract_id].append(entry)
    deposits: dict[int, list[Deposit]] = defaultdict(list)
    for deposit in session.scalars(select(Deposit).where(Deposit.contract_id.in_(ids))):
        deposits[deposit.contract_id].append(deposit)
    taken = {
        (entry_id, reason)
        for entry_id, reason in session.execute(
            select(ReminderSent.schedule_entry_id, ReminderSent.reason)
            .join(ScheduleEntry)
            .where(ScheduleEntry.contract_id.in_(ids))
        )
    }
    pending = []
    for contract in contracts:
        client, rows = clients[contract.client_id], entries[contract.id]
        facts, paid_in = [row.as_fact() for row in rows], [d.as_fact() for d in deposits[contract.id]]
        found_statuses = statuses(facts, paid_in, today)  # once: for the reminders and for the amount due
        found = reminders_due(facts, paid_in, today, days_before, found_statuses)
        if not found:
            continue
        balance = contract_figures(contract.payments, facts, paid_in, today, found_statuses).account_balance
        due = amount_due(facts, found_statuses, contract.charges, balance, today)
        for reason in Reason:
            if (due.amount if reason is Reason.UPCOMING else due.overdue) <= 0:
                continue  # the cabinet says nothing is to be paid: no SMS says otherwise
            dues = {
                rows[due_entry.index].id: due_entry
                for due_entry in found
                if due_entry.reason is reason and (rows[due_entry.index].id, reason.value) not in taken
            }
            if dues:
                language = client.language or "ru"
                pending.append(Pending(client.phone, language, client.is_demo, contract.number, reason, dues, due))
    session.rollback()  # end the reading transaction before claiming

    sent = 0
    for reminder in pending:
        claimed = set(_claim(session, list(reminder.dues), reminder.reason, clock()))
        if not claimed:
            continue
        try:
            gateway_for(config, clock, demo=reminder.is_demo).send(reminder.phone, reminder.text(claimed))
        except SmsError:
            log.warning(
                "%s reminder to %s not sent; the next run tries again",
                reminder.reason.value,
                mask_phone(reminder.phone),
            )
            session.execute(
                delete(ReminderSent).where(
                    ReminderSent.schedule_entry_id.in_(claimed), ReminderSent.reason == reminder.reason.value
                )
            )
            session.commit()
            continue
        sent += 1
    return sent
