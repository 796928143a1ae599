"""Fixtures shared by every test: a migrated database (SQLite, or PostgreSQL when DATABASE_URL names one),
the app, its test client and CLI runner, and a fixed "today"."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from flask import Flask, session
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import delete, event
from sqlalchemy.engine import make_url
from werkzeug.test import TestResponse

from portal import create_app
from portal.domain.iin import is_valid_iin
from portal.extensions import db

# A fixed day for every test that does not choose its own: statuses must not depend on when tests run.
TODAY = date(2026, 11, 24)
# 11:00 in Almaty on TODAY: where a test's clock starts.
START = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


class FakeClock:
    """A clock that a test moves by hand: `clock.advance(minutes=5)`."""

    def __init__(self, start: datetime = START) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


ARTIFACTS = Path(__file__).parent / "artifacts"
# A Fernet key of the tests' own for the staff's TOTP secrets (the development key is not production's either).
TEST_TOTP_KEY = "dGVzdHMtdG90cC1rZXktMzItYnl0ZXMtbG9uZy0tLS0="


def _admin_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PersonalDataWatch(logging.Handler):
    """Reads every log line of the whole run (DESIGN §4, issue 7): an IIN, a Kazakhstan mobile number, or a code
    or password that a test typed, in clear, fails the run at its end, naming the test and the kind found."""

    IIN = re.compile(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])")
    PHONE = re.compile(r"(?<![\d*])(?:\+7|8|7)[\s-]?\(?7\d\d\)?[\s-]?\d{3}[\s-]?\d\d[\s-]?\d\d(?!\d)")
    DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{6}(?![0-9A-Za-z])")

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.test = "(collection)"
        self.passwords: set[str] = {"Demo2026!"}
        self.codes: set[str] = set()
        self.found: list[str] = []

    def watch_password(self, password: str) -> None:
        if len(password) >= 8:  # shorter ones are the tests' refused passwords, and too common a string to look for
            self.passwords.add(password)

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        kinds = [
            kind
            for kind, present in (
                ("an IIN", any(is_valid_iin(match) for match in self.IIN.findall(text))),
                ("a phone number", bool(self.PHONE.search(text))),
                ("a code", bool(self.codes.intersection(self.DIGITS.findall(text)))),
                ("a password", any(password in text for password in self.passwords)),
            )
            if present
        ]
        if kinds:
            self.found.append(f"{self.test}: {record.name} logged {', '.join(kinds)}")


WATCH = PersonalDataWatch()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    # Attached again for each test body: Alembic's fileConfig (migrations/env.py) resets the root logger.
    WATCH.test = item.nodeid
    root = logging.getLogger()
    if WATCH not in root.handlers:
        root.addHandler(WATCH)
    root.setLevel(min(root.level or logging.WARNING, logging.INFO))  # the request lines are INFO
    return (yield)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: what it found goes to the controller, which reports it
        workeroutput["personal_data"] = WATCH.found
    elif WATCH.found:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    WATCH.found.extend(node.workeroutput.get("personal_data", []))


KINDS = {"browser": "browser", "load": "load"}  # a folder of tests/ and the marker its tests carry


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the browser and load tests by their folder; then put the slow tests first, so that with several
    workers (pytest-xdist) the longest ones do not start last and leave one worker running alone at the end."""
    for item in items:
        folder = item.path.relative_to(Path(__file__).parent).parts[0]
        if folder in KINDS:
            item.add_marker(KINDS[folder])
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # Figures a test measured and reports (record_property("figures", ...)), such as the load test's rate.
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for name, value in getattr(report, "user_properties", []):
            if name == "figures" and report.when == "call":
                terminalreporter.write_line(f"{report.nodeid}: {value}")
    if WATCH.found:
        terminalreporter.section("personal data in the logs", red=True)
        for line in WATCH.found[:50]:
            terminalreporter.line(line)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """The app reads compiled catalogues; `make test` builds them, a bare `pytest` must not test stale ones."""
    for catalogue in (Path(__file__).parent.parent / "portal" / "translations").glob("*/LC_MESSAGES/messages.po"):
        compiled = catalogue.with_suffix(".mo")
        if not compiled.exists() or compiled.stat().st_mtime < catalogue.stat().st_mtime:
            pytest.exit(f"{compiled} is missing or older than its .po: run `make translations`", returncode=3)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh database for this run: a new PostgreSQL database when DATABASE_URL names a server, else SQLite."""
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql")):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    server = server.replace("postgres://", "postgresql://", 1)
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(_admin_dsn(server), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.exit(f"DATABASE_URL names a PostgreSQL server that does not answer: {error}", returncode=3)
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield make_url(server).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    with psycopg.connect(_admin_dsn(server), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class SuiteRedis:
    """With PORTAL_TEST_REDIS=1 every app of the suite is given one Redis of the run's own (as production runs: the
    limits in Redis), emptied before each test; without it, none (as `make
    run` runs). CI runs the suite both ways. A test about the one or the other says so in its app's settings."""

    url: str | None = None


