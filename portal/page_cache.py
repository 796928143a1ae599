"""The page cache: a worker shows again, without running the app, a page it has just rendered, while nothing that
page shows can have changed (docs/performance.md, "The page cache").

What is kept: the whole answer (status, headers, body) to a GET of a view marked `@cacheable` (the start page, the
FAQ, and the signed-in client's Профиль, Мои договора, Как оплатить, График платежей and История платежей), exactly
as the app gave it, in the worker's own memory, for PORTAL_PAGE_CACHE_SECONDS (60) at most: a signed-in client's
pages under that client's session, a visitor's (no one signed in) for every visitor. The key is everything the
answer may differ by: the URL with its query string, the htmx headers, the `lang` cookie, host and scheme.

A kept page is served with no session cookie signed, no database, no template; so every rule the app applies to a
request is applied to it here:
- The session still stands. A page is served only to the session it was rendered for, decoded from the same signed
  cookie the app reads, and not past the 8 hours since sign-in. Every session of a client ends at once on every
  worker of every instance: the app, once it has committed a logout, a password change or a reset (anything that
  calls `forget_client`), publishes it on Redis, and a worker reads what was published before it serves a page.
  Idle time needs nothing more: a kept page is younger than a minute, so its session was active a minute ago. A
  served page is activity: each worker tells Redis once a second (`last_seen`), and the app's own idle check
  counts it.
- What it shows has not changed. Whatever the app commits that a page shows is published the same way: a client's
  own row drops that client's pages, contracts, entries, deposits and the FAQ drop every page (an import, the demo
  reset, `portal faq`). A change made outside the app (an operator's SQL) shows within PORTAL_PAGE_CACHE_SECONDS. A
  kept page is one Kazakhstan day's only.
- Nothing of one request is replayed: no page that showed a flashed message, set a cookie of its own (a visitor's
  new CSRF token, ?lang=), or was asked by support staff is kept; a signed-in page's refreshed session cookie is left
  out (the browser keeps the one it has) and each answer gets its own X-Request-Id.

Without Redis (REDIS_URL unset) there is no page cache: the workers could not hear what the others change. When Redis
stops answering, a worker empties its cache and stands aside, rendering every page, until Redis answers again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import redis
from flask import Flask, Response, current_app, has_app_context, request, session
from flask.globals import request_ctx
from flask_login import current_user
from itsdangerous import BadSignature
from redis.exceptions import RedisError
from sqlalchemy import TextClause, event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from portal import metrics
from portal.clock import today
from portal.domain.clock import kazakhstan_today
from portal.logs import log as request_log
from portal.security import valid_request_id

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

CHANNEL = "portal:pages"  # what the app publishes: EVERY_PAGE, or "client:<id>"
EVERY_PAGE = "*"
SEEN = "portal:seen"  # a sorted set: session id → the last moment (epoch seconds) a worker served it a page
ENVIRON_KEY = "portal.page_cache"  # the app's offer of its answer, left in the WSGI environ for the middleware
WORKER_BYTES = 16 * 1024 * 1024  # the pages one worker keeps, at most (a page is 2 to 11 KB)
LARGEST_PAGE = 64 * 1024  # a bigger answer is not a page of ours (DESIGN §4: at most 40 KB)
REMEMBERED_COOKIES = 10_000  # session cookies decoded once and remembered, per worker
RETRY_SECONDS = 5.0  # after Redis failed, how long a worker renders every page before it asks Redis again
REPORT_SECONDS = 1.0  # how often a worker tells Redis which sessions it served
SEEN_KEPT_SECONDS = 8 * 3600  # no session lives longer: older activity is dropped from SEEN
# Tables whose rows every kept page may show (a contract's figures, the FAQ): any change drops every page.
EVERY_PAGE_TABLES = frozenset({"contracts", "schedule_entries", "deposits", "faq_entries"})
# A statement on `clients` that writes only sign-in state (failed attempts, a lock, a code's time, the session
# version), which no kept page shows, says so with `.execution_options(**NOT_SHOWN)`; any other drops every page.
NOT_SHOWN = {"shown_on_pages": False}
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|TRUNCATE|MERGE)\b", re.IGNORECASE)
_FORGET = "page_cache.forget"  # db.session.info: what to publish when the transaction commits

Variant = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose a kept page is: one signed-in session of a client, or (no session) every visitor."""

    session: str | None = None
    client: int | None = None
    ends_at: float = float("inf")  # the session's end however active (epoch seconds): 8 hours after sign-in


