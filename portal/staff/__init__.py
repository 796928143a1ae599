"""Blueprint: support staff sign in with a password and a TOTP code, find a client, and see the client's
cabinet as the client sees it, read-only, every page of it written to the audit trail; editors keep the FAQ and the
notices for clients; admins manage the staff."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from portal.staff import faq_editor, members, notices, session, views  # noqa: E402,F401
