"""Staff's forms: the sign-in (login, password, TOTP code), the client search, the reason for clearing a client's
sign-in restrictions, an editor's FAQ entry and notice for clients, and the admins' forms for a staff member (a new
one, roles, disabling oneself)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.form import BaseForm
from wtforms.validators import DataRequired, InputRequired, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.auth.forms import REQUIRED, _compact, _strip, at_most
from portal.domain.password import MAX_PASSWORD_LENGTH
from portal.models import STAFF_ROLES


class StaffLoginForm(FlaskForm):
    login = StringField(_l("Логин"), filters=[_strip], validators=[DataRequired(REQUIRED), at_most(50)])
    password = PasswordField(_l("Пароль"), validators=[InputRequired(REQUIRED), at_most(MAX_PASSWORD_LENGTH)])
    code = StringField(_l("Код из приложения-аутентификатора"), filters=[_compact], validators=[DataRequired(REQUIRED)])

    def validate_code(self, field: Field) -> None:
        if not (len(field.data) == 6 and field.data.isascii() and field.data.isdigit()):
            raise ValidationError(_l("Код состоит из 6 цифр."))


class SearchForm(FlaskForm):
    """Posted, with its CSRF token: the IIN typed must not travel in a URL (logs, history)."""

    q = StringField(_l("ИИН или номер счета"), filters=[_compact], validators=[DataRequired(REQUIRED), at_most(20)])

    def validate_q(self, field: Field) -> None:
        if not (field.data.isascii() and field.data.isdigit()):
            raise ValidationError(_l("Введите ИИН (12 цифр) или номер счета (только цифры)."))


class ClearRestrictionsForm(FlaskForm):
    """«Снять ограничения»: the reason is required and goes to the audit trail."""

    reason = TextAreaField(
        _l("Причина (например, номер обращения клиента)"),
        filters=[_strip],
        validators=[DataRequired(REQUIRED), at_most(200)],
    )


QUESTION_LENGTH = 300
ANSWER_LENGTH = 4000
# Each language by its own name (as the language switch names them), the same on every page.
FAQ_LANGUAGES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}


class FaqEntryForm(FlaskForm):
    """An FAQ entry's topic, its question and answer in each language, and whether clients see it. A draft may
    leave languages empty; portal.faq.editing refuses to publish it so."""

    topic = StringField(_l("Тема"), filters=[_strip], validators=[DataRequired(REQUIRED), at_most(50)])
    question_ru = TextAreaField(_l("Вопрос"), filters=[_strip], validators=[at_most(QUESTION_LENGTH)])
    answer_ru = TextAreaField(_l("Ответ"), filters=[_strip], validators=[at_most(ANSWER_LENGTH)])
    question_kk = TextAreaField(_l("Вопрос"), filters=[_strip], validators=[at_most(QUESTION_LENGTH)])
    answer_kk = TextAreaField(_l("Ответ"), filters=[_strip], validators=[at_most(ANSWER_LENGTH)])
    question_en = TextAreaField(_l("Вопрос"), filters=[_strip], validators=[at_most(QUESTION_LENGTH)])
    answer_en = TextAreaField(_l("Ответ"), filters=[_strip], validators=[at_most(ANSWER_LENGTH)])
    published = BooleanField(_l("Показывать клиентам"))
    # The version the form was opened on: a save over another editor's newer change is refused.
    based_on = HiddenField()


class FaqVisibilityForm(FlaskForm):
    published = HiddenField()


class FaqMoveForm(FlaskForm):
    direction = HiddenField()


# The roles as the admins' pages name them, with what each opens.
ROLE_LABELS = {
    "support": _l("Поддержка — клиенты: поиск, кабинет, проблемы входа"),
    "editor": _l("Редактор — вопросы и ответы, объявления для клиентов"),
    "admin": _l("Администратор — сотрудники и их роли"),
}
ROLE_NAMES = {
    "support": _l("Поддержка"),
    "editor": _l("Редактор"),
    "admin": _l("Администратор"),
}


class RolesField(SelectMultipleField):
    """The staff roles as checkboxes; at least one."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: str | None = None, **kwargs: Any) -> None:
        choices = [SelectChoice(role, ROLE_LABELS[role]) for role in STAFF_ROLES]
        super().__init__(label, choices=choices, **kwargs)

    def pre_validate(self, form: BaseForm) -> None:
        if not self.data:
            raise ValidationError(_l("Выберите хотя бы одну роль."))
        super().pre_validate(form)


class MemberForm(FlaskForm):
    """«Добавить сотрудника»: the rules of a login and a password are the CLI's (portal.staff.service.add_staff)."""

    login = StringField(_l("Логин"), filters=[_strip], validators=[DataRequired(REQUIRED), at_most(50)])
    full_name = StringField(_l("ФИО"), filters=[_strip], validators=[DataRequired(REQUIRED), at_most(200)])
    roles = RolesField(_l("Роли"))
    password = PasswordField(_l("Начальный пароль"), validators=[InputRequired(REQUIRED), at_most(MAX_PASSWORD_LENGTH)])


class RolesForm(FlaskForm):
    roles = RolesField(_l("Роли"))


class DisableForm(FlaskForm):
    """Disabling a member; an admin disabling their own account ticks `confirm` too."""

    confirm = BooleanField(_l("Да, отключить мою учетную запись: я сразу выйду из системы"))


NOTICE_LENGTH = 300
# What a browser's datetime-local input sends (with seconds when a page asks for them), and what a person types.
MOMENT_LAYOUTS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M")
MOMENT_INPUT = "%Y-%m-%dT%H:%M"


def _one_line(value: Any) -> Any:
    """A notice is one short paragraph: line breaks and runs of spaces become one space."""
    return " ".join(value.split()) if isinstance(value, str) else value


class MomentField(StringField):
    """A date and time on a clock in Kazakhstan, from a datetime-local input; `moment` holds it (naive) once it
    reads as one. The text is kept as typed, so that a wrong one is shown back for correcting."""

    moment: datetime | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.moment = None
        text = (self.data or "").strip()
        for layout in MOMENT_LAYOUTS:
            try:
                self.moment = datetime.strptime(text, layout)  # noqa: DTZ007 (Kazakhstan's wall time, converted later)
                return
            except ValueError:
                continue

    def pre_validate(self, form: BaseForm) -> None:
        if self.data and self.moment is None:
            raise ValidationError(_l("Введите дату и время, например 01.12.2026 09:00."))


def notice_text(label: str, missing: str) -> TextAreaField:
    return TextAreaField(label, filters=[_one_line], validators=[DataRequired(missing), at_most(NOTICE_LENGTH)])


class NoticeForm(FlaskForm):
    """A notice for clients: its text in every language of the cabinet (none may be missing) and when it is shown,
    in Kazakhstan's time."""

    text_ru = notice_text(_l("Текст на русском"), _l("Введите текст объявления на русском языке."))
    text_kk = notice_text(_l("Текст на казахском"), _l("Введите текст объявления на казахском языке."))
    text_en = notice_text(_l("Текст на английском"), _l("Введите текст объявления на английском языке."))
    starts_at = MomentField(_l("Начало показа"), validators=[DataRequired(REQUIRED)])
    ends_at = MomentField(_l("Окончание показа"), validators=[DataRequired(REQUIRED)])

    def validate_ends_at(self, field: MomentField) -> None:
        if self.starts_at.moment is not None and field.moment is not None and field.moment <= self.starts_at.moment:
            raise ValidationError(_l("Окончание показа должно быть позже начала."))
