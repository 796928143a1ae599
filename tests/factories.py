"""Rows the tests build: a client, a contract, its schedule and its deposits, each with plain defaults that a test
overrides by name. Each factory adds its rows to the session and flushes (so they have ids); the test commits."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from portal.demo import add_months
from portal.extensions import db
from portal.models import Client, Contract, Deposit, ScheduleEntry

_serial = itertools.count(1)


def client(**fields: Any) -> Client:
    """A client (Тестова Әсел, IIN 061211600012 unless given) with no password: sign in with `auth.sign_in_as`."""
    row = Client(
        **{
            "iin": "061211600012",
            "last_name": "Тестова",
            "first_name": "Әсел",
            "middle_name": None,
            "gender": "F",
            "birth_date": date(2006, 12, 11),
            "id_number": "012345678",
            "id_issued_on": date(2022, 1, 10),
            "id_valid_until": date(2032, 1, 9),
            "id_issuer": "МВД РК",
            "email": None,
            "phone": "+77071234567",
            **fields,
        }
    )
    db.session.add(row)
    db.session.flush()
    return row


def contract(owner: Client, **fields: Any) -> Contract:
    """A rent-to-own contract of `owner`, its number and account unique in the test unless given."""
    serial = next(_serial)
    row = Contract(
        **{
            "client_id": owner.id,
            "number": f"ДА-2022-{serial:05d}",
            "account": f"{3000000000 + serial}",
            "kind": "rent_to_own",
            "signed_on": date(2022, 6, 20),
            "ends_on": date(2032, 6, 20),
            "collateral": "Квартира",
            "address": "г. Астана, ул. Сыганак, д. 1, кв. 2",
            "amount": Decimal("600000.00"),
            "payments": 6,
            "monthly_payment": Decimal("120000.00"),
            "payment_day": 10,
            "penalty": Decimal("0.00"),
            "fine": Decimal("0.00"),
            "state_duty": Decimal("0.00"),
            **fields,
        }
    )
    db.session.add(row)
    db.session.flush()
    return row


def schedule(
    of: Contract,
    months: int,
    first_due: date = date(2022, 7, 10),
    principal: str = "100000.00",
    interest: str = "20000.00",
    debit_after: timedelta = timedelta(days=15),
    paid: int = 0,
) -> list[ScheduleEntry]:
    """`months` monthly entries from `first_due` on the contract's payment day, each debited `debit_after` its due
    date; the first `paid` of them debited in full on that day."""
    rows = []
    for month in range(months):
        due = add_months(first_due, month, of.payment_day)
        debited = month < paid
        rows.append(
            ScheduleEntry(
                contract_id=of.id,
                due_on=due,
                debit_on=due + debit_after,
                principal=Decimal(principal),
                interest=Decimal(interest),
                debited=Decimal(principal) + Decimal(interest) if debited else Decimal("0.00"),
                debited_on=due + debit_after if debited else None,
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    return rows


def deposit(to: Contract, on: date, amount: str, seq: int = 0) -> Deposit:
    row = Deposit(contract_id=to.id, paid_on=on, seq=seq, amount=Decimal(amount))
    db.session.add(row)
    db.session.flush()
    return row
