"""`make bench`: the cabinet's pages against a bare Flask endpoint, served the same way, in one run.

    python -m bench.run                 # 1,000 and 100,000 families, 10 s a measurement, import vs COPY
    python -m bench.run --quick         # 1,000 families, 2 s a measurement: the smoke test CI runs

For each data set it fills a fresh PostgreSQL database (COPY, bench/generate.py), starts gunicorn exactly as
production does (gunicorn.conf.py: its workers and worker class) with Redis (the limits, the caches and the page
cache), and signs in a pool of families. The pool's pages, asked again and again, are the page cache's; the rows
marked (rendered) ask with a query string never asked before, so the app renders each. The app served is
production's with two routes of the benchmark's own (bench/floor.py): the cabinet's request machinery answering
5 KB with no page, signed out and signed in. The bare app (bench/bare.py) runs under the same gunicorn settings,
with the ceiling of a signed-in page through Flask beside its 5 KB and one-query endpoints: the signed cookie and
one round trip to PostgreSQL or Redis that the session still stands, and nothing else. All of them are served at
once, and wrk drives every page at several concurrencies on each data set in turn, back to back, so that the sizes
are compared over the same minutes of the machine; the bare endpoints are measured at the start and at the end.
Queries per request and response sizes are counted in process against the same database and Redis. The table is
printed and written to bench/results/latest.md (or --out).
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
from sqlalchemy import event, func, select, update
from sqlalchemy.engine import make_url

from bench.bare import PAGE
from bench.floor import FLOOR, SIGNED_IN_FLOOR
from bench.generate import copy_into, heavy_client, iter_clients

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench#Family2026"  # the pool's password, set by the benchmark on its own database
POOL = 40  # families signed in; requests go round them
TODAY = date(2026, 11, 24)
IDLE_WAIT = 5  # seconds for the workers to finish what is queued before their memory is read


@dataclass
class Endpoint:
    name: str
    method: str = "GET"
    target: str = ""  # the element id an htmx request targets; empty for a whole page
    fragment: bool = False
    bare: bool = False
    signed_in: bool = False  # a page of the cabinet, asked with a family's session
    floor: bool = False  # the cabinet's machinery with no page (bench/floor.py), not a page of the product
    # Each request with a query string never asked before (wrk.lua adds `fresh=<n>`): the page cache cannot have
    # it, so the app renders it, its contract views and kept HTML as warm as for a page seen again.
    fresh: bool = False


ENDPOINTS = [
    Endpoint("bare 5 KB HTML", bare=True),
    Endpoint("bare 1 SQL query", bare=True),
    # The ceiling of a signed-in page (bench/bare.py): cookie + one round trip to shared state + cookie again.
    Endpoint("bare signed in: cookie + 1 SQL", bare=True),
    Endpoint("bare signed in: cookie + 1 Redis GET", bare=True),
    Endpoint("floor: the app, no page", floor=True),
    Endpoint("floor: signed in, no page", floor=True, signed_in=True),
    Endpoint("start page /"),
    Endpoint("/profile", signed_in=True),
    Endpoint("/contracts/<id>", signed_in=True),
    Endpoint("/contracts/<id> (htmx panel)", target="contract-panel", fragment=True, signed_in=True),
    Endpoint("/schedule/<id>?page=N", signed_in=True),
    Endpoint("/schedule/<id>?page=N (htmx table)", target="schedule-table", fragment=True, signed_in=True),
    Endpoint("FAQ search (htmx)", target="faq-results", fragment=True),
    # The same pages, rendered by the app: what a page costs that the worker has not kept (portal/page_cache.py).
    Endpoint("/profile (rendered)", signed_in=True, fresh=True),
    Endpoint("/contracts/<id> (rendered)", signed_in=True, fresh=True),
    Endpoint(
        "/schedule/<id>?page=N (htmx table, rendered)",
        target="schedule-table",
        fragment=True,
        signed_in=True,
        fresh=True,
    ),
    Endpoint("sign-in POST /login", method="POST"),
]
RENDERED = " (rendered)"


def page_of(endpoint: Endpoint) -> str:
    """The page an endpoint asks: a rendered row asks its kept row's page."""
    return endpoint.name.replace(", rendered)", ")").replace(RENDERED, "")


