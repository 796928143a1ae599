"""Two gunicorn instances over one database and one Redis, as production runs them: a session made on one works
on the other, logout on one ends it on both, and the lock and the code attempts count across both."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import select

from portal.demo import load_demo
from portal.extensions import db
from portal.models import Client
from portal.staff.service import add_staff
from tests.conftest import SEITKALI_FACTS, TEST_TOTP_KEY, TODAY, free_port, make_app, running

pytestmark = pytest.mark.slow  # two gunicorn instances, and nginx, started for each test
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
        "PORTAL_PROXIES": "1",  # as behind nginx; requests straight to an instance carry no X-Forwarded-For
        "PORTAL_TOTP_KEY": TEST_TOTP_KEY,  # the key the suite's apps seal staff secrets with
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
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', session.get(f"{base}/register", timeout=30).text)
    assert match
    return match.group(1)


def login(session: requests.Session, base: str, password: str, address: str | None = None) -> requests.Response:
    data = {"csrf_token": token(session, base), "account": "1000000001", "iin": "880515301238", "password": password}
    headers = {"X-Forwarded-For": address} if address else {}
    return session.post(f"{base}/login", data=data, headers=headers, allow_redirects=False, timeout=30)


def test_a_session_from_one_instance_works_on_the_other_and_logout_ends_it_on_both(
    instances: tuple[str, str, Path],
) -> None:
    first, second, _ = instances
    browser = requests.Session()
    assert login(browser, first, "Demo2026!").status_code == 303
    copied = browser.cookies.get("session")

    assert browser.get(f"{second}/profile", allow_redirects=False, timeout=30).status_code == 200
    assert (
        browser.post(
            f"{second}/logout", data={"csrf_token": token(browser, second)}, allow_redirects=False, timeout=10
        ).status_code
        == 303
    )

    thief = requests.Session()
    thief.cookies.set("session", copied)
    assert thief.get(f"{first}/profile", allow_redirects=False, timeout=30).status_code == 302


def test_wrong_passwords_spread_over_both_instances_make_the_address_wait_after_five(
    instances: tuple[str, str, Path],
) -> None:
    first, second, _ = instances
    answers = []
    for attempt in range(7):
        base = first if attempt % 2 else second
        answers.append(login(requests.Session(), base, "Wrong#2026", "203.0.113.7"))

    assert all("Неверный номер счета" in answer.text for answer in answers[:5])
    assert all(answer.status_code == 429 for answer in answers[5:])
    assert all("Слишком много неудачных попыток." in answer.text for answer in answers[5:])
    assert login(requests.Session(), first, "Demo2026!", "198.51.100.20").status_code == 303  # the owner elsewhere


def test_wrong_codes_spread_over_both_instances_void_the_code_at_five(instances: tuple[str, str, Path]) -> None:
    first, second, outbox = instances
    browser = requests.Session()
    facts = {**SEITKALI_FACTS, "csrf_token": token(browser, first)}
    assert browser.post(f"{first}/register", data=facts, allow_redirects=False, timeout=30).status_code == 303
    right = re.search(r"\b(\d{6})\b", outbox.read_text(encoding="utf-8").splitlines()[-1])
    assert right
    wrong = "000000" if right.group(1) != "000000" else "111111"

    answers = [
        browser.post(
            f"{first if n % 2 else second}/register/code",
            data={"csrf_token": token(browser, first), "code": wrong},
            timeout=30,
        ).text
        for n in range(5)
    ]
    sixth = browser.post(
        f"{second}/register/code",
        data={"csrf_token": token(browser, second), "code": right.group(1)},
        allow_redirects=False,
        timeout=30,
    )

    assert "Осталось попыток: 1." in answers[3]
    assert "5 неверных попыток" in answers[4]
    assert "5 неверных попыток" in sixth.text


def test_profile_lists_a_support_visit_made_a_moment_before(instances: tuple[str, str, Path], migrated: str) -> None:
    """Nothing keeps a page: the client's next look at Профиль shows the visit support made a moment before."""
    first, second, _ = instances
    with running(make_app(migrated)):
        secret = add_staff("aigul", "Нурпеисова Айгуль", "Support#Desk2026")[1]
        db.session.commit()
        client_id = db.session.scalars(select(Client.id).where(Client.iin == "880515301238")).one()
    browser = requests.Session()
    assert login(browser, first, "Demo2026!").status_code == 303
    before = browser.get(f"{first}/profile", timeout=30).text
    assert "Ваш кабинет просматривал сотрудник поддержки" not in before

    staff = requests.Session()
    staff_page = staff.get(f"{second}/staff/login", timeout=30).text
    staff_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', staff_page)
    assert staff_token
    signed_in = staff.post(
        f"{second}/staff/login",
        data={
            "csrf_token": staff_token.group(1),
            "login": "aigul",
            "password": "Support#Desk2026",
            "code": pyotp.TOTP(secret).now(),
        },
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code == 303
    assert staff.get(f"{second}/staff/clients/{client_id}/profile", timeout=30).status_code == 200

    for base in (first, second, first, second):  # every worker of both instances, as a reload lands
        assert (
            "Ваш кабинет просматривал сотрудник поддержки Нурпеисова Айгуль"
            in browser.get(f"{base}/profile", timeout=30).text
        )


def test_two_tabs_opened_at_sign_in_then_sign_out_signs_out(instances: tuple[str, str, Path]) -> None:
    first, second, _ = instances
    browser = requests.Session()
    assert login(browser, first, "Demo2026!").status_code == 303
    tabs = [browser.get(f"{base}/profile", timeout=30).text for base in (first, second)]
    tokens = [re.search(r'"X-CSRFToken": "([^"]+)"', tab) for tab in tabs]
    assert all(tokens)

    signed_out = browser.post(
        f"{first}/logout",
        data={"csrf_token": tokens[0].group(1)},
        allow_redirects=False,
        timeout=30,  # type: ignore[union-attr]
    )
    assert signed_out.status_code == 303
    for base in (first, second):
        assert browser.get(f"{base}/profile", allow_redirects=False, timeout=30).status_code == 302


def test_a_copied_cookie_is_refused_right_after_logout_on_every_worker(instances: tuple[str, str, Path]) -> None:
    first, second, _ = instances
    browser = requests.Session()
    assert login(browser, first, "Demo2026!").status_code == 303
    thief = requests.Session()
    thief.cookies.set("session", browser.cookies.get("session"))
    for base in (first, second, first, second):  # the copy works, and has been seen by the workers
        assert thief.get(f"{base}/profile", allow_redirects=False, timeout=30).status_code == 200

    assert (
        browser.post(
            f"{second}/logout", data={"csrf_token": token(browser, second)}, allow_redirects=False, timeout=30
        ).status_code
        == 303
    )
    answers = [
        thief.get(f"{base}/profile", allow_redirects=False, timeout=30).status_code for base in (first, second) * 4
    ]
    assert answers == [302] * 8


NGINX_SITE = """
worker_processes 1;
daemon off;
user root;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream portal {{ server {first}; server {second}; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portal;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-Id $request_id;
        }}
    }}
}}
"""


@pytest.fixture
def nginx(instances: tuple[str, str, Path], tmp_path: Path) -> Iterator[str]:
    """Debian's nginx on a free loopback port in front of both instances, as deploy/nginx.conf puts it."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        pytest.fail("nginx is missing: `apt-get install nginx` (make test installs it when run as root)")
    first, second, _ = instances
    port = free_port()
    site = tmp_path / "nginx.conf"
    site.write_text(
        NGINX_SITE.format(
            dir=tmp_path, port=port, first=first.removeprefix("http://"), second=second.removeprefix("http://")
        ),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [binary, "-c", str(site), "-p", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


class FromAddress(HTTPAdapter):
    """Connect from another loopback address, so that the client's address differs from nginx's own."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = ("127.0.0.2", 0)
        super().init_poolmanager(*args, **kwargs)


def test_a_client_signs_in_through_nginx_in_front_of_both_instances(nginx: str, migrated: str) -> None:
    browser = requests.Session()
    browser.mount("http://", FromAddress())
    assert login(browser, nginx, "Demo2026!").status_code == 303
    for _ in range(4):  # nginx takes turns between the instances; the session holds on both
        assert browser.get(f"{nginx}/profile", allow_redirects=False, timeout=30).status_code == 200

    missing = browser.get(f"{nginx}/no-such-page", timeout=30)
    request_id = missing.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, passed through
    assert request_id in missing.text

    with running(make_app(migrated)):
        from sqlalchemy import select

        from portal.models import AuditEvent

        addresses = set(db.session.scalars(select(AuditEvent.address).where(AuditEvent.event == "login_succeeded")))
        db.session.remove()
    assert addresses == {"127.0.0.2"}  # the client's own address, from X-Forwarded-For, not nginx's 127.0.0.1
