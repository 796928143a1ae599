"""Admins manage staff: the members with their last sign-in, and adding one, disabling, enabling, a new
authenticator and new roles, each audited with the admin who did it; the last active admin is kept.

Adding, disabling and enabling are the CLI's own functions (portal.staff.service: add_staff, set_staff_active); this
module adds what only the pages need: rows to show, a secret to show once, and the refusals in the user's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import ColumnElement, ScalarSelect, func, select

from portal.audit import Event, record
from portal.auth.policy import RULE_LABELS
from portal.domain.clock import kazakhstan_now
from portal.domain.password import MAX_PASSWORD_LENGTH
from portal.extensions import db
from portal.models import STAFF_ROLES, AuditEvent, Staff, StaffRole
from portal.staff.service import (
    StaffProblem,
    add_staff,
    issue_totp_secret,
    keeping_an_admin,
    provisioning_uri,
)

SECRET_GROUP = 4


@dataclass(frozen=True)
class Member:
    """A staff member as the admins' pages show them; times in Kazakhstan's."""

    id: int
    login: str
    full_name: str
    roles: tuple[str, ...]
    active: bool
    created_at: datetime
    last_sign_in: datetime | None


def _last_sign_in() -> ScalarSelect[datetime]:
    """Each member's last sign-in from the audit trail: one look-up per member in the index on (staff, event, at)."""
    return (
        select(func.max(AuditEvent.at))
        .where(AuditEvent.staff_id == Staff.id, AuditEvent.event == Event.STAFF_LOGIN_SUCCEEDED.value)
        .correlate(Staff)
        .scalar_subquery()
    )


def _members(*conditions: ColumnElement[bool]) -> list[Member]:
    """Two statements whatever the number of members: the members with their last sign-in, then their roles."""
    rows = db.session.execute(select(Staff, _last_sign_in()).where(*conditions).order_by(Staff.login)).all()
    return [
        Member(
            id=staff.id,
            login=staff.login,
            full_name=staff.full_name,
            roles=tuple(role for role in STAFF_ROLES if role in staff.role_names),
            active=staff.active,
            created_at=kazakhstan_now(staff.created_at),
            last_sign_in=kazakhstan_now(last) if last is not None else None,
        )
        for staff, last in rows
    ]


def list_members() -> list[Member]:
    return _members()


def find_member(member_id: int) -> Member | None:
    found = _members(Staff.id == member_id)
    return found[0] if found else None


@dataclass(frozen=True)
class NewSecret:
    """A member's new TOTP secret, shown once: as a QR code of the provisioning URI and in groups for typing."""

    member_id: int
    login: str
    full_name: str
    secret: str
    uri: str

    @property
    def groups(self) -> list[str]:
        return [self.secret[i : i + SECRET_GROUP] for i in range(0, len(self.secret), SECRET_GROUP)]

    @property
    def qr_svg(self) -> Markup:
        """The QR code as inline SVG (the CSP allows no data: image; an element of the page is no image)."""
        import segno  # loaded with the first QR a worker draws, as the payment QR's

        svg = segno.make(self.uri, error="m").svg_inline(
            scale=5, border=2, dark="#1b2430", light="#ffffff", svgclass="totp-qr"
        )
        # segno draws the QR of our own URI (the login is [a-z0-9._-]): no text of a user's goes into the SVG.
        return Markup(svg)  # noqa: S704  # nosec B704


def _new_secret(staff: Staff, secret: str) -> NewSecret:
    uri = provisioning_uri(staff, secret, current_app.config["PORTAL_TOTP_ISSUER"])
    return NewSecret(staff.id, staff.login, staff.full_name, secret, uri)


def add_member(actor: Staff, login: str, full_name: str, password: str, roles: tuple[str, ...]) -> NewSecret:
    """Add the member (StaffRefused with the problems if not), audited as added by `actor`."""
    staff, secret = add_staff(login, full_name, password, roles, actor.id)
    return _new_secret(staff, secret)


def member_row(member_id: int) -> Staff | None:
    """The member to act on, or None if there is none with this id."""
    return db.session.get(Staff, member_id)


def reset_authenticator(actor: Staff, staff: Staff) -> NewSecret:
    """A new TOTP secret for the member: the old app's codes stop working and every session of theirs ends."""
    secret = issue_totp_secret(staff)
    staff.session_version += 1
    record(Event.STAFF_TOTP_RESET, None, staff.login, actor.id)
    db.session.commit()
    return _new_secret(staff, secret)


def change_roles(actor: Staff, staff: Staff, roles: tuple[str, ...]) -> bool:
    """Give the member exactly these roles, audited with the old and the new ones; False if they had them already.
    LastAdminRefused (nothing changed) when it would take the role from the last active admin."""
    wanted = sorted({role for role in roles if role in STAFF_ROLES})
    with keeping_an_admin(staff):
        old = [role.role for role in staff.roles]
        if old == wanted or not wanted:
            return False
        for role in [role for role in staff.roles if role.role not in wanted]:
            staff.roles.remove(role)
        staff.roles.extend(StaffRole(role=role) for role in wanted if role not in old)
    record(Event.STAFF_ROLES_CHANGED, None, f"{staff.login}: {','.join(old) or '-'} → {','.join(wanted)}", actor.id)
    db.session.commit()
    return True


def problem_texts(problems: list[StaffProblem]) -> dict[str, list[str]]:
    """The refusal of an addition, field by field, in the user's language (the CLI prints the operator's words)."""
    texts: dict[str, list[str]] = {}
    rules = [problem.rule for problem in problems if problem.kind == "rule" and problem.rule is not None]
    if rules:
        listed = ", ".join(str(RULE_LABELS[rule]).lower() for rule in rules)
        texts["password"] = [_("Пароль не выполняет условия: %(rules)s.", rules=listed)]
    for problem in problems:
        if problem.kind != "rule":
            texts.setdefault(problem.field, []).append(_problem_text(problem))
    return texts


PROBLEM_TEXTS = {
    "too_long": _l("Пароль не должен быть длиннее %(max)s символов.", max=MAX_PASSWORD_LENGTH),
    "weak": _l("Этот пароль слишком распространен или содержит логин. Придумайте другой."),
    "taken": _l("Этот логин уже занят."),
    "login": _l("Логин: от 2 до 50 знаков из a–z, 0–9, «.», «_», «-», первый — буква или цифра."),
    "full_name": _l("Заполните это поле."),
    "no_role": _l("Выберите хотя бы одну роль."),
    "unknown_role": _l("Выберите хотя бы одну роль."),
}


def _problem_text(problem: StaffProblem) -> str:
    return str(PROBLEM_TEXTS[problem.kind])
