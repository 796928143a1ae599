"""Configuration in layers: defaults, then the environment, then instance/config.py, then a test's mapping."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from portal.clock import system_clock
from portal.domain.clock import parse_fixed_today
from portal.domain.payee import bin_is_well_formed, compact_iban, iban_is_valid
from portal.sealing import DEVELOPMENT_KEY, keys_of


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which setting and why."""


def defaults(instance_path: str) -> dict[str, Any]:
    """Safe development defaults; nothing secret has a default that production would accept."""
    return {
        "PORTAL_ENV": "development",
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'portal.sqlite3'}",
        # A connection that died in the pool (PostgreSQL restarted, a failover) is replaced before a request uses it.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": None,
        "PORTAL_TODAY": None,
        "PORTAL_CLOCK": system_clock,
        # How many proxies (nginx) stand in front and may be trusted for the client's address and scheme.
        "PORTAL_PROXIES": 0,
        "PORTAL_SMS_GATEWAY": "outbox",
        "PORTAL_SMS_URL": None,
        "PORTAL_SMS_TOKEN": None,
        # Seconds to wait for the provider's answer; the gateway tries twice, so a client waits at most twice this.
        "PORTAL_SMS_TIMEOUT": 5.0,
        "PORTAL_METRICS_TOKEN": None,
        # The company's bank details shown under «Как оплатить» and in the payment QR code. Placeholders (a
        # well-formed BIN, an IBAN whose check digits hold): production sets the real ones in the environment.
        "PORTAL_PAYEE_BIN": "070540004123",
        "PORTAL_PAYEE_IBAN": "KZ186010001234567890",
        "PORTAL_PAYEE_BANK": "АО «Народный Банк Казахстана»",
        # The bank's name as Kazakh and English pages show it; empty: the Russian one.
        "PORTAL_PAYEE_BANK_KK": "«Қазақстан Халық Банкі» АҚ",
        "PORTAL_PAYEE_BANK_EN": "Halyk Bank of Kazakhstan JSC",
        "PORTAL_PAYEE_BIC": "HSBKKZKX",
        "PORTAL_PAYEE_KNP": "421",
        # Working days until a payment made through each channel shows in the cabinet (Как оплатить, История
        # платежей): what the company's bank and import schedule give; channel=days, comma-separated.
        "PORTAL_POSTING_DAYS": "kaspi=1,halyk=1,otbasy=1,transfer=3,cash=1",
        # `portal remind` warns this many days before a due date that the balance will not cover.
        "PORTAL_REMIND_DAYS": 3,
        "PORTAL_SMS_OUTBOX": str(Path(instance_path) / "sms-outbox.jsonl"),
        # The name an authenticator app shows next to a support staff member's TOTP codes.
        "PORTAL_TOTP_ISSUER": "Housing Portal",
        # Fernet keys (comma-separated, the first seals) for the staff's TOTP secrets; required in production.
        "PORTAL_TOTP_KEY": None,
        # How passwords are hashed (portal/auth/passwords.py): argon2id at RFC 9106's cost; "fast" only in tests.
        "PORTAL_PASSWORD_HASH": "argon2id",
        "BABEL_DEFAULT_LOCALE": "ru",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Almaty",
        "PORTAL_LANGUAGES": ("ru", "kk", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": False,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        # The cookie is sent again only when the session changes (portal/auth/session.py: SEEN_AT_STEP).
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "MAX_CONTENT_LENGTH": 64 * 1024,
        # Flask-Limiter: counters in Redis when REDIS_URL is set (see finalise); if Redis fails, each
        # instance falls back to its own memory and logs the error instead of refusing to serve.
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_KEY_PREFIX": "portal",
    }