VISITOR = Owner()
OwnerOf = Callable[[Mapping[str, Any]], Owner | None]


@dataclass(frozen=True, slots=True)
class Offer:
    """What the app says of an answer it may let the middleware keep: whose it is, the route (for the metrics),
    and the day it was rendered on."""

    owner: Owner
    route: str
    day: date


@dataclass(slots=True)
class Kept:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    route: str
    owner: Owner
    day: date
    stored_at: float  # the app's clock when the request that rendered it came in


def cacheable(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a view whose GET answers may be kept: it must write nothing and show nothing of one request alone.
    Put it right under the route decorator."""
    view.page_cache = True  # type: ignore[attr-defined]
    return view


def _offer(response: Response) -> Response:
    """after_request: leave the middleware an Offer when this answer may be kept (it checks the rest itself)."""
    if request.method != "GET" or response.status_code != 200 or "lang" in request.args:
        return response
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "page_cache", False) or request_ctx.flashes or request.url_rule is None:
        return response
    cache: PageCache = current_app.extensions["page_cache"]
    owner = cache.owner_of(session)
    if owner is None:
        return response
    shown_to = current_user.id if current_user.is_authenticated else None
    if shown_to != owner.client:  # e.g. a session whose client the app no longer accepts
        return response
    request.environ[ENVIRON_KEY] = Offer(owner, request.url_rule.rule, today())
    return response


class PageCache:
    """The WSGI middleware around the Flask app (create_app installs it when Redis is configured)."""

    def __init__(self, app: Flask, wsgi_app: WSGIApplication, owner_of: OwnerOf) -> None:
        config = app.config
        self.wsgi_app = wsgi_app
        self.owner_of = owner_of
        self.max_age = float(config["PORTAL_PAGE_CACHE_SECONDS"])
        self.cookie_lifetime = int(config["PERMANENT_SESSION_LIFETIME"].total_seconds())
        self.url: str = config["REDIS_URL"]
        self.config = config  # its clock and PORTAL_TODAY, read as the app reads them: at each request
        signer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        if signer is None:
            raise RuntimeError("the page cache needs SECRET_KEY to read the session cookie")
        self.signer = signer
        name = re.escape(config["SESSION_COOKIE_NAME"])
        self.session_cookie_name: str = config["SESSION_COOKIE_NAME"]
        self._session_cookie = re.compile(rf"(?:^|;)\s*{name}=([^;]*)")
        self._language_cookie = re.compile(r"(?:^|;)\s*lang=([^;]*)")
        self._lock = threading.RLock()
        self._pages: OrderedDict[tuple[str | None, Variant], Kept] = OrderedDict()
        self._variants: dict[str | None, set[Variant]] = {}
        self._sessions: dict[int, set[str]] = {}
        self._bytes = 0
        self._owners: OrderedDict[str, Owner | None] = OrderedDict()
        self._served: dict[str, float] = {}  # sessions served a kept page since the last report → when
        self._generation = 0  # counts what emptied the cache: an answer rendered across a change is not kept
        self._pid = 0
        self._redis: redis.Redis | None = None
        self._pubsub: Any = None
        self._retry_at = 0.0
        self._lost_messages = False

    # --- the request ------------------------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        if environ.get("REQUEST_METHOD") != "GET" or "lang=" in environ.get("QUERY_STRING", ""):
            return self.wsgi_app(environ, start_response)
        moment: datetime = self.config["PORTAL_CLOCK"]()
        with self._lock:
            if not self._listen():
                return self.wsgi_app(environ, start_response)
            owner = self._owner(environ)
            if owner is None:
                return self.wsgi_app(environ, start_response)
            variant = self._variant(environ)
            kept = self._find(owner, variant, moment)
            generation = self._generation
            if kept is not None and owner.session is not None:
                self._served[owner.session] = moment.timestamp()
        if kept is not None:
            return self._serve(kept, environ, start_response, started)
        return self._render(environ, start_response, owner, variant, moment, generation)

    def _owner(self, environ: WSGIEnvironment) -> Owner | None:
        """Whose pages this request may be shown: the session its cookie holds (decoded, and remembered, once per
        cookie), VISITOR without one, None when only the app can answer it."""
        match = self._session_cookie.search(environ.get("HTTP_COOKIE", ""))
        if match is None:
            return VISITOR
        value = match.group(1)
        if value in self._owners:
            return self._owners[value]
        try:
            data = self.signer.loads(value, max_age=self.cookie_lifetime)
        except BadSignature:
            owner = None  # the app starts a new session for it
        else:
            owner = self.owner_of(data) if isinstance(data, dict) else None
        self._owners[value] = owner
        if len(self._owners) > REMEMBERED_COOKIES:
            self._owners.popitem(last=False)
        return owner

    def _variant(self, environ: WSGIEnvironment) -> Variant:
        language = self._language_cookie.search(environ.get("HTTP_COOKIE", ""))
        return (
            environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_HX_REQUEST", ""),
            environ.get("HTTP_HX_TARGET", ""),
            environ.get("HTTP_HX_HISTORY_RESTORE_REQUEST", ""),
            environ.get("HTTP_HX_BOOSTED", ""),
            language.group(1) if language else "",
        )

    def _find(self, owner: Owner, variant: Variant, moment: datetime) -> Kept | None:
        key = (owner.session, variant)
        kept = self._pages.get(key)
        if kept is None:
            return None
        at = moment.timestamp()
        if at - kept.stored_at > self.max_age or kept.day != self._today(moment) or at > owner.ends_at:
            self._drop(key)
            return None
        self._pages.move_to_end(key)
        return kept

    def _today(self, moment: datetime) -> date:
        fixed: date | None = self.config.get("PORTAL_TODAY")
        return fixed if fixed is not None else kazakhstan_today(moment)

    def _serve(
        self, kept: Kept, environ: WSGIEnvironment, start_response: StartResponse, started: float
    ) -> Iterable[bytes]:
        offered = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = offered if valid_request_id(offered) else uuid.uuid4().hex
        start_response(kept.status, [*kept.headers, ("X-Request-Id", request_id)])
        elapsed = time.perf_counter() - started
        status = int(kept.status[:3])
        # The app's request line (portal.logs), for a page it did not have to render.
        request_log.info(
            "%s %s %s %.1f ms",
            "GET",
            environ.get("PATH_INFO", ""),
            status,
            elapsed * 1000,
            extra={"request_id": request_id, "page_cache": "hit"},
        )
        metrics.observe_route(kept.route, "GET", status, elapsed)
        metrics.PAGE_CACHE.labels("hit").inc()
        return [kept.body]

    def _render(
        self,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        owner: Owner,
        variant: Variant,
        moment: datetime,
        generation: int,
    ) -> Iterable[bytes]:
        answer: dict[str, Any] = {}

        def remember(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, remember)
        offer: Offer | None = environ.get(ENVIRON_KEY)
        if offer is None or offer.owner != owner or not answer.get("status", "").startswith("200"):
            return body
        headers = self._headers_to_keep(answer["headers"], owner)
        if headers is None:
            return body
        try:
            content = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        if len(content) <= LARGEST_PAGE:
            with self._lock:
                if generation == self._generation and self._pubsub is not None:
                    kept = Kept(answer["status"], headers, content, offer.route, owner, offer.day, moment.timestamp())
                    self._keep((owner.session, variant), kept)
                    metrics.PAGE_CACHE.labels("kept").inc()
        return [content]

    def _headers_to_keep(self, headers: list[tuple[str, str]], owner: Owner) -> list[tuple[str, str]] | None:
        """The answer's headers as a kept page sends them, or None when it must not be kept: it set a cookie of its
        own. A signed-in session's cookie, signed again with each answer, is left out; the browser keeps its own."""
        kept = []
        for name, value in headers:
            lowered = name.lower()
            if lowered == "x-request-id":
                continue
            if lowered == "set-cookie":
                if owner.session is None or not value.startswith(self.session_cookie_name + "="):
                    return None
                continue
            kept.append((name, value))
        return kept

    # --- what the worker keeps --------------------------------------------------------------------------------

    def _keep(self, key: tuple[str | None, Variant], kept: Kept) -> None:
        self._drop(key)
        self._pages[key] = kept
        self._bytes += len(kept.body)
        self._variants.setdefault(key[0], set()).add(key[1])
        if kept.owner.client is not None and kept.owner.session is not None:
            self._sessions.setdefault(kept.owner.client, set()).add(kept.owner.session)
        while self._bytes > WORKER_BYTES:
            self._drop(next(iter(self._pages)))

    def _drop(self, key: tuple[str | None, Variant]) -> None:
        kept = self._pages.pop(key, None)
        if kept is None:
            return
        self._bytes -= len(kept.body)
        variants = self._variants.get(key[0])
        if variants is not None:
            variants.discard(key[1])
            if not variants:
                del self._variants[key[0]]

    def _drop_client(self, client: int) -> None:
        for session_id in self._sessions.pop(client, set()):
            for variant in list(self._variants.get(session_id, ())):
                self._drop((session_id, variant))

    def _empty(self) -> None:
        self._pages.clear()
        self._variants.clear()
        self._sessions.clear()
        self._owners.clear()
        self._bytes = 0
        self._generation += 1

    # --- Redis: what the app published, and the activity the app's idle check reads ---------------------------

    def _listen(self) -> bool:
        """Apply what the app published since the last request. False while Redis cannot be heard: then nothing is
        served from the cache or kept in it."""
        if self._pid != os.getpid():  # a new worker (gunicorn forks): nothing of its parent's
            self._pid = os.getpid()
            self._empty()
            self._redis = self._pubsub = None
            self._served.clear()
            _Reporter.start(self)
        if self._pubsub is None:
            if time.monotonic() < self._retry_at:
                return False
            try:
                self._subscribe()
            except RedisError:
                self._stand_aside()
                return False
        try:
            while (message := self._pubsub.get_message(timeout=0.0)) is not None:
                self._apply(message["data"])
        except RedisError:
            self._stand_aside()
            return False
        if self._lost_messages:
            self._lost_messages = False
            self._empty()
        return True

    def _subscribe(self) -> None:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)
        pubsub = client.pubsub(ignore_subscribe_messages=False)
        pubsub.subscribe(CHANNEL)
        # Once Redis confirms, nothing published later is missed; the cache was empty until then.
        confirmed = pubsub.get_message(timeout=1.0)
        if confirmed is None or confirmed.get("type") != "subscribe":
            pubsub.close()
            raise redis.ConnectionError("the page cache's subscription was not confirmed")
        pubsub.ignore_subscribe_messages = True
        # redis-py connects again by itself when the connection drops, and subscribes again: what was published
        # meanwhile is lost, so the cache then empties (_listen).
        pubsub.connection.register_connect_callback(self._connected_again)
        self._redis, self._pubsub = client, pubsub
        self._generation += 1

    def _connected_again(self, connection: object) -> None:
        self._lost_messages = True

    def _apply(self, published: bytes) -> None:
        for target in published.decode().split():
            if target == EVERY_PAGE:
                self._empty()
                return
            if target.startswith("client:") and target[7:].isdigit():
                self._drop_client(int(target[7:]))
                self._generation += 1

    def _stand_aside(self) -> None:
        if self._pubsub is not None or self._retry_at == 0.0:
            log.warning("Redis does not answer: the page cache is emptied and every page rendered", exc_info=True)
        if self._pubsub is not None:
            with contextlib.suppress(RedisError):
                self._pubsub.close()
        self._pubsub = None
        self._retry_at = time.monotonic() + RETRY_SECONDS
        self._empty()
        self._served.clear()

    def report(self) -> None:
        """Tell Redis which sessions this worker served kept pages to, and when (the app's idle check reads it)."""
        with self._lock:
            served, self._served = self._served, {}
            client = self._redis
        if not served or client is None:
            return
        try:
            pipeline = client.pipeline(transaction=False)
            pipeline.zadd(SEEN, served, gt=True)
            pipeline.zremrangebyscore(SEEN, "-inf", max(served.values()) - SEEN_KEPT_SECONDS)
            pipeline.execute()
        except RedisError:
            with self._lock:
                self._stand_aside()

    def last_seen(self, session_id: str) -> float | None:
        """The last moment a worker served this session a kept page (epoch seconds), as far as Redis knows it and
        this worker has not yet told it; None when there is none or Redis cannot be asked."""
        with self._lock:
            here = self._served.get(session_id)
            client = self._redis or redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)
        try:
            there = client.zscore(SEEN, session_id)
        except RedisError:
            log.warning("Redis does not answer: a session's activity on kept pages is not counted", exc_info=True)
            there = None
        found = [float(value) for value in (here, there) if value is not None]
        return max(found) if found else None

    def publish(self, targets: Iterable[str]) -> None:
        """Tell every worker to drop these pages (EVERY_PAGE or "client:<id>"); this worker drops them at once."""
        message = " ".join(sorted(targets))
        with self._lock:
            self._apply(message.encode())
            client = self._redis or redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.publish(CHANNEL, message)
        except RedisError:
            log.error(
                "Redis does not answer: other workers may show pages of before this change for up to %d s",
                self.max_age,
                exc_info=True,
            )


