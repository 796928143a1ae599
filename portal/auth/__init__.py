"""Blueprint: first-time authorization, SMS code, login, logout and password reset."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from portal.auth import session, views  # noqa: E402,F401
