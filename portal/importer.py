"""`portal import`: the core system's JSON export, validated whole, then upserted in one transaction.

The file is authoritative for every client and contract it names: their fields, their schedule and their
deposits are made to match it. Clients and contracts that the file does not name are left as they are.
Rows are written with set-based upserts (one statement per table and batch), never ORM objects one by one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from sqlalchemy import Table, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.domain.iin import InvalidIIN, parse_iin
from portal.domain.money import InvalidMoney, parse_money
from portal.domain.phone import InvalidPhone, normalize_phone
from portal.models import Client, Contract, Deposit, ScheduleEntry

BATCH = 2000  # rows per statement: well under SQLite's and PostgreSQL's parameter limits


def _money(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise ValueError('must be a decimal string such as "151234.56"')
    try:
        return parse_money(value)
    except InvalidMoney as error:
        raise ValueError(
            {
                "not_a_number": "not a number",
                "negative": "must not be negative",
                "too_precise": "more than two decimal places",
                "too_large": "too large",
            }[error.reason.value]
        ) from None


Money = Annotated[Decimal, BeforeValidator(_money)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ScheduleRecord(_Record):
    due_on: date
    debit_on: date
    principal: Money
    interest: Money
    debited: Money = Decimal("0.00")
    debited_on: date | None = None

    @model_validator(mode="after")
    def _dates_agree(self) -> ScheduleRecord:
        if self.debit_on < self.due_on:
            raise ValueError("debit_on is before due_on")
        if self.debited > self.principal + self.interest:
            raise ValueError("debited is more than principal + interest")
        if self.debited > 0 and self.debited_on is None:
            raise ValueError("debited_on is missing for a debited amount")
        return self


class DepositRecord(_Record):
    on: date
    amount: Money

    @field_validator("amount")
    @classmethod
    def _positive(cls, amount: Decimal) -> Decimal:
        if amount <= 0:
            raise ValueError("must be more than zero")
        return amount


# The column sizes of portal.models.Contract.
_TEXT_LIMITS = {"number": 50, "collateral": 200, "address": 2000}


class ContractRecord(_Record):
    number: str
    account: str
    kind: Literal["rent_to_own", "loan"]
    signed_on: date
    ends_on: date
    collateral: str
    address: str
    amount: Money
    payments: int
    monthly_payment: Money
    payment_day: int
    penalty: Money
    fine: Money
    state_duty: Money
    schedule: list[ScheduleRecord]
    deposits: list[DepositRecord] = []

    @field_validator("number", "collateral", "address")
    @classmethod
    def _not_blank(cls, value: str, info: ValidationInfo) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        if len(value) > _TEXT_LIMITS[str(info.field_name)]:
            raise ValueError(f"longer than {_TEXT_LIMITS[str(info.field_name)]} characters")
        return value.strip()

    @field_validator("account")
    @classmethod
    def _account_digits(cls, value: str) -> str:
        if not (value.isascii() and value.isdigit() and 6 <= len(value) <= 20):
            raise ValueError("must be 6 to 20 digits")
        return value

    @field_validator("payments")
    @classmethod
    def _payments_positive(cls, value: int) -> int:
        if not 1 <= value <= 1200:
            raise ValueError("must be between 1 and 1200")
        return value

    @field_validator("payment_day")
    @classmethod
    def _day_of_month(cls, value: int) -> int:
        if not 1 <= value <= 31:
            raise ValueError("must be between 1 and 31")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ContractRecord:
        if self.ends_on < self.signed_on:
            raise ValueError("ends_on is before signed_on")
        duplicates = [due for due, n in Counter(e.due_on for e in self.schedule).items() if n > 1]
        if duplicates:
            raise ValueError(f"schedule has two entries due on {duplicates[0].isoformat()}")
        if len(self.schedule) > self.payments:
            raise ValueError("schedule has more entries than payments")
        return self


class ClientRecord(_Record):
    iin: str
    last_name: str
    first_name: str
    middle_name: str | None = None
    gender: Literal["M", "F"]
    birth_date: date
    id_number: str
    id_issued_on: date
    id_valid_until: date
    id_issuer: str
    email: str | None = None
    phone: str
    contracts: list[ContractRecord]

    @field_validator("iin")
    @classmethod
    def _valid_iin(cls, value: str) -> str:
        try:
            return parse_iin(value).value
        except InvalidIIN as error:
            raise ValueError(f"not a valid IIN ({error.reason.name.lower()})") from None

    @field_validator("phone")
    @classmethod
    def _mobile(cls, value: str) -> str:
        try:
            return normalize_phone(value)
        except InvalidPhone:
            raise ValueError("not a Kazakhstan mobile number") from None

    @field_validator("last_name", "first_name", "id_number", "id_issuer")
    @classmethod
    def _required_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        if len(value) > 200:
            raise ValueError("too long")
        return value.strip()


class ImportDocument(_Record):
    clients: list[ClientRecord]


class ImportRejected(Exception):
    """The file was not imported; `problems` names every bad record by its path."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = list(problems)


