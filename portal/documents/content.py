"""What a document says, in the current language, before it becomes a PDF or a workbook: one neutral shape, so
that both formats always carry the same figures. Money stays Decimal and dates stay dates until a renderer
formats them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _

from portal.cabinet.service import ContractView
from portal.domain.clock import KZ_TZ
from portal.domain.schedule import Status
from portal.domain.statement import MovementKind, Statement
from portal.i18n import day

Value = str | int | Decimal | date


@dataclass(frozen=True)
class Table:
    headings: list[str]
    rows: list[list[Value]]
    total: list[Value] | None = None
    empty: str = ""


@dataclass(frozen=True)
class Section:
    heading: str
    fields: list[tuple[str, Value]] = field(default_factory=list)
    table: Table | None = None


@dataclass(frozen=True)
class Document:
    kind: str  # schedule | statement
    title: str
    company: str
    issued_at: datetime  # aware, Kazakhstan's time
    code: str
    verify_url: str
    facts: list[tuple[str, Value]]
    sections: list[Section]

    @property
    def issued_text(self) -> str:
        return issued_text(self.issued_at)

    @property
    def grouped_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def verify_note(self) -> str:
        return str(_("Проверить подлинность документа: %(url)s", url=self.verify_url))


def issued_text(issued_at: datetime) -> str:
    """The date and time of issue as a clock in Kazakhstan shows them."""
    local = issued_at.astimezone(KZ_TZ)
    return str(_("%(date)s, %(time)s по времени Алматы", date=day(local.date()), time=local.strftime("%H:%M")))


def company_name() -> str:
    return str(_("АО «Казахстанская Жилищная Компания»"))


def kind_title(kind: str) -> str:
    return str(_("График платежей") if kind == "schedule" else _("Выписка по договору"))


def _facts(view: ContractView, client_name: str, issued_at: datetime) -> list[tuple[str, Value]]:
    contract = view.contract
    return [
        (_("Номер договора"), contract.number),
        (_("Номер счета"), contract.account),
        (_("Клиент"), client_name),
        (_("Дата заключения"), contract.signed_on),
        (_("Дата и время выдачи"), issued_text(issued_at)),
    ]


def _debt_fields(view: ContractView) -> list[tuple[str, Value]]:
    contract, figures = view.contract, view.figures
    return [
        (_("По ежемесячным платежам"), figures.overdue_debt),
        (_("Пеня"), contract.penalty),
        (_("Штраф"), contract.fine),
        (_("Государственная пошлина"), contract.state_duty),
        (_("Итого задолженность"), view.debt_total),
    ]


def schedule_document(
    view: ContractView,
    client_name: str,
    status_labels: Mapping[Status, str],
    issued_at: datetime,
    code: str,
    verify_url: str,
    today: date,
) -> Document:
    rows: list[list[Value]] = [
        [row.due_on, row.accrued, row.principal, row.interest, row.debited or "—", str(status_labels[row.status])]
        for row in view.rows
    ]
    total: list[Value] = [
        _("Итого"),
        sum((row.accrued for row in view.rows), Decimal("0.00")),
        sum((row.principal for row in view.rows), Decimal("0.00")),
        sum((row.interest for row in view.rows), Decimal("0.00")),
        sum((row.debited for row in view.rows), Decimal("0.00")),
        "",
    ]
    headings = [
        _("Дата платежа"),
        _("Начисленный платеж"),
        _("Основной долг"),
        _("Вознаграждение"),
        _("Списание"),
        _("Статус"),
    ]
    return Document(
        kind="schedule",
        title=kind_title("schedule"),
        company=company_name(),
        issued_at=issued_at.astimezone(KZ_TZ),
        code=code,
        verify_url=verify_url,
        facts=_facts(view, client_name, issued_at),
        sections=[
            Section(
                _("Статусы на %(date)s", date=day(today)),
                table=Table(headings, rows, total, _("Нет платежей за выбранный период.")),
            ),
        ],
    )


def statement_document(
    view: ContractView, client_name: str, found: Statement, issued_at: datetime, code: str, verify_url: str, today: date
) -> Document:
    contract, figures = view.contract, view.figures
    as_of: list[tuple[str, Value]] = [
        (_("Сумма договора"), contract.amount),
        (_("Сумма внесенных платежей"), figures.paid_sum),
        (_("Кол-во внесенных платежей, ед."), figures.payments_made),
        (_("Остаток долга по договору"), figures.principal_left),
        (_("Количество оставшихся платежей, ед."), figures.payments_left),
        (_("Остаток на счету"), figures.account_balance),
    ]
    period: list[tuple[str, Value]] = [
        (_("Остаток на начало периода"), found.opening_balance),
        (_("Начислено по графику за период"), found.accrued),
        (_("Поступило за период"), found.deposited),
        (_("Списано за период"), found.debited),
        (_("Остаток на конец периода"), found.closing_balance),
    ]
    rows: list[list[Value]] = []
    for movement in found.movements:
        if movement.kind is MovementKind.DEPOSIT:
            rows.append([movement.on, _("Пополнение счета"), movement.amount, ""])
        else:
            what = (
                _("Списание: платеж от %(date)s", date=day(movement.for_due_on))
                if movement.for_due_on
                else _("Списание")
            )
            rows.append([movement.on, what, "", movement.amount])
    headings = [_("Дата"), _("Операция"), _("Поступление"), _("Списание")]
    total: list[Value] = [_("Итого"), "", found.deposited, found.debited]
    facts = _facts(view, client_name, issued_at)
    facts.insert(4, (_("Период"), _("с %(start)s по %(end)s", start=day(found.start), end=day(found.end))))
    return Document(
        kind="statement",
        title=kind_title("statement"),
        company=company_name(),
        issued_at=issued_at.astimezone(KZ_TZ),
        code=code,
        verify_url=verify_url,
        facts=facts,
        sections=[
            Section(_("Показатели на %(date)s", date=day(today)), fields=as_of),
            Section(_("Информация по задолженности на %(date)s", date=day(today)), fields=_debt_fields(view)),
            Section(
                _("Движение по лицевому счету за период"),
                fields=period,
                table=Table(headings, rows, total, _("Операций за период не было.")),
            ),
        ],
    )
