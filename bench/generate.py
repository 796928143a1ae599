"""Realistic clients in the import format of DESIGN §5: valid IINs, Kazakh and Russian names, every status.

    python -m bench.generate --clients 10000 --out /tmp/clients.json [--contracts 1-5] [--entries 60-300]

The file goes through `flask --app wsgi portal import FILE`, the same path as the core system's exports.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

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


def clients(count: int, contracts: tuple[int, int], entries: tuple[int, int], seed: int, today: date) -> list[Any]:
    rng = random.Random(seed)
    result, serial = [], 0
    for index in range(count):
        gender = rng.choice("MF")
        birth = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 42))
        last = rng.choice(LAST_NAMES)[gender == "F"]
        owned = []
        for _ in range(rng.randint(*contracts)):
            serial += 1
            owned.append(contract(rng, index, serial, entries, today))
        result.append(
            {
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
        )
    # IINs drawn at random may meet; the import rejects duplicates, so keep the first.
    seen: set[str] = set()
    return [c for c in result if not (c["iin"] in seen or seen.add(c["iin"]))]


def span(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return int(low), int(high or low)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--contracts", type=span, default=(1, 5))
    parser.add_argument("--entries", type=span, default=(60, 300))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 24))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    document = {"clients": clients(args.clients, args.contracts, args.entries, args.seed, args.today)}
    args.out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    rows = sum(
        1 + len(c["contracts"]) + sum(len(k["schedule"]) + len(k["deposits"]) for k in c["contracts"])
        for c in document["clients"]
    )
    print(
        f"{len(document['clients'])} clients, {rows} rows in {time.perf_counter() - started:.1f} s -> {args.out}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
