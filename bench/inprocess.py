"""The Python cost of each page, in process: CPU milliseconds a request, and where they go.

    python -m bench.inprocess                      # every page, 300 requests each, on the 1,000-family data set
    python -m bench.inprocess --profile schedule-table --top 40   # cProfile of one page, by cumulative time

No server and no load tool: Flask's test client asks for each page of the heaviest family of the benchmark's
data set (bench/run.py makes it, or reuses it) with the production configuration, and `time.process_time`
counts the CPU this process spent; the yardstick and the bare 5 KB are asked of bench/bare.py's app the same way.
The figures leave out the HTTP server and include the database's answers only in the wall time; they are the
measure to profile with and to compare two versions of the code by, on the same machine (docs/performance.md).
REDIS_URL is left out (the sign-in limits in memory; no page reads Redis). The request log lines are formatted as
in production and written to /dev/null. The documents (PDF, XLSX) of the family's 300-entry schedule are timed
after the pages, a few of each.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient

from bench.floor import FLOOR, SIGNED_IN_FLOOR
from bench.run import PASSWORD, TOKEN, Family, database_option, pool_of_families, prepare

PAGES = {
    "yardstick": ("/bare/schedule/{contract}?page=2", {}),
    "bare-html": ("/bare/html", {}),
    "floor": (FLOOR, {}),
    "floor-signed-in": (SIGNED_IN_FLOOR, {}),
    "start": ("/", {}),
    "profile": ("/profile", {}),
    "contracts": ("/contracts/{contract}", {}),
    "contracts-panel": ("/contracts/{contract}", {"HX-Request": "true", "HX-Target": "contract-panel"}),
    "pay": ("/contracts/{contract}/pay", {}),
    "schedule": ("/schedule/{contract}?page=2", {}),
    "schedule-table": ("/schedule/{contract}?page=2", {"HX-Request": "true", "HX-Target": "schedule-table"}),
    "history": ("/history/{contract}", {}),
    "history-table": ("/history/{contract}", {"HX-Request": "true", "HX-Target": "history-table"}),
    "faq-search": ("/faq?q=пароль", {"HX-Request": "true", "HX-Target": "faq-results"}),
}
BARE = {"yardstick", "bare-html"}  # asked of bench/bare.py's app
SIGNED_OUT = {"floor", "start", "faq-search"}
DOCUMENTS = {
    "schedule-pdf": "/contracts/{contract}/schedule.pdf",
    "schedule-xlsx": "/contracts/{contract}/schedule.xlsx",
}
ROUNDS = 5


def production_app(url: str, config: dict[str, object] | None = None) -> Flask:
    os.environ.update(
        DATABASE_URL=url,
        SECRET_KEY="bench-" + os.urandom(8).hex(),
        PORTAL_ENV="production",
        PORTAL_TOTP_KEY=Fernet.generate_key().decode(),
    )
    os.environ.pop("REDIS_URL", None)  # the limits in memory: this measures Python, not a Redis round trip
    from bench.floor import create_app

    app = create_app(config)
    # The request log's cost stays, formatting included; its output goes.
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115  (for the process's life)
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


def bare_signed_in(url: str, family: Family) -> FlaskClient:
    from bench.bare import create_app

    browser = create_app(url, "bench-" + os.urandom(8).hex()).test_client()
    browser.post("/bare/sign-in", data={"client": family.client})
    return browser


@dataclass(frozen=True)
class Cost:
    cpu_ms: float  # this process's CPU a request (the fastest of the rounds)
    wall_ms: float  # a request's time, the database's work included (the fastest of the rounds)
    size: int  # bytes of the answer


class Pages:
    """The pages of one family of the benchmark's pool (bench/run.py signs the pool's passwords), asked through
    Flask's test client of an app with the production configuration."""

    def __init__(self, url: str, family: Family, config: dict[str, object] | None = None) -> None:
        self.app = production_app(url, config)
        self.family = family
        self.client = signed_in(self.app, family)
        self.bare = bare_signed_in(url, family)

    def ask(self, page: str) -> tuple[FlaskClient, str, dict[str, str]]:
        path, headers = PAGES[page]
        if page in BARE:
            return self.bare, path.format(contract=self.family.contract), headers
        browser = self.app.test_client() if page in SIGNED_OUT else self.client
        return browser, path.format(contract=self.family.contract), headers

    def warm(self, pages: list[str]) -> None:
        for page in pages:
            browser, path, headers = self.ask(page)
            for _ in range(30):  # warm the pool, the templates and the session (its CSRF token)
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

    def document(self, name: str, requests: int) -> Cost:
        """The family's document of its 300-entry contract, asked `requests` times: the fastest."""
        path = DOCUMENTS[name].format(contract=self.family.contract)
        best = Cost(float("inf"), float("inf"), 0)
        for _ in range(requests):
            started_cpu, started = time.process_time(), time.perf_counter()
            answer = self.client.get(path)
            cpu, wall = (time.process_time() - started_cpu) * 1000, (time.perf_counter() - started) * 1000
            if answer.status_code != 200:
                raise SystemExit(f"{name}: {answer.status_code}")
            best = Cost(min(cpu, best.cpu_ms), min(wall, best.wall_ms), len(answer.get_data()))
        return best

    def profile(self, page: str, requests: int, timer: Callable[[], float] | None = None) -> pstats.Stats:
        """The page asked `requests` times under cProfile (wall time, or `timer`'s: time.process_time for CPU)."""
        browser, path, headers = self.ask(page)
        profiler = cProfile.Profile(timer) if timer is not None else cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            browser.get(path, headers=headers)
        profiler.disable()
        return pstats.Stats(profiler)


