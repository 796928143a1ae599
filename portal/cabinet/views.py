"""The signed-in client's pages: Профиль (and its reminders choice), Мои договора, График платежей, История
платежей and Как оплатить.

Профиль, Мои договора and График платежей, from the same functions and templates, are also what support staff
see of a client's cabinet (portal/staff): `cabinet_url` then points every link inside them at the staff's
read-only URLs.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from flask import Response, abort, current_app, flash, g, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.audit import Event, record
from portal.cabinet import bp
from portal.cabinet.forms import RemindersForm
from portal.cabinet.service import (
    ContractView,
    Row,
    chosen_contract,
    contract_history,
    contract_view,
    contract_views,
    current_index,
    last_import,
    staff_views,
)
from portal.clock import today
from portal.domain.due import early_repayment, partial_repayment
from portal.domain.history import Kind, in_period
from portal.domain.money import InvalidMoney, parse_money
from portal.domain.payee import group_iban
from portal.domain.schedule import ZERO, Status
from portal.domain.statement import statement_period
from portal.extensions import db
from portal.i18n import current_language
from portal.models import Client, Contract
from portal.paging import Paging, paginate, query_int
from portal.rendering import is_htmx_request, redirect_to, render_page

SCHEDULE_PAGE_SIZES = (12, 24, 60)
HISTORY_PAGE_SIZES = (12, 24, 60)
STATUS_LABELS = {
    Status.PAID: _l("Погашено"),
    Status.OVERDUE: _l("Просрочено"),
    Status.PENDING: _l("Ожидает списания"),
}


@bp.app_template_global()
def cabinet_url(page: str, /, **values: Any) -> str:
    """A link to one of the cabinet's pages: `cabinet.<page>` for the client, or its read-only twin
    `staff.client_<page>` when support staff look at a client's cabinet."""
    viewed = g.get("viewed_client_id")
    if viewed is not None:
        return url_for(f"staff.client_{page}", client_id=viewed, **values)
    return url_for(f"cabinet.{page}", **values)


@bp.app_template_global()
def is_cabinet_page(page: str) -> bool:
    return request.endpoint in (f"cabinet.{page}", f"staff.client_{page}")


def profile_page(client: Client) -> ResponseReturnValue:
    # The reminders form is one button and the CSRF token: the template writes it, with no form object to build.
    views = contract_views(client.contracts, today())
    return render_page("cabinet/profile.html", client=client, staff_views=staff_views(client.id), views=views)


def contracts_page(client: Client, contract_id: int | None) -> ResponseReturnValue:
    owned, contract = _chosen(client, contract_id)
    view = contract_view(contract, today()) if contract is not None else None
    period = statement_period(None, None, today())  # the statement form's default: the last twelve months
    return render_page("cabinet/contracts.html", "contract_panel", contracts=owned, view=view, period=period)


def schedule_page(client: Client, contract_id: int | None) -> ResponseReturnValue:
    owned, contract = _chosen(client, contract_id)
    schedule = SchedulePage(contract_view(contract, today()), request.args) if contract is not None else None
    return render_page(
        "cabinet/schedule.html",
        {"schedule-panel": "schedule_panel", "schedule-table": "schedule_table"},
        contracts=owned,
        view=schedule.view if schedule is not None else None,
        schedule=schedule,
        status_labels=STATUS_LABELS,
    )


@bp.get("/profile")
@login_required
def profile() -> ResponseReturnValue:
    return profile_page(current_user)


@bp.post("/profile/reminders")
@login_required
def reminders() -> ResponseReturnValue:
    """Turn the SMS reminders on or off: the section swapped in place for htmx, back to the profile otherwise."""
    form = RemindersForm()
    wanted = form.reminders.data == "on"
    if form.validate_on_submit() and wanted != current_user.reminders:
        current_user.reminders = wanted
        record(Event.REMINDERS_CHANGED, current_user.id, form.reminders.data)
        db.session.commit()
    if is_htmx_request():
        return render_page("cabinet/profile.html", "reminders_panel", client=current_user)
    flash(_("Напоминания включены.") if current_user.reminders else _("Напоминания выключены."), "info")
    return redirect_to(url_for("cabinet.profile"))


def _chosen(client: Client, contract_id: int | None) -> tuple[list[Contract], Contract | None]:
    """The client's contracts (loaded with the client) and the one asked for (the first when none is); 404 for
    anyone else's, as for a missing one. None only when the client has no contract and none was asked for."""
    owned = client.contracts
    contract = chosen_contract(owned, contract_id)
    if contract is None and (contract_id is not None or owned):
        abort(404)
    return owned, contract


