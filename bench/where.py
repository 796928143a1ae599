"""Where a rendered page's milliseconds go, and what each piece of the app's own machinery would save if cut.

    python -m bench.where                              # profile, contracts, schedule-table; 1,000 families
    python -m bench.where --pages history --requests 400

Both in process, on the heaviest family of the benchmark's data set, as bench/inprocess.py measures:

- **Where the time goes.** Each page is asked under cProfile counting CPU time, and the cumulative time of the
  functions that do each part of the work (the session cookie, Flask-Login and its loader's statement, the page's
  statement, the domain's figures, the template with its gettext, money, dates, URLs and CSRF token, the hooks)
  is read as a share of the page's profiled time; the share times the page's CPU milliseconds measured without the
  profiler is the estimate given. The yardstick (bench/bare.py) is broken down the same way.
- **The cuts.** The app is built again with one piece taken out or changed (a hook removed, a setting), and every
  variant's pages are measured in rounds taken in turn (bench.inprocess.costs_side_by_side), so that the minutes of
  a shared machine weigh on all alike; the saving is the baseline's CPU milliseconds minus the variant's. These
  variants exist only here, to measure; none is a change to the product.
"""

from __future__ import annotations

import argparse
import pstats
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g
from flask_babel import get_translations

from bench.inprocess import Pages
from bench.run import database_option, pool_of_families, prepare

# A part of the work: the functions (file ending, name) whose cumulative time is its time. Parts nested in
# another are listed after it with "of which".
PARTS: list[tuple[str, list[tuple[str, str]]]] = [
    ("session cookie read (itsdangerous)", [("flask/sessions.py", "open_session")]),
    ("session cookie written", [("flask/sessions.py", "save_session")]),
    ("Flask-Login: the session's user, all of it", [("flask_login/login_manager.py", "_load_user")]),
    (
        "  of which its loader (the client and its contracts, 1 statement)",
        [("portal/auth/session.py", "load_client")],
    ),
    ("idle and absolute timeouts", [("portal/auth/session.py", "enforce_timeouts")]),
    (
        "the page's statement(s)",
        [("portal/cabinet/service.py", "contract_facts"), ("portal/cabinet/service.py", "staff_views")],
    ),
    ("the yardstick's statement (psycopg)", [("psycopg/connection.py", "execute")]),
    (
        "domain: statuses and figures",
        [("portal/domain/schedule.py", "statuses"), ("portal/domain/schedule.py", "contract_figures")],
    ),
    (
        "template rendering, all of it",
        [("flask/templating.py", "render_template"), ("jinja2_fragments/flask.py", "render_block")],
    ),
    ("  of which gettext (Flask-Babel, Jinja i18n)", [("jinja2/ext.py", "gettext"), ("jinja2/ext.py", "ngettext")]),
    ("  of which money (Babel format_currency)", [("portal/i18n.py", "money")]),
    ("  of which dates", [("portal/i18n.py", "day")]),
    ("  of which url_for", [("flask/helpers.py", "url_for")]),
    ("  of which CSRF token (Flask-WTF)", [("flask_wtf/csrf.py", "generate_csrf")]),
    (
        "language chosen and remembered",
        [("portal/i18n.py", "select_language"), ("portal/i18n.py", "remember_language")],
    ),
    ("request log line (JSON) and metrics", [("portal/logs.py", "_finished")]),
    ("  of which metrics (prometheus_client)", [("portal/metrics.py", "observe")]),
    ("security headers", [("portal/security.py", "secure_headers")]),
]
NESTED = "  of which"


def _cumulative(stats: pstats.Stats, wanted: list[tuple[str, str]]) -> float:
    found = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if any(filename.endswith(suffix) and name == function for suffix, function in wanted):
            found += cumulative
    return found


def breakdown(pages: Pages, page: str, requests: int) -> dict[str, float]:
    """Each part's share of the page's profiled time (0 to 1), and "other" for the rest: Flask's and Werkzeug's
    request handling, the test client, context processors, the limiter's filter."""
    stats = pages.profile(page, requests, time.process_time)
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in stats.stats.values())  # type: ignore[attr-defined]
    shares = {label: _cumulative(stats, wanted) / total for label, wanted in PARTS}
    shares["other: Flask and Werkzeug, the test client, context processors"] = 1 - sum(
        share for label, share in shares.items() if not label.startswith(NESTED)
    )
    return shares


# --- the cuts ---------------------------------------------------------------------------------------------


def _without_hook(name: str, when: str = "after") -> Callable[[Flask], None]:
    def cut(app: Flask) -> None:
        funcs = app.after_request_funcs if when == "after" else app.before_request_funcs
        funcs[None] = [f for f in funcs[None] if getattr(f, "__name__", "") != name]

    return cut


def _log_line_only(app: Flask) -> None:
    """The request's log line without the metrics (portal/logs.py's hook, less its metrics call)."""
    from portal.logs import log

    def finished(response: Response) -> Response:
        from flask import request

        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        log.info("%s %s %s %.1f ms", request.method, request.path, response.status_code, elapsed * 1000)
        return response

    funcs = app.after_request_funcs[None]
    funcs[:] = [finished if getattr(f, "__name__", "") == "_finished" else f for f in funcs]


