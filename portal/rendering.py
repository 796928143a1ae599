"""One place decides whether a request gets the whole page or one named block of it (htmx), and keeps the
HTML of the blocks that many requests render alike (kept)."""

from __future__ import annotations

import functools
import hashlib
import logging
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, make_response, redirect, render_template, request
from jinja2 import pass_context
from jinja2.runtime import Context
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from portal import shared_cache
from portal.clock import today

log = logging.getLogger(__name__)


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
        response = redirect(location, code)
    response.vary.add("HX-Request")
    return response


@functools.cache
def release() -> str:
    """A digest of the code, templates and catalogues this process runs: kept HTML is never read by a worker of
    another release (during a deploy both share Redis)."""
    root = Path(__file__).parent
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(root.rglob("*")):
        if path.suffix in {".py", ".html", ".mo"} and path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pass_context
def kept(context: Context, name: str, /, *parts: object, caller: Callable[[], str], when: bool = True) -> Markup:
    """The HTML of a template's `{% call kept(name, parts...) %}...{% endcall %}`, rendered once and kept in the
    shared cache for the requests that would render it alike.

    `parts` name what the block shows (e.g. `contracts_version(contracts)`, the page asked for); the key adds
    what every block depends on without naming it: the release, the page's language, Kazakhstan's day, who
    looks (support's read-only view links elsewhere and shows no documents) and where the app is mounted. A
    block with a form's CSRF token, a flashed message or anything else of one request must not be kept.
    `when=False` renders it without keeping it (what was asked is not worth a place in the cache)."""
    if not when:
        # caller() is the block as the template rendered it, autoescaped; Markup keeps it from being escaped twice.
        return Markup(caller())  # noqa: S704  # nosec B704
    key = ":".join(
        str(part)
        for part in (
            "html",
            release(),
            name,
            context.get("current_language"),
            today().isoformat(),
            g.get("viewed_client_id"),
            request.script_root,
            *parts,
        )
    )
    packed = shared_cache.get(key)
    if packed is not None:
        try:
            # What this function kept below: a block as the template rendered it.
            return Markup(zlib.decompress(packed).decode())  # noqa: S704  # nosec B704
        except (TypeError, UnicodeDecodeError, zlib.error):
            log.warning("kept HTML could not be read; rendering it again", exc_info=True)
    html = caller()
    shared_cache.set(key, lambda: zlib.compress(html.encode(), 1))
    return Markup(html)  # noqa: S704  # nosec B704


def init_app(app: Flask) -> None:
    release()
    app.jinja_env.globals["kept"] = kept
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
