"""`portal import`: the core system's JSON export, read and validated one client at a time, staged, then merged
in one transaction.

The file is authoritative for every client and contract it names: their fields, their schedule and their
deposits are made to match it. Clients and contracts that the file does not name are left as they are.
Valid rows go to temporary staging tables as they are read (COPY on PostgreSQL); the real tables are then written
with set-based statements (one per table), never ORM objects one by one, so memory does not grow with the file.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, NotRequired, TextIO

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
    with_config,
)
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    and_,
    delete,
    insert,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from portal.domain.iin import InvalidIIN, parse_iin
from portal.domain.money import InvalidMoney, parse_money
from portal.domain.phone import InvalidPhone, normalize_phone
from portal.models import Client, Contract, Deposit, ScheduleEntry

BATCH = 2000  # rows per statement: well under SQLite's and PostgreSQL's parameter limits


# Plain amounts such as "151234.56", "40000" or "1234.5", nearly all of them, take this short way to the value
# parse_money would return; anything else (signs, spaces, leading zeros, errors) takes the long one.
_PLAIN_MONEY = re.compile(r"(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,2})?").fullmatch
_CENTS = Decimal("0.01")


def _money(value: Any) -> Decimal:
    if type(value) is str and _PLAIN_MONEY(value):
        return Decimal(value).quantize(_CENTS)
    if not isinstance(value, str):
        raise ValueError('must be a decimal string such as "151234.56"')
    _refuse_control(value)
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


# C0 and C1 control characters (tab and line breaks among them: no field of the file is more than one line) and
# unpaired surrogates, which neither database can store as text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]").search


def _refuse_control(value: str) -> None:
    found = _CONTROL(value)
    if found:
        char = found.group()
        what = "an unpaired surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
        raise ValueError(f"contains {what} (U+{ord(char):04X})")


def _column_length(model: Any, name: str) -> int:
    length: int = model.__table__.c[name].type.length
    return length


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @field_validator("*")
    @classmethod
    def _no_control(cls, value: Any) -> Any:
        if isinstance(value, str):
            _refuse_control(value)
        return value


def _text(value: str, limit: int) -> str:
    """A required text field: not blank, and no longer than its column once stripped."""
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    if len(value) > limit:
        raise ValueError(f"longer than {limit} characters")
    return value


# Schedule entries and deposits, millions of them in a full export, are validated as typed dicts: the same strict
# rules as the models above, at a fifth of the cost of building a model object for each.
@with_config(ConfigDict(extra="forbid", strict=True))
class ScheduleRecord(TypedDict):
    due_on: date
    debit_on: date
    principal: Money
    interest: Money
    debited: NotRequired[Money]
    debited_on: NotRequired[date | None]


def _entry_agrees(entry: ScheduleRecord) -> ScheduleRecord:
    entry.setdefault("debited", Decimal("0.00"))
    entry.setdefault("debited_on", None)
    if entry["debit_on"] < entry["due_on"]:
        raise ValueError("debit_on is before due_on")
    if entry["debited"] > entry["principal"] + entry["interest"]:
        raise ValueError("debited is more than principal + interest")
    if entry["debited"] > 0 and entry["debited_on"] is None:
        raise ValueError("debited_on is missing for a debited amount")
    return entry


def _positive(amount: Decimal) -> Decimal:
    if amount <= 0:
        raise ValueError("must be more than zero")
    return amount


@with_config(ConfigDict(extra="forbid", strict=True))
class DepositRecord(TypedDict):
    on: date
    amount: Annotated[Money, AfterValidator(_positive)]


# The longest text each field may hold: its column's size; the address, a column without one, is held to 2000.
TEXT_LIMITS = {
    **{name: _column_length(Client, name) for name in ("last_name", "first_name", "middle_name", "id_number")},
    **{name: _column_length(Client, name) for name in ("id_issuer", "email")},
    **{name: _column_length(Contract, name) for name in ("number", "collateral")},
    "address": 2000,
}


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
    schedule: list[Annotated[ScheduleRecord, AfterValidator(_entry_agrees)]]
    deposits: list[DepositRecord] = []

    @field_validator("number", "collateral", "address")
    @classmethod
    def _not_blank(cls, value: str, info: ValidationInfo) -> str:
        return _text(value, TEXT_LIMITS[str(info.field_name)])

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
        duplicates = [due for due, n in Counter(e["due_on"] for e in self.schedule).items() if n > 1]
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
    def _required_text(cls, value: str, info: ValidationInfo) -> str:
        return _text(value, TEXT_LIMITS[str(info.field_name)])

    @field_validator("middle_name", "email")
    @classmethod
    def _optional_text(cls, value: str | None, info: ValidationInfo) -> str | None:
        limit = TEXT_LIMITS[str(info.field_name)]
        if value is not None and len(value) > limit:
            raise ValueError(f"longer than {limit} characters")
        return value


class ImportDocument(_Record):
    clients: list[ClientRecord]


class ImportRejected(Exception):
    """The file was not imported; `problems` names every bad record by its path (the first MAX_PROBLEMS of
    `count`)."""

    def __init__(self, problems: Sequence[str], count: int | None = None) -> None:
        self.count = len(problems) if count is None else count
        super().__init__(f"{self.count} problem(s)")
        self.problems = list(problems)


MAX_PROBLEMS = 1000  # named in full; a file with more has the rest counted, so that naming them takes no memory


class Problems:
    """What is wrong with a file, each named by its path: the first MAX_PROBLEMS kept, all of them counted."""

    def __init__(self) -> None:
        self.named: list[str] = []
        self.count = 0

    def __bool__(self) -> bool:
        return self.count > 0

    def append(self, problem: str) -> None:
        self.count += 1
        if len(self.named) < MAX_PROBLEMS:
            self.named.append(problem)

    def extend(self, problems: Iterable[str]) -> None:
        for problem in problems:
            self.append(problem)

    def rejected(self) -> ImportRejected:
        return ImportRejected(self.named, self.count)


@dataclass
class ImportReport:
    clients: int = 0
    contracts: int = 0
    schedule_entries: int = 0
    deposits: int = 0
    # Rows inserted or updated, per table: all zero when the database already matched the file.
    changed: Counter[str] = field(default_factory=Counter)
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
    "dict_type": "not an object",
    "date_type": "not a date (YYYY-MM-DD)",
    "date_parsing": "not a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "not a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "not a date (YYYY-MM-DD)",
    "literal_error": "not one of the allowed values",
    "json_invalid": "not valid JSON",
    "json_type": "not valid JSON",
}


NAME_CHARS = 64  # of a field name in a problem's path: no field of the format has a name half as long


def _path(location: Iterable[int | str]) -> str:
    path = ""
    for part in location:
        if isinstance(part, str) and len(part) > NAME_CHARS:
            part = part[:NAME_CHARS] + "…"
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(document)"


def problems_of(error: ValidationError, prefix: tuple[int | str, ...] = ()) -> Iterator[str]:
    for detail in error.errors(include_url=False):
        kind = detail["type"]
        if kind == "value_error":
            message = str(detail["ctx"]["error"])
        elif kind == "literal_error":
            message = f"must be {detail['ctx']['expected']}"
        else:
            message = _MESSAGES.get(kind, detail["msg"].lower())
        yield f"{_path(prefix + tuple(detail['loc']))}: {message}"


# --- reading: the file, one client at a time ---------------------------------------------------------------------

BLOCK = 1 << 18  # characters read at a time: memory is a few blocks, one client and a batch of rows
# A client's record is held whole (as text, then validated) only up to this many characters of the file, several
# times what the largest real one takes; a longer one is walked a token at a time, named and refused.
CLIENT_CHARS = 4_000_000
MAX_DEPTH = 20  # objects and lists within each other, the document's own included: the format needs 7
MAX_NUMBER = 20  # characters of a number: enough for any 64-bit integer
MAX_FIELDS = 64  # field names an object's walk remembers, to find one given twice: the format has at most 14
_LONGEST_TEXT = max(TEXT_LIMITS.values())
# A string whose escaped text is longer than this is longer than any field allows (\ud83d\ude00 is one character).
_KEPT_CHARS = 12 * _LONGEST_TEXT
_WINDOW = 1 << 16
_SPACE = re.compile(r"[ \t\n\r]*")
_STRING_RUN = re.compile(r'[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*')
_NUMBER_RUN = re.compile(r"[-+.eE0-9]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?").fullmatch
_LITERALS = {"t": "true", "f": "false", "n": "null"}


class _NotJSON(Exception):
    pass


class _TooDeep(Exception):
    """Nested deeper than MAX_DEPTH: named, and nothing after it is read."""


class _Suspect(Exception):
    """What only the walk token by token can name: a field given twice, a long number, NaN or Infinity."""


def _object_pairs(pairs: list[tuple[str, Any]]) -> None:
    if len(dict(pairs)) != len(pairs):
        raise _Suspect


def _number(text: str) -> int:
    if len(text) > MAX_NUMBER:
        raise _Suspect
    return 0


def _constant(text: str) -> None:
    raise _Suspect


# Finds where a value's text ends, at C speed, and raises _Suspect (or RecursionError) at what it cannot pass;
# what it decodes is thrown away, for pydantic reads the text again.
_DELIMITER = json.JSONDecoder(
    object_pairs_hook=_object_pairs, parse_int=_number, parse_float=_number, parse_constant=_constant
)
_DECODER = json.JSONDecoder(strict=False)


class _Text:
    """The document's text, read a block at a time, for a reader that walks its top level."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.text = ""
        self.pos = 0
        self.offset = 0  # characters of the file before self.text
        self.ended = False

    def more(self, size: int = 0) -> bool:
        """Read another block (or `size` characters, if more), dropping the text before the position."""
        if self.ended:
            return False
        block = self.stream.read(max(BLOCK, size))
        if not block:
            self.ended = True
            return False
        self.offset += self.pos
        self.text = self.text[self.pos :] + block
        self.pos = 0
        return True

    def where(self) -> str:
        return f"at character {self.offset + self.pos}"

    def peek(self) -> str:
        """The next character that is not white space ("" at the end), left unread."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def take(self, char: str) -> bool:
        if self.peek() == char:
            self.pos += 1
            return True
        return False

    def ahead(self, count: int) -> str:
        """The next `count` characters, or fewer where the text ends, left unread."""
        while len(self.text) - self.pos < count and self.more():
            pass
        return self.text[self.pos : self.pos + count]

    def plain(self, limit: int) -> tuple[str | None, bool]:
        """The next value's text, if it takes at most `limit` characters and holds nothing for _Walk to name;
        otherwise None, nothing read, and whether it was only too long."""
        self.peek()
        while True:
            held = len(self.text) - self.pos
            try:
                _, end = _DELIMITER.raw_decode(self.text, self.pos)
            except (_Suspect, RecursionError):
                return None, False
            except json.JSONDecodeError as error:
                # Cut off by the end of the text read so far, or really broken: only more text can tell.
                near_end = error.pos >= len(self.text) - 16 or error.msg.startswith("Unterminated string")
                if near_end and held <= limit and self.more(held):
                    continue
                return None, near_end and not self.ended
            if end == len(self.text) and self.more():  # a number may go on in the next block
                continue
            if end - self.pos > limit:
                return None, True
            raw = self.text[self.pos : end]
            self.pos = end
            return raw, False


class _Walk:
    """Reads JSON values a token at a time, holding one short token at most, and names by its path what the import
    refuses wherever it is: a field given twice, a number longer than MAX_NUMBER characters, a string longer than
    its field allows or with a control character, nesting deeper than MAX_DEPTH (the reading stops there)."""

    def __init__(self, text: _Text, problems: Problems) -> None:
        self.text = text
        self.problems = problems

    def value(self, path: Sequence[int | str]) -> None:
        text = self.text
        where = list(path)
        fields: list[set[str] | None] = []  # each open object's field names so far; None for an open list
        while True:
            char = text.peek()
            if char in ("{", "["):
                if len(where) >= MAX_DEPTH:
                    self.problems.append(f"{_path(where)}: nested more than {MAX_DEPTH} levels deep")
                    raise _TooDeep
                text.pos += 1
                if char == "{" and not text.take("}"):
                    names: set[str] = set()
                    fields.append(names)
                    where.append(self.field(names, where))
                    continue
                if char == "[" and not text.take("]"):
                    fields.append(None)
                    where.append(0)
                    continue
            elif char == '"':
                self._string(where)
            elif char in _LITERALS:
                word = _LITERALS[char]
                if text.ahead(len(word)) != word:
                    raise _NotJSON(f"unexpected text {text.where()}")
                text.pos += len(word)
            elif char == "":
                raise _NotJSON("the text ends inside a value")
            else:
                self._number(where)
            # The value at `where` is whole: close what ends after it, or go on to the next element or field.
            while True:
                if not fields:
                    return
                innermost = fields[-1]
                if text.take(","):
                    if innermost is None:
                        where[-1] = int(where[-1]) + 1
                    else:
                        where[-1] = self.field(innermost, where[:-1])
                    break
                closing = "]" if innermost is None else "}"
                if not text.take(closing):
                    raise _NotJSON(f"expected , or {closing} {text.where()}")
                fields.pop()
                where.pop()

    def field(self, names: set[str], path: Sequence[int | str]) -> str:
        """An object's next field name and its colon; a name it already had is named."""
        text = self.text
        if text.peek() != '"':
            raise _NotJSON(f"expected a field name {text.where()}")
        escaped = self._scan()
        name = "…" if escaped is None else _DECODER.decode(f'"{escaped}"')
        if len(name) > NAME_CHARS:  # no field of the format: named shortened, and not remembered
            name = name[:NAME_CHARS] + "…"
        elif name in names:
            self.problems.append(f"{_path([*path, name])}: duplicate field")
        elif len(names) < MAX_FIELDS:
            names.add(name)
        if not text.take(":"):
            raise _NotJSON(f"expected : {text.where()}")
        return name

    def _string(self, where: Sequence[int | str]) -> None:
        name = where[-1] if where else None
        limit = TEXT_LIMITS.get(name, _LONGEST_TEXT) if isinstance(name, str) else _LONGEST_TEXT
        escaped = self._scan()
        problem = None
        if escaped is None:
            problem = f"longer than {limit} characters"
        else:
            value = _DECODER.decode(f'"{escaped}"')
            try:
                _refuse_control(value)
            except ValueError as error:
                problem = str(error)
            if problem is None and len(value) > limit:
                problem = f"longer than {limit} characters"
        if problem:
            self.problems.append(f"{_path(where)}: {problem}")

    def _scan(self) -> str | None:
        """Reads the string at the position: its escaped text, or None if longer than _KEPT_CHARS."""
        text = self.text
        text.pos += 1
        kept: list[str] | None = []
        size = 0
        while True:
            # A window at a time: the regular expression's memory grows with the escapes of one match.
            stop = min(len(text.text), text.pos + _WINDOW)
            end = _STRING_RUN.match(text.text, text.pos, stop).end()  # type: ignore[union-attr]
            control = end < stop and text.text[end] < " "  # not JSON, but named with the string
            if control:
                end += 1
            if kept is not None:
                kept.append(text.text[text.pos : end])
                size += end - text.pos
                if size > _KEPT_CHARS:
                    kept = None
            text.pos = end
            if control:
                continue
            if end < stop and text.text[end] == '"':
                text.pos += 1
                return None if kept is None else "".join(kept)
            if end < stop and text.text[end] == "\\" and stop - end >= 6:
                raise _NotJSON(f"invalid escape {text.where()}")
            if stop == len(text.text) and not text.more():
                raise _NotJSON("unterminated string")

    def _number(self, where: Sequence[int | str]) -> None:
        text = self.text
        start = text.where()
        head = ""
        size = 0
        while True:
            end = _NUMBER_RUN.match(text.text, text.pos).end()  # type: ignore[union-attr]
            if size <= MAX_NUMBER:
                head = (head + text.text[text.pos : end])[: MAX_NUMBER + 1]
            size += end - text.pos
            text.pos = end
            if end < len(text.text) or not text.more():
                break
        if size > MAX_NUMBER:
            self.problems.append(f"{_path(where)}: a number longer than {MAX_NUMBER} characters")
        elif not _NUMBER(head):
            raise _NotJSON(f"unexpected text {start}")


