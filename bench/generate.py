"""Realistic clients in the import format of DESIGN §5: valid IINs, Kazakh and Russian names, every status.

    python -m bench.generate --clients 10000 --out /tmp/clients.json [--contracts 1-5] [--entries 60-300]
    python -m bench.generate --copy postgresql://postgres@127.0.0.1/portal_bench [--clients 100000] [--heavy]

A file goes through `flask --app wsgi portal import FILE`, the same path as the core system's exports; --copy
writes the same records straight into a migrated PostgreSQL database with COPY, which is how the benchmark
fills a database with 100,000 families.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

from portal.demo import add_months
from portal.domain.iin import is_valid_iin

LAST_NAMES = [
    ("Ахметов", "Ахметова"),
    ("Серікбаев", "Серікбаева"),
    ("Жұмабеков", "Жұмабекова"),
    ("Иванов", "Иванова"),
    ("Нұрланов", "Нұрланова"),
    ("Ким", "Ким"),
    ("Смагулов", "Смагулова"),
    ("Оспанов", "Оспанова"),
    ("Петров", "Петрова"),
    ("Әбдірахманов", "Әбдірахманова"),
]
FIRST_NAMES = {
    "M": ["Данияр", "Ерлан", "Асхат", "Нұрсұлтан", "Сергей", "Алексей", "Қайрат", "Тимур"],
    "F": ["Айгерим", "Динара", "Гүлнар", "Мария", "Әсел", "Ольга", "Жанар", "Салтанат"],
}
MIDDLE_NAMES = {
    "M": ["Серикович", "Ерланович", "Маратович", "Иванович", None],
    "F": ["Нурлановна", "Ерлановна", "Маратовна", "Ивановна", None],
}
CITIES = [
    ("г. Астана", ["ул. Кенесары", "пр. Мангилик Ел", "ул. Сыганак", "пр. Туран"]),
    ("г. Алматы", ["мкр. Алмагуль", "ул. Абая", "пр. Райымбека", "ул. Жандосова"]),
    ("г. Шымкент", ["ул. Байтурсынова", "пр. Тауке хана"]),
    ("г. Караганда", ["пр. Бухар-Жырау", "ул. Ерубаева"]),
]


def valid_iin(rng: random.Random, birth: date, gender: str) -> str:
    century_digit = {(1900, "M"): "3", (1900, "F"): "4", (2000, "M"): "5", (2000, "F"): "6"}[
        (birth.year // 100 * 100, gender)
    ]
    while True:
        stem = f"{birth:%y%m%d}{century_digit}{rng.randrange(10_000):04d}"
        for check in range(10):
            if is_valid_iin(stem + str(check)):
                return stem + str(check)


def contract(rng: random.Random, n: int, serial: int, entries: tuple[int, int], today: date) -> dict[str, Any]:
    kind = rng.choice(["rent_to_own", "loan"])
    payments = rng.randint(*entries)
    day = rng.choice([5, 10, 15, 20])
    elapsed = rng.randint(1, payments)  # months since the first due date, so some are finished
    first_due = add_months(today, -elapsed, day)
    principal = Decimal(rng.randrange(40_000, 160_000, 100))
    interest = Decimal(rng.randrange(10_000, 90_000)) / 100 * 10
    accrued = principal + interest
    behind = rng.choice([0, 0, 0, 1, 2, 3])  # months in arrears for one contract in two
    schedule, deposits = [], []
    for month in range(payments):
        due = add_months(first_due, month, day)
        debit = due + timedelta(days=15) if kind == "rent_to_own" else due
        paid = due <= today and month < elapsed - behind and debit <= today
        if due <= today and month < elapsed - behind:
            deposits.append({"on": (due - timedelta(days=rng.randint(0, 5))).isoformat(), "amount": str(accrued)})
        schedule.append(
            {
                "due_on": due.isoformat(),
                "debit_on": debit.isoformat(),
                "principal": str(principal),
                "interest": str(interest),
                "debited": str(accrued if paid else Decimal("0.00")),
                "debited_on": debit.isoformat() if paid else None,
            }
        )
    city, streets = rng.choice(CITIES)
    prefix = "ДА" if kind == "rent_to_own" else "ЗМ"
    return {
        "number": f"{prefix}-{first_due.year}-{serial:07d}",
        "account": f"{2_000_000_000 + serial}",
        "kind": kind,
        "signed_on": (first_due - timedelta(days=20)).isoformat(),
        "ends_on": schedule[-1]["due_on"],
        "collateral": rng.choice(["Квартира", "Квартира", "Жилой дом"]),
        "address": f"{city}, {rng.choice(streets)}, д. {rng.randint(1, 120)}, кв. {rng.randint(1, 300)}",
        "amount": str(principal * payments),
        "payments": payments,
        "monthly_payment": str(accrued),
        "payment_day": day,
        "penalty": str(Decimal(rng.randrange(0, 20_000_00)) / 100 if behind else "0.00"),
        "fine": "5000.00" if behind > 1 else "0.00",
        "state_duty": "0.00",
        "schedule": schedule,
        "deposits": deposits,
    }


def iter_clients(
    count: int, contracts: tuple[int, int], entries: tuple[int, int], seed: int, today: date
) -> Iterator[Any]:
    """Up to `count` clients one by one, in the import format; an IIN drawn twice is skipped, as the import would
    refuse the duplicate."""
    rng = random.Random(seed)
    seen: set[str] = set()
    serial = 0
    for index in range(count):
        gender = rng.choice("MF")
        birth = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 42))
        last = rng.choice(LAST_NAMES)[gender == "F"]
        owned = []
        for _ in range(rng.randint(*contracts)):
            serial += 1
            owned.append(contract(rng, index, serial, entries, today))
        record = {
            "iin": valid_iin(rng, birth, gender),
            "last_name": last,
            "first_name": rng.choice(FIRST_NAMES[gender]),
            "middle_name": rng.choice(MIDDLE_NAMES[gender]),
            "gender": gender,
            "birth_date": birth.isoformat(),
            "id_number": f"{rng.randrange(10**9):09d}",
            "id_issued_on": "2020-01-15",
            "id_valid_until": "2030-01-14",
            "id_issuer": "МВД РК",
            "email": f"client{index}@example.kz",
            "phone": f"+7701{rng.randrange(10**7):07d}",
            "contracts": owned,
        }
        if record["iin"] not in seen:
            seen.add(record["iin"])
            yield record


def clients(count: int, contracts: tuple[int, int], entries: tuple[int, int], seed: int, today: date) -> list[Any]:
    return list(iter_clients(count, contracts, entries, seed, today))


def heavy_client(today: date, seed: int = 5) -> dict[str, Any]:
    """One family with 5 contracts of 300 entries each (25 years): the page figures must not grow with it."""
    rng = random.Random(seed)
    record = next(iter_clients(1, (1, 1), (60, 60), seed, today))
    record["iin"] = valid_iin(rng, date(1975, 3, 8), "F")
    record["gender"], record["birth_date"] = "F", "1975-03-08"
    record["contracts"] = [contract(rng, 0, 9_000_000 + n, (300, 300), today) for n in range(5)]
    return record


class CopyWriter:
    """Rows for one table, buffered and sent with COPY; columns the generator does not give take the model's
    default, or are left out for the database's own (server_default), so that a column added later needs no
    change here."""

    def __init__(self, table: Any, given: Iterable[str]) -> None:
        self.table = table
        given = list(given)
        self.fixed = {
            column.name: column.default.arg if column.default is not None and column.default.is_scalar else None
            for column in table.columns
            if column.name not in given
            and not (column.name == "id" and "id" not in given)
            and not (column.default is None and column.server_default is not None)
        }
        self.columns = [*given, *self.fixed]
        self.pending: list[tuple[Any, ...]] = []

    def add(self, row: dict[str, Any]) -> None:
        full = {**self.fixed, **row}
        self.pending.append(tuple(full[name] for name in self.columns))

    def flush(self, cursor: psycopg.Cursor[Any]) -> int:
        with cursor.copy(f"COPY {self.table.name} ({', '.join(self.columns)}) FROM STDIN") as copy:
            for row in self.pending:
                copy.write_row(row)
        written, self.pending = len(self.pending), []
        return written


def copy_into(url: str, records: Iterable[dict[str, Any]]) -> int:
    """Write the clients straight into PostgreSQL with COPY, in one transaction (no validation: the generator's
    data is valid by construction); the fast way to fill a database with 100,000 families. Returns the rows."""
    from portal.models import Client, Contract, Deposit, ScheduleEntry

    writers: dict[str, CopyWriter] = {}

    def writer(model: Any, row: dict[str, Any]) -> CopyWriter:
        if model.__tablename__ not in writers:
            writers[model.__tablename__] = CopyWriter(model.__table__, row)
        return writers[model.__tablename__]

    rows = 0
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        cursor = connection.cursor()
        ids = cursor.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM clients), (SELECT coalesce(max(id), 0) FROM contracts)"
        )
        client_id, contract_id = ids.fetchone() or (0, 0)
        for record in records:
            client_id += 1
            owned = record.pop("contracts")
            row = {"id": client_id, **record, "is_demo": False}
            writer(Client, row).add(row)
            for item in owned:
                contract_id += 1
                schedule, deposits = item.pop("schedule"), item.pop("deposits")
                row = {"id": contract_id, "client_id": client_id, **item}
                writer(Contract, row).add(row)
                for entry in schedule:
                    row = {"contract_id": contract_id, **entry}
                    writer(ScheduleEntry, row).add(row)
                that_day: Counter[str] = Counter()
                for deposit in deposits:
                    row = {"contract_id": contract_id, "paid_on": deposit["on"], "seq": that_day[deposit["on"]]}
                    that_day[deposit["on"]] += 1
                    row["amount"] = deposit["amount"]
                    writer(Deposit, row).add(row)
            if len(writers["schedule_entries"].pending) > 50_000:
                rows += sum(w.flush(cursor) for w in writers.values())  # parents first: dicts keep their order
        rows += sum(w.flush(cursor) for w in writers.values())
        cursor.execute("SELECT setval(pg_get_serial_sequence('clients', 'id'), (SELECT max(id) FROM clients))")
        cursor.execute("SELECT setval(pg_get_serial_sequence('contracts', 'id'), (SELECT max(id) FROM contracts))")
    return rows


def span(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, help="how many families (default 1,000 to a file, 100,000 by COPY)")
    parser.add_argument("--contracts", type=span, default=(1, 5))
    parser.add_argument("--entries", type=span, default=(60, 300))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 24))
    parser.add_argument("--heavy", action="store_true", help="add one family with 5 contracts of 300 entries")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="write an import file for `portal import`")
    where.add_argument("--copy", metavar="DATABASE_URL", help="COPY straight into this migrated PostgreSQL database")
    args = parser.parse_args(argv)
    count = args.clients or (100_000 if args.copy else 1000)
    records = iter_clients(count, args.contracts, args.entries, args.seed, args.today)
    if args.heavy:
        records = itertools.chain([heavy_client(args.today)], records)
    started = time.perf_counter()
    if args.copy:
        rows = copy_into(args.copy, records)
        where_to = "PostgreSQL (COPY)"
    else:
        document = {"clients": list(records)}
        args.out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        rows = sum(
            1 + len(c["contracts"]) + sum(len(k["schedule"]) + len(k["deposits"]) for k in c["contracts"])
            for c in document["clients"]
        )
        where_to = str(args.out)
    elapsed = time.perf_counter() - started
    print(f"{rows} rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s) -> {where_to}", file=sys.stderr)


if __name__ == "__main__":
    main()
