"""What the cabinet's pages read: one of the signed-in client's contracts, with its schedule's statuses and
figures of DESIGN §2 as of today. Every lookup is scoped to the client, whose contracts come with the session's
check (client_with_contracts); the query count does not grow with the data (one query for the contract's
entries and deposits)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import literal_column, null, select, union_all
from sqlalchemy.orm import joinedload

from portal.audit import Event
from portal.clock import now
from portal.domain.clock import kazakhstan_now
from portal.domain.history import Operation, account_history
from portal.domain.schedule import ContractFigures, Entry, Status, contract_figures, statuses
from portal.domain.schedule import Deposit as DepositFact
from portal.extensions import db
from portal.models import AuditEvent, Client, Contract, Deposit, ScheduleEntry, Staff

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
    # The facts the rows and figures came from, for a statement over any period.
    facts: list[Entry] = field(default_factory=list)
    deposit_facts: list[DepositFact] = field(default_factory=list)

    @property
    def debt_total(self) -> Decimal:
        c = self.contract
        return self.figures.overdue_debt + c.penalty + c.fine + c.state_duty

    @property
    def overdue_rows(self) -> list[Row]:
        """The months behind «по ежемесячным платежам», oldest first."""
        return [row for row in self.rows if row.status is Status.OVERDUE]

    @property
    def years(self) -> list[int]:
        return sorted({row.due_on.year for row in self.rows})


def client_with_contracts(client_id: int) -> Client | None:
    """The client with its contracts, in one query: every cabinet page shows them (its tabs), whether the client
    or support looks; a client has a few contracts, so the join costs less than a second round trip."""
    return db.session.get(Client, client_id, options=[joinedload(Client.contracts)])


def chosen_contract(contracts: list[Contract], contract_id: int | None) -> Contract | None:
    """The contract asked for if it is the client's own, the first one when none is asked for; else None."""
    if contract_id is None:
        return contracts[0] if contracts else None
    return next((contract for contract in contracts if contract.id == contract_id), None)


def contract_facts(contract_id: int) -> tuple[list[Entry], list[DepositFact]]:
    """The contract's schedule (by due date) and deposits (by date and their order that day), in one query.

    The entries and the deposits come back together (a UNION ALL, each row marked with its kind), read as
    plain rows into the domain's facts: the pages need the values, not ORM objects. Building ~300 entities,
    and a second round trip to the database, were most of a page's cost (docs/performance.md)."""
    e, d = ScheduleEntry, Deposit
    nothing = null()
    entries = select(
        literal_column("0").label("kind"),
        e.due_on.label("day"),
        e.debit_on,
        e.principal.label("amount"),
        e.interest,
        e.debited,
        e.debited_on,
        literal_column("0").label("seq"),
    ).where(e.contract_id == contract_id)
    deposits = select(literal_column("1"), d.paid_on, nothing, d.amount, nothing, nothing, nothing, d.seq).where(
        d.contract_id == contract_id
    )
    facts: list[Entry] = []
    deposit_facts: list[DepositFact] = []
    # .all() fetches the rows in one call to the driver; iterating the result fetched them one call a row.
    for kind, day, debit_on, amount, interest, debited, debited_on, _seq in db.session.execute(
        union_all(entries, deposits).order_by("kind", "day", "seq")
    ).all():
        if kind == 0:
            facts.append(Entry(day, debit_on, amount, interest, debited, debited_on))
        else:
            deposit_facts.append(DepositFact(day, amount))
    return facts, deposit_facts


def contract_view(contract: Contract, today: date) -> ContractView:
    """The contract's rows and figures as of today, with the facts they came from, for the pages and documents."""
    facts, deposit_facts = contract_facts(contract.id)
    found = statuses(facts, deposit_facts, today)
    figures = contract_figures(contract.payments, facts, deposit_facts, today, found)
    rows = [
        Row(fact.due_on, fact.accrued, fact.principal, fact.interest, fact.debited_by(today), status)
        for fact, status in zip(facts, found, strict=True)
    ]
    return ContractView(contract, rows, figures, facts, deposit_facts)


def contract_history(contract: Contract, today: date) -> list[Operation]:
    """The personal account's deposits and debits up to today, newest first, each with the balance after it."""
    return account_history(*contract_facts(contract.id), today)


def current_index(rows: list[Row], today: date) -> int:
    """The row of the next payment: the first due today or later, else the last one."""
    return next((i for i, row in enumerate(rows) if row.due_on >= today), max(len(rows) - 1, 0))


@dataclass(frozen=True)
class StaffVisit:
    """Support staff looking at the client's cabinet: who, and when they last looked (Kazakhstan time)."""

    staff_name: str
    at: datetime


def staff_views(client_id: int) -> list[StaffVisit]:
    """The latest visits of support staff to this client's cabinet, newest first; one query."""
    rows = db.session.execute(
        select(AuditEvent.staff_id, AuditEvent.at, Staff.full_name)
        .join(Staff, Staff.id == AuditEvent.staff_id)
        .where(
            AuditEvent.client_id == client_id,
            AuditEvent.event == Event.STAFF_VIEWED_CLIENT.value,
            AuditEvent.at >= now() - timedelta(days=STAFF_VIEWS_DAYS),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(STAFF_VIEWS_SHOWN * 20)
    ).all()
    visits: list[StaffVisit] = []
    last: tuple[int, datetime] | None = None  # the staff member and the moment of the previous (newer) row
    for staff_id, at, name in rows:
        if last is None or last[0] != staff_id or last[1] - at > VISIT_GAP:
            if len(visits) == STAFF_VIEWS_SHOWN:
                break
            visits.append(StaffVisit(name, kazakhstan_now(at)))
        last = (staff_id, at)
    return visits
