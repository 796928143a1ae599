"""The FAQ page: accordion, keyword search in the chosen language (word forms, questions first), page size and
pagination."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from sqlalchemy import select

from portal.extensions import db
from portal.faq import bp
from portal.faq.search import Query
from portal.i18n import current_language
from portal.models import FaqEntry
from portal.paging import paginate, query_int
from portal.rendering import render_page

PAGE_SIZES = (10, 25, 50)


@dataclass(frozen=True)
class ShownEntry:
    """One question and its answer as shown: escaped, with the query's words marked."""

    question: Markup
    answer: Markup


@bp.get("/faq")
def index() -> ResponseReturnValue:
    language = current_language()
    query = Query(request.args.get("q"), language)
    # About fifty entries: one query for all of them, then search, ranking and paging in Python.
    entries = db.session.scalars(select(FaqEntry).where(FaqEntry.published).order_by(FaqEntry.position)).all()
    found = [entries[i] for i in query.rank([(entry.question(language), entry.answer(language)) for entry in entries])]
    paging = paginate(
        len(found), query_int(request.args.get("page")), query_int(request.args.get("per_page")), PAGE_SIZES
    )
    shown = [
        ShownEntry(query.highlight(entry.question(language)), query.highlight(entry.answer(language)))
        for entry in found[paging.start : paging.end]
    ]
    return render_page(
        "faq/index.html",
        "faq_results",
        query=query.text,
        entries=shown,
        paging=paging,
        page_sizes=PAGE_SIZES,
    )
