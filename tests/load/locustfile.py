"""200 clients, each from its own loopback address, sign in and page through their schedules.

Run by tests/load/test_load.py (`locust --headless`); LOAD_ACCOUNTS names a JSON file of
{"account", "iin", "password", "contract", "number", "pages"} records, one per simulated client.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task
from requests.adapters import HTTPAdapter

ACCOUNTS: list[dict[str, Any]] = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text(encoding="utf-8"))
NEXT = itertools.count()
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class FromAddress(HTTPAdapter):
    """Connect from a loopback address of the client's own, as a family at home would from theirs."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Family(HttpUser):
    wait_time = between(1, 3)  # a person reads a page for a few seconds before the next

    def on_start(self) -> None:
        serial = next(NEXT)
        self.me = ACCOUNTS[serial % len(ACCOUNTS)]
        self.client.mount("http://", FromAddress(f"127.0.{1 + serial // 250}.{2 + serial % 250}"))
        page = self.client.get("/login", name="/login")
        match = TOKEN.search(page.text)
        form = {
            "csrf_token": match.group(1) if match else "",
            **{k: self.me[k] for k in ("account", "iin", "password")},
        }
        with self.client.post(
            "/login", data=form, allow_redirects=False, name="sign-in", catch_response=True
        ) as answer:
            if answer.status_code != 303 or answer.headers.get("Location", "").endswith("/login"):
                answer.failure(f"sign-in answered {answer.status_code}")

    @task(3)
    def schedule_fragment(self) -> None:
        page = random.randint(1, self.me["pages"])  # noqa: S311  (which page to look at, not a secret)
        headers = {"HX-Request": "true", "HX-Target": "schedule-table"}
        self.expect(f"/schedule/{self.me['contract']}?page={page}", "schedule fragment", headers)

    @task(1)
    def schedule_page(self) -> None:
        page = random.randint(1, self.me["pages"])  # noqa: S311  (which page to look at, not a secret)
        self.expect(f"/schedule/{self.me['contract']}?page={page}", "schedule page")

    @task(1)
    def contracts(self) -> None:
        self.expect(f"/contracts/{self.me['contract']}", "contract")

    def expect(self, url: str, name: str, headers: dict[str, str] | None = None) -> None:
        """A signed-in page must answer 200 with the client's own data, never a sign-in page or an error."""
        with self.client.get(url, headers=headers, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{name} answered {answer.status_code}")
            elif self.me["number"] not in answer.text and name != "schedule fragment":
                answer.failure(f"{name} did not show the client's contract")
