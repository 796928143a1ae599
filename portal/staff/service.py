"""What support staff ask of the database: adding, disabling and enabling a staff member (the CLI's and the admins'
pages' one way, portal.staff.members_service), signing in with a password and a TOTP code (throttled as the clients'
login is, portal.auth.throttle), and finding a client by IIN or personal account number."""

from __future__ import annotations

import hmac
import logging
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from flask import current_app
from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.audit import Event, record
from portal.auth.passwords import decoy_hash, hash_password, verify_password
from portal.auth.policy import common_passwords
from portal.auth.service import Outcome
from portal.auth.throttle import (
    EVERY_ADDRESS,
    accounts_asking_for_a_code,
    claim_try,
    client_account,
    forget_account,
    forgive_try,
    staff_account,
)
from portal.clock import now
from portal.domain.clock import kazakhstan_now
from portal.domain.password import MAX_PASSWORD_LENGTH, PasswordRule, failed_rules, too_long, weaknesses
from portal.domain.phone import mask_phone
from portal.extensions import db
from portal.import_runs import last_run, recent_runs
from portal.models import (
    ADMIN,
    STAFF_ROLES,
    SUPPORT,
    AuditEvent,
    Client,
    Contract,
    OneTimeCode,
    SignInFailures,
    Staff,
    StaffRole,
)
from portal.sealing import InvalidToken, reseal, seal, unseal

log = logging.getLogger(__name__)

LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,49}")
# A code of the previous or the next 30-second step is accepted too (clocks drift), each at most once.
TOTP_VALID_WINDOW = 1
RULE_TEXTS = {
    PasswordRule.LENGTH: "at least 8 characters",
    PasswordRule.LOWERCASE: "a lowercase letter",
    PasswordRule.UPPERCASE: "an uppercase letter",
    PasswordRule.DIGIT: "a digit",
    PasswordRule.SYMBOL: "a symbol",
    PasswordRule.MATCH: "the two entries must be equal",
}


@dataclass(frozen=True)
class StaffProblem:
    """What keeps a staff member from being added as asked: the field at fault (login, full_name, password,
    roles), what is wrong (`kind`, with the password rule failed), and the operator's words, which the CLI prints;
    the admins' pages say it in the user's language (portal.staff.members_service)."""

    field: str
    kind: str  # login, taken, full_name, no_role, unknown_role, too_long, rule, weak
    words: str
    rule: PasswordRule | None = None


class StaffRefused(Exception):
    """A staff member cannot be added as asked; `problems` says why."""

    def __init__(self, problems: list[StaffProblem]) -> None:
        super().__init__("; ".join(problem.words for problem in problems))
        self.problems = problems


class LastAdminRefused(Exception):
    """The change would leave no active admin: the last one cannot disable themself or give up the role."""


def normalise_login(login: str) -> str:
    return login.strip().lower()


def staff_password_problems(password: str, login: str) -> list[StaffProblem]:
    """The manual's password rules, and no common password or the login inside it."""
    if too_long(password):
        return [StaffProblem("password", "too_long", f"the password must be at most {MAX_PASSWORD_LENGTH} characters")]
    problems = [
        StaffProblem("password", "rule", f"the password needs {RULE_TEXTS[rule]}", rule)
        for rule in failed_rules(password, password)
    ]
    if not problems and weaknesses(password, [login], common_passwords()):
        problems.append(StaffProblem("password", "weak", "the password is too common or contains the login"))
    return problems


def _taken(login: str) -> StaffProblem:
    return StaffProblem("login", "taken", f"the login {login} is taken")


def add_staff(
    login: str,
    full_name: str,
    password: str,
    roles: tuple[str, ...] = (SUPPORT,),
    actor_id: int | None = None,
) -> tuple[Staff, str]:
    """Add an active staff member with these roles, audited as added by `actor_id` (None: the operator's CLI);
    returns them and their new TOTP secret (shown once)."""
    login = normalise_login(login)
    known = ", ".join(STAFF_ROLES)
    problems = [
        StaffProblem("roles", "unknown_role", f"there is no role {role!r} (roles: {known})")
        for role in roles
        if role not in STAFF_ROLES
    ]
    if not roles:
        problems.append(StaffProblem("roles", "no_role", "a staff member needs at least one role"))
    if not LOGIN_PATTERN.fullmatch(login):
        words = "the login must be 2-50 of a-z, 0-9, '.', '_', '-' and start with a letter or digit"
        problems.append(StaffProblem("login", "login", words))
    if not full_name.strip():
        problems.append(StaffProblem("full_name", "full_name", "the full name must not be empty"))
    problems += staff_password_problems(password, login)
    if not problems and db.session.scalar(select(Staff.id).where(Staff.login == login)) is not None:
        problems.append(_taken(login))
    if problems:
        raise StaffRefused(problems)
    staff = Staff(
        login=login,
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        active=True,
        created_at=now(),
        session_version=0,
        roles=[StaffRole(role=role) for role in sorted(set(roles))],
    )
    secret = issue_totp_secret(staff)
    db.session.add(staff)
    record(Event.STAFF_ADDED, None, f"{login}: {','.join(sorted(set(roles)))}", actor_id)
    try:
        db.session.commit()
    except IntegrityError:  # the same login added at the same moment elsewhere
        db.session.rollback()
        raise StaffRefused([_taken(login)]) from None
    return staff, secret


