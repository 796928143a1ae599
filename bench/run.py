"""`make bench`: every page of the cabinet against the yardstick of DESIGN §4, served the same way, in one run.

    python -m bench.run                 # 1,000 and 100,000 families, 10 s a measurement, import vs COPY
    python -m bench.run --quick         # 1,000 families, 2 s a measurement: the smoke test CI runs

For each data set it fills a PostgreSQL database (COPY, bench/generate.py), starts gunicorn exactly as production
does (gunicorn.conf.py: its workers and worker class) with Redis (the sign-in limits), and signs in a pool of
families. Every page is rendered for its request. The yardstick (bench/bare.py: a bare Flask signed-in page, one
SQL statement, a 10 KB Jinja table) runs under the same gunicorn settings; the cabinet is served with two routes of
the benchmark's own (bench/floor.py). All of them are served at once, and wrk drives every page at several
concurrencies on each data set in turn, back to back; the yardstick at the start and at the end, their mean the
baseline. Queries per request, body sizes and Python's cost of each page (bench/inprocess.py), and the time of a
300-entry schedule's documents, are measured in process. The table, with DESIGN §4's targets and the machine's
load, is printed and written to bench/results/latest.md (or --out).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import requests
from cryptography.fernet import Fernet
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import event, func, select, update
from sqlalchemy.engine import make_url

from bench.floor import FLOOR, SIGNED_IN_FLOOR
from bench.generate import copy_into, heavy_client, iter_clients

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench#Family2026"  # the pool's password, set by the benchmark on its own database
POOL = 40  # families signed in; requests go round them
TODAY = date(2026, 11, 24)
IDLE_WAIT = 5  # seconds for the workers to finish what is queued before their memory is read
SCHEDULE_PAGE = 12  # the cabinet's schedule rows a page (its first page size)
YARDSTICK_PAGE = 24  # bench/bare.py's rows a page
# DESIGN §4's targets for a read page or an htmx fragment, against the yardstick of the same run.
TARGET_RPS = 0.5  # at least this share of the yardstick's requests a second
TARGET_P99 = 2.0  # at most this multiple of the yardstick's p99, at 32 connections
TARGET_P99_AT = 32
TARGET_QUERIES = 3  # SQL statements a page, whatever the data
TARGET_DOCUMENT = 5.0  # a 300-entry schedule's PDF within this multiple of the schedule page's time


@dataclass
class Endpoint:
    name: str
    method: str = "GET"
    target: str = ""  # the element id an htmx request targets; empty for a whole page
    bare: bool = False  # served by bench/bare.py
    signed_in: bool = False  # asked with a family's session
    floor: bool = False  # the cabinet's machinery with no page (bench/floor.py), not a page of the product

    @property
    def held(self) -> bool:
        """A read page or fragment of the cabinet: DESIGN §4's targets apply to it."""
        return self.method == "GET" and not (self.bare or self.floor)


YARDSTICK = "yardstick: bare signed-in page"
ENDPOINTS = [
    Endpoint(YARDSTICK, bare=True, signed_in=True),
    Endpoint("bare 5 KB HTML", bare=True),
    Endpoint("floor: the app, no page", floor=True),
    Endpoint("floor: signed in, no page", floor=True, signed_in=True),
    Endpoint("start page /"),
    Endpoint("/profile", signed_in=True),
    Endpoint("/contracts/<id>", signed_in=True),
    Endpoint("/contracts/<id> (htmx panel)", target="contract-panel", signed_in=True),
    Endpoint("/contracts/<id>/pay", signed_in=True),
    Endpoint("/schedule/<id>?page=N", signed_in=True),
    Endpoint("/schedule/<id>?page=N (htmx table)", target="schedule-table", signed_in=True),
    Endpoint("/history/<id>", signed_in=True),
    Endpoint("/history/<id> (htmx table)", target="history-table", signed_in=True),
    Endpoint("FAQ search (htmx)", target="faq-results"),
    Endpoint("sign-in POST /login", method="POST"),
]


@dataclass
class Family:
    client: int
    account: str
    iin: str
    contract: int
    payments: int
    cookie: str = ""
    bare_cookie: str = ""  # the family's session of the yardstick (bench/bare.py)
    login_cookie: str = ""
    login_token: str = ""

    @property
    def pages(self) -> int:
        return -(-self.payments // SCHEDULE_PAGE)


@dataclass
class Measurement:
    endpoint: str
    concurrency: int
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int  # answers other than 2xx/3xx
    timeouts: int = 0  # connections that failed or got no answer within wrk's 30 s


@dataclass
class DataSet:
    clients: int
    rows: int = 0
    measurements: list[Measurement] = field(default_factory=list)
    # SQL statements of each endpoint for the heaviest family (5 contracts of 300 entries) and for an ordinary one
    queries: dict[str, tuple[int, int]] = field(default_factory=dict)
    # round trips to PostgreSQL of each endpoint for the heaviest family: the statements, and what the driver and
    # the pool send around them (BEGIN, ROLLBACK or COMMIT, the pool's ping)
    round_trips: dict[str, int] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    worker_rss_mb: list[float] = field(default_factory=list)
    costs: dict[str, Any] = field(default_factory=dict)  # bench.inprocess.Cost of each page
    documents: dict[str, Any] = field(default_factory=dict)  # bench.inprocess.Cost of each document


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    for _ in range(400):
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"{what} did not start on port {port}")


