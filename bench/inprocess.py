"""The Python cost of each page, in process: CPU milliseconds a request, and where they go.

    python -m bench.inprocess                      # every page, 300 requests each, on the 1,000-family data set
    python -m bench.inprocess --profile schedule-table --top 40   # cProfile of one page, by cumulative time
    python -m bench.inprocess --cache none         # every page works its contract's view out (a visit's first)

No server and no load tool: Flask's test client asks for each page of the heaviest family of the benchmark's
data set (bench/run.py makes it, or reuses it) with the production configuration, and `time.process_time`
counts the CPU this process spent. The figures leave out the database's own work and the HTTP server; they are
the measure to profile with and to compare two versions of the code by, on the same machine (docs/performance.md).
REDIS_URL is left out (the limits in memory, no page cache): every request is the app's own work, as for a page
the page cache does not have.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import time
from dataclasses import dataclass

from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

from bench.floor import FLOOR, SIGNED_IN_FLOOR
from bench.run import PASSWORD, TOKEN, Family, database_option, pool_of_families, prepare

PAGES = {
    "floor": (FLOOR, {}),
    "floor-signed-in": (SIGNED_IN_FLOOR, {}),
    "start": ("/", {}),
    "profile": ("/profile", {}),
    "contracts": ("/contracts/{contract}", {}),
    "contracts-panel": ("/contracts/{contract}", {"HX-Request": "true", "HX-Target": "contract-panel"}),
    "schedule": ("/schedule/{contract}?page=2", {}),
    "schedule-table": ("/schedule/{contract}?page=2", {"HX-Request": "true", "HX-Target": "schedule-table"}),
    "faq-search": ("/faq?q=пароль", {"HX-Request": "true", "HX-Target": "faq-results"}),
}
SIGNED_OUT = {"floor", "start", "faq-search"}
ROUNDS = 5


def cache_config(cache: str) -> dict[str, object]:
    """The derived views' and kept HTML's cache: "none" (each page works its view out and renders every block, as
    a visit's first page does), "memory" (the process's own), or a redis:// URL (shared, as in production)."""
    if cache == "none":
        return {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
    if cache == "memory":
        return {"CACHE_TYPE": "SimpleCache"}
    return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": cache}


def production_app(url: str, cache: str = "memory") -> Flask:
    os.environ.update(
        DATABASE_URL=url,
        SECRET_KEY="bench-" + os.urandom(8).hex(),
        PORTAL_ENV="production",
        PORTAL_TOTP_KEY=Fernet.generate_key().decode(),
    )
    os.environ.pop("REDIS_URL", None)  # the limits in memory: this measures Python, not a Redis round trip
    from bench.floor import create_app

    app = create_app(cache_config(cache))
    logging.getLogger().handlers = [logging.NullHandler()]  # the request log's cost stays, its output goes
    return app


def signed_in(app: Flask, family: Family) -> FlaskClient:
    browser = app.test_client()
    token = TOKEN.search(browser.get("/login").get_data(as_text=True))
    if token is None:
        raise SystemExit("no CSRF token on /login")
    credentials = {"csrf_token": token.group(1), "account": family.account, "iin": family.iin, "password": PASSWORD}
    answer = browser.post("/login", data=credentials)
    if answer.status_code != 303:
        raise SystemExit(f"sign-in failed: {answer.status_code}")
    return browser


@dataclass(frozen=True)
class Cost:
    cpu_ms: float  # this process's CPU a request (the fastest of the rounds)
    wall_ms: float  # a request's time, the database's work included (the fastest of the rounds)
    size: int  # bytes of the answer


class Pages:
    """The pages of one family of the benchmark's pool (bench/run.py signs the pool's passwords), asked through
    Flask's test client of an app with the production configuration."""

    def __init__(self, url: str, family: Family, cache: str = "memory") -> None:
        self.app = production_app(url, cache)
        self.family = family
        self.client = signed_in(self.app, family)

    def ask(self, page: str) -> tuple[FlaskClient, str, dict[str, str]]:
        path, headers = PAGES[page]
        browser = self.app.test_client() if page in SIGNED_OUT else self.client
        return browser, path.format(contract=self.family.contract), headers

    def warm(self, pages: list[str]) -> None:
        for page in pages:
            browser, path, headers = self.ask(page)
            for _ in range(30):  # warm the caches, the pool and the templates
                answer = browser.get(path, headers=headers)
                if answer.status_code != 200:
                    raise SystemExit(f"{page}: {answer.status_code}")

    def one_round(self, pages: list[str], requests: int) -> dict[str, Cost]:
        """Each page asked `requests` times in turn: its cost a request in this round."""
        found = {}
        for page in pages:
            browser, path, headers = self.ask(page)
            started_cpu, started = time.process_time(), time.perf_counter()
            for _ in range(requests):
                answer = browser.get(path, headers=headers)
            cpu = (time.process_time() - started_cpu) * 1000 / requests
            wall = (time.perf_counter() - started) * 1000 / requests
            found[page] = Cost(cpu, wall, len(answer.get_data()))
        return found

    def costs(self, pages: list[str], requests: int) -> dict[str, Cost]:
        """Each page's cost a request, over `requests` requests of each."""
        return costs_side_by_side([self], pages, requests)[0]

    def profile(self, page: str, requests: int) -> pstats.Stats:
        """The page asked `requests` times under cProfile."""
        browser, path, headers = self.ask(page)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            browser.get(path, headers=headers)
        profiler.disable()
        return pstats.Stats(profiler)


def costs_side_by_side(sets: list[Pages], pages: list[str], requests: int) -> list[dict[str, Cost]]:
    """Each page's cost a request for each of `sets` (the data sets), over `requests` requests of each: rounds over
    every page of every set in turn, and the fastest round of each. On a shared machine the speed drifts by the
    minute, and what a neighbour takes only ever adds time (timeit's reasoning); taking the sets' rounds in turn
    lets every set see the same minutes, so that they can be compared with each other."""
    for each in sets:
        each.warm(pages)
    per_round = max(requests // ROUNDS, 1)
    best: list[dict[str, Cost]] = [{} for _ in sets]
    for _ in range(ROUNDS):
        for each, fastest in zip(sets, best, strict=True):
            for page, cost in each.one_round(pages, per_round).items():
                if page in fastest:
                    cost = Cost(
                        min(cost.cpu_ms, fastest[page].cpu_ms), min(cost.wall_ms, fastest[page].wall_ms), cost.size
                    )
                fastest[page] = cost
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", metavar="PAGE", help=f"some of: {', '.join(PAGES)} (default all)")
    parser.add_argument("--clients", type=int, default=1000, help="the data set (default 1000)")
    parser.add_argument("--requests", type=int, default=300, help="requests a page (default 300)")
    parser.add_argument("--profile", choices=PAGES, help="print a cProfile of this page")
    parser.add_argument("--top", type=int, default=40, help="lines of the profile (default 40)")
    parser.add_argument("--sort", default="cumulative", help="the profile's order: cumulative or tottime")
    parser.add_argument(
        "--cache",
        default="memory",
        help="the derived views' and kept HTML's cache: none, memory (default) or a redis:// URL (see cache_config)",
    )
    database_option(parser)
    args = parser.parse_args(argv)
    unknown = set(args.pages) - set(PAGES)
    if unknown:
        parser.error(f"no such page: {', '.join(sorted(unknown))}")
    url, _rows = prepare(args.database, args.clients)
    pages = Pages(url, pool_of_families(url)[0], args.cache)  # the heaviest family
    for page, cost in pages.costs(args.pages or list(PAGES), args.requests).items():
        print(f"{page:<16} {cost.cpu_ms:6.2f} ms CPU  {cost.wall_ms:6.2f} ms wall  {cost.size:7,} bytes")
    if args.profile:
        pages.profile(args.profile, args.requests).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