def issue_totp_secret(staff: Staff) -> str:
    """A new TOTP secret for the member, stored sealed, any code of the old one void; the plain secret is returned
    to be shown once."""
    secret = pyotp.random_base32()
    staff.totp_sealed = seal(current_app.config, secret)
    staff.totp_last_step = None
    return secret


def provisioning_uri(staff: Staff, secret: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=staff.login, issuer_name=issuer)


def rotate_totp_key() -> int:
    """Seal every staff member's TOTP secret again under the first PORTAL_TOTP_KEY key, all or none; returns how
    many. InvalidToken (nothing written) if a secret opens under none of the keys."""
    members = list(db.session.scalars(select(Staff).order_by(Staff.id)))
    try:
        for staff in members:
            staff.totp_sealed = reseal(current_app.config, staff.totp_sealed)
    except InvalidToken:
        db.session.rollback()
        raise
    db.session.commit()
    return len(members)


def disable_staff(login: str, actor_id: int | None = None) -> Staff | None:
    """Disable the staff member and end every session of theirs; None if there is no such login.
    LastAdminRefused (nothing changed) if they are the last active admin."""
    staff = _staff_by_login(login)
    if staff is not None:
        set_staff_active(staff, False, actor_id)
    return staff


def enable_staff(login: str, actor_id: int | None = None) -> Staff | None:
    """Let a disabled staff member sign in again; None if there is no such login."""
    staff = _staff_by_login(login)
    if staff is not None:
        set_staff_active(staff, True, actor_id)
    return staff


def _staff_by_login(login: str) -> Staff | None:
    return db.session.scalar(select(Staff).where(Staff.login == normalise_login(login)))


def set_staff_active(staff: Staff, active: bool, actor_id: int | None) -> None:
    """Disable (every session of theirs ends at once) or enable the member, audited with the actor; committed.
    Disabling the last active admin is refused (LastAdminRefused, nothing changed)."""
    with keeping_an_admin(staff):
        if staff.active == active:
            return
        staff.active = active
        if not active:
            staff.session_version += 1
    record(Event.STAFF_ENABLED if active else Event.STAFF_DISABLED, None, staff.login, actor_id)
    db.session.commit()


def _is_active_admin() -> ColumnElement[bool]:
    return and_(Staff.active, Staff.roles.any(StaffRole.role == ADMIN))


def lock_admins() -> None:
    """Hold the rows of the active admins until the commit: two admins taking each other's role at the same moment
    take turns, and the second one's count (a statement after the lock) sees the first one's change."""
    db.session.execute(select(Staff.id).where(_is_active_admin()).with_for_update())


def active_admins() -> int:
    return int(db.session.scalar(select(func.count()).select_from(Staff).where(_is_active_admin())) or 0)


@contextmanager
def keeping_an_admin(staff: Staff) -> Iterator[None]:
    """Around a change of `staff`: the admins' rows are locked first and the member read again; if the member was an
    active admin and no active admin is left after the change, it is undone and LastAdminRefused raised."""
    lock_admins()
    db.session.refresh(staff)
    was_admin = staff.active and ADMIN in staff.role_names
    yield
    if was_admin:
        db.session.flush()
        if active_admins() == 0:
            db.session.rollback()
            raise LastAdminRefused


def totp_step(secret: str, code: str, moment: datetime) -> int | None:
    """The time step whose code `code` is, within the valid window around `moment`; None if none is."""
    totp = pyotp.TOTP(secret)
    if not totp.verify(code, for_time=moment, valid_window=TOTP_VALID_WINDOW):
        return None
    current = totp.timecode(moment)
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@dataclass(frozen=True)
class StaffLoginResult:
    outcome: Outcome
    staff: Staff | None = None
    wait: timedelta = timedelta(0)


