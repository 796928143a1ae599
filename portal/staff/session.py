"""A support staff member's session: kept under its own key, never through Flask-Login (which holds clients).

The same cookie, the same idle and absolute timeouts (portal.auth.session.enforce_timeouts) and the same
per-account session version as clients: logout, `portal staff disable` or an admin's disabling or new authenticator
ends every session of the member.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import ParamSpec, cast

from flask import abort, g, session
from flask.typing import ResponseReturnValue
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from portal.auth.session import SEEN_AT, SIGNED_IN_AT, STAFF_ID
from portal.clock import now
from portal.extensions import db
from portal.models import ADMIN, EDITOR, STAFF_ROLES, SUPPORT, Staff
from portal.staff import bp

STAFF_VERSION = "staff_session_version"
CLIENT_USER_ID = "_user_id"  # Flask-Login's key: a session that has it is a client's


def current_staff() -> Staff | None:
    """The signed-in staff member of this request, or None (loaded once per request)."""
    if "current_staff" not in g:
        g.current_staff = _load_staff()
    return cast(Staff | None, g.current_staff)


def _load_staff() -> Staff | None:
    staff_id = session.get(STAFF_ID)
    if not isinstance(staff_id, int) or CLIENT_USER_ID in session:
        return None
    staff = db.session.get(Staff, staff_id)
    if staff is None or not staff.active or session.get(STAFF_VERSION) != staff.session_version:
        return None
    return staff


def signed_in_staff() -> Staff:
    """The staff member of a view behind require_staff and requires_role, which let no one else through: a 403 if
    there is none all the same, so that nothing is done or shown unaudited."""
    staff = current_staff()
    if staff is None:
        abort(403)
    return staff


P = ParamSpec("P")
ANY_ROLE = STAFF_ROLES


def requires_role(*roles: str) -> Callable[[Callable[P, ResponseReturnValue]], Callable[P, ResponseReturnValue]]:
    """The view answers 403 unless the signed-in staff member has one of `roles` (require_staff has already sent
    anyone not signed in to the sign-in page)."""

    def decorate(view: Callable[P, ResponseReturnValue]) -> Callable[P, ResponseReturnValue]:
        @wraps(view)
        def checked(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            staff = current_staff()
            if staff is None or not staff.role_names.intersection(roles):
                abort(403)
            return view(*args, **kwargs)

        return checked

    return decorate


def start_staff_session(staff: Staff) -> None:
    """A brand-new session for the staff member: a client signed in in this browser is signed out."""
    session.clear()
    stamp = now().timestamp()
    session[STAFF_ID] = staff.id
    session[STAFF_VERSION] = staff.session_version
    session[SIGNED_IN_AT] = stamp
    session[SEEN_AT] = stamp
    session.permanent = True
    g.current_staff = staff


def end_staff_sessions(staff_id: int) -> None:
    """Every session of this staff member, on every instance, ends with its next request."""
    db.session.execute(update(Staff).where(Staff.id == staff_id).values(session_version=Staff.session_version + 1))


@dataclass(frozen=True)
class Section:
    """A part of the staff's side, in the staff's menu for the members with its role."""

    endpoint: str
    label: LazyString
    roles: tuple[str, ...]
    covers: tuple[str, ...] = ()  # the endpoints of the section's other pages start with one of these

    def is_current(self, endpoint: str | None) -> bool:
        return endpoint == self.endpoint or bool(self.covers and endpoint and endpoint.startswith(self.covers))


# The staff's menu, in its order. A new part of the staff's side adds its line here.
SECTIONS = (
    Section("staff.search", _l("Клиенты"), (SUPPORT,), ("staff.client_",)),
    Section("staff.faq_entries", _l("Вопросы и ответы"), (EDITOR,), ("staff.faq_",)),
    Section("staff.notices", _l("Объявления для клиентов"), (EDITOR,), ("staff.notice",)),
    Section(
        "staff.members",
        _l("Сотрудники"),
        (ADMIN,),
        ("staff.member", "staff.new_member", "staff.disable_member", "staff.enable_member", "staff.reset_member_"),
    ),
    Section("staff.imports", _l("Загрузки данных"), ANY_ROLE),
)


def sections_of(staff: Staff) -> list[Section]:
    return [section for section in SECTIONS if staff.role_names.intersection(section.roles)]


@bp.app_context_processor
def staff_context() -> dict[str, object]:
    """Whether the page is a staff member's, their menu, and the client whose cabinet they are looking at
    (base.html)."""
    staff = current_staff()
    return {
        "staff": staff,
        "staff_sections": sections_of(staff) if staff is not None else [],
        "viewed_client": g.get("viewed_client"),
    }