def _client_texts(stream: TextIO, problems: Problems) -> Iterator[tuple[int, str]]:
    """Each element of the document's "clients" list with its index; what is wrong around them goes to problems.

    Stops at text that is not JSON or nested too deep (nothing after it can be placed), naming where it is."""
    text = _Text(stream)
    walk = _Walk(text, problems)
    try:
        if not text.take("{"):
            if text.peek() == "":
                raise _NotJSON("the file is empty")
            walk.value([])
            problems.append("(document): not an object")
            return
        names: set[str] = set()
        found = False
        first = True
        while not text.take("}"):
            if not first and not text.take(","):
                raise _NotJSON(f"expected , or }} {text.where()}")
            first = False
            key = walk.field(names, [])
            if key != "clients":
                walk.value([key])
                problems.append(f"{_path([key])}: unknown field")
                continue
            if found:  # named as a duplicate field; its clients are not read as clients
                walk.value([key])
                continue
            found = True
            if not text.take("["):
                walk.value([key])
                problems.append("clients: not a list")
                continue
            index = 0
            while not (index == 0 and text.take("]")):
                raw, too_long = text.plain(CLIENT_CHARS)
                if raw is None:
                    named = problems.count
                    walk.value(["clients", index])
                    if problems.count == named:
                        problems.append(
                            f"clients[{index}]: "
                            + (f"longer than {CLIENT_CHARS:,} characters" if too_long else "not valid JSON")
                        )
                else:
                    yield index, raw
                index += 1
                if text.take("]"):
                    break
                if not text.take(","):
                    raise _NotJSON(f"expected , or ] in the clients list {text.where()}")
        if text.peek() != "":
            raise _NotJSON(f"text after the document {text.where()}")
        if not found:
            problems.append("clients: missing")
    except _NotJSON as error:
        problems.append(f"(document): not valid JSON ({error})")
    except _TooDeep:
        pass
    except UnicodeDecodeError:
        problems.append("(document): not valid JSON (not UTF-8 text)")


