"""What the cabinet's pages read: one of the signed-in client's contracts, with its schedule's statuses and
figures of DESIGN §2 as of today, and the notices for clients shown now. Every lookup is scoped to the client, whose
contracts (and the notices) come with the session's check (client_with_contracts); the query count does not grow
with the data (one query for the contract's entries and deposits)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Integer, inspect, literal_column, null, select
from sqlalchemy.orm import joinedload

from portal.audit import Event
from portal.clock import now
from portal.domain.clock import kazakhstan_now
from portal.domain.due import AmountDue, amount_due
from portal.domain.history import Operation, account_history
from portal.domain.schedule import ContractFigures, Entry, Status, contract_figures, statuses
from portal.domain.schedule import Deposit as DepositFact
from portal.extensions import db
from portal.import_runs import last_run
from portal.models import AuditEvent, Client, ClientNotice, Contract, Deposit, ScheduleEntry, Staff

# The client's profile names the support staff who looked at the cabinet lately: the visits of this many days,
# at most this many of them; one visit is a staff member's page views with no pause longer than VISIT_GAP.
STAFF_VIEWS_DAYS = 30
STAFF_VIEWS_SHOWN = 5
VISIT_GAP = timedelta(minutes=30)


class Row(NamedTuple):
    """One month of the schedule as the page shows it."""

    due_on: date
    accrued: Decimal
    principal: Decimal
    interest: Decimal
    debited: Decimal
    status: Status


@dataclass(frozen=True)
class ContractView:
    contract: Contract
    rows: list[Row]
    figures: ContractFigures
    due: AmountDue
    # The facts the rows and figures came from, for a statement over any period.
    facts: list[Entry]
    deposit_facts: list[DepositFact]

    @property
    def charges(self) -> Decimal:
        return self.contract.charges

    @property
    def debt_total(self) -> Decimal:
        return self.figures.overdue_debt + self.contract.charges

    @property
    def overdue_rows(self) -> list[Row]:
        """The months behind «по ежемесячным платежам», oldest first."""
        return [row for row in self.rows if row.status is Status.OVERDUE]

    @property
    def years(self) -> list[int]:
        return sorted({row.due_on.year for row in self.rows})


def client_with_contracts(client_id: int) -> Client | None:
    """The client with its contracts and the notices for clients shown now, in one query: every cabinet page shows
    them (its tabs, the banner), whether the client or support looks; a client has a few contracts and there are a
    few notices at a time, so the joins cost less than a second round trip."""
    moment = now()
    shown_now = Client.notices.and_(ClientNotice.starts_at <= moment, ClientNotice.ends_at > moment)
    return db.session.get(Client, client_id, options=[joinedload(Client.contracts), joinedload(shown_now)])


@dataclass(frozen=True)
class NoticeShown:
    """A notice for clients as the banner shows it: its text in the page's language."""

    id: int
    text: str


def notices_shown(client: Client, language: str, dismissed: Collection[int]) -> list[NoticeShown]:
    """The notices loaded with the client (client_with_contracts) that the client has not dismissed in this session.

    Never a query: a client not loaded that way (or expired by a commit since) shows none."""
    loaded: list[ClientNotice] | object = inspect(client).attrs.notices.loaded_value
    if not isinstance(loaded, list):  # NO_VALUE: not loaded
        return []
    return [NoticeShown(notice.id, notice.text(language)) for notice in loaded if notice.id not in dismissed]


def chosen_contract(contracts: list[Contract], contract_id: int | None) -> Contract | None:
    """The contract asked for if it is the client's own, the first one when none is asked for; else None."""
    if contract_id is None:
        return contracts[0] if contracts else None
    return next((contract for contract in contracts if contract.id == contract_id), None)


Facts = tuple[list[Entry], list[DepositFact]]