SUITE_REDIS = SuiteRedis()


def make_app(database_url: str, **overrides: Any) -> Flask:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": SUITE_REDIS.url,
        "PORTAL_TODAY": TODAY,
        "PORTAL_ENV": "development",
        "PORTAL_TOTP_KEY": TEST_TOTP_KEY,
        # Cheap hashes, except in production (refused there) and in a test about hashing, which asks for "argon2id".
        "PORTAL_PASSWORD_HASH": "argon2id" if overrides.get("PORTAL_ENV") == "production" else "fast",
    }
    config.update(overrides)
    return create_app(config)


@contextmanager
def running(app: Flask) -> Iterator[Flask]:
    """An app context for a test's own app, leaving no database connection open behind it."""
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    """The schema, built by the migrations themselves (so that they are tested too)."""
    with running(make_app(database_url)):
        upgrade()
    return database_url


def empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(delete(table))
    db.session.commit()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "sms-outbox.jsonl"


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Settings a module gives every `app` of its tests (a module overrides this fixture); a test's own
    parameters (`@pytest.mark.parametrize("app", [{...}], indirect=True)`) come on top."""
    return {}


@pytest.fixture
def app(
    migrated: str, clock: FakeClock, outbox: Path, app_settings: dict[str, Any], request: pytest.FixtureRequest
) -> Iterator[Flask]:
    """The app under test. The test body runs in the context of a twin app on the same database, as a
    separate process would: requests then get app contexts of their own (as in production), so nothing
    cached in `g` by one request leaks into the next."""
    overrides = {
        "PORTAL_CLOCK": clock,
        "PORTAL_SMS_OUTBOX": str(outbox),
        **app_settings,
        **getattr(request, "param", {}),
    }
    app = make_app(migrated, **overrides)
    twin = twin_app(migrated, overrides)
    settings = dict(twin.config)
    with running(twin):
        try:
            yield app
        finally:
            db.session.rollback()
            empty_tables()
    twin.config.clear()
    twin.config.update(settings)  # what the test body changed in its app's settings ends with the test
    with running(app):
        pass


# Twin apps for the test bodies, by their settings: building an app costs about 15-80 ms here, most of it Werkzeug
# compiling the URL rules, and a twin is only the context a test body runs in (its requests go to `app`).
TWINS: dict[tuple[str, str], Flask] = {}
PER_TEST = ("PORTAL_CLOCK", "PORTAL_SMS_OUTBOX")  # the test's own objects: set on the twin for each test


def twin_app(database_url: str, overrides: dict[str, Any]) -> Flask:
    shared = {name: value for name, value in overrides.items() if name not in PER_TEST}
    key = (database_url, repr(sorted(shared.items())))  # an object without a value repr is never shared
    if key not in TWINS:
        TWINS[key] = make_app(database_url, **shared)
    twin = TWINS[key]
    twin.config.update({name: overrides[name] for name in PER_TEST})
    return twin


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo accounts as `portal demo` loads them on TODAY."""
    from portal.demo import load_demo

    load_demo(db.session, TODAY)


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1)


# The unregistered demo client's five facts and consent, as she types them into «Первичная авторизация».
SEITKALI_FACTS = {
    "account": "1000000003",
    "contract_number": "ДА-2023-00318",
    "iin": "921102404563",
    "phone": "+7 701 765 43 21",
    "contract_date": "2023-03-15",
    "consent": "y",
}


