"""Blueprint: frequently asked questions with search and paging."""

from flask import Blueprint

bp = Blueprint("faq", __name__)

from portal.faq import views  # noqa: E402,F401
