"""The signed-in client's pages: Профиль, Мои договора and График платежей.

The same pages, from the same functions and templates, are what support staff see of a client's cabinet
(portal/staff): `cabinet_url` then points every link inside them at the staff's read-only URLs.
"""

from __future__ import annotations

from typing import Any

from flask import abort, g, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.cabinet import bp
from portal.cabinet.service import (
    ContractView,
    chosen_contract,
    client_contracts,
    contract_view,
    current_index,
    staff_views,
)
from portal.clock import today
from portal.domain.schedule import Status
from portal.models import Client, Contract
from portal.paging import paginate, query_int
from portal.rendering import render_page

SCHEDULE_PAGE_SIZES = (12, 24, 60)
STATUS_LABELS = {
    Status.PAID: _l("Погашено"),
    Status.OVERDUE: _l("Просрочено"),
    Status.PENDING: _l("Ожидает списания"),
}


@bp.app_template_global()
def cabinet_url(page: str, /, **values: Any) -> str:
    """A link to `cabinet.<page>`, or `staff.client_<page>` when support staff look at a client's cabinet.

    A link to one of the cabinet's pages: the client's own, or, in support staff's view, its read-only twin."""
    viewed = g.get("viewed_client_id")
    if viewed is not None:
        return url_for(f"staff.client_{page}", client_id=viewed, **values)
    return url_for(f"cabinet.{page}", **values)


@bp.app_template_global()
def is_cabinet_page(page: str) -> bool:
    return request.endpoint in (f"cabinet.{page}", f"staff.client_{page}")


def profile_page(client: Client) -> ResponseReturnValue:
    return render_page("cabinet/profile.html", client=client, staff_views=staff_views(client.id))


def contracts_page(client_id: int, contract_id: int | None) -> ResponseReturnValue:
    owned, view = _own_contracts(client_id, contract_id)
    return render_page("cabinet/contracts.html", "contract_panel", contracts=owned, view=view)


def schedule_page(client_id: int, contract_id: int | None) -> ResponseReturnValue:
    owned, view = _own_contracts(client_id, contract_id)
    context: dict[str, Any] = {"contracts": owned, "view": None, "status_labels": STATUS_LABELS}
    if view is not None:
        context.update(_schedule_page(view))
    return render_page(
        "cabinet/schedule.html",
        {"schedule-panel": "schedule_panel", "schedule-table": "schedule_table"},
        **context,
    )


@bp.get("/profile")
@login_required
def profile() -> ResponseReturnValue:
    return profile_page(current_user)


def _own_contracts(client_id: int, contract_id: int | None) -> tuple[list[Contract], ContractView | None]:
    """The client's contracts and the view of the one asked for; 404 for anyone else's, as for a missing one."""
    owned = client_contracts(client_id)
    contract = chosen_contract(owned, contract_id)
    if contract is None and (contract_id is not None or owned):
        abort(404)
    return owned, contract_view(contract, today()) if contract is not None else None


@bp.get("/contracts")
@bp.get("/contracts/<int:contract_id>")
@login_required
def contracts(contract_id: int | None = None) -> ResponseReturnValue:
    return contracts_page(current_user.id, contract_id)


@bp.get("/schedule")
@bp.get("/schedule/<int:contract_id>")
@login_required
def schedule(contract_id: int | None = None) -> ResponseReturnValue:
    return schedule_page(current_user.id, contract_id)


def _schedule_page(view: ContractView) -> dict[str, Any]:
    """The rows of the chosen year and page; with no page asked for, the page holding today's entry."""
    asked_year = query_int(request.args.get("year"))
    year = asked_year if asked_year in view.years else None
    rows = [row for row in view.rows if year is None or row.due_on.year == year]
    per_page = query_int(request.args.get("per_page"))
    page = query_int(request.args.get("page"))
    if page is None:
        size = per_page if per_page in SCHEDULE_PAGE_SIZES else SCHEDULE_PAGE_SIZES[0]
        page = current_index(rows, today()) // size + 1
    paging = paginate(len(rows), page, per_page, SCHEDULE_PAGE_SIZES)
    contract_id = view.contract.id

    def link(**changes: Any) -> str:
        args = {"year": "all" if year is None else year, "per_page": paging.per_page, "page": paging.page}
        args.update(changes)
        return cabinet_url("schedule", contract_id=contract_id, **args)

    return {
        "view": view,
        "year": year,
        "rows": rows[paging.start : paging.end],
        "paging": paging,
        "sizes": SCHEDULE_PAGE_SIZES,
        "link": link,
    }
