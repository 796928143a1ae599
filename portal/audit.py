"""The audit trail of the accounts: one row per sign-in, failure, throttled try, SMS step-up, code, logout,
password change, document issued and reminders choice, and per page of a client's cabinet that a support staff
member looked at, per clearing of a client's sign-in restrictions by support, per change an admin (or the
operator's CLI) made to a staff member, and per change an editor makes to the FAQ or to the notices for clients.

A row joins the caller's transaction, so an event is recorded exactly when what it records is."""

from __future__ import annotations

import enum

from flask import has_request_context, request

from portal.clock import now
from portal.extensions import db
from portal.models import AuditEvent


class Event(enum.Enum):
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"  # the address waits before its next try of the account
    LOGIN_CODE_REQUIRED = "login_code_required"  # 50 failures in a day: the next sign-in asks for an SMS code
    LOGIN_CODE_ASKED = "login_code_asked"  # the password was right, a code confirms the sign-in
    LOGOUT = "logout"
    CODE_SENT = "code_sent"
    CODE_NOT_SENT = "code_not_sent"  # the SMS gateway refused or failed: no code went out
    FACTS_MISMATCH = "facts_mismatch"  # «Первичная авторизация» or a reset: which facts did not match, never values
    CODE_REJECTED = "code_rejected"
    PASSWORD_SET = "password_set"  # noqa: S105  (an event name, not a password)
    PASSWORD_CHANGE_REFUSED = "password_change_refused"  # noqa: S105  (an event name, not a password)
    DOCUMENT_ISSUED = "document_issued"
    REMINDERS_CHANGED = "reminders_changed"
    STAFF_LOGIN_SUCCEEDED = "staff_login_succeeded"
    STAFF_LOGIN_FAILED = "staff_login_failed"
    STAFF_LOGIN_THROTTLED = "staff_login_throttled"
    STAFF_LOGOUT = "staff_logout"
    STAFF_FOUND_CLIENT = "staff_found_client"
    STAFF_VIEWED_CLIENT = "staff_viewed_client"
    STAFF_ADDED = "staff_added"  # the detail names the member added (login: roles); the row's staff, who added
    STAFF_DISABLED = "staff_disabled"  # the detail names the member; the row's staff is the admin (none: the CLI)
    STAFF_ENABLED = "staff_enabled"
    STAFF_TOTP_RESET = "staff_totp_reset"  # a new authenticator secret for the member named
    STAFF_ROLES_CHANGED = "staff_roles_changed"  # login: old roles → new roles
    STAFF_CLEARED_SIGN_IN = "staff_cleared_sign_in"  # support cleared the throttle and the SMS step-up; the reason
    # An editor's change of the FAQ; the detail is the entry's address (slug). The words are in faq_versions.
    FAQ_ADDED = "faq_added"
    FAQ_CHANGED = "faq_changed"
    FAQ_PUBLISHED = "faq_published"
    FAQ_HIDDEN = "faq_hidden"
    FAQ_MOVED = "faq_moved"
    FAQ_DELETED = "faq_deleted"
    FAQ_RESTORED = "faq_restored"
    FAQ_ROLLED_BACK = "faq_rolled_back"
    NOTICE_ADDED = "notice_added"  # an editor's notice for clients; the detail is the notice's id, never its text
    NOTICE_CHANGED = "notice_changed"
    NOTICE_ENDED = "notice_ended"  # «Снять сейчас»
    NOTICE_DELETED = "notice_deleted"


def record(event: Event, client_id: int | None, detail: str | None = None, staff_id: int | None = None) -> None:
    """Add the event to the session; it is written with the caller's commit."""
    address = request.remote_addr if has_request_context() else None
    db.session.add(
        AuditEvent(at=now(), event=event.value, client_id=client_id, staff_id=staff_id, address=address, detail=detail)
    )
