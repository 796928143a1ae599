"""/metrics in the Prometheus text format: requests by route and status with latency, sign-in outcomes, codes
sent and failed. Only loopback (a scraper beside the app) or a bearer PORTAL_METRICS_TOKEN may read it.

Under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR to an empty folder so that the figures of
every worker add up (prometheus_client's multiprocess mode)."""

from __future__ import annotations

import hmac
import os

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

bp = Blueprint("metrics", __name__)

REQUESTS = Counter("portal_requests_total", "HTTP requests answered", ["route", "method", "status"])
LATENCY = Histogram(
    "portal_request_seconds",
    "Time to answer a request",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
SIGN_INS = Counter(
    "portal_sign_ins_total",
    "Password sign-in attempts by outcome: signed_in, failed, throttled, code_required",
    ["outcome"],
)
CODES = Counter("portal_codes_total", "SMS codes by outcome", ["outcome"])
LOOPBACK = {"127.0.0.1", "::1"}


def observe(method: str, status: int, seconds: float) -> None:
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route).observe(seconds)


def _allowed() -> bool:
    token = current_app.config.get("PORTAL_METRICS_TOKEN")
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if token and hmac.compare_digest(offered, str(token)):
        return True
    return request.remote_addr in LOOPBACK and "X-Forwarded-For" not in request.headers


@bp.get("/metrics")
def metrics() -> Response:
    if not _allowed():
        abort(404)
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # the library is untyped
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