def from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """The documented variables (README, DESIGN §5), read from the process environment."""
    names = {
        "PORTAL_ENV": "PORTAL_ENV",
        "SECRET_KEY": "SECRET_KEY",
        "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
        "REDIS_URL": "REDIS_URL",
        "PORTAL_TODAY": "PORTAL_TODAY",
        "PORTAL_PROXIES": "PORTAL_PROXIES",
        "PORTAL_SMS_GATEWAY": "PORTAL_SMS_GATEWAY",
        "PORTAL_SMS_URL": "PORTAL_SMS_URL",
        "PORTAL_SMS_TOKEN": "PORTAL_SMS_TOKEN",
        "PORTAL_SMS_OUTBOX": "PORTAL_SMS_OUTBOX",
        "PORTAL_SMS_TIMEOUT": "PORTAL_SMS_TIMEOUT",
        "PORTAL_METRICS_TOKEN": "PORTAL_METRICS_TOKEN",
        "PORTAL_PAYEE_BIN": "PORTAL_PAYEE_BIN",
        "PORTAL_PAYEE_IBAN": "PORTAL_PAYEE_IBAN",
        "PORTAL_PAYEE_BANK": "PORTAL_PAYEE_BANK",
        "PORTAL_PAYEE_BANK_KK": "PORTAL_PAYEE_BANK_KK",
        "PORTAL_PAYEE_BANK_EN": "PORTAL_PAYEE_BANK_EN",
        "PORTAL_PAYEE_BIC": "PORTAL_PAYEE_BIC",
        "PORTAL_PAYEE_KNP": "PORTAL_PAYEE_KNP",
        "PORTAL_REMIND_DAYS": "PORTAL_REMIND_DAYS",
        "PORTAL_POSTING_DAYS": "PORTAL_POSTING_DAYS",
        "PORTAL_TOTP_ISSUER": "PORTAL_TOTP_ISSUER",
        "PORTAL_TOTP_KEY": "PORTAL_TOTP_KEY",
    }
    return {key: environ[var] for var, key in names.items() if environ.get(var)}


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// and postgresql:// forms and drive them with psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _whole_number(config: dict[str, Any], name: str, lowest: int, highest: int) -> None:
    try:
        config[name] = int(config[name])
    except ValueError as error:
        raise ConfigError(f"{name} must be a whole number, not {config[name]!r}") from error
    if not lowest <= config[name] <= highest:
        raise ConfigError(f"{name} must be between {lowest} and {highest}")


PAYMENT_CHANNELS = ("kaspi", "halyk", "otbasy", "transfer", "cash")


def posting_days(raw: str | dict[str, int]) -> dict[str, int]:
    """PORTAL_POSTING_DAYS as channel → working days; every channel of PAYMENT_CHANNELS must be named."""
    if isinstance(raw, dict):
        return raw
    found: dict[str, int] = {}
    for part in str(raw).split(","):
        channel, _, days = part.strip().partition("=")
        if channel not in PAYMENT_CHANNELS or not days.strip().isdigit() or not 0 <= int(days) <= 30:
            raise ConfigError(f"PORTAL_POSTING_DAYS must be channel=days (0-30) for {', '.join(PAYMENT_CHANNELS)}")
        found[channel] = int(days)
    missing = [channel for channel in PAYMENT_CHANNELS if channel not in found]
    if missing:
        raise ConfigError(f"PORTAL_POSTING_DAYS lacks {', '.join(missing)}")
    return found


