"""Response headers that every page carries (CSP, no framing, no sniffing, no caching of personal data, HSTS in
production), and the request id that ties a client's error page to the log lines behind it."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, current_app, g, request

# No inline script or style anywhere: htmx is configured for it (base.html's htmx-config meta).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def valid_request_id(offered: str) -> bool:
    """Whether nginx's X-Request-Id may be used as this request's id."""
    return _REQUEST_ID.fullmatch(offered) is not None


def request_id() -> str:
    """This request's id: the one nginx passed on (X-Request-Id), or a new one."""
    if "request_id" not in g:
        offered = request.headers.get("X-Request-Id", "")
        g.request_id = offered if valid_request_id(offered) else uuid.uuid4().hex
    return str(g.request_id)


def secure_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # For browsers that do not read CSP's frame-ancestors: no page of ours is shown inside another's frame.
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers["X-Request-Id"] = request_id()
    if current_app.config["PORTAL_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if request.endpoint != "static":
        # Pages may hold an IIN, a phone or a debt: neither the browser nor a proxy keeps a copy (a view that
        # answers the same to everyone, such as the tables' column names, says so itself).
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.after_request(secure_headers)
    app.jinja_env.globals["request_id"] = request_id
