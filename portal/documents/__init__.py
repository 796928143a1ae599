"""Blueprint: documents for a contract (payment schedule, statement) as PDF and XLSX, and their public check."""

from flask import Blueprint

bp = Blueprint("documents", __name__)

from portal.documents import views  # noqa: E402,F401