@contextmanager
def started(command: list[str], port: int, what: str, env: dict[str, str] | None = None) -> Iterator[int]:
    # The servers' own logs (a JSON line a request) go to a file, as in production; a pipe nobody reads would
    # fill up and stop them.
    log = open(Path(tempfile.gettempdir()) / f"bench-{what.split()[0]}-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(port, process, what)
        yield process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def need(binary: str, package: str) -> str:
    found = shutil.which(binary) or (f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None)
    if not found:
        raise SystemExit(f"{binary} is missing: `apt-get install {package}` (make bench installs it as root)")
    return found


# --- data --------------------------------------------------------------------------------------------------


def database(server: str, name: str) -> str:
    return make_url(server).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def admin(server: str) -> psycopg.Connection[Any]:
    return psycopg.connect(
        make_url(server).set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
    )


def flask(url: str, *arguments: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_ENV": "development"}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def prepare(server: str, clients: int) -> tuple[str, int]:
    """A database with `clients` families (and one with 5 contracts of 300 entries), the FAQ, and the pool's
    password; kept between runs when it was made from the same parameters and schema."""
    name = f"portal_bench_{clients}"
    url = database(server, name)
    heads = sorted(p.name.split("_")[0] for p in (ROOT / "migrations" / "versions").glob("*.py"))
    stamp = f"bench clients={clients} seed=2026 today={TODAY} schema={','.join(heads)}"
    with admin(server) as connection:
        row = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if row and row[0] and row[0].startswith(stamp):
            return url, int(row[0].rsplit("rows=", 1)[1])
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    flask(url, "db", "upgrade")
    flask(url, "portal", "faq", "portal/data/faq.json")
    started_at = time.perf_counter()
    rows = copy_into(url, _chain(heavy_client(TODAY), iter_clients(clients, (1, 5), (60, 300), 2026, TODAY)))
    elapsed = time.perf_counter() - started_at
    print(f"  {clients:,} families: {rows:,} rows by COPY in {elapsed:.0f} s ({rows / elapsed:,.0f} rows/s)")
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    with admin(server) as connection:
        connection.execute(f"COMMENT ON DATABASE \"{name}\" IS '{stamp} rows={rows}'")
    return url, rows


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


def pool_of_families(url: str) -> list[Family]:
    """POOL families, the heaviest one first, with the password the benchmark signs in with."""
    from portal import create_app
    from portal.auth.passwords import hash_password
    from portal.extensions import db
    from portal.models import Client, Contract

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        heavy = db.session.scalar(
            select(Client.id).join(Contract).group_by(Client.id).order_by(func.sum(Contract.payments).desc()).limit(1)
        )
        others = db.session.scalars(select(Client.id).where(Client.id != heavy).order_by(Client.id).limit(POOL - 1))
        chosen = [heavy, *others]
        db.session.execute(
            update(Client)
            .where(Client.id.in_(chosen))
            .values(password_hash=hash_password(PASSWORD), activated_at=func.now())
        )
        db.session.commit()
        families = []
        for client_id in chosen:
            iin, account, contract, payments = db.session.execute(
                select(Client.iin, Contract.account, Contract.id, Contract.payments)
                .join(Contract.client)
                .where(Client.id == client_id)
                .order_by(Contract.payments.desc())
                .limit(1)
            ).one()
            families.append(Family(client_id, account, iin, contract, payments))
        db.session.remove()
    return families


TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def cookie_header(response: requests.Response) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in response.cookies)


def wrk_address() -> str:
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def sign_in(base: str, family: Family) -> None:
    """Sign the family in over HTTP and show it one page, as a browser does; keep the session cookie it then
    holds (with its CSRF token), and a signed-out cookie + token for the POST."""
    form = requests.get(f"{base}/login", timeout=30)
    family.login_cookie = cookie_header(form)
    match = TOKEN.search(form.text)
    if not match:
        raise SystemExit("no CSRF token on /login")
    family.login_token = match.group(1)
    answer = requests.post(
        f"{base}/login",
        data={"csrf_token": family.login_token, "account": family.account, "iin": family.iin, "password": PASSWORD},
        headers={"Cookie": family.login_cookie, "X-Forwarded-For": wrk_address()},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 303 or "/login" in answer.headers.get("Location", ""):
        raise SystemExit(f"sign-in of the pool failed: {answer.status_code}")
    family.cookie = cookie_header(answer)
    # The first page after sign-in puts the CSRF token in the session (and, from another address than the
    # sign-in's, Flask-Login's session protection marks it not fresh): the session changes, and the cookie is
    # sent again. A browser keeps the new cookie; so does the pool. wrk sends no User-Agent.
    page = requests.get(
        f"{base}/profile",
        headers={"Cookie": family.cookie, "X-Forwarded-For": wrk_address(), "User-Agent": None},  # type: ignore[dict-item]
        allow_redirects=False,
        timeout=30,
    )
    if page.status_code != 200:
        raise SystemExit(f"the pool's first page: {page.status_code}")
    family.cookie = cookie_header(page) or family.cookie


def sign_in_bare(base: str, family: Family) -> None:
    """The family's session of the yardstick."""
    answer = requests.post(f"{base}/bare/sign-in", data={"client": family.client}, timeout=30)
    answer.raise_for_status()
    family.bare_cookie = cookie_header(answer)


def seen_now(cookie: str, secret: str) -> str:
    """The session cookie as a browser holds it that has just been shown a page: the session's last-seen time
    now. The app writes it at most once a minute (portal/auth/session.py) and sends the cookie again when it
    does; wrk sends one cookie throughout, so without this every request a minute after sign-in would re-sign
    the session, and after 15 minutes end it. Signed with the server's key, which the benchmark chose."""
    signer = Flask("bench-cookies")
    signer.secret_key = secret
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer)
    if serializer is None:
        raise SystemExit("no session serializer")
    cookies = []
    for part in cookie.split("; "):
        name, _, value = part.partition("=")
        if name.endswith("session"):
            session = serializer.loads(value)
            session["seen_at"] = time.time()
            value = serializer.dumps(session)
        cookies.append(f"{name}={value}")
    return "; ".join(cookies)


def request_lines(endpoint: Endpoint, families: list[Family]) -> list[str]:
    from urllib.parse import urlencode

    lines = []
    for n, family in enumerate(families):
        page = 1 + (n * 7) % family.pages
        yardstick_page = 1 + (n * 7) % -(-family.payments // YARDSTICK_PAGE)
        path, cookie, body = {
            YARDSTICK: (f"/bare/schedule/{family.contract}?page={yardstick_page}", family.bare_cookie, ""),
            "bare 5 KB HTML": ("/bare/html", "", ""),
            "floor: the app, no page": (FLOOR, "", ""),
            "floor: signed in, no page": (SIGNED_IN_FLOOR, family.cookie, ""),
            "start page /": ("/", "", ""),
            "/profile": ("/profile", family.cookie, ""),
            "/contracts/<id>": (f"/contracts/{family.contract}", family.cookie, ""),
            "/contracts/<id> (htmx panel)": (f"/contracts/{family.contract}", family.cookie, ""),
            "/contracts/<id>/pay": (f"/contracts/{family.contract}/pay", family.cookie, ""),
            "/schedule/<id>?page=N": (f"/schedule/{family.contract}?page={page}", family.cookie, ""),
            "/schedule/<id>?page=N (htmx table)": (f"/schedule/{family.contract}?page={page}", family.cookie, ""),
            "/history/<id>": (f"/history/{family.contract}", family.cookie, ""),
            "/history/<id> (htmx table)": (f"/history/{family.contract}", family.cookie, ""),
            "FAQ search (htmx)": (
                "/faq?" + urlencode({"q": ["пароль", "договор", "оплата", "код", "график"][n % 5]}),
                "",
                "",
            ),
            "sign-in POST /login": (
                "/login",
                family.login_cookie,
                urlencode(
                    {
                        "csrf_token": family.login_token,
                        "account": family.account,
                        "iin": family.iin,
                        "password": PASSWORD,
                    }
                ),
            ),
        }[endpoint.name]
        lines.append("\t".join([endpoint.method, path, cookie, endpoint.target, body]))
    return lines


def wrk(base: str, endpoint: Endpoint, families: list[Family], concurrency: int, seconds: float) -> Measurement:
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as listing:
        listing.write("\n".join(request_lines(endpoint, families)) + "\n")
    try:
        result = subprocess.run(
            [
                need("wrk", "wrk"),
                "-t",
                str(min(2, concurrency)),
                "-c",
                str(concurrency),
                "-d",
                f"{seconds:g}s",
                "--latency",
                "--timeout",
                "30s",
                "-s",
                str(ROOT / "bench" / "wrk.lua"),
                base,
                "--",
                listing.name,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        )
    finally:
        os.unlink(listing.name)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return Measurement(
        endpoint.name,
        concurrency,
        figures["requests"] / figures["seconds"],
        figures["p50_ms"],
        figures["p95_ms"],
        figures["p99_ms"],
        figures["non_2xx_3xx"],
        figures["socket_errors"],
    )


def gunicorn(app: str, port: int, tree: Path = ROOT) -> list[str]:
    """gunicorn as production starts it: gunicorn.conf.py's workers, worker class and timeouts, with the code and
    settings of the checkout `tree` (bench/compare.py serves two)."""
    conf = str(tree / "gunicorn.conf.py")
    return [sys.executable, "-m", "gunicorn", "-c", conf, "--chdir", str(tree), "--bind", f"127.0.0.1:{port}", app]


def redis_server(port: int) -> list[str]:
    """A Redis of the benchmark's own, keeping nothing on disk."""
    return [
        need("redis-server", "redis-server"),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]


def server_env(url: str, redis_url: str, secret: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "PORTAL_ENV": "production",
        "SECRET_KEY": secret,
        "PORTAL_TOTP_KEY": Fernet.generate_key().decode(),
        "PORTAL_PROXIES": "1",  # as behind nginx: the benchmark's X-Forwarded-For is each request's address
    }


def new_secret() -> str:
    return "bench-" + os.urandom(8).hex()


def worker_rss_mb(master: int) -> list[float]:
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return sizes


@contextmanager
def counting_round_trips() -> Iterator[list[int]]:
    """Every round trip psycopg makes to the server while inside, counted in the list's one item: a cursor's
    statement, or a command of the connection's own (BEGIN, COMMIT, ROLLBACK)."""
    from psycopg import Cursor
    from psycopg._connection_base import BaseConnection

    count = [0]
    execute, command = Cursor.execute, BaseConnection._exec_command

    def counted_execute(self: Any, *args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return execute(self, *args, **kwargs)

    def counted_command(self: Any, *args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return command(self, *args, **kwargs)

    Cursor.execute, BaseConnection._exec_command = counted_execute, counted_command  # type: ignore[method-assign]
    try:
        yield count
    finally:
        Cursor.execute, BaseConnection._exec_command = execute, command  # type: ignore[method-assign]


def count_queries(
    url: str, redis_url: str, families: list[Family]
) -> tuple[dict[str, tuple[int, int]], dict[str, int], dict[str, int]]:
    """SQL statements of each endpoint of the cabinet, in process against the same database and Redis, for the
    heaviest family (5 contracts of 300 entries) and for an ordinary one; the heaviest family's round trips to
    PostgreSQL and bytes. Each is counted on the second request of a browser of its own (the first puts the CSRF
    token in its session)."""
    from bench.floor import create_app
    from portal.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "TESTING": True,  # no request log lines in the benchmark's output
            "PORTAL_TODAY": TODAY,
        }
    )
    with app.app_context():
        engine = db.engine
    statements = 0

    def counted(*_: Any) -> None:
        nonlocal statements
        statements += 1

    found: dict[str, list[int]] = {}
    sizes: dict[str, int] = {}
    round_trips: dict[str, int] = {}
    event.listen(engine, "before_cursor_execute", counted)
    try:
        for family in (families[0], families[-1]):
            for endpoint in ENDPOINTS:
                if endpoint.bare:
                    continue
                line = request_lines(endpoint, [family])[0].split("\t")
                headers = {"HX-Request": "true", "HX-Target": endpoint.target} if endpoint.target else {}
                browser = app.test_client()
                credentials = {"account": family.account, "iin": family.iin, "password": PASSWORD}
                if endpoint.signed_in:
                    browser.post("/login", data=credentials)
                if endpoint.method == "POST":
                    statements = 0
                    with counting_round_trips() as trips:
                        answer = browser.post("/login", data=credentials)
                else:
                    browser.get(line[1], headers=headers)
                    statements = 0
                    with counting_round_trips() as trips:
                        answer = browser.get(line[1], headers=headers)
                round_trips.setdefault(endpoint.name, trips[0])
                if answer.status_code not in (200, 303):
                    raise SystemExit(f"{endpoint.name}: {answer.status_code} in process")
                found.setdefault(endpoint.name, []).append(statements)
                sizes.setdefault(endpoint.name, len(answer.get_data()))
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    queries = {name: (counts[0], counts[1]) for name, counts in found.items()}
    queries[YARDSTICK] = (1, 1)  # bench/bare.py: one statement in autocommit, by construction
    queries["bare 5 KB HTML"] = (0, 0)
    round_trips.update({YARDSTICK: 1, "bare 5 KB HTML": 0})
    return queries, round_trips, sizes


@dataclass
class Served:
    """One data set as the benchmark drives it: its database, its signed-in families, and its gunicorn."""

    data: DataSet
    url: str
    families: list[Family]
    base: str
    master: int
    secret: str

    def sign_in(self) -> None:
        for family in self.families:
            sign_in(self.base, family)

    def ready_for(self, endpoint: Endpoint) -> list[Family]:
        """The pool, ready for a measurement of the page: the cookies as browsers that have just been shown a page
        hold them (seen_now), and one request first answered 200, not a redirect to the login page (wrk counts a
        redirect as an answer)."""
        for family in self.families:
            family.cookie = seen_now(family.cookie, self.secret)
        if endpoint.method != "GET" or answer_to(self.base, endpoint, self.families[0]) == 200:
            return self.families
        self.sign_in()
        status = answer_to(self.base, endpoint, self.families[0])
        if status != 200:
            raise SystemExit(f"{endpoint.name}: {status} instead of 200 before its measurement")
        return self.families


def answer_to(base: str, endpoint: Endpoint, family: Family) -> int:
    """The status of one request of the endpoint, as wrk will send it."""
    _method, path, cookie, target, _body = request_lines(endpoint, [family])[0].split("\t")
    headers = {"Cookie": cookie} if cookie else {}
    if target:
        headers.update({"HX-Request": "true", "HX-Target": target})
    return requests.get(base + path, headers=headers, allow_redirects=False, timeout=30).status_code


def measure(base: str, endpoint: Endpoint, families: list[Family], concurrency: int, seconds: float) -> Measurement:
    # A second at up to 8 connections first, so that every worker has its pool, templates and imports warm.
    wrk(base, endpoint, families, min(concurrency, 8), 1)
    result = wrk(base, endpoint, families, concurrency, seconds)
    print(
        f"  {endpoint.name:<36} c={concurrency:<3} {result.rps:8.0f} req/s  p99 {result.p99:7.1f} ms"
        + (f"  {result.errors} ERRORS" if result.errors else "")
        + (f"  {result.timeouts} TIMEOUTS" if result.timeouts else ""),
        flush=True,
    )
    return result


def mean(found: list[Measurement]) -> Measurement:
    n = len(found)
    return Measurement(
        found[0].endpoint,
        found[0].concurrency,
        sum(m.rps for m in found) / n,
        sum(m.p50 for m in found) / n,
        sum(m.p95 for m in found) / n,
        sum(m.p99 for m in found) / n,
        sum(m.errors for m in found),
        sum(m.timeouts for m in found),
    )


@dataclass
class Baselines:
    beside: dict[tuple[str, int], Measurement]  # the yardstick measured just before each page, at its concurrency
    bare: list[Measurement]  # the yardstick's mean over the run, and the bare 5 KB's at the start and the end


def measure_side_by_side(bare_base: str, served: list[Served], concurrencies: list[int], seconds: float) -> Baselines:
    """Every page at every concurrency, the yardstick just before it and then the page on each data set in turn,
    back to back: a shared machine's speed drifts from one minute to the next, and this way each page and its
    yardstick, and every data set, see the same minute. The bare 5 KB at the start and at the end."""
    yardstick = next(e for e in ENDPOINTS if e.name == YARDSTICK)
    html = [e for e in ENDPOINTS if e.bare and e.name != YARDSTICK]
    families = served[0].families
    print("bare 5 KB, before", flush=True)
    before = [measure(bare_base, e, families, c, seconds) for e in html for c in concurrencies]
    beside: dict[tuple[str, int], Measurement] = {}
    for endpoint in [e for e in ENDPOINTS if not e.bare]:
        for concurrency in concurrencies:
            beside[(endpoint.name, concurrency)] = measure(bare_base, yardstick, families, concurrency, seconds)
            for each in served:
                print(f"  [{each.data.clients:,} families]", end="")
                each.data.measurements.append(
                    measure(each.base, endpoint, each.ready_for(endpoint), concurrency, seconds)
                )
    print("bare 5 KB, after", flush=True)
    after = [measure(bare_base, e, families, c, seconds) for e in html for c in concurrencies]
    overall = [mean([m for m in beside.values() if m.concurrency == c]) for c in concurrencies]
    return Baselines(beside, overall + [mean([a, b]) for a, b in zip(before, after, strict=True)])


def run(
    server: str, redis_url: str, sizes: list[int], concurrencies: list[int], seconds: float, in_process_requests: int
) -> tuple[list[DataSet], Baselines, dict[str, int]]:
    """Fill (or reuse) each data set's database, serve each with its own gunicorn and the yardstick with one
    more, all at once, and measure them side by side; then in process. Returns the data sets, the baselines and
    the bare endpoints' bytes."""
    prepared = []
    for clients in sizes:  # every data set first: making one takes longer than a session lives
        print(f"data set: {clients:,} families", flush=True)
        prepared.append((clients, *prepare(server, clients)))
    with ExitStack() as stack:
        served = []
        for clients, url, rows in prepared:
            families = pool_of_families(url)
            port, secret = free_port(), new_secret()
            master = stack.enter_context(
                started(
                    gunicorn("bench.floor:create_app()", port),
                    port,
                    "gunicorn (cabinet)",
                    server_env(url, redis_url, secret),
                )
            )
            served.append(Served(DataSet(clients, rows), url, families, f"http://127.0.0.1:{port}", master, secret))
            served[-1].sign_in()
        bare_port = free_port()
        stack.enter_context(
            started(
                gunicorn("bench.bare:create_app()", bare_port),
                bare_port,
                "gunicorn (bare)",
                server_env(served[0].url, redis_url, new_secret()),
            )
        )
        bare_base = f"http://127.0.0.1:{bare_port}"
        for family in served[0].families:
            sign_in_bare(bare_base, family)
        bare_sizes = {}
        for endpoint in (e for e in ENDPOINTS if e.bare):
            _method, path, cookie, _target, _body = request_lines(endpoint, served[0].families[:1])[0].split("\t")
            answer = requests.get(bare_base + path, headers={"Cookie": cookie} if cookie else {}, timeout=30)
            answer.raise_for_status()
            bare_sizes[endpoint.name] = len(answer.content)
        baselines = measure_side_by_side(bare_base, served, concurrencies, seconds)
        # Read once the workers are idle: the sign-in POSTs still queued when wrk stops each hold argon2id's
        # 64 MiB while they are hashed, which is the sign-in's cost, not memory a worker keeps.
        time.sleep(IDLE_WAIT)
        for each in served:
            each.data.worker_rss_mb = worker_rss_mb(each.master)
    for each in served:
        each.data.queries, each.data.round_trips, each.data.sizes = count_queries(each.url, redis_url, each.families)
    from bench.inprocess import PAGES, Pages, costs_side_by_side, document_costs  # it uses this module's pool

    # The heaviest family of each set, whose password the pool already has; the sets' rounds in turn.
    sets = [Pages(each.url, each.families[0]) for each in served]
    for each, costs in zip(served, costs_side_by_side(sets, list(PAGES), in_process_requests), strict=True):
        each.data.costs = costs
    for each, pages in zip(served, sets, strict=True):
        each.data.documents = document_costs(pages, max(in_process_requests // 25, 4))
    return [each.data for each in served], baselines, bare_sizes


# --- report ------------------------------------------------------------------------------------------------


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, {platform.system()}"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def queries_cell(counts: tuple[int, int] | None) -> str:
    if counts is None:
        return ""
    heavy, ordinary = counts
    return str(heavy) if heavy == ordinary else f"{heavy} / {ordinary}"


def verdict(m: Measurement, yardstick: Measurement, counts: tuple[int, int] | None) -> str:
    """DESIGN §4's targets for one measurement of a read page or fragment."""
    missed = []
    if m.rps < TARGET_RPS * yardstick.rps:
        missed.append(f"req/s < {TARGET_RPS}×")
    if m.concurrency == TARGET_P99_AT and m.p99 > TARGET_P99 * yardstick.p99:
        missed.append(f"p99 > {TARGET_P99:g}×")
    if counts is not None and (max(counts) > TARGET_QUERIES or counts[0] != counts[1]):
        missed.append("queries")
    if m.errors or m.timeouts:
        missed.append("errors")
    return "met" if not missed else "**missed**: " + ", ".join(missed)


def table(data: DataSet, baselines: Baselines, bare_sizes: dict[str, int]) -> list[str]:
    held = {e.name for e in ENDPOINTS if e.held}
    lines = [
        f"### {data.clients:,} families ({data.rows:,} rows)",
        "",
        "| endpoint | c | req/s | p50 ms | p99 ms | yardstick req/s | yardstick p99 ms | × yardstick req/s "
        "| p99 ÷ yardstick p99 | queries | round trips | bytes | DESIGN §4 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    sizes = {**bare_sizes, **data.sizes}
    overall = {m.concurrency: m for m in baselines.bare if m.endpoint == YARDSTICK}
    for m in [*baselines.bare, *data.measurements]:
        yardstick = baselines.beside.get((m.endpoint, m.concurrency), overall[m.concurrency])
        errors = (f" **{m.errors} errors**" if m.errors else "") + (f" **{m.timeouts} timeouts**" if m.timeouts else "")
        counts = data.queries.get(m.endpoint)
        name = f"{m.endpoint} (mean of the run)" if m.endpoint == YARDSTICK else m.endpoint
        lines.append(
            f"| {name}{errors} | {m.concurrency} | {m.rps:,.0f} | {m.p50:.1f} | {m.p99:.1f} | {yardstick.rps:,.0f} | "
            f"{yardstick.p99:.1f} | {m.rps / yardstick.rps:.2f} | {m.p99 / yardstick.p99:.1f} | "
            f"{queries_cell(counts)} | {data.round_trips.get(m.endpoint, '')} | {sizes.get(m.endpoint, 0):,} | "
            f"{verdict(m, yardstick, counts) if m.endpoint in held else ''} |"
        )
    rss = ", ".join(f"{size:.0f}" for size in sorted(data.worker_rss_mb))
    lines += [
        "",
        "The yardstick's columns are its measurement just before the row's (the bare 5 KB and the floor rows: its mean "
        "over the run). Queries: SQL statements a request for the heaviest family (5 contracts of 300 entries) / an "
        "ordinary one, when they differ. Round trips: every exchange with PostgreSQL a request of the heaviest family "
        "makes (its statements, the pool's ping, BEGIN, ROLLBACK or COMMIT).",
        "",
        f"gunicorn workers' RSS after the run: {rss} MB",
        "",
    ]
    return lines


def targets(data_sets: list[DataSet], baselines: Baselines) -> list[str]:
    """DESIGN §4's targets, each with the range measured over every read page and fragment of every data set."""
    held = {e.name for e in ENDPOINTS if e.held}
    rows = [(d, m, baselines.beside[(m.endpoint, m.concurrency)]) for d in data_sets for m in d.measurements]
    rows = [row for row in rows if row[1].endpoint in held]
    ratios = [(m.rps / y.rps, m, d) for d, m, y in rows]
    tails = [(m.p99 / y.p99, m, d) for d, m, y in rows if m.concurrency == TARGET_P99_AT]
    counts = [d.queries[m.endpoint] for d, m, _y in rows if m.endpoint in d.queries]
    lowest = min(ratios, key=lambda r: r[0]) if ratios else None
    worst_tail = max(tails, key=lambda r: r[0]) if tails else None
    most = max(max(c) for c in counts) if counts else 0
    flat = all(c[0] == c[1] for c in counts) and all(
        d.queries.get(m.endpoint) == data_sets[0].queries.get(m.endpoint) for d, m, _y in rows
    )
    slow = sorted({m.endpoint for r, m, _d in ratios if r < TARGET_RPS})
    long_tails = sorted({m.endpoint for r, m, _d in tails if r > TARGET_P99})
    lines = [
        "### DESIGN §4: the targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    if lowest is not None:
        lines.append(
            f"| every read page and htmx fragment ≥ {TARGET_RPS}× the yardstick's requests/s | "
            f"{lowest[0]:.2f}× – {max(r[0] for r in ratios):.2f}× (lowest: {lowest[1].endpoint}, "
            f"c={lowest[1].concurrency}, {lowest[2].clients:,} families) | "
            f"{'met' if not slow else '**missed** by ' + ', '.join(slow)} |"
        )
    if worst_tail is not None:
        lines.append(
            f"| p99 at c={TARGET_P99_AT} ≤ {TARGET_P99:g}× the yardstick's p99 | "
            f"{min(t[0] for t in tails):.1f}× – {worst_tail[0]:.1f}× (highest: {worst_tail[1].endpoint}, "
            f"{worst_tail[2].clients:,} families) | "
            f"{'met' if not long_tails else '**missed** by ' + ', '.join(long_tails)} |"
        )
    lines.append(
        f"| ≤ {TARGET_QUERIES} SQL statements a page, the same for any data | at most {most}; "
        f"{'the same' if flat else '**not the same**'} for 5 contracts of 300 entries and an ordinary family, "
        f"and for every data set | {'met' if most <= TARGET_QUERIES and flat else '**missed**'} |"
    )
    for d in data_sets:
        page, pdf = d.costs.get("schedule"), d.documents.get("schedule-pdf")
        if page is None or pdf is None:
            continue
        ratio = pdf.wall_ms / page.wall_ms
        lines.append(
            f"| a 300-entry schedule's PDF ≤ {TARGET_DOCUMENT:g}× the schedule page's time ({d.clients:,} families) | "
            f"{pdf.wall_ms:.1f} ms ÷ {page.wall_ms:.2f} ms = {ratio:.1f}× (wall, in process) | "
            f"{'met' if ratio <= TARGET_DOCUMENT else '**missed**'} |"
        )
    return [*lines, ""]


def in_process_table(data_sets: list[DataSet]) -> list[str]:
    """bench/inprocess.py's figures for each data set: steadier than wrk's on a shared machine."""
    heads = " | ".join(
        f"CPU ms, {d.clients:,} | wall ms, {d.clients:,} | CPU ÷ yardstick, {d.clients:,}" for d in data_sets
    )
    lines = [
        "### In process: Python's cost a request (bench/inprocess.py, the fastest of 5 rounds)",
        "",
        "Flask's test client asks for each page of the heaviest family (5 contracts of 300 entries), the yardstick",
        "and the bare 5 KB from bench/bare.py's app; CPU is this process's, wall includes PostgreSQL's answers.",
        "",
        f"| page | {heads} |" + (" CPU large ÷ small | wall large ÷ small |" if len(data_sets) > 1 else ""),
        "|---|" + "---:|---:|---:|" * len(data_sets) + ("---:|---:|" if len(data_sets) > 1 else ""),
    ]
    for page in data_sets[0].costs:
        costs = [d.costs[page] for d in data_sets]
        cells = " | ".join(
            f"{c.cpu_ms:.2f} | {c.wall_ms:.2f} | {c.cpu_ms / d.costs['yardstick'].cpu_ms:.1f}"
            for c, d in zip(costs, data_sets, strict=True)
        )
        ratios = (
            f" {costs[-1].cpu_ms / costs[0].cpu_ms:.2f} | {costs[-1].wall_ms / costs[0].wall_ms:.2f} |"
            if len(costs) > 1
            else ""
        )
        lines.append(f"| {page} | {cells} |{ratios}")
    lines += [
        "",
        "Documents of the heaviest family's 300-entry contract, against its schedule page (wall ms, in process):",
        "",
        "| data set | schedule page | PDF | PDF ÷ page | XLSX | XLSX ÷ page |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for d in data_sets:
        page = d.costs["schedule"].wall_ms
        pdf, xlsx = d.documents["schedule-pdf"], d.documents["schedule-xlsx"]
        lines.append(
            f"| {d.clients:,} | {page:.2f} | {pdf.wall_ms:.1f} | {pdf.wall_ms / page:.1f} | "
            f"{xlsx.wall_ms:.1f} | {xlsx.wall_ms / page:.1f} |"
        )
    return [*lines, ""]


def scale_table(small: DataSet, large: DataSet) -> list[str]:
    lines = [
        f"### Scale: {large.clients:,} families against {small.clients:,}",
        "",
        "| endpoint | c | req/s small | req/s large | large ÷ small | queries small | queries large |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    by = {(m.endpoint, m.concurrency): m for m in small.measurements}
    for m in large.measurements:
        s = by[(m.endpoint, m.concurrency)]
        lines.append(
            f"| {m.endpoint} | {m.concurrency} | {s.rps:,.0f} | {m.rps:,.0f} | {m.rps / s.rps:.2f} | "
            f"{queries_cell(small.queries.get(m.endpoint))} | {queries_cell(large.queries.get(m.endpoint))} |"
        )
    return [*lines, ""]


def database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server where the benchmark may create its own databases (BENCH_DATABASE_URL)",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 families, 2 s a measurement, c=1 and 8")
    parser.add_argument("--clients", type=int, nargs="+", help="data set sizes (default 1000 100000)")
    parser.add_argument("--seconds", type=float, help="length of each measurement (default 10)")
    parser.add_argument("--concurrency", type=int, nargs="+", help="wrk connections (default 1 8 32)")
    database_option(parser)
    parser.add_argument(
        "--import-clients", type=int, default=10_000, help="families in the import-vs-COPY file (0: skip)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.md")
    args = parser.parse_args(argv)
    sizes = args.clients or ([1000] if args.quick else [1000, 100_000])
    seconds = args.seconds or (2 if args.quick else 10)
    concurrencies = args.concurrency or ([1, 8] if args.quick else [1, 8, 32])
    need("wrk", "wrk")
    redis_port = free_port()
    began, load_before = time.perf_counter(), load()
    with started(redis_server(redis_port), redis_port, "redis-server"):
        data_sets, baselines, bare_sizes = run(
            args.database,
            f"redis://127.0.0.1:{redis_port}/0",
            sizes,
            concurrencies,
            seconds,
            100 if args.quick else 500,
        )
    report = [
        "# Benchmark",
        "",
        f"`python -m bench.run {' '.join(sys.argv[1:] if argv is None else argv)}` "
        f"on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{machine()}; {load_before} at the start and {load()} at the end (a machine shared with other work: "
        f"compare a figure with the yardstick of the same run, never with an older table). wrk, {seconds:g} s a "
        f"measurement; gunicorn from gunicorn.conf.py "
        f"({os.environ.get('PORTAL_WORKERS', 2 * (os.cpu_count() or 1) + 1)} sync workers), PostgreSQL, Redis, "
        f"PORTAL_ENV=production. Every page is rendered for its request. The yardstick is bench/bare.py's signed-in "
        f"page (Flask reads the signed session cookie, one SQL statement reads 24 schedule rows, Jinja renders a "
        f"10 KB table), measured just before each page at the same concurrency, and each page's ratios are to that "
        f"measurement; the data sets are served at once and measured back to back. Bytes are the uncompressed body.",
        "",
    ]
    report += targets(data_sets, baselines)
    for data in data_sets:
        report += table(data, baselines, bare_sizes)
    report += in_process_table(data_sets)
    if len(data_sets) > 1:
        report += scale_table(data_sets[0], data_sets[-1])
    if args.import_clients and not args.quick:
        report += import_figures(args.database, args.import_clients)
    report.append(f"Whole run: {time.perf_counter() - began:.0f} s.")
    text = "\n".join(report) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


def import_figures(server: str, clients: int) -> list[str]:
    try:
        from bench.import_vs_copy import measure_import  # type: ignore[import-not-found]
    except ImportError:
        return ["Import against COPY: not measured (bench/import_vs_copy.py is missing).", ""]
    figures = measure_import(server, clients, 2026)
    return [f"### Import of {clients:,} families against COPY", "", "```", json.dumps(figures, indent=2), "```", ""]


if __name__ == "__main__":
    main()