@dataclass
class ImportReport:
    clients: int = 0
    contracts: int = 0
    schedule_entries: int = 0
    deposits: int = 0
    removed: Counter[str] = field(default_factory=Counter)

    @property
    def rows(self) -> int:
        return self.clients + self.contracts + self.schedule_entries + self.deposits


_MESSAGES = {
    "missing": "missing",
    "extra_forbidden": "unknown field",
    "string_type": "not a string",
    "int_type": "not a whole number",
    "list_type": "not a list",
    "model_type": "not an object",
    "date_type": "not a date (YYYY-MM-DD)",
    "date_parsing": "not a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "not a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "not a date (YYYY-MM-DD)",
    "literal_error": "not one of the allowed values",
    "json_invalid": "not valid JSON",
    "json_type": "not valid JSON",
}


def _path(location: Iterable[int | str]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(document)"


def problems_of(error: ValidationError) -> Iterator[str]:
    for detail in error.errors(include_url=False):
        kind = detail["type"]
        if kind == "value_error":
            message = str(detail["ctx"]["error"])
        elif kind == "literal_error":
            message = f"must be {detail['ctx']['expected']}"
        else:
            message = _MESSAGES.get(kind, detail["msg"].lower())
        yield f"{_path(detail['loc'])}: {message}"


def parse_document(raw: bytes | str) -> ImportDocument:
    """Validate the whole file and the rules that span records; raise ImportRejected naming every problem."""
    try:
        document = ImportDocument.model_validate_json(raw)
    except ValidationError as error:
        raise ImportRejected(list(problems_of(error))) from None
    problems = list(_cross_record_problems(document))
    if problems:
        raise ImportRejected(problems)
    return document


def _cross_record_problems(document: ImportDocument) -> Iterator[str]:
    seen_iin: dict[str, int] = {}
    seen_number: dict[str, str] = {}
    seen_account: dict[str, str] = {}
    for i, client in enumerate(document.clients):
        if client.iin in seen_iin:
            yield f"clients[{i}].iin: the same IIN as clients[{seen_iin[client.iin]}]"
        seen_iin.setdefault(client.iin, i)
        for j, contract in enumerate(client.contracts):
            here = f"clients[{i}].contracts[{j}]"
            if contract.number in seen_number:
                yield f"{here}.number: the same contract number as {seen_number[contract.number]}"
            if contract.account in seen_account:
                yield f"{here}.account: the same account number as {seen_account[contract.account]}"
            seen_number.setdefault(contract.number, here)
            seen_account.setdefault(contract.account, here)


def _chunks(rows: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _upsert(session: Session, table: Table, rows: list[dict[str, Any]], key: Sequence[str]) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE, touching a row only when a value differs."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    changing = [name for name in rows[0] if name not in key]
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: statement.excluded[name] for name in changing},
        where=_any_differs(table, statement.excluded, changing),
    )
    for chunk in _chunks(rows):
        session.execute(statement, list(chunk))


def _any_differs(table: Table, excluded: Any, names: Sequence[str]) -> Any:
    return or_(*(table.c[name].is_distinct_from(excluded[name]) for name in names))


def _ids_by(session: Session, column: Any, id_column: Any, keys: Sequence[Any]) -> dict[Any, int]:
    found: dict[Any, int] = {}
    for chunk in _chunks(list(keys)):
        found.update(
            (key, row_id) for key, row_id in session.execute(select(column, id_column).where(column.in_(chunk)))
        )
    return found


