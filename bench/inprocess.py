"""The Python cost of each page, in process: CPU milliseconds a request, and where they go.

    python -m bench.inprocess                      # every page, 300 requests each, on the 1,000-family data set
    python -m bench.inprocess --profile schedule-table --top 40   # cProfile of one page, by cumulative time

No server and no load tool: Flask's test client asks for each page of the heaviest family of the benchmark's
data set (bench/run.py makes it, or reuses it) with the production configuration, and `time.process_time`
counts the CPU this process spent. The figures leave out the database's own work and the HTTP server; they are
the measure to profile with and to compare two versions of the code by, on the same machine (docs/performance.md).
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import re
import time
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient

from bench.run import PASSWORD, pool_of_families, prepare

PAGES = {
    "start": ("/", {}),
    "profile": ("/profile", {}),
    "contracts": ("/contracts/{contract}", {}),
    "contracts-panel": ("/contracts/{contract}", {"HX-Request": "true", "HX-Target": "contract-panel"}),
    "schedule": ("/schedule/{contract}?page=2", {}),
    "schedule-table": ("/schedule/{contract}?page=2", {"HX-Request": "true", "HX-Target": "schedule-table"}),
    "faq-search": ("/faq?q=пароль", {"HX-Request": "true", "HX-Target": "faq-results"}),
}
SIGNED_OUT = {"start", "faq-search"}
ROUNDS = 5


def production_app(url: str) -> Flask:
    os.environ.update(DATABASE_URL=url, SECRET_KEY="bench-" + os.urandom(8).hex(), PORTAL_ENV="production")
    os.environ.pop("REDIS_URL", None)  # the limits in memory: this measures Python, not a Redis round trip
    from portal import create_app

    app = create_app()
    logging.getLogger().handlers = [logging.NullHandler()]  # the request log's cost stays, its output goes
    return app


def signed_in(app: Flask, account: str, iin: str) -> FlaskClient:
    browser = app.test_client()
    form = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
    if token is None:
        raise SystemExit("no CSRF token on /login")
    answer = browser.post(
        "/login", data={"csrf_token": token.group(1), "account": account, "iin": iin, "password": PASSWORD}
    )
    if answer.status_code != 303:
        raise SystemExit(f"sign-in failed: {answer.status_code}")
    return browser


@dataclass(frozen=True)
class Cost:
    cpu_ms: float  # this process's CPU a request (the fastest of the rounds)
    wall_ms: float  # a request's time, the database's work included (the fastest of the rounds)
    size: int  # bytes of the answer


def page_costs(url: str, pages: list[str], requests: int, profile: str | None = None) -> dict[str, Cost]:
    """Each page's cost a request, asked `requests` times for the heaviest family of the data set at `url`;
    with `profile`, that page asked once more under cProfile (returned as `profile_stats`)."""
    family = pool_of_families(url)[0]
    app = production_app(url)
    client = signed_in(app, family.account, family.iin)

    def ask(page: str) -> tuple[FlaskClient, str, dict[str, str]]:
        path, headers = PAGES[page]
        browser = app.test_client() if page in SIGNED_OUT else client
        return browser, path.format(contract=family.contract), headers

    for page in pages:
        browser, path, headers = ask(page)
        for _ in range(30):  # warm the caches, the pool and the templates
            answer = browser.get(path, headers=headers)
            if answer.status_code != 200:
                raise SystemExit(f"{page}: {answer.status_code}")
    # Rounds over every page in turn, and the fastest round of each: on a shared machine the speed drifts by
    # the minute, and what a neighbour takes only ever adds time (timeit's reasoning).
    best: dict[str, tuple[float, float]] = {}
    sizes: dict[str, int] = {}
    for _ in range(ROUNDS):
        for page in pages:
            browser, path, headers = ask(page)
            started_cpu, started = time.process_time(), time.perf_counter()
            for _ in range(max(requests // ROUNDS, 1)):
                answer = browser.get(path, headers=headers)
            cpu = (time.process_time() - started_cpu) * 1000 / max(requests // ROUNDS, 1)
            wall = (time.perf_counter() - started) * 1000 / max(requests // ROUNDS, 1)
            best[page] = (min(cpu, best[page][0]), min(wall, best[page][1])) if page in best else (cpu, wall)
            sizes[page] = len(answer.get_data())
    costs = {page: Cost(*best[page], sizes[page]) for page in pages}
    if profile:
        browser, path, headers = ask(profile)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            browser.get(path, headers=headers)
        profiler.disable()
        global profile_stats
        profile_stats = pstats.Stats(profiler)
    return costs


profile_stats: pstats.Stats | None = None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", metavar="PAGE", help=f"some of: {', '.join(PAGES)} (default all)")
    parser.add_argument("--clients", type=int, default=1000, help="the data set (default 1000)")
    parser.add_argument("--requests", type=int, default=300, help="requests a page (default 300)")
    parser.add_argument("--profile", choices=PAGES, help="print a cProfile of this page")
    parser.add_argument("--top", type=int, default=40, help="lines of the profile (default 40)")
    parser.add_argument("--sort", default="cumulative", help="the profile's order: cumulative or tottime")
    parser.add_argument(
        "--database", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    args = parser.parse_args(argv)
    unknown = set(args.pages) - set(PAGES)
    if unknown:
        parser.error(f"no such page: {', '.join(sorted(unknown))}")
    url, _rows = prepare(args.database, args.clients)
    costs = page_costs(url, args.pages or list(PAGES), args.requests, args.profile)
    for page, cost in costs.items():
        print(f"{page:<16} {cost.cpu_ms:6.2f} ms CPU  {cost.wall_ms:6.2f} ms wall  {cost.size:7,} bytes")
    if profile_stats is not None:
        profile_stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
