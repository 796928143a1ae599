"""One place decides whether a request gets the whole page or one named block of it (htmx)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block


def is_htmx_request() -> bool:
    """An htmx request that swaps part of a page; a history restore wants the whole page (django-htmx rules)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Boosted") != "true"
    )


def render_page(template: str, block: str | Mapping[str, str] | None = None, **context: Any) -> Response:
    """The whole page, or only one named block of it for an htmx request; the answer varies by HX-Request.

    `block` is the block htmx swaps, or, for a page with nested regions, a mapping from each region's element
    id to its block: the region the request targets (HX-Target) is rendered, the first one when it names none
    of them.
    """
    if block is not None and is_htmx_request():
        if not isinstance(block, str):
            block = block.get(request.headers.get("HX-Target", ""), next(iter(block.values())))
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    return response


def render_fragment(template: str, block: str, **context: Any) -> Response:
    """Only the named block, whoever asks: for endpoints that exist to feed one region of a page."""
    response = make_response(render_block(template, block, **context))
    response.vary.add("HX-Request")
    return response


def redirect_to(location: str, code: int = 303) -> Response:
    """Leave the page: a redirect for a browser, HX-Redirect for htmx (never a redirect swapped into a fragment)."""
    if is_htmx_request():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = location
    else:
        response = make_response(redirect(location, code))
    response.vary.add("HX-Request")
    return response


def css_string(text: str) -> str:
    """Text as the inside of a double-quoted CSS string."""
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["css_string"] = css_string
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