@dataclass
class Family:
    client: int
    account: str
    iin: str
    contract: int
    pages: int
    cookie: str = ""
    bare_cookie: str = ""  # a session of the bare app's ceiling endpoints (bench/bare.py)
    login_cookie: str = ""
    login_token: str = ""


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
    queries: dict[str, int] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    worker_rss_mb: list[float] = field(default_factory=list)
    costs: dict[str, Any] = field(default_factory=dict)  # bench.inprocess.Cost of each page, views cached
    cold_costs: dict[str, Any] = field(default_factory=dict)  # the same with no cache (a visit's first page)


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
            families.append(Family(client_id, account, iin, contract, -(-payments // 12)))
        db.session.remove()
    return families


TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def cookie_header(response: requests.Response) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in response.cookies)


def sign_in(base: str, family: Family) -> None:
    """Sign the family in over HTTP; keep its session cookie, and a signed-out cookie + token for the POST."""
    form = requests.get(f"{base}/login", timeout=30)
    family.login_cookie = cookie_header(form)
    match = TOKEN.search(form.text)
    if not match:
        raise SystemExit("no CSRF token on /login")
    family.login_token = match.group(1)
    answer = requests.post(
        f"{base}/login",
        data={"csrf_token": family.login_token, "account": family.account, "iin": family.iin, "password": PASSWORD},
        headers={"Cookie": family.login_cookie, "X-Forwarded-For": f"10.0.0.{random.randint(1, 254)}"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 303 or "/login" in answer.headers.get("Location", ""):
        raise SystemExit(f"sign-in of the pool failed: {answer.status_code}")
    family.cookie = cookie_header(answer)


def sign_in_bare(base: str, family: Family) -> None:
    """The family's session of the bare app, for its signed-in ceiling."""
    answer = requests.post(f"{base}/bare/sign-in", data={"client": family.client}, timeout=30)
    answer.raise_for_status()
    family.bare_cookie = cookie_header(answer)


def request_lines(endpoint: Endpoint, families: list[Family]) -> list[str]:
    from urllib.parse import urlencode

    lines = []
    for n, family in enumerate(families):
        page = 1 + (n * 7) % family.pages
        path, cookie, body = {
            "bare 5 KB HTML": ("/bare/html", "", ""),
            "bare 1 SQL query": ("/bare/sql", "", ""),
            "bare signed in: cookie + 1 SQL": ("/bare/signed-in/sql", family.bare_cookie, ""),
            "bare signed in: cookie + 1 Redis GET": ("/bare/signed-in/redis", family.bare_cookie, ""),
            "floor: the app, no page": (FLOOR, "", ""),
            "floor: signed in, no page": (SIGNED_IN_FLOOR, family.cookie, ""),
            "start page /": ("/", "", ""),
            "/profile": ("/profile", family.cookie, ""),
            "/contracts/<id>": (f"/contracts/{family.contract}", family.cookie, ""),
            "/contracts/<id> (htmx panel)": (f"/contracts/{family.contract}", family.cookie, ""),
            "/schedule/<id>?page=N": (f"/schedule/{family.contract}?page={page}", family.cookie, ""),
            "/schedule/<id>?page=N (htmx table)": (f"/schedule/{family.contract}?page={page}", family.cookie, ""),
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
        }[page_of(endpoint)]
        lines.append(
            "\t".join([endpoint.method, path, cookie, endpoint.target, body, "fresh" if endpoint.fresh else ""])
        )
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


def server_env(url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "PORTAL_ENV": "production",
        "SECRET_KEY": "bench-" + os.urandom(8).hex(),
        "PORTAL_TOTP_KEY": Fernet.generate_key().decode(),
        "PORTAL_PROXIES": "1",  # as behind nginx: the benchmark's X-Forwarded-For is each family's address
    }


def worker_rss_mb(master: int) -> list[float]:
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return sizes


def count_queries(url: str, redis_url: str, families: list[Family]) -> tuple[dict[str, int], dict[str, int]]:
    """SQL statements and bytes of each endpoint for the heaviest family, in process against the same database and
    Redis, as wrk met them: a page asked again (the page cache's, when it keeps it), a rendered row's page with a
    query string never asked before."""
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
    family = families[0]
    queries: dict[str, int] = {
        "bare 5 KB HTML": 0,
        "bare 1 SQL query": 1,
        "bare signed in: cookie + 1 SQL": 1,
        "bare signed in: cookie + 1 Redis GET": 0,
    }
    sizes: dict[str, int] = {}
    with app.app_context():
        engine = db.engine
    statements = 0

    def counted(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", counted)
    try:
        for endpoint in ENDPOINTS:
            if endpoint.bare:
                continue
            line = request_lines(endpoint, [family])[0].split("\t")
            headers = {"HX-Request": "true", "HX-Target": endpoint.target} if endpoint.target else {}
            browser = app.test_client()  # a browser of its own, as each of wrk's requests is
            credentials = {"account": family.account, "iin": family.iin, "password": PASSWORD}
            if endpoint.signed_in:
                browser.post("/login", data=credentials)
            if endpoint.method == "POST":
                statements = 0
                answer = browser.post("/login", data=credentials)
            elif endpoint.fresh:
                statements = 0
                answer = browser.get(line[1] + ("&" if "?" in line[1] else "?") + "fresh=1", headers=headers)
            else:
                browser.get(line[1], headers=headers)
                statements = 0
                answer = browser.get(line[1], headers=headers)
            queries[endpoint.name] = statements
            sizes[endpoint.name] = len(answer.get_data())
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    sizes["bare 5 KB HTML"] = sizes["bare signed in: cookie + 1 SQL"] = len(PAGE.encode())
    sizes["bare signed in: cookie + 1 Redis GET"] = len(PAGE.encode())
    sizes["bare 1 SQL query"] = 1
    return queries, sizes


@dataclass
class Served:
    """One data set as the benchmark drives it: its database, its signed-in families, and its gunicorn."""

    data: DataSet
    url: str
    families: list[Family]
    base: str
    master: int

    def sign_in(self) -> None:
        for family in self.families:
            sign_in(self.base, family)

    def ready_for(self, endpoint: Endpoint) -> list[Family]:
        """The pool, ready for a measurement that must measure the page: one request first must be answered 200,
        not a redirect to the login page. wrk sends the cookie of sign-in whatever the app answers, and a whole
        run is longer than a session's 15 idle minutes: the pages the page cache serves keep the pool's sessions
        active, but a pool that asked none for 15 minutes signs in again."""
        if endpoint.method != "GET" or answer_to(self.base, endpoint, self.families[0]) == 200:
            return self.families
        self.sign_in()
        status = answer_to(self.base, endpoint, self.families[0])
        if status != 200:
            raise SystemExit(f"{endpoint.name}: {status} instead of 200 before its measurement")
        return self.families


def answer_to(base: str, endpoint: Endpoint, family: Family) -> int:
    """The status of one request of the endpoint, as wrk will send it."""
    _method, path, cookie, target, _body, _fresh = request_lines(endpoint, [family])[0].split("\t")
    headers = {"Cookie": cookie} if cookie else {}
    if target:
        headers.update({"HX-Request": "true", "HX-Target": target})
    return requests.get(base + path, headers=headers, allow_redirects=False, timeout=30).status_code


def measure(base: str, endpoint: Endpoint, families: list[Family], concurrency: int, seconds: float) -> Measurement:
    # Warm every worker's caches and pools: at c=8 a second is thousands of requests, so each worker has seen
    # each family's page (at c=1, a few hundred did not reach them all).
    wrk(base, endpoint, families, min(concurrency, 8), 1)
    result = wrk(base, endpoint, families, concurrency, seconds)
    print(
        f"  {endpoint.name:<36} c={concurrency:<3} {result.rps:8.0f} req/s  p99 {result.p99:7.1f} ms"
        + (f"  {result.errors} ERRORS" if result.errors else "")
        + (f"  {result.timeouts} TIMEOUTS" if result.timeouts else "")
    )
    return result


def mean(first: Measurement, second: Measurement) -> Measurement:
    return Measurement(
        first.endpoint,
        first.concurrency,
        (first.rps + second.rps) / 2,
        (first.p50 + second.p50) / 2,
        (first.p95 + second.p95) / 2,
        (first.p99 + second.p99) / 2,
        first.errors + second.errors,
        first.timeouts + second.timeouts,
    )


def measure_side_by_side(
    bare_base: str, served: list[Served], concurrencies: list[int], seconds: float
) -> list[Measurement]:
    """Every page at every concurrency on each data set in turn, back to back, so that a slower minute of a
    shared machine weighs on every size alike; the bare endpoints at the start and again at the end, their
    mean the baseline. Returns the bare measurements."""
    bare_endpoints = [e for e in ENDPOINTS if e.bare]
    families = served[0].families
    print("bare endpoints, before")
    before = [measure(bare_base, e, families, c, seconds) for e in bare_endpoints for c in concurrencies]
    for endpoint in [e for e in ENDPOINTS if not e.bare]:
        for concurrency in concurrencies:
            for each in served:
                print(f"  [{each.data.clients:,} families]", end="")
                each.data.measurements.append(
                    measure(each.base, endpoint, each.ready_for(endpoint), concurrency, seconds)
                )
    print("bare endpoints, after")
    after = [measure(bare_base, e, families, c, seconds) for e in bare_endpoints for c in concurrencies]
    return [mean(first, second) for first, second in zip(before, after, strict=True)]


def run(
    server: str, redis_url: str, sizes: list[int], concurrencies: list[int], seconds: float, in_process_requests: int
) -> tuple[list[DataSet], list[Measurement]]:
    """Fill (or reuse) each data set's database, serve each with its own gunicorn and the bare app with one
    more, all at once, and measure them side by side."""
    prepared = []
    for clients in sizes:  # every data set first: making one takes longer than a session lives
        print(f"data set: {clients:,} families")
        prepared.append((clients, *prepare(server, clients)))
    with ExitStack() as stack:
        served = []
        for clients, url, rows in prepared:
            families = pool_of_families(url)
            port = free_port()
            master = stack.enter_context(
                started(
                    gunicorn("bench.floor:create_app()", port), port, "gunicorn (cabinet)", server_env(url, redis_url)
                )
            )
            served.append(Served(DataSet(clients, rows), url, families, f"http://127.0.0.1:{port}", master))
            served[-1].sign_in()
        bare_port = free_port()
        stack.enter_context(
            started(
                gunicorn("bench.bare:app", bare_port),
                bare_port,
                "gunicorn (bare)",
                server_env(served[0].url, redis_url),
            )
        )
        bare_base = f"http://127.0.0.1:{bare_port}"
        for family in served[0].families:
            sign_in_bare(bare_base, family)
        bare = measure_side_by_side(bare_base, served, concurrencies, seconds)
        # Read once the workers are idle: the sign-in POSTs still queued when wrk stops each hold argon2id's
        # 64 MiB while they are hashed, which is the sign-in's cost, not memory a worker keeps.
        time.sleep(IDLE_WAIT)
        for each in served:
            each.data.worker_rss_mb = worker_rss_mb(each.master)
    for each in served:
        each.data.queries, each.data.sizes = count_queries(each.url, redis_url, each.families)
    from bench.inprocess import PAGES, Pages, costs_side_by_side  # it uses this module's data sets and pool

    # The heaviest family of each set, whose password the pool already has; the sets' rounds in turn.
    for cache, field_name in ((redis_url, "costs"), ("none", "cold_costs")):
        sets = [Pages(each.url, each.families[0], cache) for each in served]
        for each, costs in zip(served, costs_side_by_side(sets, list(PAGES), in_process_requests), strict=True):
            setattr(each.data, field_name, costs)
    return [each.data for each in served], bare


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


def table(data: DataSet, bare: list[Measurement]) -> list[str]:
    base = {(m.endpoint, m.concurrency): m for m in bare}
    lines = [
        f"### {data.clients:,} families ({data.rows:,} rows)",
        "",
        "| endpoint | c | req/s | p50 ms | p95 ms | p99 ms | × bare 5 KB req/s | p99 × bare "
        "| × bare SQL req/s | queries | bytes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in [*bare, *data.measurements]:
        html, sql = base[("bare 5 KB HTML", m.concurrency)], base[("bare 1 SQL query", m.concurrency)]
        errors = (f" **{m.errors} errors**" if m.errors else "") + (f" **{m.timeouts} timeouts**" if m.timeouts else "")
        lines.append(
            f"| {m.endpoint}{errors} | {m.concurrency} | {m.rps:,.0f} | {m.p50:.1f} | {m.p95:.1f} | {m.p99:.1f} | "
            f"{m.rps / html.rps:.2f} | {m.p99 / html.p99:.1f} | {m.rps / sql.rps:.2f} | "
            f"{data.queries.get(m.endpoint, '')} | {data.sizes.get(m.endpoint, ''):,} |"
        )
    rss = ", ".join(f"{size:.0f}" for size in sorted(data.worker_rss_mb))
    lines += ["", f"gunicorn workers' RSS after the run: {rss} MB", ""]
    return lines


def in_process_table(data_sets: list[DataSet]) -> list[str]:
    """bench/inprocess.py's figures for each data set: steadier than wrk's on a shared machine."""
    heads = " | ".join(
        f"CPU ms, {d.clients:,} | wall ms, {d.clients:,} | CPU ms uncached, {d.clients:,}" for d in data_sets
    )
    lines = [
        "### In process: Python's cost a request (bench/inprocess.py, the fastest of 5 rounds)",
        "",
        "The app's own path (no page cache in process): with the contract views and kept HTML cached in the",
        "benchmark's Redis (the pool's pages, asked again and again), and uncached: what a visit's first page costs.",
        "",
        f"| page | {heads} |" + (" CPU large ÷ small | wall large ÷ small |" if len(data_sets) > 1 else ""),
        "|---|" + "---:|---:|---:|" * len(data_sets) + ("---:|---:|" if len(data_sets) > 1 else ""),
    ]
    for page in data_sets[0].costs:
        costs = [d.costs[page] for d in data_sets]
        cells = " | ".join(
            f"{c.cpu_ms:.2f} | {c.wall_ms:.2f} | {d.cold_costs[page].cpu_ms:.2f}"
            for c, d in zip(costs, data_sets, strict=True)
        )
        ratios = (
            f" {costs[-1].cpu_ms / costs[0].cpu_ms:.2f} | {costs[-1].wall_ms / costs[0].wall_ms:.2f} |"
            if len(costs) > 1
            else ""
        )
        lines.append(f"| {page} | {cells} |{ratios}")
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
            f"{small.queries[m.endpoint]} | {large.queries[m.endpoint]} |"
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
    began = time.perf_counter()
    with started(redis_server(redis_port), redis_port, "redis-server"):
        data_sets, bare = run(
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
        f"{machine()}; wrk, {seconds:g} s a measurement; gunicorn from gunicorn.conf.py "
        f"({os.environ.get('PORTAL_WORKERS', 2 * (os.cpu_count() or 1) + 1)} sync workers), PostgreSQL, Redis, "
        f"PORTAL_ENV=production. The data sets are served at once and measured back to back, page by page; "
        f"the bare endpoints at the start and at the end, their mean the baseline. "
        f"The pool's pages are asked again and again, so the page cache (portal/page_cache.py) serves them; a "
        f"row marked (rendered) asks each time with a query string never asked before, so the app renders it. "
        f"Bytes are the uncompressed body; queries are SQL statements per request, as wrk met them.",
        "",
    ]
    for data in data_sets:
        report += table(data, bare)
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
