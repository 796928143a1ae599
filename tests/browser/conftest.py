"""Playwright in Debian's Chromium against the app served on a free loopback port."""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page
from werkzeug.serving import make_server

from portal.demo import load_demo
from portal.extensions import db
from tests.conftest import ARTIFACTS, TODAY, empty_tables, make_app

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: `apt-get install chromium` (make test installs it when run as root)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # Reduced motion: screenshots show the menu expanded, not halfway through its animation.
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 800},
        "locale": "ru-RU",
        "reduced_motion": "reduce",
    }


@dataclass
class LiveServer:
    app: Flask
    url: str
    outbox: Path

    def __call__(self, path: str) -> str:
        return self.url + path

    def last_code(self) -> str:
        """The code of the newest SMS, as support staff read it with `portal sms-outbox`."""
        text = json.loads(self.outbox.read_text(encoding="utf-8").splitlines()[-1])["text"]
        match = re.search(r"\b(\d{6})\b", text)
        assert match, text
        return match.group(1)


@pytest.fixture
def live_server(migrated: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The app with the demo accounts, served by a real HTTP server in a thread."""
    with serving(migrated, tmp_path) as server:
        yield server


@contextmanager
def serving(migrated: str, tmp_path: Path, **settings: Any) -> Iterator[LiveServer]:
    outbox = tmp_path / "sms-outbox.jsonl"
    app = make_app(migrated, PORTAL_SMS_OUTBOX=str(outbox), **settings)
    with app.app_context():
        load_demo(db.session, TODAY)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", outbox)
    finally:
        server.shutdown()
        thread.join()
        with app.app_context():
            empty_tables()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def artifacts() -> Any:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def open_page(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Callable[..., Page]]:
    """Pages in browser contexts of a test's own choosing (`open_page(java_script_enabled=False)`)."""
    contexts: list[BrowserContext] = []

    def opened(**options: Any) -> Page:
        contexts.append(browser.new_context(**browser_context_args, **options))
        page = contexts[-1].new_page()
        page.set_default_timeout(10_000)
        return page

    yield opened
    for context in contexts:
        context.close()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def any_page(request: pytest.FixtureRequest, open_page: Callable[..., Page]) -> Page:
    """A page with JavaScript on, and the same again with it off: every flow must work both ways."""
    return open_page(java_script_enabled=request.param)


@pytest.fixture
def javascript(request: pytest.FixtureRequest) -> bool:
    """Whether this run of a test has JavaScript on (the `any_page` parameter)."""
    return bool(request.node.callspec.params["any_page"])
