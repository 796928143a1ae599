"""One-time SMS codes: issued to the number on file, valid 5 minutes, single use, void after 5 wrong entries,
resent after 60 seconds, at most 5 per phone per hour. Every counter lives in the database, so that every
app instance enforces the same numbers; the winner of a race is decided by one conditional UPDATE."""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import CursorResult, func, or_, select, update

from portal.audit import Event, record
from portal.clock import now
from portal.domain.phone import mask_phone
from portal.extensions import db
from portal.i18n import current_language
from portal.metrics import CODES
from portal.models import Client, OneTimeCode
from portal.sms import SmsError, gateway_for

CODE_LIFETIME = timedelta(minutes=5)
MAX_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=60)
HOURLY_CAP = 5
PASSWORD_STEP_LIFETIME = timedelta(minutes=15)  # from the verified code to the new password

log = logging.getLogger(__name__)


class Refusal(enum.Enum):
    TOO_SOON = "too_soon"
    HOURLY_CAP = "hourly_cap"
    NOT_SENT = "not_sent"


class CodeRefused(Exception):
    def __init__(self, reason: Refusal, wait: timedelta = timedelta(0)) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.wait = wait


class Verdict(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    USED = "used"


@dataclass(frozen=True)
class Check:
    verdict: Verdict
    attempts_left: int = 0


def _digest(seed: str, code: str) -> str:
    """A keyed hash: a stolen table alone does not let anyone try the million codes offline."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{seed}:{code}".encode(), hashlib.sha256).hexdigest()


def resend_wait(client: Client) -> timedelta:
    """How long until another code may go out to this client (zero when it may go now)."""
    if client.code_sent_at is None:
        return timedelta(0)
    return max(client.code_sent_at + RESEND_AFTER - now(), timedelta(0))


def _claim_sending(client: Client, moment: datetime) -> bool:
    """Take this minute's code for the client; of requests that race, exactly one gets True."""
    # An UPDATE's result is a CursorResult, which has the number of rows matched.
    claimed = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(Client)
            .where(
                Client.id == client.id,
                or_(Client.code_sent_at.is_(None), Client.code_sent_at <= moment - RESEND_AFTER),
            )
            .values(code_sent_at=moment)
            .execution_options(synchronize_session=False)
        ),
    )
    return claimed.rowcount == 1


def issue_code(client: Client, purpose: str) -> tuple[OneTimeCode, str]:
    """Create a code, send it to the number on file, and commit; nothing is kept when sending fails.

    At most one code a minute goes to a client, whichever flow or browser asks, and 5 an hour to a phone.
    """
    moment = now()
    wait = resend_wait(client)
    if wait:
        raise CodeRefused(Refusal.TOO_SOON, wait)
    sent_this_hour = db.session.scalar(
        select(func.count())
        .select_from(OneTimeCode)
        .where(OneTimeCode.phone == client.phone, OneTimeCode.created_at > moment - timedelta(hours=1))
    )
    if (sent_this_hour or 0) >= HOURLY_CAP:
        oldest = db.session.scalar(
            select(func.min(OneTimeCode.created_at)).where(
                OneTimeCode.phone == client.phone, OneTimeCode.created_at > moment - timedelta(hours=1)
            )
        )
        raise CodeRefused(Refusal.HOURLY_CAP, (oldest or moment) + timedelta(hours=1) - moment)
    if not _claim_sending(client, moment):
        db.session.rollback()
        raise CodeRefused(Refusal.TOO_SOON, RESEND_AFTER)

    code = f"{secrets.randbelow(10**6):06d}"
    seed = secrets.token_hex(8)
    row = OneTimeCode(
        client_id=client.id,
        purpose=purpose,
        phone=client.phone,
        code_hash=f"{seed}${_digest(seed, code)}",
        created_at=moment,
        expires_at=moment + CODE_LIFETIME,
    )
    db.session.add(row)
    db.session.flush()
    with force_locale(client_language(client)):
        text = _("Код для входа в Личный кабинет: %(code)s. Никому не сообщайте его.", code=code)
    try:
        gateway_for(current_app.config, now, demo=client.is_demo).send(client.phone, text)
    except SmsError:
        db.session.rollback()
        log.warning("code for %s not sent", mask_phone(client.phone))
        record(Event.CODE_NOT_SENT, client.id, f"{purpose} {mask_phone(client.phone)}")
        db.session.commit()
        CODES.labels("failed").inc()
        raise CodeRefused(Refusal.NOT_SENT) from None
    record(Event.CODE_SENT, client.id, purpose)  # the phone is on the code's row
    db.session.commit()
    CODES.labels("sent").inc()
    return row, code


def tell_password_changed(client: Client) -> None:
    """An SMS to the number on file that the password was changed: if it was not the client, they know to act. A
    failure to send is logged; the change stands."""
    with force_locale(client_language(client)):
        text = _(
            "Пароль от Личного кабинета изменен. Если это были не вы, восстановите пароль и обратитесь в Компанию."
        )
    try:
        gateway_for(current_app.config, now, demo=client.is_demo).send(client.phone, text)
    except SmsError:
        log.warning("password-changed notice for %s not sent", mask_phone(client.phone))


def client_language(client: Client) -> str:
    """The language of the client's SMS: the client's stored choice, else the language of the page in use."""
    return client.language or current_language()


def check_code(code_id: int, entered: str) -> Check:
    """Judge an entered code; a wrong one costs an attempt, a right one is marked verified exactly once."""
    row = db.session.get(OneTimeCode, code_id)
    moment = now()
    if row is None or row.verified_at is not None:
        return Check(Verdict.USED)
    if row.attempts >= MAX_ATTEMPTS:
        return Check(Verdict.EXHAUSTED)
    if moment >= row.expires_at:
        return Check(Verdict.EXPIRED)
    seed, _sep, digest = row.code_hash.partition("$")
    if not hmac.compare_digest(_digest(seed, entered), digest):
        attempts = db.session.scalar(
            update(OneTimeCode)
            .where(OneTimeCode.id == code_id, OneTimeCode.attempts < MAX_ATTEMPTS)
            .values(attempts=OneTimeCode.attempts + 1)
            .returning(OneTimeCode.attempts)
        )
        record(Event.CODE_REJECTED, row.client_id, row.purpose)
        db.session.commit()
        left = MAX_ATTEMPTS - (attempts if attempts is not None else MAX_ATTEMPTS)
        return Check(Verdict.WRONG if left > 0 else Verdict.EXHAUSTED, left)
    won = db.session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.id == code_id,
            OneTimeCode.verified_at.is_(None),
            OneTimeCode.attempts < MAX_ATTEMPTS,
            OneTimeCode.expires_at > moment,
        )
        .values(verified_at=moment)
    )
    db.session.commit()
    return Check(Verdict.ACCEPTED if won.rowcount == 1 else Verdict.USED)  # type: ignore[attr-defined]


def consume_code(code_id: int, client_id: int, purpose: str) -> bool:
    """Spend a verified code on the password it allowed; True for exactly one caller. The caller commits."""
    # An UPDATE's result is a CursorResult, which has the number of rows matched.
    spent = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(OneTimeCode)
            .where(
                OneTimeCode.id == code_id,
                OneTimeCode.client_id == client_id,
                OneTimeCode.purpose == purpose,
                OneTimeCode.verified_at.is_not(None),
                OneTimeCode.consumed_at.is_(None),
                OneTimeCode.verified_at > now() - PASSWORD_STEP_LIFETIME,
            )
            .values(consumed_at=now())
        ),
    )
    return spent.rowcount == 1