def _validated(texts: Iterable[tuple[int, str]], problems: Problems) -> Iterator[tuple[int, ClientRecord]]:
    """The valid clients; every problem, its own or across records (the same IIN, number or account), is noted."""
    seen_iin: dict[str, int] = {}
    seen_number: dict[str, str] = {}
    seen_account: dict[str, str] = {}
    for i, raw in texts:
        try:
            client = ClientRecord.model_validate_json(raw)
        except ValidationError as error:
            named = problems.count
            if any(detail["type"] == "json_invalid" for detail in error.errors(include_url=False)):
                with suppress(_NotJSON, _TooDeep):  # pydantic's parser refuses it: the walk may say why
                    _Walk(_Text(io.StringIO(raw)), problems).value(["clients", i])
            if problems.count == named:
                problems.extend(problems_of(error, ("clients", i)))
            continue
        if client.iin in seen_iin:
            problems.append(f"clients[{i}].iin: the same IIN as clients[{seen_iin[client.iin]}]")
        seen_iin.setdefault(client.iin, i)
        for j, contract in enumerate(client.contracts):
            here = f"clients[{i}].contracts[{j}]"
            if contract.number in seen_number:
                problems.append(f"{here}.number: the same contract number as {seen_number[contract.number]}")
            if contract.account in seen_account:
                problems.append(f"{here}.account: the same account number as {seen_account[contract.account]}")
            seen_number.setdefault(contract.number, here)
            seen_account.setdefault(contract.account, here)
        yield i, client


