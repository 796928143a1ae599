"""What the sign-in pages ask of the database: matching the five facts, checking a password with the lock,
and setting a new password once a code allowed it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from portal.audit import Event, record
from portal.auth.codes import consume_code
from portal.auth.passwords import decoy_hash, hash_password, verify_password
from portal.auth.session import end_every_session
from portal.clock import now
from portal.extensions import db
from portal.i18n import current_language
from portal.metrics import LOCKS, SIGN_INS
from portal.models import Client, Contract

MAX_FAILED_LOGINS = 10
LOCK_DURATION = timedelta(minutes=15)


class Outcome(enum.Enum):
    SIGNED_IN = "signed_in"
    FAILED = "failed"
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginResult:
    outcome: Outcome
    client: Client | None = None
    locked_until: datetime | None = None


def client_by_account(account: str, iin: str) -> Client | None:
    return db.session.scalar(
        select(Client)
        .join(Contract, Contract.client_id == Client.id)
        .where(Contract.account == account, Client.iin == iin)
    )


def authenticate(account: str, iin: str, password: str) -> LoginResult:
    client = client_by_account(account, iin)
    moment = now()
    if client is None or client.password_hash is None:
        verify_password(decoy_hash(), password)
        record(Event.LOGIN_FAILED, client.id if client else None, "no password yet" if client else "no such client")
        db.session.commit()
        SIGN_INS.labels("failed").inc()
        return LoginResult(Outcome.FAILED)
    if client.locked_until is not None and client.locked_until > moment:
        record(Event.LOGIN_FAILED, client.id, "locked")
        db.session.commit()
        SIGN_INS.labels("locked").inc()
        return LoginResult(Outcome.LOCKED, locked_until=client.locked_until)
    if verify_password(client.password_hash, password):
        client.failed_logins = 0
        client.locked_until = None
        record(Event.LOGIN_SUCCEEDED, client.id)
        db.session.commit()
        SIGN_INS.labels("signed_in").inc()
        return LoginResult(Outcome.SIGNED_IN, client)
    failures = db.session.scalar(
        update(Client)
        .where(Client.id == client.id)
        .values(failed_logins=Client.failed_logins + 1)
        .returning(Client.failed_logins)
    )
    record(Event.LOGIN_FAILED, client.id, "wrong password")
    if failures is not None and failures >= MAX_FAILED_LOGINS:
        until = moment + LOCK_DURATION
        db.session.execute(update(Client).where(Client.id == client.id).values(locked_until=until, failed_logins=0))
        record(Event.ACCOUNT_LOCKED, client.id, f"until {until:%Y-%m-%d %H:%M} UTC")
        db.session.commit()
        SIGN_INS.labels("locked").inc()
        LOCKS.inc()
        return LoginResult(Outcome.LOCKED, locked_until=until)
    db.session.commit()
    SIGN_INS.labels("failed").inc()
    return LoginResult(Outcome.FAILED)


def _same_contract_number(typed: str, stored: str) -> bool:
    """Contract numbers as clients type them: any letter case, spaces ignored."""
    return "".join(typed.split()).casefold() == "".join(stored.split()).casefold()


def match_facts(account: str, contract_number: str, iin: str, phone: str, signed_on: date) -> Client | None:
    """The client whose contract has all five facts, with that phone on file; one query whatever the answer."""
    found = db.session.execute(
        select(Client, Contract.number)
        .join(Contract, Contract.client_id == Client.id)
        .where(Contract.account == account, Client.iin == iin, Contract.signed_on == signed_on)
    ).first()
    if found is None:
        return None
    client, number = found
    if not _same_contract_number(contract_number, number) or client.phone != phone:
        return None
    return client


def set_password(client: Client, password: str, code_id: int, purpose: str, consent_version: str | None) -> bool:
    """Set the password a verified code allowed, ending every other session; False if the code was spent."""
    if not consume_code(code_id, client.id, purpose):
        db.session.rollback()
        return False
    moment = now()
    client.password_hash = hash_password(password)
    client.failed_logins = 0
    client.locked_until = None
    client.language = client.language or current_language()
    if purpose == "register":
        client.activated_at = moment
        client.consent_at = moment
        client.consent_version = consent_version
    end_every_session(client)
    record(Event.PASSWORD_SET, client.id, purpose)
    db.session.commit()
    db.session.refresh(client)
    return True
