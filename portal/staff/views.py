"""Support staff's pages: sign-in, the client search, and a client's cabinet seen as the client sees it.

The client's pages are the cabinet's own (portal.cabinet.views), reached by GET only: every other method
answers 405, and no form of the client's is rendered. Each page shown is written to the audit trail first.
"""

from __future__ import annotations

import math

from flask import abort, flash, g, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.audit import Event, record
from portal.auth.forms import EmptyForm
from portal.auth.service import Outcome
from portal.auth.throttle import wait_message
from portal.cabinet.service import client_with_contracts
from portal.cabinet.views import (
    contracts_page,
    history_page,
    pay_page,
    pay_qr_image,
    profile_page,
    schedule_page,
)
from portal.domain.iin import is_valid_iin
from portal.extensions import db, sign_in_limit
from portal.models import SUPPORT, Client
from portal.rendering import redirect_to, render_page
from portal.staff import bp
from portal.staff.forms import ClearRestrictionsForm, SearchForm, StaffLoginForm
from portal.staff.service import (
    authenticate_staff,
    clear_sign_in_restrictions,
    find_clients,
    import_warning,
    latest_imports,
    sign_in_overview,
    sign_in_states,
)
from portal.staff.session import (
    ANY_ROLE,
    current_staff,
    end_staff_sessions,
    requires_role,
    signed_in_staff,
    start_staff_session,
)

OPEN_ENDPOINTS = {"staff.login"}


@bp.before_request
def require_staff() -> ResponseReturnValue | None:
    """Every staff page but the sign-in wants a signed-in staff member; a client's session is not one."""
    if request.endpoint in OPEN_ENDPOINTS or current_staff() is not None:
        return None
    return redirect_to(url_for("staff.login"), 302)


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limit
def login() -> ResponseReturnValue:
    staff = current_staff()
    if staff is not None:
        return redirect_to(url_for(_home(staff.role_names)))
    form = StaffLoginForm()
    if not form.validate_on_submit():
        return render_page("staff/login.html", form=form, error=None)
    result = authenticate_staff(form.login.data, form.password.data, form.code.data, request.remote_addr)
    if result.outcome is Outcome.SIGNED_IN and result.staff is not None:
        start_staff_session(result.staff)
        return redirect_to(url_for(_home(result.staff.role_names)))
    if result.outcome is Outcome.THROTTLED:
        page = render_page("staff/login.html", form=form, error=wait_message(result.wait))
        page.status_code = 429
        page.headers["Retry-After"] = str(math.ceil(result.wait.total_seconds()))
        return page
    return render_page("staff/login.html", form=form, error=_("Неверный логин, пароль или код."))


def _home(roles: set[str]) -> str:
    """Where a staff member starts: the client search for support, the imports for the other roles."""
    return "staff.search" if SUPPORT in roles else "staff.imports"


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    staff = current_staff()
    if staff is not None:
        end_staff_sessions(staff.id)
        record(Event.STAFF_LOGOUT, None, staff_id=staff.id)
        db.session.commit()
    session.clear()
    flash(_("Вы вышли из режима поддержки."), "info")
    response = redirect_to(url_for("staff.login"))
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("", methods=["GET", "POST"])
@requires_role(SUPPORT)
def search() -> ResponseReturnValue:
    """Find a client by IIN or by personal account number, exactly as typed (spaces aside).

    A POST, not a GET: an IIN in a URL would stay in nginx's access log and the browser's history."""
    form = SearchForm()
    clients: list[Client] | None = None
    if form.validate_on_submit():
        number = form.q.data
        clients = find_clients(number)
        if not clients and len(number) == 12 and not is_valid_iin(number):
            form.q.errors.append(_("ИИН указан с ошибкой: такого ИИН не бывает. Проверьте цифры."))
            clients = None
        staff = signed_in_staff()
        for client in clients or ():  # a search shows the client's name: on record, as a view is
            record(Event.STAFF_FOUND_CLIENT, client.id, "search", staff.id)
        db.session.commit()
    states = sign_in_states(clients) if clients else {}
    return render_page("staff/search.html", form=form, clients=clients, states=states, import_warning=import_warning())