def finalise(config: dict[str, Any]) -> None:
    """Check the combined configuration and derive what follows from it, or refuse to start."""
    env = config["PORTAL_ENV"]
    if env not in ("development", "production"):
        raise ConfigError(f"PORTAL_ENV must be 'development' or 'production', not {env!r}")
    production = env == "production"
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])

    if not config.get("SECRET_KEY"):
        if production:
            raise ConfigError("SECRET_KEY is required when PORTAL_ENV=production")
        # A development key that changes on every start: sessions end on restart, nothing to leak.
        config["SECRET_KEY"] = os.urandom(32).hex()

    if not config.get("PORTAL_TOTP_KEY"):
        if production:
            raise ConfigError("PORTAL_TOTP_KEY is required when PORTAL_ENV=production (staff TOTP secrets are sealed)")
        config["PORTAL_TOTP_KEY"] = DEVELOPMENT_KEY  # see portal/sealing.py for why a fixed one
    try:
        keys_of(str(config["PORTAL_TOTP_KEY"]))
    except ValueError as error:
        raise ConfigError(f"PORTAL_TOTP_KEY: {error}") from error

    raw_today = config.get("PORTAL_TODAY")
    if raw_today and not isinstance(raw_today, date):
        if production:
            raise ConfigError("PORTAL_TODAY is refused when PORTAL_ENV=production")
        try:
            config["PORTAL_TODAY"] = parse_fixed_today(str(raw_today))
        except ValueError as error:
            raise ConfigError(f"PORTAL_TODAY must be YYYY-MM-DD, not {raw_today!r}") from error
    elif raw_today and production:
        raise ConfigError("PORTAL_TODAY is refused when PORTAL_ENV=production")

    try:
        config["PORTAL_PROXIES"] = int(config["PORTAL_PROXIES"])
    except ValueError as error:
        raise ConfigError(f"PORTAL_PROXIES must be a whole number, not {config['PORTAL_PROXIES']!r}") from error

    _whole_number(config, "PORTAL_REMIND_DAYS", 0, 31)
    config["PORTAL_POSTING_DAYS"] = posting_days(config["PORTAL_POSTING_DAYS"])

    gateway = config["PORTAL_SMS_GATEWAY"]
    if gateway not in ("outbox", "http"):
        raise ConfigError(f"PORTAL_SMS_GATEWAY must be 'outbox' or 'http', not {gateway!r}")
    try:
        config["PORTAL_SMS_TIMEOUT"] = float(config["PORTAL_SMS_TIMEOUT"])
    except ValueError as error:
        raise ConfigError(
            f"PORTAL_SMS_TIMEOUT must be a number of seconds, not {config['PORTAL_SMS_TIMEOUT']!r}"
        ) from error
    if not 0 < config["PORTAL_SMS_TIMEOUT"] <= 30:
        raise ConfigError("PORTAL_SMS_TIMEOUT must be more than 0 and at most 30 seconds")
    if gateway == "http" and not config.get("PORTAL_SMS_URL"):
        raise ConfigError("PORTAL_SMS_URL is required when PORTAL_SMS_GATEWAY=http")

    hashing = config["PORTAL_PASSWORD_HASH"]
    if hashing not in ("argon2id", "fast"):
        raise ConfigError(f"PORTAL_PASSWORD_HASH must be 'argon2id' or 'fast', not {hashing!r}")
    if hashing == "fast" and (production or not config.get("TESTING")):
        raise ConfigError("PORTAL_PASSWORD_HASH=fast is for tests only: refused without TESTING and in production")

    config["PORTAL_PAYEE_IBAN"] = compact_iban(str(config["PORTAL_PAYEE_IBAN"]))
    if not iban_is_valid(config["PORTAL_PAYEE_IBAN"]):
        raise ConfigError(
            f"PORTAL_PAYEE_IBAN must be a Kazakhstan IBAN with valid check digits, not {config['PORTAL_PAYEE_IBAN']!r}"
        )
    if not bin_is_well_formed(str(config["PORTAL_PAYEE_BIN"])):
        raise ConfigError(f"PORTAL_PAYEE_BIN must be 12 digits, not {config['PORTAL_PAYEE_BIN']!r}")

    if config.get("REDIS_URL"):
        config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"]
        config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1})

    if production:
        config["SESSION_COOKIE_SECURE"] = True
        # __Host-: only over HTTPS, only for this host, for every path; no subdomain can set or read it.
        config["SESSION_COOKIE_NAME"] = "__Host-session"
