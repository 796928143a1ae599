"""What the cabinet's pages read: one of the signed-in client's contracts, with its schedule's statuses and
figures of DESIGN §2 as of today. Every lookup is scoped to the client, whose contracts come with the session's
check (client_with_contracts); the query count does not grow with the data (one query for the contract's
entries and deposits, none when its view is cached)."""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any, NamedTuple, ParamSpec, TypeVar

from sqlalchemy import literal_column, null, select, union_all
from sqlalchemy.orm import joinedload

from portal import shared_cache
from portal.audit import Event
from portal.clock import now
from portal.domain.clock import kazakhstan_now
from portal.domain.history import Operation, account_history
from portal.domain.schedule import ContractFigures, Entry, Status, contract_figures, statuses
from portal.domain.schedule import Deposit as DepositFact
from portal.extensions import db
from portal.models import AuditEvent, Client, Contract, Deposit, ScheduleEntry, Staff

CONTRACT_COLUMNS = tuple(Contract.__mapper__.column_attrs)
P = ParamSpec("P")
R = TypeVar("R")

log = logging.getLogger(__name__)

# The client's profile names the support staff who looked at the cabinet lately: the visits of this many days,
# at most this many of them; one visit is a staff member's page views with no pause longer than VISIT_GAP.
STAFF_VIEWS_DAYS = 30
STAFF_VIEWS_SHOWN = 5
VISIT_GAP = timedelta(minutes=30)


class Row(NamedTuple):
    """One month of the schedule as the page shows it. A named tuple: a cached view's 300 rows are made again on
    every page that reads it, and as tuples they are read in 0.32 ms instead of a frozen dataclass's 0.55 ms."""

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
    or support looks."""
    return db.session.get(Client, client_id, options=[joinedload(Client.contracts)])


def shows_contracts(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a view that shows the client's contracts (their tabs, one of them): the session's check then reads
    them with the client, in the same query (auth.session.load_client). Other pages read the client alone, which
    costs less than the join. The contracts are `lazy="raise"`: a view that shows them without the mark fails at
    once in the tests. The mark is an attribute of the view, which functools.wraps carries up to the decorators
    above it."""
    view.shows_contracts = True  # type: ignore[attr-defined]
    return view


def shows_contracts_of(view: Callable[..., Any] | None) -> bool:
    return bool(getattr(view, "shows_contracts", False))


def contracts_version(contracts: list[Contract]) -> str:
    """A digest of every column of these contracts, their revisions (entries and deposits) among them: what a
    kept block of their pages depends on (portal.rendering.kept); any change to any of them gives a new one."""
    digest = hashlib.blake2b(digest_size=12)
    for contract in contracts:
        digest.update(repr(tuple(getattr(contract, column.key) for column in CONTRACT_COLUMNS)).encode())
    return digest.hexdigest()


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
    """The contract's rows and figures as of today, with the facts they came from: read and worked out afresh
    (the documents use this; the pages use page_view)."""
    facts, deposit_facts = contract_facts(contract.id)
    found = statuses(facts, deposit_facts, today)
    figures = contract_figures(contract.payments, facts, deposit_facts, today, found)
    rows = [
        Row(fact.due_on, fact.accrued, fact.principal, fact.interest, fact.debited_by(today), status)
        for fact, status in zip(facts, found, strict=True)
    ]
    return ContractView(contract, rows, figures, facts, deposit_facts)


# The shape of a cached view (_packed): a new number whenever it changes, so that a worker of the new code
# never reads what one of the old code wrote.
VIEW_FORMAT = 1
STATUS_BY_VALUE = {status.value: status for status in Status}


def page_view(contract: Contract, today: date) -> ContractView:
    """The contract's rows and figures as of today, without the facts: what the cabinet's pages show.

    Kept in the shared cache, so that the schedule's pages, the contract's tabs and the next click of a visit
    do not read and work out the same 300 to 600 rows again. The key holds all that the view depends on: the
    contract, its revision (which the database changes with every change of its entries and deposits),
    the number of payments it was signed for, and Kazakhstan's day."""
    key = f"contract-view:{VIEW_FORMAT}:{contract.id}:{contract.revision}:{contract.payments}:{today.isoformat()}"
    packed = shared_cache.get(key)
    if packed is not None:
        try:
            return _unpacked(contract, packed)
        except (KeyError, TypeError, ValueError, zlib.error):
            log.warning("a cached contract view could not be read; working it out again", exc_info=True)
    view = contract_view(contract, today)
    shared_cache.set(key, lambda: _packed(view))
    return ContractView(contract, view.rows, view.figures)


class DeferredView:
    """A contract's page view (page_view) worked out only when something other than the contract is asked of it:
    a page whose kept HTML is found (portal.rendering.kept) needs none of its rows or figures."""

    def __init__(self, contract: Contract, today: date) -> None:
        self.contract = contract
        self._today = today

    @cached_property
    def _view(self) -> ContractView:
        return page_view(self.contract, self._today)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._view, name)


def _packed(view: ContractView) -> bytes:
    """The rows and figures as JSON of plain values (ISO dates, amounts as exact strings), compressed: about
    1.5 KB for 300 rows."""
    rows = [
        (r.due_on.isoformat(), str(r.accrued), str(r.principal), str(r.interest), str(r.debited), r.status.value)
        for r in view.rows
    ]
    f = view.figures
    figures = (
        f.payments_made,
        str(f.paid_sum),
        f.payments_left,
        str(f.principal_left),
        str(f.account_balance),
        str(f.overdue_debt),
        f.overdue_since.isoformat() if f.overdue_since else None,
    )
    return zlib.compress(json.dumps((rows, figures), separators=(",", ":")).encode(), 1)


def _unpacked(contract: Contract, packed: bytes) -> ContractView:
    rows, (made, paid, left, principal_left, balance, overdue, since) = json.loads(zlib.decompress(packed))
    return ContractView(
        contract,
        [
            Row(
                date.fromisoformat(due_on),
                Decimal(accrued),
                Decimal(principal),
                Decimal(interest),
                Decimal(debited),
                STATUS_BY_VALUE[status],
            )
            for due_on, accrued, principal, interest, debited, status in rows
        ],
        ContractFigures(
            made,
            Decimal(paid),
            left,
            Decimal(principal_left),
            Decimal(balance),
            Decimal(overdue),
            date.fromisoformat(since) if since else None,
        ),
    )


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
