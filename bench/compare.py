"""Two versions of the code served side by side under wrk, measured in turns: what a change buys, served.

    git worktree add /tmp/before HEAD~1
    python -m bench.compare /tmp/before . --pages /contracts/<id> "/schedule/<id>?page=N (htmx table)"

Each checkout gets its own gunicorn (its own gunicorn.conf.py, production settings) over the same 1,000-family
database of bench/run.py (so both must run on its schema), and its own Redis database; the same pool of families
signs in to both. Every page is measured at each concurrency on A, then B, then B, then A, and so on, so that this
shared machine's drift from one minute to the next weighs on both alike. It prints each side's best requests/s and
mean p99, and B ÷ A.
"""

from __future__ import annotations

import argparse
import copy
from contextlib import ExitStack
from pathlib import Path

from bench.run import (
    ENDPOINTS,
    Family,
    Measurement,
    database_option,
    free_port,
    gunicorn,
    need,
    new_secret,
    pool_of_families,
    prepare,
    redis_server,
    seen_now,
    server_env,
    sign_in,
    started,
    wrk,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path, help="the first checkout (before)")
    parser.add_argument("b", type=Path, help="the second checkout (after)")
    signed = [e.name for e in ENDPOINTS if e.held]
    parser.add_argument("--pages", nargs="+", default=signed, help=f"some of: {', '.join(signed)}")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=2, help="turns of A and B (default 2: A B, then B A)")
    database_option(parser)
    args = parser.parse_args(argv)
    unknown = set(args.pages) - set(signed)
    if unknown:
        parser.error(f"no such page: {', '.join(sorted(unknown))}")
    need("wrk", "wrk")
    url, _rows = prepare(args.database, 1000)
    families = pool_of_families(url)
    endpoints = [e for e in ENDPOINTS if e.name in args.pages]
    found: dict[tuple[str, int, str], list[Measurement]] = {}
    redis_port = free_port()
    with ExitStack() as stack:
        stack.enter_context(started(redis_server(redis_port), redis_port, "redis-server"))
        sides: dict[str, tuple[str, list[Family], str]] = {}
        for number, (side, tree) in enumerate((("A", args.a.resolve()), ("B", args.b.resolve()))):
            port, secret = free_port(), new_secret()
            env = server_env(url, f"redis://127.0.0.1:{redis_port}/{number}", secret)
            stack.enter_context(started(gunicorn("wsgi:app", port, tree), port, f"gunicorn-{side}", env))
            base = f"http://127.0.0.1:{port}"
            pool = copy.deepcopy(families)  # each side's own session cookies
            for family in pool:
                sign_in(base, family)
            sides[side] = (base, pool, secret)
        for turn in range(args.rounds):
            for endpoint in endpoints:
                for concurrency in args.concurrency:
                    for side in ("A", "B") if turn % 2 == 0 else ("B", "A"):
                        base, pool, secret = sides[side]
                        for family in pool:  # as browsers hold them (bench.run.seen_now)
                            family.cookie = seen_now(family.cookie, secret)
                        wrk(base, endpoint, pool, min(concurrency, 8), 1)  # warm every worker (bench.run.measure)
                        result = wrk(base, endpoint, pool, concurrency, args.seconds)
                        found.setdefault((endpoint.name, concurrency, side), []).append(result)
                        print(f"  {side} {endpoint.name:<36} c={concurrency:<3} {result.rps:7.0f} req/s", flush=True)
    print("\n| page | c | A req/s | B req/s | B ÷ A | A p99 ms | B p99 ms |\n|---|---:|---:|---:|---:|---:|---:|")
    for endpoint in endpoints:
        for concurrency in args.concurrency:
            a, b = found[(endpoint.name, concurrency, "A")], found[(endpoint.name, concurrency, "B")]
            best_a, best_b = max(m.rps for m in a), max(m.rps for m in b)
            print(
                f"| {endpoint.name} | {concurrency} | {best_a:,.0f} | {best_b:,.0f} | {best_b / best_a:.2f} | "
                f"{sum(m.p99 for m in a) / len(a):.1f} | {sum(m.p99 for m in b) / len(b):.1f} |"
            )


if __name__ == "__main__":
    main()