def parse_document(raw: bytes | str) -> ImportDocument:
    """Validate a whole document held in memory (the demo data, tests); raise ImportRejected naming every problem."""
    problems = Problems()
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    clients = [client for _, client in _validated(_client_texts(io.StringIO(text), problems), problems)]
    if problems:
        raise problems.rejected()
    return ImportDocument(clients=clients)


# --- writing: staging tables, then set-based statements ----------------------------------------------------------

FLUSH_ROWS = 5_000  # staged rows held in memory before they go to the database


def _like(model: Any, *names: str) -> list[Column[Any]]:
    return [Column(name, model.__table__.c[name].type) for name in names]


_CLIENT_FIELDS = (
    "iin",
    "last_name",
    "first_name",
    "middle_name",
    "gender",
    "birth_date",
    "id_number",
    "id_issued_on",
    "id_valid_until",
    "id_issuer",
    "email",
    "phone",
)
_CONTRACT_FIELDS = (
    "number",
    "account",
    "kind",
    "signed_on",
    "ends_on",
    "collateral",
    "address",
    "amount",
    "payments",
    "monthly_payment",
    "payment_day",
    "penalty",
    "fine",
    "state_duty",
)
_ENTRY_FIELDS = ("due_on", "debit_on", "principal", "interest", "debited", "debited_on")
_DEPOSIT_FIELDS = ("paid_on", "seq", "amount")