@bp.get("/contracts")
@bp.get("/contracts/<int:contract_id>")
@login_required
def contracts(contract_id: int | None = None) -> ResponseReturnValue:
    return contracts_page(current_user, contract_id)


# The company's name as payment orders in Kazakhstan carry it, whatever the page's language.
PAYEE_NAME = "АО «Казахстанская Жилищная Компания»"


def _own_contract(contract_id: int, client: Client | None = None) -> tuple[list[Contract], Contract]:
    """The client's contracts and the one asked for (no figures needed); 404 for anyone else's. The client is the
    signed-in one unless support staff look at another's cabinet."""
    owned, contract = _chosen(client if client is not None else current_user, contract_id)
    if contract is None:  # only for a client without contracts: an id was asked for
        abort(404)
    return owned, contract


def _payee() -> dict[str, str]:
    config = current_app.config
    return {
        "bin": config["PORTAL_PAYEE_BIN"],
        "bank": config.get(f"PORTAL_PAYEE_BANK_{current_language().upper()}") or config["PORTAL_PAYEE_BANK"],
        "iban": config["PORTAL_PAYEE_IBAN"],
        "iban_grouped": group_iban(config["PORTAL_PAYEE_IBAN"]),
        "bic": config["PORTAL_PAYEE_BIC"],
        "knp": config["PORTAL_PAYEE_KNP"],
    }


@bp.get("/contracts/<int:contract_id>/pay")
@login_required
def pay(contract_id: int) -> ResponseReturnValue:
    return pay_page(current_user, contract_id)


def pay_page(client: Client, contract_id: int) -> ResponseReturnValue:
    owned, contract = _own_contract(contract_id, client)
    purpose = _(
        "Оплата по договору %(number)s, лицевой счет %(account)s", number=contract.number, account=contract.account
    )
    view = contract_view(contract, today())
    return render_page(
        "cabinet/pay.html",
        "pay_panel",
        contracts=owned,
        contract=contract,
        view=view,
        payee=_payee(),
        purpose=purpose,
        posting=current_app.config["PORTAL_POSTING_DAYS"],
        last_deposit=view.deposit_facts[-1] if view.deposit_facts else None,
        last_import=last_import(),
    )


# How far ahead an early repayment may be worked out.
EARLY_HORIZON = timedelta(days=365)
TYPED_AMOUNT_NOISE = str.maketrans({" ": None, "\u00a0": None, "\u202f": None, "₸": None, ",": "."})


def typed_amount(raw: str) -> Decimal:
    """An amount as a client types it: 200000, 200 000, 200 000,50 or 200000 ₸. InvalidMoney for anything else."""
    return parse_money(raw.translate(TYPED_AMOUNT_NOISE).removesuffix("тг").removesuffix("KZT"))


@bp.get("/contracts/<int:contract_id>/early")
@login_required
def early(contract_id: int) -> ResponseReturnValue:
    """Досрочное погашение («Выкуп» for rent-to-own): what would close the contract on a chosen day, and what a
    partial amount would do; a preliminary estimate that the company confirms."""
    owned, contract = _own_contract(contract_id)
    first = today()
    view = contract_view(contract, first)
    asked = query_date(request.args.get("on"))
    on = asked if asked is not None and first <= asked <= first + EARLY_HORIZON else first
    amount_text = request.args.get("amount", "").strip()[:30]
    amount, amount_error = None, None
    if amount_text:
        try:
            amount = typed_amount(amount_text)
        except InvalidMoney:
            amount_error = _("Введите сумму в тенге, например 200000 или 200 000,50.")
    whole = early_repayment(view.facts, view.charges, view.figures.account_balance, contract.signed_on, first, on)
    partial = partial_repayment(view.facts, first, on, amount) if amount is not None else None
    return render_page(
        "cabinet/early.html",
        "early_result",
        contracts=owned,
        contract=contract,
        whole=whole,
        partial=partial,
        amount=amount,
        amount_text=amount_text,
        amount_error=amount_error,
        date_ignored=request.args.get("on") not in (None, "", on.isoformat()),
        first_day=first,
        last_day=first + EARLY_HORIZON,
    )


def payment_qr_text(contract: Contract, payee: dict[str, str]) -> str:
    """The payment details as plain labelled lines: no banking app in Kazakhstan is known to read a payment QR
    format, so the code holds text that a phone's camera shows for copying, and the page says so."""
    lines = {
        "Получатель": PAYEE_NAME,
        "БИН": payee["bin"],
        "Банк": payee["bank"],
        "ИИК (IBAN)": payee["iban"],
        "БИК": payee["bic"],
        "КНП": payee["knp"],
        "Лицевой счет": contract.account,
        "Назначение": f"Оплата по договору {contract.number}, лицевой счет {contract.account}",
    }
    return "\n".join(f"{label}: {value}" for label, value in lines.items())


