"""Blueprint: the start page, the health check, and the notices for clients over every page of the cabinet."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from portal.main import notices, views  # noqa: E402,F401