def costs_side_by_side(
    sets: list[Pages], pages: list[str], requests: int, rounds: int = ROUNDS
) -> list[dict[str, Cost]]:
    """Each page's cost a request for each of `sets` (the data sets), over `requests` requests of each: rounds over
    every page of every set in turn, and the fastest round of each. On a shared machine the speed drifts by the
    minute, and what a neighbour takes only ever adds time (timeit's reasoning); taking the sets' rounds in turn
    lets every set see the same minutes, so that they can be compared with each other."""
    for each in sets:
        each.warm(pages)
    per_round = max(requests // rounds, 1)
    best: list[dict[str, Cost]] = [{} for _ in sets]
    for _ in range(rounds):
        for each, fastest in zip(sets, best, strict=True):
            for page, cost in each.one_round(pages, per_round).items():
                if page in fastest:
                    cost = Cost(
                        min(cost.cpu_ms, fastest[page].cpu_ms), min(cost.wall_ms, fastest[page].wall_ms), cost.size
                    )
                fastest[page] = cost
    return best


def document_costs(pages: Pages, requests: int) -> dict[str, Cost]:
    """Each document's cost (the fastest of `requests`, after one to load fpdf2 and openpyxl)."""
    for name in DOCUMENTS:
        pages.document(name, 1)
    return {name: pages.document(name, requests) for name in DOCUMENTS}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", metavar="PAGE", help=f"some of: {', '.join(PAGES)} (default all)")
    parser.add_argument("--clients", type=int, default=1000, help="the data set (default 1000)")
    parser.add_argument("--requests", type=int, default=300, help="requests a page (default 300)")
    parser.add_argument("--profile", choices=PAGES, help="print a cProfile of this page")
    parser.add_argument("--top", type=int, default=40, help="lines of the profile (default 40)")
    parser.add_argument("--sort", default="cumulative", help="the profile's order: cumulative or tottime")
    parser.add_argument("--documents", type=int, default=5, help="requests of each document (0: none; default 5)")
    database_option(parser)
    args = parser.parse_args(argv)
    unknown = set(args.pages) - set(PAGES)
    if unknown:
        parser.error(f"no such page: {', '.join(sorted(unknown))}")
    url, _rows = prepare(args.database, args.clients)
    pages = Pages(url, pool_of_families(url)[0])  # the heaviest family
    for page, cost in pages.costs(args.pages or list(PAGES), args.requests).items():
        print(f"{page:<16} {cost.cpu_ms:6.2f} ms CPU  {cost.wall_ms:6.2f} ms wall  {cost.size:7,} bytes")
    if args.documents and not args.pages:
        for name, cost in document_costs(pages, args.documents).items():
            print(f"{name:<16} {cost.cpu_ms:6.1f} ms CPU  {cost.wall_ms:6.1f} ms wall  {cost.size:7,} bytes")
    if args.profile:
        pages.profile(args.profile, args.requests).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
