"""Issue 7, faults inside the sign-in flow: the SMS provider answering 500 or not in time, a full disk under the
outbox. The client gets a clear message, nothing of the attempt is kept (no code, no claimed minute), and the
next attempt works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from portal.demo import load_demo
from portal.extensions import db
from portal.models import Client, OneTimeCode
from tests.conftest import SEITKALI_FACTS, TODAY, csrf_token, make_app, running
from tests.fake_sms_provider import FakeSmsProvider

COULD_NOT_SEND = "Не удалось отправить код, попробуйте позже."


def seitkali() -> Client:
    return db.session.scalars(select(Client).where(Client.iin == SEITKALI_FACTS["iin"])).one()


@pytest.fixture
def a_real_client(migrated: str) -> Iterator[None]:
    """Сейткали as a real client (not a demo one), so that her codes go through the configured gateway."""
    with running(make_app(migrated)):
        load_demo(db.session, TODAY)
        db.session.execute(update(Client).where(Client.iin == SEITKALI_FACTS["iin"]).values(is_demo=False))
        db.session.commit()
        db.session.remove()
    yield
    with running(make_app(migrated)):
        from tests.conftest import empty_tables

        empty_tables()


def submit_facts(app: Flask) -> tuple[int, str]:
    browser = app.test_client()
    token = csrf_token(browser.get("/register").get_data(as_text=True))
    answer = browser.post("/register", data={**SEITKALI_FACTS, "csrf_token": token})
    return answer.status_code, answer.get_data(as_text=True)


def nothing_kept(app: Flask) -> bool:
    with running(app):
        codes = db.session.scalar(select(func.count()).select_from(OneTimeCode))
        client = seitkali()
        kept = codes == 0 and client.code_sent_at is None and client.password_hash is None
        db.session.remove()
    return kept


@pytest.mark.usefixtures("a_real_client")
@pytest.mark.parametrize("fault", ["error", "slow"])
def test_a_provider_that_fails_or_does_not_answer_leaves_nothing_and_the_next_attempt_works(
    migrated: str, tmp_path: Path, fault: str
) -> None:
    with FakeSmsProvider(fault, slow_seconds=3.0) as provider:  # type: ignore[arg-type]
        app = make_app(
            migrated,
            PORTAL_SMS_GATEWAY="http",
            PORTAL_SMS_URL=provider.url,
            PORTAL_SMS_TIMEOUT=0.3,
            PORTAL_SMS_OUTBOX=str(tmp_path / "outbox.jsonl"),
        )
        status, page = submit_facts(app)
        assert (status, COULD_NOT_SEND in page) == (200, True)
        assert len(provider.requests) == 2  # tried, and tried once more
        assert nothing_kept(app)

        provider.mode = "ok"
        status, _ = submit_facts(app)  # at once: the failed attempt did not take the client's minute
        assert status == 303
        assert len(provider.requests) == 3
        code = provider.requests[-1].body["text"]
        with running(app):
            assert db.session.scalar(select(func.count()).select_from(OneTimeCode)) == 1
            db.session.remove()
    assert any(char.isdigit() for char in code)


@pytest.mark.usefixtures("a_real_client")
def test_a_full_disk_under_the_outbox_leaves_nothing_and_the_next_attempt_works(migrated: str, tmp_path: Path) -> None:
    full = make_app(migrated, PORTAL_SMS_OUTBOX="/dev/full")  # every write fails with ENOSPC
    status, page = submit_facts(full)
    assert (status, COULD_NOT_SEND in page) == (200, True)
    assert nothing_kept(full)

    outbox = tmp_path / "outbox.jsonl"
    with running(make_app(migrated, PORTAL_SMS_OUTBOX=str(outbox))) as working:
        status, _ = submit_facts(working)
    assert status == 303
    assert "+77017654321" in outbox.read_text(encoding="utf-8")
