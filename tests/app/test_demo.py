"""`portal demo`: the demo accounts of DESIGN §5, showing what support staff demonstrate, on any day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from portal.auth.passwords import hash_password, verify_password
from portal.auth.throttle import STEP_UP_AFTER, claim_try, client_account, count_failure
from portal.demo import DEMO_PASSWORD, load_demo
from portal.domain.schedule import Status, contract_figures, statuses
from portal.extensions import db
from portal.models import Client, Contract, Deposit, ReminderSent, SignInFailures
from tests import factories
from tests.conftest import TODAY, AuthActions


def client_by_iin(iin: str) -> Client:
    return db.session.scalars(
        select(Client)
        .where(Client.iin == iin)
        .options(selectinload(Client.contracts).selectinload(Contract.schedule))
        .options(selectinload(Client.contracts).selectinload(Contract.deposits))
    ).one()


def contract_statuses(contract: Contract, today: date) -> list[Status]:
    return statuses([e.as_fact() for e in contract.schedule], [d.as_fact() for d in contract.deposits], today)


def test_demo_command_loads_both_accounts(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["portal", "demo"])

    assert result.exit_code == 0, result.output
    akhmetov = client_by_iin("880515301238")
    assert akhmetov.full_name == "Ахметов Данияр Серикович"
    assert akhmetov.is_demo
    assert [(c.account, c.kind) for c in akhmetov.contracts] == [("1000000001", "rent_to_own"), ("1000000002", "loan")]
    assert verify_password(akhmetov.password_hash, DEMO_PASSWORD)
    assert akhmetov.password_hash and DEMO_PASSWORD not in akhmetov.password_hash
    seitkali = client_by_iin("921102404563")
    assert seitkali.is_demo
    assert seitkali.password_hash is None and seitkali.activated_at is None
    (contract,) = seitkali.contracts
    assert (contract.number, contract.account, contract.signed_on) == ("ДА-2023-00318", "1000000003", date(2023, 3, 15))
    assert seitkali.phone == "+77017654321"


@pytest.mark.parametrize(
    "today",
    [
        date(2024, 2, 29),
        date(2025, 1, 1),
        date(2025, 12, 31),
        date(2026, 3, 10),
        date(2026, 3, 25),
        TODAY,
        date(2027, 7, 4),
        date(2030, 9, 30),
    ],
)
def test_on_any_day_akhmetov_shows_every_status_and_a_debt_with_penalty_and_fine(app: Flask, today: date) -> None:
    load_demo(db.session, today)

    akhmetov = client_by_iin("880515301238")
    rent, loan = akhmetov.contracts
    assert set(contract_statuses(rent, today) + contract_statuses(loan, today)) == set(Status)
    figures = contract_figures(
        rent.payments, [e.as_fact() for e in rent.schedule], [d.as_fact() for d in rent.deposits], today
    )
    assert figures.overdue_debt > 0
    assert rent.penalty > 0 and rent.fine > 0
    assert Status.OVERDUE not in contract_statuses(loan, today)

    seitkali = client_by_iin("921102404563")
    assert Status.OVERDUE not in contract_statuses(seitkali.contracts[0], today)


def test_demo_resets_what_a_demonstration_changed(app: Flask) -> None:
    load_demo(db.session, TODAY)
    akhmetov = client_by_iin("880515301238")
    akhmetov.password_hash = "changed"
    akhmetov.contracts[0].penalty = Decimal("1.00")
    factories.contract(akhmetov, number="X-1", account="1000009999", kind="loan")
    seitkali = client_by_iin("921102404563")
    seitkali.password_hash = "registered meanwhile"
    db.session.commit()

    load_demo(db.session, TODAY)

    db.session.expire_all()
    akhmetov = client_by_iin("880515301238")
    assert verify_password(akhmetov.password_hash, DEMO_PASSWORD)
    assert [c.account for c in akhmetov.contracts] == ["1000000001", "1000000002"]
    assert akhmetov.contracts[0].penalty == Decimal("12345.67")
    assert client_by_iin("921102404563").password_hash is None


def test_portal_demo_puts_the_demo_accounts_back_as_they_were(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient, auth: AuthActions
) -> None:
    load_demo(db.session, TODAY)
    before = {c.account: contract_statuses(c, TODAY) for c in client_by_iin("880515301238").contracts}
    assert auth.login().status_code == 303
    assert client.get("/profile").status_code == 200
    # A demonstration changes everything it can: failed sign-ins, password, language, reminders, data; Сейткали
    # registers.
    for account in ("1000000001", "1000000002"):
        for _ in range(STEP_UP_AFTER):
            count_failure(client_account(account, "880515301238"), datetime.now(UTC))
        for _ in range(5):
            claim_try(client_account(account, "880515301238"), "203.0.113.7", datetime.now(UTC))
    akhmetov = client_by_iin("880515301238")
    akhmetov.password_hash = hash_password("Changed#Password1")
    akhmetov.language, akhmetov.reminders = "en", False
    rent = akhmetov.contracts[0]
    for entry in rent.schedule:
        entry.debited, entry.debited_on = entry.accrued, entry.debit_on
    db.session.execute(delete(Deposit).where(Deposit.contract_id == rent.id))
    db.session.add(ReminderSent(schedule_entry_id=rent.schedule[0].id, reason="missed", sent_at=datetime.now(UTC)))
    seitkali = client_by_iin("921102404563")
    seitkali.password_hash = hash_password("Seitkali#Pass1")
    seitkali.activated_at = seitkali.consent_at = datetime.now(UTC)
    seitkali.consent_version = "2026-11"
    db.session.commit()

    result = runner.invoke(args=["portal", "demo"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert client.get("/profile").status_code == 302  # the demonstration's session has ended
    akhmetov = client_by_iin("880515301238")
    assert verify_password(akhmetov.password_hash, DEMO_PASSWORD)
    assert (akhmetov.language, akhmetov.reminders) == (None, True)
    assert db.session.scalars(select(SignInFailures)).all() == []
    assert {c.account: contract_statuses(c, TODAY) for c in akhmetov.contracts} == before
    assert db.session.scalars(select(ReminderSent)).all() == []
    seitkali = client_by_iin("921102404563")
    assert (seitkali.password_hash, seitkali.activated_at, seitkali.consent_at) == (None, None, None)
    assert auth.login(password="Changed#Password1").status_code != 303
    assert auth.login().status_code == 303
    assert client.get("/profile").status_code == 200