# The file's rows, staged in temporary tables of the import's own connection (gone at commit or rollback on
# PostgreSQL; dropped by the import on SQLite). ck numbers the file's contracts; ci and cj place them in the file.
_staging = MetaData()
_TEMPORARY: dict[str, Any] = {"prefixes": ["TEMPORARY"], "postgresql_on_commit": "DROP"}
staged_clients = Table("import_clients", _staging, *_like(Client, *_CLIENT_FIELDS), **_TEMPORARY)
staged_contracts = Table(
    "import_contracts",
    _staging,
    Column("ck", Integer),
    Column("ci", Integer),
    Column("cj", Integer),
    Column("iin", String(12)),
    Column("contract_id", Integer),
    *_like(Contract, *_CONTRACT_FIELDS),
    **_TEMPORARY,
)
staged_entries = Table(
    "import_entries", _staging, Column("ck", Integer), *_like(ScheduleEntry, *_ENTRY_FIELDS), **_TEMPORARY
)
staged_deposits = Table(
    "import_deposits", _staging, Column("ck", Integer), *_like(Deposit, *_DEPOSIT_FIELDS), **_TEMPORARY
)
# Only for SQLite, which joins by nested loops; PostgreSQL hashes, and COPY is faster into a table without indexes.
_STAGED_INDEXES = (
    "import_contracts (ck)",
    "import_contracts (number)",
    "import_contracts (account)",
    "import_entries (ck, due_on)",
    "import_deposits (ck, paid_on, seq)",
)
_STAGED_COLUMNS = {
    staged_clients: _CLIENT_FIELDS,
    staged_contracts: ("ck", "ci", "cj", "iin", *_CONTRACT_FIELDS),
    staged_entries: ("ck", *_ENTRY_FIELDS),
    staged_deposits: ("ck", *_DEPOSIT_FIELDS),
}


