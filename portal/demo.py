"""The demo accounts of DESIGN §5, built relative to "today" and written through the import path.

Ахметов (registered) has a rent-to-own contract with an arrear, пеня and штраф, and a loan that is up to date,
so that on any day his schedule shows all three statuses. Сейткали is not registered: support staff walk
through «Первичная авторизация» with her facts.
"""

from __future__ import annotations

import calendar
import json
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.auth.passwords import hash_password
from portal.auth.throttle import client_account
from portal.domain.clock import KZ_TZ
from portal.import_runs import DEMO, record_run
from portal.importer import ImportReport, import_document, parse_document
from portal.models import Client, Contract, OneTimeCode, ReminderSent, ScheduleEntry, SignInFailures

CENT = Decimal("0.01")
DEMO_PASSWORD = "Demo2026!"  # noqa: S105  (published in DESIGN §5 for support staff)
AKHMETOV_IIN = "880515301238"
SEITKALI_IIN = "921102404563"
# Entries due within this many days before today are left unpaid: at least two months in arrears.
ARREARS_DAYS = 70


def month_day(year: int, month: int, day: int) -> date:
    """The given day of a month, or the month's last day when it is shorter."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def add_months(start: date, months: int, day: int) -> date:
    index = start.year * 12 + start.month - 1 + months
    return month_day(index // 12, index % 12 + 1, day)


def annuity_split(amount: Decimal, annual_rate: Decimal, payments: int) -> list[tuple[Decimal, Decimal]]:
    """(principal, interest) per month of an annuity loan; the last month takes the rounding remainder."""
    rate = annual_rate / 12
    payment = (amount * rate / (1 - (1 + rate) ** -payments)).quantize(CENT, ROUND_HALF_UP)
    left = amount
    rows = []
    for month in range(payments):
        interest = (left * rate).quantize(CENT, ROUND_HALF_UP)
        principal = left if month == payments - 1 else payment - interest
        rows.append((principal, interest))
        left -= principal
    return rows


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _entry(
    due_on: date, debit_on: date, principal: Decimal, interest: Decimal, debited_on: date | None
) -> dict[str, str | None]:
    return {
        "due_on": due_on.isoformat(),
        "debit_on": debit_on.isoformat(),
        "principal": _money(principal),
        "interest": _money(interest),
        "debited": _money(principal + interest if debited_on else Decimal(0)),
        "debited_on": debited_on.isoformat() if debited_on else None,
    }


def _akhmetov_rent_to_own(today: date) -> dict[str, Any]:
    payments, principal, interest = 180, Decimal("100000.00"), Decimal("51234.56")
    first_due = add_months(today, -40, 10)
    signed_on = add_months(first_due, -1, 20)
    schedule, deposits = [], []
    for month in range(payments):
        due_on = add_months(first_due, month, 10)
        debit_on = due_on + timedelta(days=15)
        if due_on <= today - timedelta(days=ARREARS_DAYS):
            deposits.append({"on": (due_on - timedelta(days=3)).isoformat(), "amount": _money(principal + interest)})
            schedule.append(_entry(due_on, debit_on, principal, interest, debit_on))
        else:
            schedule.append(_entry(due_on, debit_on, principal, interest, None))
    # A part payment after the first missed month: not enough to cover it, so the month stays «Просрочено».
    first_unpaid = next(date.fromisoformat(e["due_on"]) for e in schedule if e["debited_on"] is None)  # type: ignore[arg-type]
    deposits.append({"on": (first_unpaid + timedelta(days=2)).isoformat(), "amount": "50000.00"})
    return {
        "number": f"ДА-{signed_on.year}-00117",
        "account": "1000000001",
        "kind": "rent_to_own",
        "signed_on": signed_on.isoformat(),
        "ends_on": schedule[-1]["due_on"],
        "collateral": "Квартира",
        "address": "г. Астана, ул. Кенесары, д. 40, кв. 12",
        "amount": _money(principal * payments),
        "payments": payments,
        "monthly_payment": _money(principal + interest),
        "payment_day": 10,
        "penalty": "12345.67",
        "fine": "5000.00",
        "state_duty": "0.00",
        "schedule": schedule,
        "deposits": deposits,
    }


def _akhmetov_loan(today: date) -> dict[str, Any]:
    payments, amount = 120, Decimal("9500000.00")
    split = annuity_split(amount, Decimal("0.07"), payments)
    first_due = add_months(today, -13, 5)
    signed_on = add_months(first_due, -1, 22)
    schedule, deposits = [], []
    for month, (principal, interest) in enumerate(split):
        due_on = add_months(first_due, month, 5)
        paid = due_on <= today
        if paid:
            deposits.append({"on": (due_on - timedelta(days=2)).isoformat(), "amount": _money(principal + interest)})
        schedule.append(_entry(due_on, due_on, principal, interest, due_on if paid else None))
    deposits.append({"on": add_months(today, -1, 28).isoformat(), "amount": "20000.00"})
    return {
        "number": f"ЗМ-{signed_on.year}-00542",
        "account": "1000000002",
        "kind": "loan",
        "signed_on": signed_on.isoformat(),
        "ends_on": schedule[-1]["due_on"],
        "collateral": "Квартира",
        "address": "г. Астана, пр. Мангилик Ел, д. 17, кв. 48",
        "amount": _money(amount),
        "payments": payments,
        "monthly_payment": _money(sum(split[0], Decimal(0))),
        "payment_day": 5,
        "penalty": "0.00",
        "fine": "0.00",
        "state_duty": "0.00",
        "schedule": schedule,
        "deposits": deposits,
    }


def _seitkali_rent_to_own(today: date) -> dict[str, Any]:
    payments, principal, interest = 180, Decimal("80000.00"), Decimal("40000.00")
    signed_on, first_due = date(2023, 3, 15), date(2023, 4, 10)
    schedule, deposits = [], []
    for month in range(payments):
        due_on = add_months(first_due, month, 10)
        debit_on = due_on + timedelta(days=15)
        if due_on <= today:
            deposits.append({"on": (due_on - timedelta(days=5)).isoformat(), "amount": _money(principal + interest)})
        # Paid in time; debited on the debit day once it has come («Ожидает списания» until then).
        schedule.append(_entry(due_on, debit_on, principal, interest, debit_on if debit_on <= today else None))
    return {
        "number": "ДА-2023-00318",
        "account": "1000000003",
        "kind": "rent_to_own",
        "signed_on": signed_on.isoformat(),
        "ends_on": schedule[-1]["due_on"],
        "collateral": "Квартира",
        "address": "г. Алматы, мкр. Алмагуль, д. 9, кв. 31",
        "amount": _money(principal * payments),
        "payments": payments,
        "monthly_payment": _money(principal + interest),
        "payment_day": 10,
        "penalty": "0.00",
        "fine": "0.00",
        "state_duty": "0.00",
        "schedule": schedule,
        "deposits": deposits,
    }


def demo_document(today: date) -> dict[str, Any]:
    """The demo accounts in the import format, as they stand on `today`."""
    return {
        "clients": [
            {
                "iin": AKHMETOV_IIN,
                "last_name": "Ахметов",
                "first_name": "Данияр",
                "middle_name": "Серикович",
                "gender": "M",
                "birth_date": "1988-05-15",
                "id_number": "041234567",
                "id_issued_on": "2019-06-01",
                "id_valid_until": "2029-05-31",
                "id_issuer": "МВД РК",
                "email": "d.akhmetov@example.kz",
                "phone": "+77011234567",
                "contracts": [_akhmetov_rent_to_own(today), _akhmetov_loan(today)],
            },
            {
                "iin": SEITKALI_IIN,
                "last_name": "Сейткали",
                "first_name": "Айгерим",
                "middle_name": "Нурлановна",
                "gender": "F",
                "birth_date": "1992-11-02",
                "id_number": "047654321",
                "id_issued_on": "2021-02-10",
                "id_valid_until": "2031-02-09",
                "id_issuer": "МВД РК",
                "email": "a.seitkali@example.kz",
                "phone": "+77017654321",
                "contracts": [_seitkali_rent_to_own(today)],
            },
        ]
    }


def load_demo(session: Session, today: date) -> ImportReport:
    """Load the demo accounts or put them back as they were: data, password, registration state, sign-in state
    (sessions ended, counts of failed sign-ins and codes cleared), language, reminders and the reminders sent."""
    document = parse_document(json.dumps(demo_document(today)))
    report = import_document(session, document)
    named = {contract.number for client in document.clients for contract in client.contracts}
    throttled = [
        client_account(contract.account, client.iin) for client in document.clients for contract in client.contracts
    ]
    session.execute(delete(SignInFailures).where(SignInFailures.account.in_(throttled)))
    demo_clients = session.scalars(select(Client).where(Client.iin.in_([AKHMETOV_IIN, SEITKALI_IIN]))).all()
    for client in demo_clients:
        client.is_demo = True
        client.code_sent_at = None
        client.session_version += 1  # a demonstration's sessions end with the reset
        client.language = None
        client.reminders = True
        session.execute(delete(OneTimeCode).where(OneTimeCode.client_id == client.id))
        session.execute(
            delete(ReminderSent).where(
                ReminderSent.schedule_entry_id.in_(
                    select(ScheduleEntry.id).join(Contract).where(Contract.client_id == client.id)
                )
            )
        )
        session.execute(delete(Contract).where(Contract.client_id == client.id, Contract.number.not_in(named)))
        if client.iin == AKHMETOV_IIN:
            client.password_hash = hash_password(DEMO_PASSWORD)
            client.activated_at = datetime.combine(today, datetime.min.time(), tzinfo=KZ_TZ)
        else:
            client.password_hash = None
            client.activated_at = None
            client.consent_at = None
            client.consent_version = None
    record_run(session, DEMO, report)
    session.commit()
    return report