def _owner_conflicts(session: Session, document: ImportDocument) -> Iterator[str]:
    """A contract number or account that the database already holds for another client."""
    expected: dict[str, tuple[str, str]] = {}
    for i, client in enumerate(document.clients):
        for j, contract in enumerate(client.contracts):
            expected[contract.number] = (client.iin, f"clients[{i}].contracts[{j}].number")
            expected["#" + contract.account] = (client.iin, f"clients[{i}].contracts[{j}].account")
    numbers = [key for key in expected if not key.startswith("#")]
    accounts = [key[1:] for key in expected if key.startswith("#")]
    query = select(Contract.number, Contract.account, Client.iin).join(Client)
    for chunk in _chunks(numbers):
        for number, account, iin in session.execute(query.where(Contract.number.in_(chunk))):
            owner, path = expected[number]
            if owner != iin:
                yield f"{path}: this contract belongs to another client"
            elif expected.get("#" + account, (iin, ""))[0] != iin:
                yield f"{path}: this contract's account belongs to another client"
    for chunk in _chunks(accounts):
        for number, account, iin in session.execute(query.where(Contract.account.in_(chunk))):
            owner, path = expected["#" + account]
            if owner != iin or (number in expected and expected[number][0] != iin):
                yield f"{path}: this account belongs to another client"
            elif number not in expected:
                yield f"{path}: this account belongs to contract {number}, which the file does not name"


def import_document(session: Session, document: ImportDocument) -> ImportReport:
    """Write the validated document in the session's transaction; the caller commits or rolls back."""
    conflicts = sorted(set(_owner_conflicts(session, document)))
    if conflicts:
        raise ImportRejected(conflicts)

    report = ImportReport()
    client_rows = [
        client.model_dump(exclude={"contracts"}) | {"middle_name": client.middle_name or None}
        for client in document.clients
    ]
    _upsert(session, Client.__table__, client_rows, ["iin"])
    report.clients = len(client_rows)
    client_ids = _ids_by(session, Client.iin, Client.id, [row["iin"] for row in client_rows])

    contract_rows = [
        contract.model_dump(exclude={"schedule", "deposits"}) | {"client_id": client_ids[client.iin]}
        for client in document.clients
        for contract in client.contracts
    ]
    _upsert(session, Contract.__table__, contract_rows, ["number"])
    report.contracts = len(contract_rows)
    contract_ids = _ids_by(session, Contract.number, Contract.id, [row["number"] for row in contract_rows])

    entry_rows: list[dict[str, Any]] = []
    deposit_rows: list[dict[str, Any]] = []
    for client in document.clients:
        for contract in client.contracts:
            contract_id = contract_ids[contract.number]
            entry_rows.extend(entry.model_dump() | {"contract_id": contract_id} for entry in contract.schedule)
            same_day: Counter[date] = Counter()
            for deposit in contract.deposits:
                deposit_rows.append(
                    {
                        "contract_id": contract_id,
                        "paid_on": deposit.on,
                        "seq": same_day[deposit.on],
                        "amount": deposit.amount,
                    }
                )
                same_day[deposit.on] += 1

    touched = list(contract_ids.values())
    report.removed["schedule_entries"] = _remove_absent(
        session, ScheduleEntry.__table__, touched, {(r["contract_id"], r["due_on"]) for r in entry_rows}, ("due_on",)
    )
    report.removed["deposits"] = _remove_absent(
        session,
        Deposit.__table__,
        touched,
        {(r["contract_id"], r["paid_on"], r["seq"]) for r in deposit_rows},
        ("paid_on", "seq"),
    )
    _upsert(session, ScheduleEntry.__table__, entry_rows, ["contract_id", "due_on"])
    _upsert(session, Deposit.__table__, deposit_rows, ["contract_id", "paid_on", "seq"])
    report.schedule_entries = len(entry_rows)
    report.deposits = len(deposit_rows)
    return report


def _remove_absent(
    session: Session, table: Table, contract_ids: list[int], keep: set[tuple[Any, ...]], key: tuple[str, ...]
) -> int:
    """Delete the rows of the named contracts that the file no longer has; returns how many."""
    stale: list[int] = []
    columns = [table.c.id, table.c.contract_id, *(table.c[name] for name in key)]
    for chunk in _chunks(contract_ids):
        for row_id, contract_id, *rest in session.execute(select(*columns).where(table.c.contract_id.in_(chunk))):
            if (contract_id, *rest) not in keep:
                stale.append(row_id)
    for chunk in _chunks(stale):
        session.execute(delete(table).where(table.c.id.in_(chunk)))
    return len(stale)


def import_file(session: Session, path: Path) -> ImportReport:
    """Validate and import FILE in one transaction: all of it, or nothing."""
    document = parse_document(path.read_bytes())
    try:
        report = import_document(session, document)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report