class _Stager:
    """Collects the valid clients' rows and sends them to the staging tables in batches: COPY on PostgreSQL,
    multi-row INSERTs elsewhere."""

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        self.postgresql = self.connection.dialect.name == "postgresql"
        self.rows: dict[Table, list[tuple[Any, ...]]] = {table: [] for table in _STAGED_COLUMNS}
        self.held = 0
        self.report = ImportReport()
        schema = "pg_temp" if self.postgresql else "temp"
        for table in _STAGED_COLUMNS:
            self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS {schema}.{table.name}")
            table.create(self.connection)

    def add(self, i: int, client: ClientRecord) -> None:
        report = self.report
        self.rows[staged_clients].append(
            (
                client.iin,
                client.last_name,
                client.first_name,
                client.middle_name or None,
                client.gender,
                client.birth_date,
                client.id_number,
                client.id_issued_on,
                client.id_valid_until,
                client.id_issuer,
                client.email,
                client.phone,
            )
        )
        report.clients += 1
        entries = self.rows[staged_entries]
        deposits = self.rows[staged_deposits]
        for j, contract in enumerate(client.contracts):
            report.contracts += 1
            ck = report.contracts
            self.rows[staged_contracts].append(
                (ck, i, j, client.iin, *(getattr(contract, name) for name in _CONTRACT_FIELDS))
            )
            entries.extend(
                (ck, e["due_on"], e["debit_on"], e["principal"], e["interest"], e["debited"], e["debited_on"])
                for e in contract.schedule
            )
            same_day: Counter[date] = Counter()
            for deposit in contract.deposits:
                deposits.append((ck, deposit["on"], same_day[deposit["on"]], deposit["amount"]))
                same_day[deposit["on"]] += 1
            report.schedule_entries += len(contract.schedule)
            report.deposits += len(contract.deposits)
            self.held += 1 + len(contract.schedule) + len(contract.deposits)
        self.held += 1
        if self.held >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        for table, rows in self.rows.items():
            if not rows:
                continue
            names = _STAGED_COLUMNS[table]
            if self.postgresql:
                cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
                with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                for chunk in _chunks(rows):
                    self.connection.execute(insert(table), [dict(zip(names, row, strict=True)) for row in chunk])
            rows.clear()
        self.held = 0

    def drop(self) -> None:
        for table in reversed(_STAGED_COLUMNS):
            table.drop(self.connection)


