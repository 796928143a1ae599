"""What the sign-in pages ask of the database: matching the five facts, checking a password under the throttle
of failed sign-ins (portal.auth.throttle), and setting a new password once a code allowed it."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select

from portal.audit import Event, record
from portal.auth.codes import consume_code
from portal.auth.passwords import decoy_hash, hash_password, verify_password
from portal.auth.session import end_every_session
from portal.auth.throttle import (
    STEP_UP_AFTER,
    claim_try,
    clear_count,
    client_account,
    code_required,
    count_failure,
    forgive_try,
)
from portal.clock import now
from portal.domain.contract_number import same_contract_number
from portal.extensions import db
from portal.i18n import current_language
from portal.metrics import SIGN_INS
from portal.models import Client, Contract


class Outcome(enum.Enum):
    SIGNED_IN = "signed_in"
    FAILED = "failed"
    THROTTLED = "throttled"  # this address waits before its next try of this account
    CODE_REQUIRED = "code_required"  # the password is right; an SMS code must confirm the sign-in


@dataclass(frozen=True)
class LoginResult:
    outcome: Outcome
    client: Client | None = None
    wait: timedelta = timedelta(0)
    account_key: str = ""  # the throttle's key of the account, for the code step


def client_by_account(account: str, iin: str) -> Client | None:
    return db.session.scalar(
        select(Client)
        .join(Contract, Contract.client_id == Client.id)
        .where(Contract.account == account, Client.iin == iin)
    )


def authenticate(account: str, iin: str, password: str, address: str | None) -> LoginResult:
    """Check the password of the account typed, from this address. Whether the account exists or not, one
    password hash is checked and the same counts are kept, so neither the answer nor its time tells."""
    moment = now()
    key = client_account(account, iin)
    wait = claim_try(key, address, moment)
    client = client_by_account(account, iin)
    client_id = client.id if client is not None else None
    if wait:
        verify_password(decoy_hash(), password)  # as long as any other answer
        record(Event.LOGIN_THROTTLED, client_id, f"wait {math.ceil(wait.total_seconds())} s")
        db.session.commit()
        SIGN_INS.labels("throttled").inc()
        return LoginResult(Outcome.THROTTLED, wait=wait)
    stored = client.password_hash if client is not None else None
    right = verify_password(stored or decoy_hash(), password) and stored is not None
    if client is None or not right:
        failures = count_failure(key, moment)
        record(
            Event.LOGIN_FAILED,
            client_id,
            "wrong password" if stored else ("no password yet" if client else "no such client"),
        )
        if failures == STEP_UP_AFTER:
            record(Event.LOGIN_CODE_REQUIRED, client_id, f"{STEP_UP_AFTER} failures in a day")
        db.session.commit()
        SIGN_INS.labels("failed").inc()
        return LoginResult(Outcome.FAILED)
    forgive_try(key, address)
    if code_required(key):
        record(Event.LOGIN_CODE_ASKED, client.id, "password right")
        db.session.commit()
        SIGN_INS.labels("code_required").inc()
        return LoginResult(Outcome.CODE_REQUIRED, client, account_key=key)
    clear_count(key)
    record(Event.LOGIN_SUCCEEDED, client.id)
    db.session.commit()
    SIGN_INS.labels("signed_in").inc()
    return LoginResult(Outcome.SIGNED_IN, client)


def confirm_sign_in(client: Client, code_id: int, account_key: str, session_version: int) -> bool:
    """Spend the verified code that confirms a sign-in and clear the account's count; False if the code was spent
    or the client's sessions ended (a new password) since the password was checked."""
    if client.session_version != session_version or not consume_code(code_id, client.id, "sign_in"):
        db.session.rollback()
        return False
    clear_count(account_key)
    record(Event.LOGIN_SUCCEEDED, client.id, "with sms code")
    db.session.commit()
    SIGN_INS.labels("signed_in").inc()
    return True


# The five facts of «Первичная авторизация», by the names the audit trail gives them (never their values).
FACTS = ("account", "contract_number", "iin", "phone", "contract_date")


def match_facts(
    account: str, contract_number: str, iin: str, phone: str, signed_on: date, purpose: str
) -> Client | None:
    """The client whose contract has all five facts, with that phone on file; one query whatever the answer.

    On a mismatch the audit trail gets, for support staff, which facts did not match and the client they point to
    (by the IIN, else by the account); the client is told nothing more than before. Committed here."""
    rows = db.session.execute(
        select(Client, Contract)
        .join(Contract, Contract.client_id == Client.id)
        .where(or_(Client.iin == iin, Contract.account == account))
    ).all()
    by_iin = [(client, contract) for client, contract in rows if client.iin == iin]
    candidates = by_iin or [(client, contract) for client, contract in rows if contract.account == account]
    best: tuple[Client, list[str]] | None = None
    for client, contract in candidates:
        typed = {
            "account": account == contract.account,
            "contract_number": same_contract_number(contract_number, contract.number),
            "iin": iin == client.iin,
            "phone": phone == client.phone,
            "contract_date": signed_on == contract.signed_on,
        }
        mismatched = [fact for fact in FACTS if not typed[fact]]
        if not mismatched:
            return client
        if best is None or len(mismatched) < len(best[1]):
            best = (client, mismatched)
    if best is None:
        record(Event.FACTS_MISMATCH, None, f"{purpose}: no client")
    else:
        record(Event.FACTS_MISMATCH, best[0].id, f"{purpose}: {' '.join(best[1])}")
    db.session.commit()
    return None


def set_password(client: Client, password: str, code_id: int, purpose: str, consent_version: str | None) -> bool:
    """Set the password a verified code allowed, ending every other session; False if the code was spent."""
    if not consume_code(code_id, client.id, purpose):
        db.session.rollback()
        return False
    moment = now()
    client.password_hash = hash_password(password)
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


def change_password(client: Client, current: str, new: str) -> bool:
    """Set a new password if `current` is the client's, ending every session of the client (the caller starts this
    one again); False, with nothing changed, if it is not."""
    if client.password_hash is None or not verify_password(client.password_hash, current):
        record(Event.PASSWORD_CHANGE_REFUSED, client.id, "wrong current password")
        db.session.commit()
        return False
    client.password_hash = hash_password(new)
    end_every_session(client)
    record(Event.PASSWORD_SET, client.id, "change")
    db.session.commit()
    db.session.refresh(client)
    return True