def _step_of(staff: Staff, code: str, moment: datetime) -> int | None:
    """The TOTP step the code belongs to; None when it is wrong, or when the secret does not open under
    PORTAL_TOTP_KEY (a configuration error for the operator: logged, and the sign-in refused like a wrong code)."""
    try:
        secret = unseal(current_app.config, staff.totp_sealed)
    except InvalidToken:
        log.error("the TOTP secret of staff member %s does not open under PORTAL_TOTP_KEY", staff.id)
        return None
    return totp_step(secret, code, moment)


def authenticate_staff(login: str, password: str, code: str, address: str | None) -> StaffLoginResult:
    """Password and TOTP code; a code is accepted once (its step is claimed by one conditional UPDATE). Tries are
    throttled per login and address as the clients' are, a made-up login as a real one."""
    login = normalise_login(login)
    moment = now()
    key = staff_account(login)
    wait = claim_try(key, address, moment)
    staff = db.session.scalar(select(Staff).where(Staff.login == login))
    staff_id = staff.id if staff is not None else None
    if wait:
        verify_password(decoy_hash(), password)  # as long as any other answer
        record(Event.STAFF_LOGIN_THROTTLED, None, f"wait {math.ceil(wait.total_seconds())} s", staff_id)
        db.session.commit()
        return StaffLoginResult(Outcome.THROTTLED, wait=wait)
    if staff is None or not staff.active:
        verify_password(decoy_hash(), password)  # an unknown or disabled login
        record(Event.STAFF_LOGIN_FAILED, None, "disabled" if staff else "no such login", staff_id)
        db.session.commit()
        return StaffLoginResult(Outcome.FAILED)
    password_ok = verify_password(staff.password_hash, password)
    step = _step_of(staff, code, moment) if password_ok else None
    if step is not None:
        claimed = db.session.execute(
            update(Staff)
            .where(Staff.id == staff.id, or_(Staff.totp_last_step.is_(None), Staff.totp_last_step < step))
            .values(totp_last_step=step)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            forgive_try(key, address)
            record(Event.STAFF_LOGIN_SUCCEEDED, None, staff_id=staff.id)
            db.session.commit()
            db.session.refresh(staff)
            return StaffLoginResult(Outcome.SIGNED_IN, staff)
    reason = "wrong password" if not password_ok else ("wrong code" if step is None else "code used before")
    record(Event.STAFF_LOGIN_FAILED, None, reason, staff.id)
    db.session.commit()
    return StaffLoginResult(Outcome.FAILED)


def find_clients(number: str) -> list[Client]:
    """Clients whose IIN, or one of whose personal account numbers, is exactly `number`; one query."""
    by_account = select(Contract.client_id).where(Contract.account == number)
    return list(
        db.session.scalars(
            select(Client).where(or_(Client.iin == number, Client.id.in_(by_account))).order_by(Client.last_name)
        )
    )


@dataclass(frozen=True)
class SignInState:
    """What support needs to know of a found client's sign-in: registered since when, and whether the next
    sign-in asks for an SMS code after the password (many failed passwords from everywhere)."""

    registered_at: datetime | None
    code_required: bool


def sign_in_states(clients: list[Client]) -> dict[int, SignInState]:
    """Each found client's sign-in state; one query for their accounts, one for the counts."""
    accounts = db.session.execute(
        select(Contract.client_id, Contract.account).where(Contract.client_id.in_([c.id for c in clients]))
    ).all()
    iins = {client.id: client.iin for client in clients}
    keyed = {client_account(account, iins[client_id]): client_id for client_id, account in accounts}
    asking = {keyed[key] for key in accounts_asking_for_a_code(list(keyed))}
    return {
        client.id: SignInState(
            kazakhstan_now(client.activated_at) if client.activated_at else None, client.id in asking
        )
        for client in clients
    }


IMPORT_OVERDUE = timedelta(days=1)


@dataclass(frozen=True)
class ImportShown:
    """An import run as the staff's page shows it: finished when (Kazakhstan time), which file, how much."""

    finished_at: datetime
    source: str
    clients: int
    rows: int
    changed: int


def latest_imports(limit: int = 20) -> list[ImportShown]:
    return [
        ImportShown(kazakhstan_now(run.finished_at), run.source, run.clients, run.rows, run.changed)
        for run in recent_runs(db.session(), limit)
    ]


@dataclass(frozen=True)
class ImportWarning:
    """No import for more than a day: when the last one finished (Kazakhstan time), or None if there was none."""

    last: datetime | None


def import_warning() -> ImportWarning | None:
    run = last_run(db.session())
    if run is not None and now() - run.finished_at <= IMPORT_OVERDUE:
        return None
    return ImportWarning(kazakhstan_now(run.finished_at) if run is not None else None)


SMS_SHOWN_FOR = timedelta(hours=24)
MISMATCHES_SHOWN_FOR = timedelta(days=30)
MISMATCHES_SHOWN = 10
REASON_LENGTH = 200


@dataclass(frozen=True)
class SmsSent:
    at: datetime  # Kazakhstan time
    masked_phone: str
    purpose: str  # register, reset, sign_in
    sent: bool  # the gateway took it; False: it failed and no code went out


@dataclass(frozen=True)
class FactsMismatch:
    at: datetime  # Kazakhstan time
    purpose: str  # register or reset
    facts: list[str]  # names of portal.auth.service.FACTS


@dataclass(frozen=True)
class SignInOverview:
    """A client's sign-in as support sees it to help: registered since when, whether the next sign-in asks for an
    SMS code, the addresses made to wait now, the last sign-in, the codes of the last day, the facts that did not
    match in recent tries of «Первичная авторизация» and of a password reset."""

    client: Client
    registered_at: datetime | None
    code_required: bool
    waiting_addresses: int
    waiting_until: datetime | None
    last_sign_in: datetime | None
    sms: list[SmsSent]
    mismatches: list[FactsMismatch]


def _client_keys(client: Client) -> list[str]:
    return [client_account(contract.account, client.iin) for contract in client.contracts]


def sign_in_overview(client: Client) -> SignInOverview:
    """The client (with contracts) of the staff's sign-in page; a query for each part, none growing with the data."""
    moment = now()
    keys = _client_keys(client)
    table = SignInFailures.__table__
    waiting, until = db.session.execute(
        select(func.count(), func.max(table.c.next_try_at)).where(
            table.c.account.in_(keys), table.c.address != EVERY_ADDRESS, table.c.next_try_at > moment
        )
    ).one()
    last_sign_in = db.session.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.client_id == client.id, AuditEvent.event == Event.LOGIN_SUCCEEDED.value
        )
    )
    codes = db.session.execute(
        select(OneTimeCode.created_at, OneTimeCode.phone, OneTimeCode.purpose).where(
            OneTimeCode.client_id == client.id, OneTimeCode.created_at > moment - SMS_SHOWN_FOR
        )
    ).all()
    events = db.session.execute(
        select(AuditEvent.at, AuditEvent.event, AuditEvent.detail)
        .where(
            AuditEvent.client_id == client.id,
            AuditEvent.event.in_([Event.CODE_NOT_SENT.value, Event.FACTS_MISMATCH.value]),
            AuditEvent.at > moment - MISMATCHES_SHOWN_FOR,
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(100)
    ).all()
    sms = [SmsSent(kazakhstan_now(at), mask_phone(phone), purpose, True) for at, phone, purpose in codes]
    mismatches: list[FactsMismatch] = []
    for at, event, detail in events:
        purpose, _sep, rest = (detail or "").partition(" ")
        if event == Event.CODE_NOT_SENT.value and at > moment - SMS_SHOWN_FOR:
            sms.append(SmsSent(kazakhstan_now(at), rest, purpose, False))
        elif event == Event.FACTS_MISMATCH.value and len(mismatches) < MISMATCHES_SHOWN:
            mismatches.append(FactsMismatch(kazakhstan_now(at), purpose.rstrip(":"), rest.split()))
    return SignInOverview(
        client=client,
        registered_at=kazakhstan_now(client.activated_at) if client.activated_at else None,
        code_required=bool(accounts_asking_for_a_code(keys)),
        waiting_addresses=int(waiting),
        waiting_until=kazakhstan_now(until) if until else None,
        last_sign_in=kazakhstan_now(last_sign_in) if last_sign_in else None,
        sms=sorted(sms, key=lambda item: item.at, reverse=True),
        mismatches=mismatches,
    )


def clear_sign_in_restrictions(client: Client, staff: Staff, reason: str) -> None:
    """«Снять ограничения»: every count of the client's accounts from every address goes, and with it the SMS
    step-up; audited with the staff member and the reason, and told to the client in Профиль."""
    for key in _client_keys(client):
        forget_account(key)
    record(Event.STAFF_CLEARED_SIGN_IN, client.id, reason.strip()[:REASON_LENGTH], staff.id)
    db.session.commit()
