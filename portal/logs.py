"""Logs as one JSON object a line with the request id that error pages show; the request metrics beside them.

Nothing personal goes in: the request line has the path without its query string, and the app's own
messages mask phone numbers and never name an IIN, a code or a password (tests read the captured logs)."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

from portal import metrics
from portal.security import request_id

log = logging.getLogger("portal.requests")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # The request's id: given with the record by what answers outside a Flask request (the page cache).
        given = getattr(record, "request_id", None)
        if given is not None:
            entry["request_id"] = given
        elif has_request_context():
            entry["request_id"] = request_id()
        page_cache = getattr(record, "page_cache", None)
        if page_cache is not None:
            entry["page_cache"] = page_cache
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class LimiterStorageLost(logging.Filter):
    """Flask-Limiter warns when Redis stops answering and falls back to each instance's memory. For an operator
    that is an error (the limits are no longer shared by the instances), so it is logged as one, and says so."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "storage unreachable" in record.getMessage():
            record.levelno, record.levelname = logging.ERROR, "ERROR"
            record.msg = "Redis unreachable: sign-in limits fall back to each instance's own memory until it returns"
            record.args = ()
        return True


def _started() -> None:
    g.started = time.perf_counter()


def _finished(response: Response) -> Response:
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    log.info("%s %s %s %.1f ms", request.method, request.path, response.status_code, elapsed * 1000)
    metrics.observe(request.method, response.status_code, elapsed)
    return response


def init_app(app: Flask) -> None:
    if not app.testing and not any(isinstance(h.formatter, JsonFormatter) for h in logging.getLogger().handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root = logging.getLogger()
        root.handlers = [handler]
        root.setLevel(logging.INFO)
    limiter_log = logging.getLogger("flask-limiter")
    if not any(isinstance(f, LimiterStorageLost) for f in limiter_log.filters):
        limiter_log.addFilter(LimiterStorageLost())
    app.before_request(_started)
    app.after_request(_finished)
