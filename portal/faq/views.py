"""The FAQ page. Search, accordion and paging arrive with issue 5."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from sqlalchemy import select

from portal.extensions import db
from portal.faq import bp
from portal.models import FaqEntry
from portal.rendering import render_page


@bp.get("/faq")
def index() -> ResponseReturnValue:
    entries = db.session.scalars(select(FaqEntry).order_by(FaqEntry.position)).all()
    return render_page("faq/index.html", entries=entries)
