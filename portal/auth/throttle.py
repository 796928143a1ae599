"""Failed sign-ins slow the guesser and never lock the owner out (DESIGN §4; OWASP, NIST SP 800-63B §5.2.2).

Per account and address: after 5 tries that failed, that address waits before its next try of that account,
30 seconds and doubling up to 15 minutes. Per account, from every address together: 50 failures in a day make the
next sign-in ask for an SMS code after the right password. A try is counted when it starts (one conditional
upsert decides it, so requests that race from one address get no extra tries) and the right password forgives it.

The counts live in the database, so that every app instance keeps the same ones. An account (a client's Номер
счета + ИИН as typed, a staff login) and an address are stored as keyed hashes only. A made-up account is counted
exactly as a real one: nothing here tells them apart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.extensions import db
from portal.models import SignInFailures

FREE_TRIES = 5
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)
STEP_UP_AFTER = 50  # failures from every address in a day
MEMORY = timedelta(days=1)
EVERY_ADDRESS = ""  # the `address` of an account's count from every address

_table = SignInFailures.__table__


def _keyed(*parts: str) -> str:
    """A keyed hash: the table alone does not give back an IIN, a login or an address, even by trying them all."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, json.dumps(["sign-in", *parts]).encode(), hashlib.sha256).hexdigest()


def client_account(account: str, iin: str) -> str:
    return _keyed("client", account, iin)


def staff_account(login: str) -> str:
    return _keyed("staff", login)


def address_key(address: str | None) -> str:
    return _keyed("address", address or "")


def wait_after(failures: int) -> timedelta:
    """How long an address waits after this many tries of an account that failed."""
    if failures < FREE_TRIES:
        return timedelta(0)
    return min(FIRST_WAIT * (1 << min(failures - FREE_TRIES, 10)), LONGEST_WAIT)


def _upsert() -> Any:
    return (postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert)(_table)


def _mine(account: str, address: str) -> Any:
    return and_(_table.c.account == account, _table.c.address == address)


def claim_try(account: str, address: str | None, moment: datetime) -> timedelta:
    """Count a try of the account from the address, unless the address must wait: then how long (and nothing is
    counted). Commits, so that the try is counted before the password is checked."""
    place = address_key(address)
    failures = db.session.scalar(
        _count_one_more(
            account,
            place,
            moment,
            forgotten=_table.c.last_at <= moment - MEMORY,
            unless_waiting=or_(_table.c.next_try_at.is_(None), _table.c.next_try_at <= moment),
        )
    )
    if failures is None:
        next_try = db.session.scalar(select(_table.c.next_try_at).where(_mine(account, place)))
        db.session.commit()
        return max((next_try or moment) - moment, timedelta(seconds=1))
    wait = wait_after(failures)
    if wait:
        db.session.execute(update(_table).where(_mine(account, place)).values(next_try_at=moment + wait))
    if failures == 1:  # a count begins: the table grows only as counts begin, so it is tidied as they do
        _forget_stale_counts(moment)
    db.session.commit()
    return timedelta(0)


def _forget_stale_counts(moment: datetime) -> None:
    """Delete the counts that would start again anyway (nothing added to them for a day); a count that asks for an
    SMS code stays until the sign-in with the code."""
    db.session.execute(
        delete(_table).where(
            _table.c.last_at <= moment - MEMORY,
            or_(_table.c.address != EVERY_ADDRESS, _table.c.failures < STEP_UP_AFTER),
        )
    )


def forgive_try(account: str, address: str | None) -> None:
    """The right password came from this address: its count of the account starts again. The caller commits."""
    db.session.execute(delete(_table).where(_mine(account, address_key(address))))


def count_failure(account: str, moment: datetime) -> int:
    """Add a failure to the account's count from every address; returns the count. The caller commits.

    A count below STEP_UP_AFTER starts again a day after its first failure; one that reached it stays until a
    sign-in with the SMS code clears it."""
    forgotten = and_(_table.c.since <= moment - MEMORY, _table.c.failures < STEP_UP_AFTER)
    return int(db.session.scalar(_count_one_more(account, EVERY_ADDRESS, moment, forgotten)) or 0)


def _count_one_more(
    account: str,
    place: str,
    moment: datetime,
    forgotten: ColumnElement[bool],
    unless_waiting: ColumnElement[bool] | None = None,
) -> Any:
    """One statement adding a failure to the (account, place) count, or starting it at 1 when the count is new or
    `forgotten`; with `unless_waiting`, nothing is changed (and nothing returned) unless it holds."""
    insert = _upsert().values(account=account, address=place, failures=1, since=moment, last_at=moment)
    return insert.on_conflict_do_update(
        index_elements=[_table.c.account, _table.c.address],
        set_={
            "failures": case((forgotten, 1), else_=_table.c.failures + 1),
            "since": case((forgotten, insert.excluded.since), else_=_table.c.since),
            "last_at": insert.excluded.last_at,
        },
        where=unless_waiting,
    ).returning(_table.c.failures)


def code_required(account: str) -> bool:
    """Whether a sign-in of the account must be confirmed with an SMS code after the password."""
    failures = db.session.scalar(select(_table.c.failures).where(_mine(account, EVERY_ADDRESS)))
    return failures is not None and failures >= STEP_UP_AFTER


def accounts_asking_for_a_code(accounts: list[str]) -> list[str]:
    """Those of these accounts whose next sign-in asks for an SMS code (code_required), in one query."""
    if not accounts:
        return []
    return list(
        db.session.scalars(
            select(_table.c.account).where(
                _table.c.account.in_(accounts),
                _table.c.address == EVERY_ADDRESS,
                _table.c.failures >= STEP_UP_AFTER,
            )
        )
    )


def clear_count(account: str) -> None:
    """A sign-in succeeded (with the code when one was asked): the count from every address starts again. The
    counts of other addresses stay, so that a guesser elsewhere keeps waiting. The caller commits."""
    db.session.execute(delete(_table).where(_mine(account, EVERY_ADDRESS)))


def forget_account(account: str) -> None:
    """Every count of the account, from every address (the demo reset). The caller commits."""
    db.session.execute(delete(_table).where(_table.c.account == account))


def wait_message(wait: timedelta) -> str:
    """The same words for a real account and a made-up one."""
    seconds = math.ceil(wait.total_seconds())
    if seconds <= 90:
        return str(_("Слишком много неудачных попыток. Повторите через %(seconds)s с.", seconds=seconds))
    return str(_("Слишком много неудачных попыток. Повторите через %(minutes)s мин.", minutes=math.ceil(seconds / 60)))
