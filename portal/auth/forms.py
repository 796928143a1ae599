"""The sign-in forms; field checks use the domain's rules, messages are in the user's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, HiddenField, PasswordField, StringField
from wtforms.form import BaseForm
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from portal.domain.iin import IINProblem, InvalidIIN, parse_iin
from portal.domain.password import MAX_PASSWORD_LENGTH
from portal.domain.phone import InvalidPhone, normalize_phone

CONSENT_VERSION = "2026-11"
REQUIRED = _l("Заполните это поле.")


def at_most(limit: int) -> Length:
    return Length(max=limit, message=_l("Не больше %(max)d символов."))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _compact(value: Any) -> Any:
    """Digits typed with spaces or dashes, as people copy them from documents."""
    return "".join(value.split()).replace("-", "") if isinstance(value, str) else value


def check_account(form: FlaskForm, field: Field) -> None:
    if not (field.data.isascii() and field.data.isdigit()):
        raise ValidationError(_l("Номер счета состоит только из цифр."))


def check_iin(form: FlaskForm, field: Field) -> None:
    try:
        parse_iin(field.data)
    except InvalidIIN as error:
        if error.reason is IINProblem.FORMAT:
            raise ValidationError(_l("ИИН состоит из 12 цифр.")) from None
        raise ValidationError(_l("ИИН указан с ошибкой: такого ИИН не бывает. Проверьте цифры.")) from None


def check_phone(form: FlaskForm, field: PhoneField) -> None:
    """Keeps the number as typed for showing back; the E.164 form goes to `field.e164`."""
    try:
        field.e164 = normalize_phone(field.data)
    except InvalidPhone:
        raise ValidationError(_l("Введите казахстанский мобильный номер, например +7 701 123 45 67.")) from None


class PhoneField(StringField):
    """A mobile number, kept as typed; `check_phone` puts its E.164 form in `e164` once the number is valid."""

    e164: str


class DayField(StringField):
    """A date from the browser's date picker (YYYY-MM-DD) or typed as the manual writes dates (dd.mm.yyyy).

    The typed text is kept as typed, so that a wrong date is shown back for correcting, not emptied.
    """

    day: date | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.day = None
        text = (self.data or "").strip()
        for layout in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                self.day = datetime.strptime(text, layout).date()  # noqa: DTZ007 (a calendar date, no time)
                return
            except ValueError:
                continue

    def pre_validate(self, form: BaseForm) -> None:
        if self.data and self.day is None:
            raise ValidationError(_l("Введите существующую дату в формате дд.мм.гггг."))


class IdentifyForm(FlaskForm):
    """The first step of the login: which client is signing in."""

    account = StringField(
        _l("Номер счета"), filters=[_compact], validators=[DataRequired(REQUIRED), at_most(20), check_account]
    )
    iin = StringField(_l("ИИН"), filters=[_compact], validators=[DataRequired(REQUIRED), check_iin])


class LoginForm(IdentifyForm):
    password = PasswordField(_l("Пароль"), validators=[InputRequired(REQUIRED), at_most(MAX_PASSWORD_LENGTH)])


class FactsForm(FlaskForm):
    """The five facts of «Первичная авторизация» (and of a password reset)."""

    account = StringField(
        _l("Номер счета"), filters=[_compact], validators=[DataRequired(REQUIRED), at_most(20), check_account]
    )
    contract_number = StringField(
        _l("Номер договора"), filters=[_strip], validators=[DataRequired(REQUIRED), at_most(50)]
    )
    iin = StringField(_l("ИИН"), filters=[_compact], validators=[DataRequired(REQUIRED), check_iin])
    phone = PhoneField(
        _l("Мобильный номер"), filters=[_strip], validators=[DataRequired(REQUIRED), at_most(30), check_phone]
    )
    contract_date = DayField(_l("Дата договора"), validators=[DataRequired(REQUIRED), at_most(10)])


class RegisterForm(FactsForm):
    consent = BooleanField(
        _l(
            "Я даю согласие на сбор и обработку моих персональных данных в соответствии с Законом Республики "
            "Казахстан «О персональных данных и их защите»"
        ),
        validators=[DataRequired(_l("Без согласия на обработку персональных данных регистрация невозможна."))],
    )


class CodeForm(FlaskForm):
    code = StringField(_l("Код из СМС"), filters=[_compact], validators=[DataRequired(REQUIRED)])

    def validate_code(self, field: Field) -> None:
        if not (len(field.data) == 6 and field.data.isascii() and field.data.isdigit()):
            raise ValidationError(_l("Код состоит из 6 цифр."))


class PasswordForm(FlaskForm):
    password = PasswordField(_l("Пароль"), validators=[InputRequired(REQUIRED)])
    confirmation = PasswordField(_l("Повторите пароль"), validators=[InputRequired(REQUIRED)])


class EmptyForm(FlaskForm):
    """A one-button POST (logout, resend): only the CSRF token."""

    step = HiddenField()


class ChangePasswordForm(PasswordForm):
    """Профиль → Сменить пароль: the current password, then a new one under the same rules."""

    current = PasswordField(_l("Текущий пароль"), validators=[InputRequired(REQUIRED), at_most(MAX_PASSWORD_LENGTH)])