def _metrics_only(app: Flask) -> None:
    """The request's metrics without the log line."""
    from portal import metrics

    def finished(response: Response) -> Response:
        from flask import request

        metrics.observe(request.method, response.status_code, time.perf_counter() - g.get("started", 0.0))
        return response

    funcs = app.after_request_funcs[None]
    funcs[:] = [finished if getattr(f, "__name__", "") == "_finished" else f for f in funcs]


def _catalogue_once(app: Flask) -> None:
    """Flask-Babel's catalogue of the request given to Jinja's i18n extension once a request (DESIGN §4, the
    libraries' own mechanism), instead of a context look-up in every call of the templates' gettext."""

    def install() -> None:
        app.jinja_env.install_gettext_translations(get_translations(), newstyle=True)  # type: ignore[attr-defined]

    app.before_request_funcs.setdefault(None, []).append(install)


# name → (what it does, configuration for create_app, a change to the built app)
CUTS: dict[str, tuple[str, dict[str, Any], Callable[[Flask], None] | None]] = {
    "baseline": ("the app as it is", {}, None),
    "no log line": ("the JSON request log line not written (the metrics kept)", {}, _metrics_only),
    "no metrics": ("the Prometheus request metrics not counted (the log line kept)", {}, _log_line_only),
    "no log line, no metrics": ("portal/logs.py's after-request hook gone", {}, _without_hook("_finished")),
    "no security headers": ("portal/security.py's after-request hook gone", {}, _without_hook("secure_headers")),
    "no language hook": ("portal/i18n.py's remember_language hook gone", {}, _without_hook("remember_language")),
    "no session protection": ("Flask-Login's SESSION_PROTECTION off", {"SESSION_PROTECTION": None}, None),
    "no pool ping": ("SQLAlchemy's pool_pre_ping off", {"SQLALCHEMY_ENGINE_OPTIONS": {}}, None),
    "catalogue once": (
        "Jinja's gettext from the request's catalogue, installed once a request (wrong as is: imported macros keep "
        "the first language)",
        {},
        _catalogue_once,
    ),
    "cookie re-signed each request": (
        "SESSION_REFRESH_EACH_REQUEST on: what the lead's change already saves",
        {"SESSION_REFRESH_EACH_REQUEST": True},
        None,
    ),
}


def cuts(url: str, pages: list[str], requests: int, rounds: int) -> dict[str, dict[str, Any]]:
    from bench.inprocess import costs_side_by_side

    family = pool_of_families(url)[0]
    variants = []
    for _name, (_what, config, change) in CUTS.items():
        variant = Pages(url, family, config)
        if change is not None:
            change(variant.app)
        variants.append(variant)
    found = costs_side_by_side(variants, pages, requests, rounds)
    return dict(zip(CUTS, found, strict=True))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", nargs="+", default=["profile", "contracts", "schedule-table"])
    parser.add_argument("--clients", type=int, default=1000, help="the data set (default 1000)")
    parser.add_argument("--requests", type=int, default=300, help="requests a page and variant (default 300)")
    parser.add_argument("--rounds", type=int, default=15, help="rounds of the cuts' variants in turn (default 15)")
    parser.add_argument("--no-cuts", action="store_true", help="only where the time goes")
    database_option(parser)
    args = parser.parse_args(argv)
    url, _rows = prepare(args.database, args.clients)
    pages = Pages(url, pool_of_families(url)[0])
    asked = ["yardstick", *args.pages]
    measured = pages.costs(asked, args.requests)
    shares = {page: breakdown(pages, page, args.requests) for page in asked}
    print("\n| part | " + " | ".join(asked) + " |\n|---|" + "---:|" * len(asked))
    print("| CPU ms a request (no profiler) | " + " | ".join(f"{measured[p].cpu_ms:.2f}" for p in asked) + " |")
    for label in shares[asked[0]]:
        cells = []
        for page in asked:
            share = shares[page][label]
            cells.append("" if abs(share) < 0.005 else f"{share * measured[page].cpu_ms:.2f} ({share:.0%})")
        print(f"| {label} | " + " | ".join(cells) + " |")
    if args.no_cuts:
        return
    found = cuts(url, args.pages, args.requests, args.rounds)
    base = found["baseline"]
    print("\n| cut | what | " + " | ".join(f"{p} CPU ms (saving)" for p in args.pages) + " |")
    print("|---|---|" + "---:|" * len(args.pages))
    for name, costs in found.items():
        cells = [
            f"{costs[p].cpu_ms:.2f}" + ("" if name == "baseline" else f" ({base[p].cpu_ms - costs[p].cpu_ms:+.2f})")
            for p in args.pages
        ]
        print(f"| {name} | {CUTS[name][0]} | " + " | ".join(cells) + " |")
    print("\nwall ms (PostgreSQL's answers included):")
    for name, costs in found.items():
        print(f"  {name:<32} " + "  ".join(f"{p} {costs[p].wall_ms:6.2f}" for p in args.pages))


if __name__ == "__main__":
    main()
