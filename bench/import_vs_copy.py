"""`portal import` against a plain COPY of the same rows into the same tables, in one run (issue 8, item 4).

    python -m bench.import_vs_copy postgresql://postgres@127.0.0.1:5432/postgres [--clients 10000] [--seed 2026]

It generates the file with bench/generate.py (1-2 contracts of 60-180 entries a family), imports it into a fresh
migrated database through the real command (`flask --app wsgi portal import FILE`, its own process, whose peak
RSS is read from wait4), then copies the very rows that import wrote (COPY TO files first, untimed) into a second
fresh migrated database with `COPY … FROM STDIN`, table by table in one transaction, and times that. A second
import of the same file shows what a no-change run costs. `measure_import()` is what bench/run.py calls.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
# The tables the import writes, parents first; COPY gets their rows whole (ids and defaults included).
TABLES = ("clients", "contracts", "schedule_entries", "deposits")
CHUNK = 1 << 20


def _admin_dsn(server: str) -> str:
    return make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)


def _dsn(server: str, name: str) -> str:
    return make_url(server).set(drivername="postgresql", database=name).render_as_string(hide_password=False)


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A new, migrated database on the server (its libpq DSN), dropped afterwards."""
    name = f"portal_bench_import_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_dsn(server), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        dsn = _dsn(server, name)
        _flask(dsn, "db", "upgrade")
        yield dsn
    finally:
        with psycopg.connect(_admin_dsn(server), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(dsn: str) -> dict[str, str]:
    url = make_url(dsn).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return {**os.environ, "DATABASE_URL": url, "PORTAL_ENV": "development"}


def _flask(dsn: str, *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *arguments],
        cwd=ROOT,
        env=_env(dsn),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def run_import(dsn: str, file: Path) -> dict[str, Any]:
    """`portal import FILE` in its own process: wall seconds, peak RSS (MB) and its report line."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "portal", "import", str(file)],
        cwd=ROOT,
        env=_env(dsn),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # wait4 gives this child's own peak RSS (RUSAGE_CHILDREN would mix in every earlier child).
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stdout, stderr = process.communicate()
    output = (stdout + stderr).decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"portal import failed: {output[-2000:]}")
    return {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024, "output": output.strip()}


def count_rows(dsn: str) -> int:
    with psycopg.connect(dsn) as connection:
        return sum(
            int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]  # noqa: S608
            for table in TABLES
        )


def copy_seconds(source: str, target: str, workdir: Path) -> float:
    """COPY the source's imported rows into the target's empty tables; only the COPY FROM is timed."""
    files = {}
    with psycopg.connect(source) as connection, connection.cursor() as cursor:
        for table in TABLES:
            files[table] = workdir / f"{table}.copy"
            with files[table].open("wb") as out, cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for data in copy:
                    out.write(data)
    with psycopg.connect(target) as connection, connection.cursor() as cursor:
        started = time.perf_counter()
        for table in TABLES:
            with files[table].open("rb") as data, cursor.copy(f"COPY {table} FROM STDIN") as copy:
                while block := data.read(CHUNK):
                    copy.write(block)
        connection.commit()
        return time.perf_counter() - started


def measure_import(database_url: str, clients: int, seed: int, file: Path | None = None) -> dict[str, Any]:
    """Import vs COPY of the same rows on the PostgreSQL server of `database_url` (any database on it).

    `file`, if given, is an already generated file to import instead (clients and seed then only label it)."""
    with tempfile.TemporaryDirectory(prefix="portal-import-bench-") as tmp:
        workdir = Path(tmp)
        if file is None:
            file = workdir / "clients.json"
            generate = ["bench.generate", "--clients", str(clients), "--contracts", "1-2", "--entries", "60-180"]
            subprocess.run(
                [sys.executable, "-m", *generate, "--seed", str(seed), "--out", str(file)],
                cwd=ROOT,
                check=True,
            )
        with fresh_database(database_url) as imported, fresh_database(database_url) as copied:
            first = run_import(imported, file)
            rows = count_rows(imported)
            print(f"import: {rows} rows, {first}", file=sys.stderr)
            again = run_import(imported, file)
            copy = copy_seconds(imported, copied, workdir)
            if count_rows(copied) != rows:
                raise RuntimeError("COPY did not write the rows the import wrote")
        size = file.stat().st_size
    figures = {
        "clients": clients,
        "seed": seed,
        "file_mb": round(size / 1e6, 1),
        "rows": rows,
        "import_seconds": round(first["seconds"], 2),
        "import_rows_per_s": round(rows / first["seconds"]),
        "import_peak_rss_mb": round(first["peak_rss_mb"], 1),
        "copy_seconds": round(copy, 2),
        "copy_rows_per_s": round(rows / copy),
        "import_to_copy": round(copy / first["seconds"], 3),
        "reimport_seconds": round(again["seconds"], 2),
        "reimport_peak_rss_mb": round(again["peak_rss_mb"], 1),
        "import_report": first["output"].splitlines()[-1],
        "reimport_report": again["output"].splitlines()[-1],
    }
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", help="a PostgreSQL server URL; fresh databases are made on it")
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--file", type=Path, help="import this generated file instead of generating one")
    args = parser.parse_args(argv)
    figures = measure_import(args.database_url, args.clients, args.seed, args.file)
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
