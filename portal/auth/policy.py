"""The password rules as the pages show them: the manual's checklist, and the refusals beyond it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.domain.password import (
    MAX_PASSWORD_LENGTH,
    PasswordRule,
    Weakness,
    failed_rules,
    personal_tokens,
    too_long,
    weaknesses,
)
from portal.extensions import db
from portal.models import Client, Contract

COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"

# The manual's words for its six rules.
RULE_LABELS = {
    PasswordRule.LENGTH: _l("Минимум 8 значений"),
    PasswordRule.LOWERCASE: _l("Минимум 1 строчная буква"),
    PasswordRule.UPPERCASE: _l("Минимум 1 заглавная буква"),
    PasswordRule.DIGIT: _l("Минимум 1 цифра"),
    PasswordRule.SYMBOL: _l("Минимум 1 символ"),
    PasswordRule.MATCH: _l("Пароли должны совпадать"),
}


@dataclass(frozen=True)
class RuleState:
    rule: PasswordRule
    label: str
    met: bool


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def checklist(password: str, confirmation: str) -> list[RuleState]:
    failed = set(failed_rules(password, confirmation))
    if not password:
        failed.add(PasswordRule.MATCH)
    return [RuleState(rule, str(label), rule not in failed) for rule, label in RULE_LABELS.items()]


def password_problems(password: str, confirmation: str, client: Client) -> list[str]:
    """Everything that keeps this password from being set, in words for the client; empty when it may be."""
    if too_long(password):
        return [_("Пароль не должен быть длиннее %(max)s символов.", max=MAX_PASSWORD_LENGTH)]
    failed = failed_rules(password, confirmation)
    if failed:
        return [
            _("Пароль не выполняет условия: %(rules)s.", rules=", ".join(str(RULE_LABELS[r]).lower() for r in failed))
        ]
    accounts = db.session.scalars(select(Contract.account).where(Contract.client_id == client.id)).all()
    personal = personal_tokens(client.iin, client.birth_date, client.phone, accounts)
    problems = []
    for weakness in weaknesses(password, personal, common_passwords()):
        if weakness is Weakness.COMMON:
            problems.append(_("Этот пароль слишком распространен, его легко подобрать. Придумайте другой."))
        else:
            problems.append(_("Пароль не должен содержать ваш ИИН, дату рождения, номер телефона или номер счета."))
    return problems
