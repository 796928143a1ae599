"""Languages (ru default, kk, en), the remembered choice, and locale-aware money and dates for templates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from flask import Flask, Response, current_app, request
from flask_babel import get_locale
from flask_login import current_user

from portal import values
from portal.domain.iin import mask_iin
from portal.domain.phone import format_phone, mask_phone
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
    """The request's language ("ru", "kk", "en"): Flask-Babel's choice, which force_locale overrides."""
    locale = get_locale()
    return locale.language if locale is not None else str(current_app.config["BABEL_DEFAULT_LOCALE"])


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


def money(value: Decimal | None, language: str | None = None) -> str:
    """1 234 567,89 ₸ in Russian and Kazakh, ₸1,234,567.89 in English (the request's language unless given)."""
    if value is None:
        return ""
    language = language or current_language()
    if language in CURRENCY_LOCALES:
        return format_currency(value, "KZT", locale=CURRENCY_LOCALES[language])
    return "₸" + format_decimal(value, format="#,##0.00", locale=language)


def day(value: date | None, language: str | None = None) -> str:
    """Dates as the manual writes them (dd.mm.yyyy) in Russian and Kazakh; with the month's name in English."""
    if value is None:
        return ""
    if (language or current_language()) == "en":
        return format_date(value, "d MMM y", locale="en")
    return value.strftime("%d.%m.%Y")


def day_time(value: datetime, language: str | None = None) -> str:
    """A moment (already in Kazakhstan's time) as its date, then hours and minutes."""
    return f"{day(value.date(), language)} {value:%H:%M}"


def init_app(app: Flask) -> None:
    # Flask-Babel also gives the templates its gettext (Jinja's i18n extension, newstyle).
    babel.init_app(app, locale_selector=select_language, default_translation_directories="translations")
    app.after_request(remember_language)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["day_time"] = day_time
    app.jinja_env.filters["phone"] = format_phone
    app.jinja_env.filters["masked_iin"] = mask_iin
    app.jinja_env.filters["masked_phone"] = mask_phone
    app.jinja_env.filters["collateral"] = values.collateral
    app.jinja_env.filters["issuer"] = values.issuer

    @app.context_processor
    def language_context() -> dict[str, object]:
        return {"current_language": current_language(), "language_names": LANGUAGE_NAMES}