@bp.get("/imports")
@requires_role(*ANY_ROLE)
def imports() -> ResponseReturnValue:
    """The last loads of the core system's data, for any staff member: is what clients see up to date?"""
    return render_page("staff/imports.html", runs=latest_imports(), import_warning=import_warning())


def _look_at(client_id: int) -> Client:
    """The client whose cabinet is shown, written to the audit trail (committed with the page, see _shown)."""
    client = client_with_contracts(client_id)
    if client is None:
        abort(404)
    staff = signed_in_staff()  # never a page shown unaudited
    g.viewed_client = client
    g.viewed_client_id = client.id
    record(Event.STAFF_VIEWED_CLIENT, client.id, request.full_path.rstrip("?")[:100], staff.id)
    return client


def _shown(response: ResponseReturnValue) -> ResponseReturnValue:
    """The page goes out only once its audit row is written."""
    db.session.commit()
    return response


@bp.get("/clients/<int:client_id>/profile")
@requires_role(SUPPORT)
def client_profile(client_id: int) -> ResponseReturnValue:
    return _shown(profile_page(_look_at(client_id)))


@bp.get("/clients/<int:client_id>/contracts")
@bp.get("/clients/<int:client_id>/contracts/<int:contract_id>")
@requires_role(SUPPORT)
def client_contracts(client_id: int, contract_id: int | None = None) -> ResponseReturnValue:
    return _shown(contracts_page(_look_at(client_id), contract_id))


@bp.get("/clients/<int:client_id>/schedule")
@bp.get("/clients/<int:client_id>/schedule/<int:contract_id>")
@requires_role(SUPPORT)
def client_schedule(client_id: int, contract_id: int | None = None) -> ResponseReturnValue:
    return _shown(schedule_page(_look_at(client_id), contract_id))


@bp.get("/clients/<int:client_id>/history")
@bp.get("/clients/<int:client_id>/history/<int:contract_id>")
@requires_role(SUPPORT)
def client_history(client_id: int, contract_id: int | None = None) -> ResponseReturnValue:
    return _shown(history_page(_look_at(client_id), contract_id))


@bp.get("/clients/<int:client_id>/contracts/<int:contract_id>/pay")
@requires_role(SUPPORT)
def client_pay(client_id: int, contract_id: int) -> ResponseReturnValue:
    return _shown(pay_page(_look_at(client_id), contract_id))


# What support reads of a fact that did not match (portal.auth.service.FACTS); the client is never told which.
FACT_MISMATCHES = {
    "account": _l("номер счета не найден среди договоров клиента"),
    "contract_number": _l("номер договора не совпадает"),
    "iin": _l("ИИН не совпадает с ИИН владельца счета"),
    "phone": _l("номер телефона не совпадает с указанным в Компании"),
    "contract_date": _l("дата договора не совпадает"),
}


@bp.route("/clients/<int:client_id>/sign-in", methods=["GET", "POST"])
@requires_role(SUPPORT)
def client_sign_in(client_id: int) -> ResponseReturnValue:
    """The client's sign-in state and problems; «Снять ограничения» with a reason (POST, CSRF). Audited as a view."""
    client = _look_at(client_id)
    form = ClearRestrictionsForm()
    if form.validate_on_submit():
        clear_sign_in_restrictions(client, signed_in_staff(), form.reason.data)
        flash(_("Ограничения входа сняты. Клиент увидит это в Профиле."), "info")
        return redirect_to(url_for("staff.client_sign_in", client_id=client.id))
    g.viewed_client = None  # a staff page of its own, not the client's cabinet under the banner
    overview = sign_in_overview(client)
    return _shown(render_page("staff/sign_in.html", overview=overview, form=form, fact_texts=FACT_MISMATCHES))


@bp.get("/clients/<int:client_id>/contracts/<int:contract_id>/pay.svg")
@requires_role(SUPPORT)
def client_pay_qr(client_id: int, contract_id: int) -> ResponseReturnValue:
    client = client_with_contracts(client_id)
    if client is None:
        abort(404)
    return pay_qr_image(client, contract_id)