class AuthActions:
    """What a client does to get in, through the test client, with CSRF on as in production."""

    def __init__(self, client: FlaskClient, outbox: Path) -> None:
        self.client = client
        self.outbox = outbox

    def token(self) -> str:
        """The session's CSRF token, from a page that always has a form."""
        return csrf_token(self.client.get("/register").get_data(as_text=True))

    def login(
        self, account: str = "1000000001", iin: str = "880515301238", password: str = "Demo2026!", **headers: str
    ) -> TestResponse:
        WATCH.watch_password(password)
        data = {"csrf_token": self.token(), "account": account, "iin": iin, "password": password}
        return self.client.post("/login", data=data, headers=headers)

    def sign_in_as(self, account: str = "1000000001") -> None:
        """Signed in as the client of this account without the form, the session as portal/auth/session.py's
        start_session leaves it: for tests that are not about signing in (those go through `login`)."""
        from sqlalchemy import select

        from portal.auth.session import start_session
        from portal.models import Client, Contract

        client = db.session.scalars(select(Client).join(Contract).where(Contract.account == account)).one()
        with self.client.application.test_request_context(environ_base=self.client.environ_base):
            start_session(client)
            signed_in = dict(session)
        with self.client.session_transaction() as stored:
            stored.clear()
            stored.update(signed_in)

    def logout(self) -> TestResponse:
        return self.client.post("/logout", data={"csrf_token": self.token()})

    def submit_facts(self, path: str = "/register", **facts: str) -> TestResponse:
        data = {**SEITKALI_FACTS, **facts}
        data["csrf_token"] = self.token()
        return self.client.post(path, data=data)

    def last_code(self) -> str:
        lines = self.outbox.read_text(encoding="utf-8").splitlines()
        match = re.search(r"\b(\d{6})\b", json.loads(lines[-1])["text"])
        assert match, lines[-1]
        WATCH.codes.add(match.group(1))
        return match.group(1)

    def submit_code(self, code: str, path: str = "/register/code") -> TestResponse:
        return self.client.post(path, data={"csrf_token": self.token(), "code": code})

    def reset_password(self, password: str) -> TestResponse:
        """«Забыли пароль?» for the registered demo client: the five facts, the code, the new password."""
        from sqlalchemy import select

        from portal.models import Contract

        contract = db.session.scalars(select(Contract).where(Contract.account == "1000000001")).one()
        self.submit_facts(
            "/password/reset",
            account="1000000001",
            contract_number=contract.number,
            iin="880515301238",
            phone="+77011234567",
            contract_date=contract.signed_on.isoformat(),
        )
        self.submit_code(self.last_code(), "/password/reset/code")
        return self.submit_password(password, path="/password/reset/password")

    def submit_password(
        self, password: str, confirmation: str | None = None, path: str = "/register/password"
    ) -> TestResponse:
        WATCH.watch_password(password)
        data = {
            "csrf_token": self.token(),
            "password": password,
            "confirmation": password if confirmation is None else confirmation,
        }
        return self.client.post(path, data=data)


@pytest.fixture
def auth(client: FlaskClient, outbox: Path) -> AuthActions:
    return AuthActions(client, outbox)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def redis_server() -> Iterator[str]:
    """A real redis-server of our own on a free port, keeping nothing on disk, stopped at the end."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: `apt-get install redis-server` (make test installs it)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        else:
            pytest.fail(f"redis-server did not start on port {port}")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis of the test's own, stopped after it."""
    with redis_server() as url:
        yield url


@pytest.fixture(scope="session", autouse=True)
def suite_redis() -> Iterator[None]:
    if os.environ.get("PORTAL_TEST_REDIS") != "1":
        yield
        return
    with redis_server() as url:
        SUITE_REDIS.url = url
        try:
            yield
        finally:
            SUITE_REDIS.url = None


@pytest.fixture(autouse=True)
def empty_suite_redis() -> None:
    """Each test starts with the suite's Redis empty: no limit counted, nothing cached, by a test before it."""
    if SUITE_REDIS.url is not None:
        redis.Redis.from_url(SUITE_REDIS.url).flushdb()


class QueryCounter:
    """Counts the SQL statements the app sends while it is active (`with counter: client.get(...)`)."""

    EVENT = "before_cursor_execute"  # the engine event each statement is recorded at

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.statements: list[str] = []

    def _record(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        self.statements = []
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, self.EVENT, self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, self.EVENT, self._record)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def queries(app: Flask) -> QueryCounter:
    return QueryCounter(app)
