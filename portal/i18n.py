"""Languages (ru default, kk, en), the remembered choice, and locale-aware money and dates for templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations
from flask import Flask, Response, current_app, g, request
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from portal.domain.phone import format_phone
from portal.extensions import babel, db

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"ru": "РУС", "kk": "ҚАЗ", "en": "ENG"}
# Plain "ru" prints KZT; the Kazakhstan locales print the tenge sign.
CURRENCY_LOCALES = {"ru": "ru_KZ", "kk": "kk_KZ"}


def select_language() -> str:
    """?lang= on any page, then this browser's remembered choice, then the signed-in client's, then Russian."""
    offered = current_app.config["PORTAL_LANGUAGES"]
    for candidate in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in offered:
            return str(candidate)
    stored = getattr(current_user, "language", None)
    if stored in offered:
        return str(stored)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def current_language() -> str:
    """The request's language ("ru", "kk", "en"): Flask-Babel's choice, which force_locale overrides.

    Read from the record Flask-Babel keeps of it for the request (in `g`) once it is made: get_locale() takes
    five context look-ups to find it, and a page asks for it with each of its ~100 strings and amounts."""
    record = g.get("_flask_babel") if g else None
    locale = getattr(record, "babel_locale", None) or get_locale()
    return locale.language if locale is not None else str(current_app.config["BABEL_DEFAULT_LOCALE"])


_CATALOGUES: dict[str, NullTranslations] = {}
CATALOGUE = "_catalogue"  # the page's catalogue in its templates' context (init_app's context processor)


def catalogue() -> NullTranslations:
    """The current language's translations, loaded once per process.

    The templates' gettext goes through this: Flask-Babel's own lookup looks the app, the context and the
    locale up again, and names the locale afresh, for each of a page's ~150 strings (docs/performance.md)."""
    language = current_language()
    found = _CATALOGUES.get(language)
    if found is None:
        found = _CATALOGUES[language] = get_translations()
    return found


@pass_context
def template_gettext(context: Context, string: str, /, **variables: Any) -> str:
    """`_()` and `gettext()` in the templates: Jinja's newstyle gettext (escaped, always a format string), in one
    call where Jinja's alias, its newstyle wrapper and the callable made three Context.call each, and without
    formatting a text that has no % and no variables, which leaves it as it is (tests/app/test_languages.py
    compares the two). A page has about 60 strings; this took each from about 10 to 3 microseconds
    (docs/performance.md)."""
    found = context.get(CATALOGUE) or catalogue()  # none in a macro imported without the page's context
    text: str = found.ugettext(string)
    if context.eval_ctx.autoescape:
        # Our own catalogue's text, marked safe as Jinja's newstyle gettext marks it; the variables are escaped.
        text = Markup(text)  # noqa: S704  # nosec B704
    return text % variables if variables or "%" in text else text


@pass_context
def money_filter(context: Context, value: Decimal | None) -> str:
    """`| money` in the templates: in the page's language, read from its context when it has one."""
    return money(value, context.get("current_language"))


@pass_context
def day_filter(context: Context, value: date | None) -> str:
    return day(value, context.get("current_language"))


def remember_language(response: Response) -> Response:
    """A language chosen with ?lang= stays chosen: in this browser, and for a signed-in client everywhere."""
    chosen = request.args.get("lang", "")
    if chosen not in current_app.config["PORTAL_LANGUAGES"]:
        return response
    if current_user.is_authenticated and current_user.language != chosen:
        current_user.language = chosen
        db.session.commit()
    if request.cookies.get(LANGUAGE_COOKIE) != chosen:
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
        )
    return response


def babel_money(value: Decimal, language: str) -> str:
    """The amount as Babel writes it: the definition `money` follows (tests compare the two)."""
    if language in CURRENCY_LOCALES:
        return format_currency(value, "KZT", locale=CURRENCY_LOCALES[language])
    return "₸" + format_decimal(value, format="#,##0.00", locale=language)


@dataclass(frozen=True)
class MoneyStyle:
    """How a language writes an amount: learnt once from Babel, then applied to Python's own formatting."""

    prefix: str
    suffix: str
    separators: dict[int, str]  # str.translate table: "," and "." to the language's group and decimal signs

    @classmethod
    @cache
    def of(cls, language: str) -> MoneyStyle:
        sample = babel_money(Decimal("1234567.89"), language)
        start, end = sample.index("1"), sample.index("89") + 2
        group, decimal = sample[start + 1], sample[end - 3]
        return cls(sample[:start], sample[end:], str.maketrans({",": group, ".": decimal}))


def money(value: Decimal | None, language: str | None = None) -> str:
    """1 234 567,89 ₸ in Russian and Kazakh, ₸1,234,567.89 in English (the request's language unless given).

    Exactly Babel's text (babel_money), at a tenth of its cost: a schedule page writes ~50 amounts."""
    if value is None:
        return ""
    style = MoneyStyle.of(language or current_language())
    return style.prefix + f"{value:,.2f}".translate(style.separators) + style.suffix


def day(value: date | None, language: str | None = None) -> str:
    """Dates as the manual writes them (dd.mm.yyyy) in Russian and Kazakh; with the month's name in English."""
    if value is None:
        return ""
    if (language or current_language()) == "en":
        return format_date(value, "d MMM y", locale="en")
    return value.strftime("%d.%m.%Y")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_language, default_translation_directories="translations")
    # Flask-Babel's callables, with the catalogue found once per language (see catalogue()).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals["gettext"] = app.jinja_env.globals["_"] = template_gettext
    app.after_request(remember_language)
    app.jinja_env.filters["money"] = money_filter
    app.jinja_env.filters["day"] = day_filter
    app.jinja_env.filters["phone"] = format_phone

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {"current_language": current_language(), "language_names": LANGUAGE_NAMES, CATALOGUE: catalogue()}