def _chunks(rows: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _upsert(session: Session, table: Table, rows: Select[Any], key: Sequence[str]) -> int:
    """INSERT … SELECT the staged rows … ON CONFLICT (key) DO UPDATE, touching a row only when a value differs;
    returns how many rows were inserted or changed."""
    insert_into = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    names = [column.name for column in rows.selected_columns]
    # SQLite needs a WHERE in the SELECT of an upsert to parse it.
    statement = insert_into(table).from_select(names, rows.where(true()))
    changing = [name for name in names if name not in key]
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: statement.excluded[name] for name in changing},
        where=or_(*(table.c[name].is_distinct_from(statement.excluded[name]) for name in changing)),
    )
    result = session.execute(statement, execution_options={"preserve_rowcount": True})
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


def _owner_conflicts(session: Session) -> Iterator[str]:
    """A contract number or account that the database already holds for another client."""
    staged, other = staged_contracts, staged_contracts.alias("other")
    by_number = (
        select(staged.c.ci, staged.c.cj, staged.c.iin, Client.iin)
        .select_from(staged)
        .join(Contract, Contract.number == staged.c.number)
        .join(Client, Client.id == Contract.client_id)
        .outerjoin(other, other.c.account == Contract.account)
        .where(or_(Client.iin != staged.c.iin, and_(other.c.iin.is_not(None), other.c.iin != Client.iin)))
    )
    for i, j, iin, owner in session.execute(by_number):
        what = "contract" if owner != iin else "contract's account"
        yield f"clients[{i}].contracts[{j}].number: this {what} belongs to another client"
    by_account = (
        select(staged.c.ci, staged.c.cj, staged.c.iin, Client.iin, Contract.number, other.c.iin)
        .select_from(staged)
        .join(Contract, Contract.account == staged.c.account)
        .join(Client, Client.id == Contract.client_id)
        .outerjoin(other, other.c.number == Contract.number)
        .where(or_(Client.iin != staged.c.iin, other.c.iin.is_(None), other.c.iin != Client.iin))
    )
    for i, j, iin, owner, number, named_for in session.execute(by_account):
        path = f"clients[{i}].contracts[{j}].account"
        if owner != iin or (named_for is not None and named_for != owner):
            yield f"{path}: this account belongs to another client"
        else:
            yield f"{path}: this account belongs to contract {number}, which the file does not name"