class _Reporter:
    """One thread a worker: sends the sessions it served kept pages to Redis once a second, until the cache goes."""

    @staticmethod
    def start(cache: PageCache) -> None:
        reference = weakref.ref(cache)
        threading.Thread(target=_Reporter.run, args=(reference,), name="page-cache-reporter", daemon=True).start()

    @staticmethod
    def run(reference: weakref.ref[PageCache]) -> None:
        while True:
            time.sleep(REPORT_SECONDS)
            cache = reference()
            if cache is None or cache._pid != os.getpid():
                return
            try:
                cache.report()
            except Exception:  # a thread's failure must not pass unseen, nor end the reporting
                log.exception("the page cache could not report the sessions it served")
            del cache


# --- what the app commits: the pages it drops --------------------------------------------------------------------


def forget_client(client_id: int) -> None:
    """Every kept page of this client drops on every worker once the current transaction commits."""
    _queued().add(f"client:{client_id}")


def forget_every_page() -> None:
    """Every kept page drops on every worker once the current transaction commits."""
    _queued().add(EVERY_PAGE)


def _queued() -> set[str]:
    from portal.extensions import db

    queued: set[str] = db.session.info.setdefault(_FORGET, set())
    return queued


@event.listens_for(Session, "after_flush")
def _flushed(flushed: Session, context: UOWTransaction) -> None:
    from portal.models import Client, Contract, Deposit, FaqEntry, ScheduleEntry

    targets: set[str] = flushed.info.setdefault(_FORGET, set())
    for instance in chain(flushed.new, flushed.dirty, flushed.deleted):
        if isinstance(instance, Client):
            if instance in flushed.new or instance in flushed.deleted or flushed.is_modified(instance):
                targets.add(f"client:{instance.id}")
        elif isinstance(instance, Contract | ScheduleEntry | Deposit | FaqEntry):
            targets.add(EVERY_PAGE)


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if isinstance(state.statement, TextClause):  # SQL by hand, through the app: whatever it changes
        changes = _WRITES.match(state.statement.text) is not None
    elif state.is_insert or state.is_update or state.is_delete:
        table = getattr(getattr(state.statement, "table", None), "name", None)
        changes = table in EVERY_PAGE_TABLES or (
            table == "clients" and state.execution_options.get("shown_on_pages", True)
        )
    else:
        changes = False
    if changes:
        state.session.info.setdefault(_FORGET, set()).add(EVERY_PAGE)


@event.listens_for(Session, "after_commit")
def _committed(committed: Session) -> None:
    targets: set[str] | None = committed.info.pop(_FORGET, None)
    if not targets or not has_app_context():
        return
    cache: PageCache | None = current_app.extensions.get("page_cache")
    if cache is not None:
        cache.publish({EVERY_PAGE} if EVERY_PAGE in targets else targets)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(rolled_back: Session, previous_transaction: object) -> None:
    rolled_back.info.pop(_FORGET, None)


def init_app(app: Flask, owner_of: OwnerOf) -> None:
    """Put the page cache in front of the app when Redis is configured and PORTAL_PAGE_CACHE_SECONDS is above 0."""
    if not app.config.get("REDIS_URL") or app.config["PORTAL_PAGE_CACHE_SECONDS"] <= 0:
        return
    cache = PageCache(app, app.wsgi_app, owner_of)
    app.extensions["page_cache"] = cache
    app.wsgi_app = cache  # type: ignore[method-assign]
    app.after_request(_offer)