@bp.get("/contracts/<int:contract_id>/pay.svg")
@login_required
def pay_qr(contract_id: int) -> ResponseReturnValue:
    return pay_qr_image(current_user, contract_id)


def pay_qr_image(client: Client, contract_id: int) -> ResponseReturnValue:
    _owned, contract = _own_contract(contract_id, client)
    buffer = io.BytesIO()
    import segno  # loaded with the first QR a worker draws, not with every worker

    qr = segno.make(payment_qr_text(contract, _payee()), error="m", encoding="utf-8")
    qr.save(buffer, kind="svg", scale=5, border=2, dark="#1b2430", title=contract.number)
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.get("/schedule")
@bp.get("/schedule/<int:contract_id>")
@login_required
def schedule(contract_id: int | None = None) -> ResponseReturnValue:
    return schedule_page(current_user, contract_id)


class SchedulePage:
    """The rows of the chosen year and page; with no page asked for, the page holding today's entry."""

    sizes = SCHEDULE_PAGE_SIZES

    def __init__(self, view: ContractView, args: Mapping[str, str]) -> None:
        self.view = view
        self._year = query_int(args.get("year"))
        self._page = query_int(args.get("page"))
        self._per_page = query_int(args.get("per_page"))

    @cached_property
    def year(self) -> int | None:
        return self._year if self._year in self.view.years else None

    @cached_property
    def _rows(self) -> list[Row]:
        return [row for row in self.view.rows if self.year is None or row.due_on.year == self.year]

    @cached_property
    def paging(self) -> Paging:
        page = self._page
        if page is None:
            size = self._per_page if self._per_page in SCHEDULE_PAGE_SIZES else SCHEDULE_PAGE_SIZES[0]
            page = current_index(self._rows, today()) // size + 1
        return paginate(len(self._rows), page, self._per_page, SCHEDULE_PAGE_SIZES)

    @property
    def rows(self) -> list[Row]:
        return self._rows[self.paging.start : self.paging.end]

    def link(self, **changes: Any) -> str:
        args: dict[str, Any] = {
            "year": "all" if self.year is None else self.year,
            "per_page": self.paging.per_page,
            "page": self.paging.page,
            **changes,
        }
        return cabinet_url("schedule", contract_id=self.view.contract.id, **args)


def query_date(raw: str | None) -> date | None:
    """A date from a query string as a date input sends it (YYYY-MM-DD), or None for anything else."""
    if raw is None or len(raw) != 10:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@bp.get("/history")
@bp.get("/history/<int:contract_id>")
@login_required
def history(contract_id: int | None = None) -> ResponseReturnValue:
    return history_page(current_user, contract_id)


def history_page(client: Client, contract_id: int | None) -> ResponseReturnValue:
    owned, contract = _chosen(client, contract_id)
    context: dict[str, Any] = {"contracts": owned, "contract": contract, "kinds": Kind}
    if contract is not None:
        context.update(_history_page(contract))
    return render_page(
        "cabinet/history.html",
        {"history-panel": "history_panel", "history-table": "history_table"},
        **context,
    )


def _table_only() -> bool:
    """An htmx request for the history table alone (a page or a period): it shows no import time."""
    return is_htmx_request() and request.headers.get("HX-Target") == "history-table"


def _history_page(contract: Contract) -> dict[str, Any]:
    """The operations of the chosen period and page, newest first; a period given backwards is turned round."""
    start, end = query_date(request.args.get("from")), query_date(request.args.get("to"))
    if start is not None and end is not None and start > end:
        start, end = end, start
    operations = contract_history(contract, today())
    chosen = in_period(operations, start, end)
    paging = paginate(
        len(chosen), query_int(request.args.get("page")), query_int(request.args.get("per_page")), HISTORY_PAGE_SIZES
    )

    def link(**changes: Any) -> str:
        args: dict[str, Any] = {"from": start, "to": end, "per_page": paging.per_page, "page": paging.page}
        args.update(changes)
        return cabinet_url("history", contract_id=contract.id, **{k: v for k, v in args.items() if v is not None})

    return {
        "start": start,
        "end": end,
        "last_deposit": next((op for op in operations if op.kind is Kind.DEPOSIT), None),
        # «Я оплатил, а платежа нет» comes with the page and the panel (a tab switch), not with the table's swaps.
        "last_import": None if _table_only() else last_import(),
        "posting": current_app.config["PORTAL_POSTING_DAYS"],
        "balance": operations[0].balance if operations else ZERO,
        "operations": chosen[paging.start : paging.end],
        "paging": paging,
        "sizes": HISTORY_PAGE_SIZES,
        "link": link,
    }
