"""Staff's forms: the sign-in (login, password, TOTP code), the client search, the reason for clearing a client's
sign-in restrictions, and an editor's FAQ entry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from portal.auth.forms import REQUIRED, _compact, _strip, at_most
from portal.domain.password import MAX_PASSWORD_LENGTH


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
