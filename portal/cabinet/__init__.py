"""Blueprint: the signed-in client's pages: profile, contracts and payment schedule."""

from flask import Blueprint

bp = Blueprint("cabinet", __name__)

from portal.cabinet import views  # noqa: E402,F401