def _remove_absent(session: Session, table: Table, staged: Table, key: tuple[str, ...]) -> int:
    """Delete the rows of the named contracts that the file no longer has; returns how many."""
    absent = (
        select(table.c.id)
        .join(staged_contracts, staged_contracts.c.contract_id == table.c.contract_id)
        .outerjoin(staged, and_(staged.c.ck == staged_contracts.c.ck, *(staged.c[n] == table.c[n] for n in key)))
        .where(staged.c.ck.is_(None))
    )
    result = session.execute(delete(table).where(table.c.id.in_(absent)))
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


def _merge(session: Session, stager: _Stager) -> ImportReport:
    """Write the staged rows into the real tables; the caller commits or rolls back."""
    stager.flush()
    if stager.postgresql:  # temporary tables are never analysed on their own; the hash joins below need the counts
        session.execute(text(f"ANALYZE {', '.join(table.name for table in _STAGED_COLUMNS)}"))
    else:
        for n, columns in enumerate(_STAGED_INDEXES):
            session.execute(text(f"CREATE INDEX temp.import_{n} ON {columns}"))
    conflicts = sorted(set(_owner_conflicts(session)))
    if conflicts:
        raise ImportRejected(conflicts)
    report = stager.report
    report.changed["clients"] = _upsert(session, Client.__table__, select(*staged_clients.c), ["iin"])
    contracts = select(Client.id.label("client_id"), *(staged_contracts.c[name] for name in _CONTRACT_FIELDS)).join(
        Client, Client.iin == staged_contracts.c.iin
    )
    report.changed["contracts"] = _upsert(session, Contract.__table__, contracts, ["number"])
    session.execute(
        update(staged_contracts).values(
            contract_id=select(Contract.id).where(Contract.number == staged_contracts.c.number).scalar_subquery()
        )
    )
    if stager.postgresql:  # the planner must see the ids just set, or it takes nested loops over millions of rows
        session.execute(text("ANALYZE import_contracts"))
    report.removed["schedule_entries"] = _remove_absent(session, ScheduleEntry.__table__, staged_entries, ("due_on",))
    report.removed["deposits"] = _remove_absent(session, Deposit.__table__, staged_deposits, ("paid_on", "seq"))
    for table, staged, key in (
        (ScheduleEntry.__table__, staged_entries, ["contract_id", "due_on"]),
        (Deposit.__table__, staged_deposits, ["contract_id", "paid_on", "seq"]),
    ):
        rows = select(staged_contracts.c.contract_id, *(column for column in staged.c if column.name != "ck")).join(
            staged_contracts, staged_contracts.c.ck == staged.c.ck
        )
        report.changed[table.name] = _upsert(session, table, rows, key)
    stager.drop()
    return report


def import_document(session: Session, document: ImportDocument) -> ImportReport:
    """Write a validated document in the session's transaction; the caller commits or rolls back."""
    stager = _Stager(session)
    for i, client in enumerate(document.clients):
        stager.add(i, client)
    return _merge(session, stager)


def import_file(session: Session, path: Path) -> ImportReport:
    """Validate and import FILE in one transaction, reading it one client at a time: all of it, or nothing.

    Valid clients are staged as they are read; the first problem stops the staging, the reading goes on to name
    every problem, and then the transaction is rolled back."""
    problems = Problems()
    try:
        stager = _Stager(session)
        with path.open(encoding="utf-8", newline="") as stream:
            for i, client in _validated(_client_texts(stream, problems), problems):
                if not problems:
                    stager.add(i, client)
        if problems:
            raise problems.rejected()
        report = _merge(session, stager)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report