def contracts_facts(contract_ids: list[int]) -> dict[int, Facts]:
    """Each contract's schedule (by due date) and deposits (by date and their order that day), in one query.

    The entries and the deposits come back together (a UNION ALL, each row marked with its kind), read as plain
    rows into the domain's facts: the pages need the values, not ORM objects."""
    e, d = ScheduleEntry, Deposit
    nothing = null()
    entries = select(
        e.contract_id,
        literal_column("0", Integer).label("kind"),
        e.due_on.label("day"),
        e.debit_on,
        e.principal.label("amount"),
        e.interest,
        e.debited,
        e.debited_on,
        literal_column("0", Integer).label("seq"),
    ).where(e.contract_id.in_(contract_ids))
    deposits = select(
        d.contract_id, literal_column("1", Integer), d.paid_on, nothing, d.amount, nothing, nothing, nothing, d.seq
    ).where(d.contract_id.in_(contract_ids))
    found: dict[int, Facts] = {contract_id: ([], []) for contract_id in contract_ids}
    # Typed as the schedule's rows: a deposit's row (kind 1) has None in the columns only the schedule's rows use.
    for contract_id, kind, day, debit_on, amount, interest, debited, debited_on, _seq in db.session.execute(
        entries.union_all(deposits).order_by("kind", "day", "seq")
    ).all():
        schedule, paid_in = found[contract_id]
        if kind == 0:
            schedule.append(Entry(day, debit_on, amount, interest, debited, debited_on))
        else:
            paid_in.append(DepositFact(day, amount))
    return found


def contract_views(contracts: list[Contract], today: date) -> list[ContractView]:
    """Each contract's rows, figures and amount due as of today, with the facts they came from; one query."""
    facts = contracts_facts([contract.id for contract in contracts])
    return [_view(contract, *facts[contract.id], today) for contract in contracts]


def contract_view(contract: Contract, today: date) -> ContractView:
    """One contract's view (contract_views), for its pages and documents."""
    return contract_views([contract], today)[0]


def _view(contract: Contract, entries: list[Entry], deposits: list[DepositFact], today: date) -> ContractView:
    found = statuses(entries, deposits, today)
    figures = contract_figures(contract.payments, entries, deposits, today, found)
    rows = [
        Row(entry.due_on, entry.accrued, entry.principal, entry.interest, entry.debited_by(today), status)
        for entry, status in zip(entries, found, strict=True)
    ]
    due = amount_due(entries, found, contract.charges, figures.account_balance, today)
    return ContractView(contract, rows, figures, due, entries, deposits)


def contract_history(contract: Contract, today: date) -> list[Operation]:
    """The personal account's deposits and debits up to today, newest first, each with the balance after it."""
    return account_history(*contracts_facts([contract.id])[contract.id], today)


def current_index(rows: list[Row], today: date) -> int:
    """The row of the next payment: the first due today or later, else the last one."""
    return next((i for i, row in enumerate(rows) if row.due_on >= today), max(len(rows) - 1, 0))


@dataclass(frozen=True)
class StaffVisit:
    """Support staff looking at the client's cabinet: who, and when they last looked (Kazakhstan time); or, when
    `cleared`, lifting the client's sign-in restrictions then."""

    staff_name: str
    at: datetime
    cleared: bool = False


def staff_views(client_id: int) -> list[StaffVisit]:
    """The latest visits of support staff to this client's cabinet, and their clearings of the sign-in restrictions,
    newest first; one query."""
    rows = db.session.execute(
        select(AuditEvent.staff_id, AuditEvent.at, AuditEvent.event, Staff.full_name)
        .join(Staff, Staff.id == AuditEvent.staff_id)
        .where(
            AuditEvent.client_id == client_id,
            AuditEvent.event.in_([Event.STAFF_VIEWED_CLIENT.value, Event.STAFF_CLEARED_SIGN_IN.value]),
            AuditEvent.at >= now() - timedelta(days=STAFF_VIEWS_DAYS),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(STAFF_VIEWS_SHOWN * 20)
    ).all()
    visits: list[StaffVisit] = []
    last: tuple[int | None, datetime] | None = None  # the staff member and the moment of the previous (newer) view
    for staff_id, at, event, name in rows:
        cleared = event == Event.STAFF_CLEARED_SIGN_IN.value
        if cleared or last is None or last[0] != staff_id or last[1] - at > VISIT_GAP:
            if len(visits) == STAFF_VIEWS_SHOWN:
                break
            visits.append(StaffVisit(name, kazakhstan_now(at), cleared))
        if not cleared:
            last = (staff_id, at)
    return visits


def last_import() -> datetime | None:
    """When the core system's data was last brought in, in Kazakhstan's time; None before the first load."""
    run = last_run(db.session())
    return kazakhstan_now(run.finished_at) if run is not None else None
