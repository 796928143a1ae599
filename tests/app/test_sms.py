"""SMS gateways: the outbox file, the HTTP provider (against a local fake) and the choice between them."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from portal.config import defaults
from portal.domain.clock import KZ_TZ
from portal.sms import HttpGateway, OutboxGateway, SmsError, gateway_for, read_outbox
from tests.fake_sms_provider import FakeSmsProvider

PHONE = "+77011234567"
MASKED = "+7 701 *** ** 67"
CODE = "482915"
TEXT = f"Код для входа в личный кабинет: {CODE}. Никому его не сообщайте."
TOKEN = "provider-secret-token-9f3a"
# 11:30 in Astana is 06:30 UTC.
NOON_IN_ASTANA = datetime(2026, 11, 24, 11, 30, tzinfo=KZ_TZ)


def fixed_clock(moment: datetime = NOON_IN_ASTANA) -> Callable[[], datetime]:
    return lambda: moment


def ticking_clock(start: datetime = NOON_IN_ASTANA) -> Callable[[], datetime]:
    """A clock that moves a minute forward every time it is read."""
    minutes: Iterator[int] = iter(range(1_000_000))
    return lambda: start + timedelta(minutes=next(minutes))


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def assert_discreet(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing in the logs lets a reader use the code or reach the client."""
    logged = caplog.text
    for secret in (CODE, TEXT, TOKEN, PHONE, "7011234567"):
        assert secret not in logged


# --- outbox ----------------------------------------------------------------------------------------------------


def test_outbox_message_is_one_json_line_with_the_clock_time_in_utc(tmp_path: Path) -> None:
    outbox = tmp_path / "instance" / "sms-outbox.jsonl"
    OutboxGateway(outbox, fixed_clock()).send(PHONE, TEXT)

    [line] = lines_of(outbox)
    assert json.loads(line) == {"to": PHONE, "text": TEXT, "sent_at": "2026-11-24T06:30:00+00:00"}
    assert "Код для входа" in line  # readable UTF-8, not \u escapes


def test_outbox_appends_a_line_per_message(tmp_path: Path) -> None:
    outbox = tmp_path / "sms-outbox.jsonl"
    gateway = OutboxGateway(outbox, ticking_clock())
    gateway.send(PHONE, "first")
    gateway.send("+77017654321", "second")

    assert [json.loads(line)["text"] for line in lines_of(outbox)] == ["first", "second"]
    assert [json.loads(line)["to"] for line in lines_of(outbox)] == [PHONE, "+77017654321"]


def test_outbox_lines_stay_whole_when_many_senders_write_at_once(tmp_path: Path) -> None:
    outbox = tmp_path / "sms-outbox.jsonl"
    long_text = "Ваш код " + "ж" * 500

    def sender(number: int) -> None:
        gateway = OutboxGateway(outbox, fixed_clock())
        for _ in range(25):
            gateway.send(f"+7701000000{number}", long_text)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    messages = [json.loads(line) for line in lines_of(outbox)]
    assert len(messages) == 100
    assert {message["text"] for message in messages} == {long_text}


def test_read_outbox_gives_the_latest_messages_newest_first(tmp_path: Path) -> None:
    outbox = tmp_path / "sms-outbox.jsonl"
    gateway = OutboxGateway(outbox, ticking_clock())
    for n in range(12):
        gateway.send(PHONE, f"code {n}")

    assert [m["text"] for m in read_outbox(outbox, limit=3)] == ["code 11", "code 10", "code 9"]
    latest = read_outbox(outbox)
    assert len(latest) == 10
    assert latest[0] == {"to": PHONE, "text": "code 11", "sent_at": "2026-11-24T06:41:00+00:00"}
    assert latest[-1]["text"] == "code 2"


def test_read_outbox_of_a_missing_file_is_empty(tmp_path: Path) -> None:
    assert read_outbox(tmp_path / "never-written.jsonl") == []


def test_read_outbox_skips_lines_that_are_not_messages(tmp_path: Path) -> None:
    outbox = tmp_path / "sms-outbox.jsonl"
    good = {"to": PHONE, "text": "code 1", "sent_at": "2026-11-24T06:30:00+00:00"}
    newer = {"to": PHONE, "text": "code 2", "sent_at": "2026-11-24T06:31:00+00:00"}
    outbox.write_bytes(
        b"\n".join(
            [
                json.dumps(good).encode(),
                b'{"to": "+77011234567", "text": "cut off',
                b"[1, 2, 3]",
                json.dumps({"to": PHONE, "text": 123456, "sent_at": "x"}).encode(),
                b'{"to": "+77011234567", "text": "\xff", "sent_at": "2026-11-24T06:30:00+00:00"}',  # not UTF-8
                b"",
                json.dumps(newer, ensure_ascii=False).encode(),
            ]
        )
        + b"\n"
    )

    assert read_outbox(outbox) == [newer, good]
    assert read_outbox(outbox, limit=1) == [newer]


def test_unwritable_outbox_raises_sms_error_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "instance"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    gateway = OutboxGateway(blocker / "sms-outbox.jsonl", fixed_clock())

    with pytest.raises(SmsError):
        gateway.send(PHONE, TEXT)

    assert list(tmp_path.iterdir()) == [blocker]
    assert blocker.read_text(encoding="utf-8") == "a file where the folder should be"


def test_outbox_refuses_a_number_that_is_not_a_kazakhstan_mobile(tmp_path: Path) -> None:
    outbox = tmp_path / "sms-outbox.jsonl"
    with pytest.raises(SmsError):
        OutboxGateway(outbox, fixed_clock()).send("+74951234567", TEXT)
    assert not outbox.exists()


