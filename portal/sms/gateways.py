"""The SMS gateways: a JSON-lines outbox for development and demo accounts, an HTTP provider for production."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol

import requests

from portal.domain.phone import InvalidPhone, mask_phone

# Messages carry one-time codes: the log names the masked number only, never the text, the full number or the token.
logger: Final = logging.getLogger("portal.sms")


class SmsError(Exception):
    """The message could not be sent; the caller asks the client to try again later and keeps nothing half-made."""


class SmsGateway(Protocol):
    """Sends one text message to a Kazakhstan mobile number given as E.164 (``+77011234567``)."""

    def send(self, to: str, text: str) -> None: ...


def _masked_recipient(to: str) -> str:
    try:
        return mask_phone(to)
    except InvalidPhone:
        logger.warning("sms refused: the recipient is not a Kazakhstan mobile number")
        raise SmsError("the recipient is not a Kazakhstan mobile number") from None


class OutboxGateway:
    """Appends each message as one JSON line to a file that developers and support staff read."""

    def __init__(self, path: Path, clock: Callable[[], datetime]) -> None:
        self.path = path
        self.clock = clock

    def send(self, to: str, text: str) -> None:
        masked = _masked_recipient(to)
        sent_at = self.clock()
        if sent_at.utcoffset() is None:
            raise ValueError("the clock must return an aware datetime")
        record = {"to": to, "text": text, "sent_at": sent_at.astimezone(UTC).isoformat(timespec="seconds")}
        line = json.dumps(record, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One write of the whole line to a file opened for appending, then fsync: the kernel appends it at
            # the end in one piece, so two app processes writing at once never interleave half lines.
            with self.path.open("a", encoding="utf-8") as outbox:
                outbox.write(line)
                outbox.flush()
                os.fsync(outbox.fileno())
        except OSError as error:
            logger.warning("sms to %s not queued: outbox unwritable (%s)", masked, type(error).__name__)
            raise SmsError("the outbox cannot be written") from error
        logger.info("sms to %s queued in outbox", masked)


class HttpGateway:
    """Posts each message as JSON to the SMS provider, retrying a failed attempt ``retries`` more times."""

    def __init__(self, url: str, token: str | None, timeout: float = 5.0, retries: int = 1) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout
        self.retries = retries

    def send(self, to: str, text: str) -> None:
        masked = _masked_recipient(to)
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        attempts = 1 + max(self.retries, 0)
        for attempt in range(1, attempts + 1):
            try:
                # No redirects: the provider's answer is final, and the token goes to the configured URL only.
                response = requests.post(
                    self.url,
                    json={"to": to, "text": text},
                    headers=headers,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except requests.RequestException as error:
                failure = type(error).__name__
            else:
                if 200 <= response.status_code < 300:
                    logger.info("sms to %s accepted by provider (HTTP %d)", masked, response.status_code)
                    return
                failure = f"HTTP {response.status_code}"
            logger.warning("sms to %s failed, attempt %d of %d (%s)", masked, attempt, attempts, failure)
        raise SmsError(f"the provider did not accept the message after {attempts} attempts ({failure})")


def read_outbox(path: Path, limit: int = 10) -> list[dict[str, str]]:
    """The latest ``limit`` messages in the outbox, newest first; a line that is not a message is skipped."""
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError:
        return []
    messages: list[dict[str, str]] = []
    for line in reversed(lines):
        if len(messages) >= limit:
            break
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and all(isinstance(record.get(key), str) for key in ("to", "text", "sent_at")):
            messages.append({key: record[key] for key in ("to", "text", "sent_at")})
    return messages


def gateway_for(config: Mapping[str, Any], clock: Callable[[], datetime], *, demo: bool = False) -> SmsGateway:
    """The configured gateway; a demo client's codes always go to the outbox, whatever is configured."""
    if demo or config["PORTAL_SMS_GATEWAY"] == "outbox":
        return OutboxGateway(Path(config["PORTAL_SMS_OUTBOX"]), clock)
    return HttpGateway(
        config["PORTAL_SMS_URL"], config.get("PORTAL_SMS_TOKEN"), timeout=float(config.get("PORTAL_SMS_TIMEOUT", 5.0))
    )
