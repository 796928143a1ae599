"""Two gunicorn instances over one database and one Redis, as production runs them: a session made on one works
on the other, logout on one ends it on both, and the lock and the code attempts count across both."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from portal.demo import load_demo
from portal.extensions import db
from tests.conftest import SEITKALI_FACTS, TODAY, free_port, make_app, running

ROOT = Path(__file__).resolve().parents[2]


def wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn on {port} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"gunicorn on {port} did not start")


@pytest.fixture
def instances(migrated: str, redis_url: str, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    with running(make_app(migrated)):
        load_demo(db.session, TODAY)
        db.session.remove()
    outbox = tmp_path / "sms-outbox.jsonl"
    environment = {
        **os.environ,
        "DATABASE_URL": migrated,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "shared-by-every-instance",
        "PORTAL_TODAY": TODAY.isoformat(),
        "PORTAL_ENV": "development",
        "PORTAL_SMS_OUTBOX": str(outbox),
    }
    ports = [free_port(), free_port()]
    processes = []
    try:
        for port in ports:
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "-c",
                        str(ROOT / "gunicorn.conf.py"),
                        "--workers",
                        "2",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "wsgi:app",
                    ],
                    cwd=ROOT,
                    env=environment,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for port, process in zip(ports, processes, strict=True):
            wait_for(port, process)
        yield f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}", outbox
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        with running(make_app(migrated)):
            from tests.conftest import empty_tables

            empty_tables()


def token(session: requests.Session, base: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', session.get(f"{base}/register", timeout=10).text)
    assert match
    return match.group(1)


def login(session: requests.Session, base: str, password: str) -> requests.Response:
    data = {"csrf_token": token(session, base), "account": "1000000001", "iin": "880515301238", "password": password}
    return session.post(f"{base}/login", data=data, allow_redirects=False, timeout=10)


def test_a_session_from_one_instance_works_on_the_other_and_logout_ends_it_on_both(
    instances: tuple[str, str, Path],
) -> None:
    first, second, _ = instances
    browser = requests.Session()
    assert login(browser, first, "Demo2026!").status_code == 303
    copied = browser.cookies.get("session")

    assert browser.get(f"{second}/profile", allow_redirects=False, timeout=10).status_code == 200
    assert (
        browser.post(
            f"{second}/logout", data={"csrf_token": token(browser, second)}, allow_redirects=False, timeout=10
        ).status_code
        == 303
    )

    thief = requests.Session()
    thief.cookies.set("session", copied)
    assert thief.get(f"{first}/profile", allow_redirects=False, timeout=10).status_code == 302


def test_wrong_passwords_spread_over_both_instances_lock_at_ten(instances: tuple[str, str, Path]) -> None:
    first, second, _ = instances
    answers = []
    for attempt in range(11):
        base = first if attempt % 2 else second
        answers.append(login(requests.Session(), base, "Wrong#2026").text)

    assert all("Неверный номер счета" in answer for answer in answers[:9])
    assert "Вход заблокирован до" in answers[9]
    assert "Вход заблокирован до" in answers[10]
    assert "Вход заблокирован до" in login(requests.Session(), first, "Demo2026!").text


def test_wrong_codes_spread_over_both_instances_void_the_code_at_five(instances: tuple[str, str, Path]) -> None:
    first, second, outbox = instances
    browser = requests.Session()
    facts = {**SEITKALI_FACTS, "csrf_token": token(browser, first)}
    assert browser.post(f"{first}/register", data=facts, allow_redirects=False, timeout=10).status_code == 303
    right = re.search(r"\b(\d{6})\b", outbox.read_text(encoding="utf-8").splitlines()[-1])
    assert right
    wrong = "000000" if right.group(1) != "000000" else "111111"

    answers = [
        browser.post(
            f"{first if n % 2 else second}/register/code",
            data={"csrf_token": token(browser, first), "code": wrong},
            timeout=10,
        ).text
        for n in range(5)
    ]
    sixth = browser.post(
        f"{second}/register/code",
        data={"csrf_token": token(browser, second), "code": right.group(1)},
        allow_redirects=False,
        timeout=10,
    )

    assert "Осталось попыток: 1." in answers[3]
    assert "5 неверных попыток" in answers[4]
    assert "5 неверных попыток" in sixth.text