def test_outbox_needs_a_clock_that_knows_its_time_zone(tmp_path: Path) -> None:
    outbox = tmp_path / "sms-outbox.jsonl"
    with pytest.raises(ValueError, match="aware"):
        OutboxGateway(outbox, fixed_clock(datetime(2026, 11, 24, 11, 30))).send(PHONE, TEXT)  # noqa: DTZ001
    assert not outbox.exists()


def test_outbox_logs_the_masked_number_only(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="portal.sms")
    OutboxGateway(tmp_path / "sms-outbox.jsonl", fixed_clock()).send(PHONE, TEXT)

    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("portal.sms", logging.INFO, f"sms to {MASKED} queued in outbox")
    ]
    assert_discreet(caplog)


# --- HTTP provider ---------------------------------------------------------------------------------------------


def test_provider_receives_the_message_and_the_bearer_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="portal.sms")
    with FakeSmsProvider("ok") as provider:
        HttpGateway(provider.url, TOKEN, timeout=2).send(PHONE, TEXT)

    [request] = provider.requests
    assert request.path == "/messages"
    assert request.body == {"to": PHONE, "text": TEXT}
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.INFO, f"sms to {MASKED} accepted by provider (HTTP 200)")
    ]
    assert_discreet(caplog)


def test_without_a_token_no_authorization_header_is_sent() -> None:
    with FakeSmsProvider("ok") as provider:
        HttpGateway(provider.url, None, timeout=2).send(PHONE, TEXT)

    [request] = provider.requests
    assert "Authorization" not in request.headers


def test_a_failed_attempt_is_retried_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="portal.sms")
    with FakeSmsProvider("fail_once") as provider:
        HttpGateway(provider.url, TOKEN, timeout=2).send(PHONE, TEXT)

    assert len(provider.requests) == 2
    assert all(request.body == {"to": PHONE, "text": TEXT} for request in provider.requests)
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, f"sms to {MASKED} failed, attempt 1 of 2 (HTTP 500)"),
        (logging.INFO, f"sms to {MASKED} accepted by provider (HTTP 200)"),
    ]
    assert_discreet(caplog)


@pytest.mark.parametrize(("retries", "attempts"), [(1, 2), (0, 1), (2, 3)])
def test_a_provider_that_keeps_failing_raises_sms_error_after_every_attempt(
    retries: int, attempts: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="portal.sms")
    with FakeSmsProvider("error") as provider:
        gateway = HttpGateway(provider.url, TOKEN, timeout=2, retries=retries)
        with pytest.raises(SmsError) as raised:
            gateway.send(PHONE, TEXT)

    assert len(provider.requests) == attempts
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        f"sms to {MASKED} failed, attempt {n} of {attempts} (HTTP 500)" for n in range(1, attempts + 1)
    ]
    assert not [r for r in caplog.records if r.levelno == logging.INFO]
    assert TOKEN not in str(raised.value) and CODE not in str(raised.value)
    assert_discreet(caplog)


def test_a_provider_that_does_not_answer_in_time_raises_sms_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="portal.sms")
    # The provider would answer 200 after 3 s: only the client's own timeout can turn this into an error.
    with FakeSmsProvider("slow", slow_seconds=3.0) as provider:
        gateway = HttpGateway(provider.url, TOKEN, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(SmsError):
            gateway.send(PHONE, TEXT)
        waited = time.monotonic() - started

    assert waited < provider.slow_seconds
    assert len(provider.requests) == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"sms to {MASKED} failed, attempt {n} of 2 (ReadTimeout)" for n in (1, 2)]
    assert_discreet(caplog)


def test_an_unreachable_provider_raises_sms_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="portal.sms")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more.
    with pytest.raises(SmsError):
        HttpGateway(f"http://127.0.0.1:{port}/messages", TOKEN, timeout=2).send(PHONE, TEXT)

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"sms to {MASKED} failed, attempt {n} of 2 (ConnectionError)" for n in (1, 2)]
    assert_discreet(caplog)


def test_http_gateway_refuses_a_number_that_is_not_a_kazakhstan_mobile() -> None:
    with FakeSmsProvider("ok") as provider, pytest.raises(SmsError):
        HttpGateway(provider.url, TOKEN, timeout=2).send("+74951234567", TEXT)
    assert provider.requests == []


# --- choosing the gateway --------------------------------------------------------------------------------------


def http_settings(tmp_path: Path) -> dict[str, str]:
    return {
        "PORTAL_SMS_GATEWAY": "http",
        "PORTAL_SMS_URL": "https://sms.example.kz/api/send",
        "PORTAL_SMS_TOKEN": TOKEN,
        "PORTAL_SMS_OUTBOX": str(tmp_path / "sms-outbox.jsonl"),
    }


def test_demo_clients_codes_go_to_the_outbox_even_when_http_is_configured(tmp_path: Path) -> None:
    gateway = gateway_for(http_settings(tmp_path), fixed_clock(), demo=True)
    gateway.send(PHONE, TEXT)

    assert isinstance(gateway, OutboxGateway)
    assert read_outbox(tmp_path / "sms-outbox.jsonl") == [
        {"to": PHONE, "text": TEXT, "sent_at": "2026-11-24T06:30:00+00:00"}
    ]


def test_configured_http_gateway_is_used_for_real_clients(tmp_path: Path) -> None:
    gateway = gateway_for(http_settings(tmp_path), fixed_clock())

    assert isinstance(gateway, HttpGateway)
    assert (gateway.url, gateway.token) == ("https://sms.example.kz/api/send", TOKEN)


def test_development_defaults_send_to_the_instance_outbox(tmp_path: Path) -> None:
    gateway = gateway_for(defaults(str(tmp_path)), fixed_clock())

    assert isinstance(gateway, OutboxGateway)
    assert gateway.path == tmp_path / "sms-outbox.jsonl"
