"""The page cache: a page seen again is the page the app would render, served without the app, and never once it
could differ: after a logout or a password change (on every worker), a change to what it shows, the next day, eight
hours after sign-in, or for anyone but the session it was rendered for. Every test runs the app as production does,
with Redis; a second app on the same Redis and database is a second worker."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import redis
from flask import Flask, Response, make_response
from flask.testing import FlaskClient
from sqlalchemy import select, text
from werkzeug.test import TestResponse

from portal.auth.session import SESSION_ID, STAFF_ID, page_owner
from portal.config import ConfigError
from portal.extensions import db
from portal.importer import import_document, parse_document
from portal.models import Client, Contract
from portal.page_cache import VISITOR, PageCache, cacheable
from tests.app.test_cabinet import load_crafted, sign_in_crafted, statuses_on_page
from tests.app.test_view_cache import BEFORE, september_paid
from tests.conftest import AuthActions, FakeClock, QueryCounter, csrf_token, make_app, running

OCTOBER = date(2022, 10, 15)


@pytest.fixture
def app_settings(redis_url: str) -> dict[str, object]:
    """Every app of these tests has Redis, hence its page cache."""
    return {"REDIS_URL": redis_url}


@pytest.fixture
def second_worker(
    migrated: str, app_settings: dict[str, object], clock: FakeClock, outbox: Path, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    """Another worker: an app of its own (its own page cache) on the same database, Redis and clock."""
    settings = {**app_settings, "PORTAL_CLOCK": clock, "PORTAL_SMS_OUTBOX": str(outbox)}
    worker = make_app(migrated, **settings, **getattr(request, "param", {}))
    yield worker
    with running(worker):  # its pool's connections closed
        pass


@pytest.fixture
def hits(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """The paths the page cache served, read from the request log lines as an operator reads them."""
    caplog.set_level(logging.INFO, logger="portal.requests")
    served: list[str] = []

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if getattr(record, "page_cache", None) == "hit":
                served.append(record.getMessage().split()[1])

    watch = Watch()
    logging.getLogger("portal.requests").addHandler(watch)
    yield served
    logging.getLogger("portal.requests").removeHandler(watch)


def cache_of(app: Flask) -> PageCache:
    cache: PageCache = app.extensions["page_cache"]
    return cache


def same_device(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of this client's session cookie."""
    copy = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None
    copy.set_cookie("session", cookie.value)
    return copy


def without_request_id(response: TestResponse) -> list[tuple[str, str]]:
    return [(name, value) for name, value in response.headers.items() if name != "X-Request-Id"]


HTMX_PANEL = {"HX-Request": "true", "HX-Target": "contract-panel"}
HTMX_TABLE = {"HX-Request": "true", "HX-Target": "schedule-table"}


def cabinet_pages(contract_id: int) -> list[tuple[str, dict[str, str]]]:
    return [
        ("/profile", {}),
        ("/contracts", {}),
        (f"/contracts/{contract_id}", {}),
        (f"/contracts/{contract_id}", HTMX_PANEL),
        (f"/contracts/{contract_id}/pay", {}),
        ("/schedule", {}),
        (f"/schedule/{contract_id}?page=2", {}),
        (f"/schedule/{contract_id}?page=2", HTMX_TABLE),
        (f"/history/{contract_id}", {}),
        ("/faq?q=пароль", {"HX-Request": "true", "HX-Target": "faq-results"}),
    ]


@pytest.mark.usefixtures("demo")
def test_a_page_seen_again_is_the_apps_page_served_without_the_app(
    client: FlaskClient, auth: AuthActions, queries: QueryCounter, hits: list[str]
) -> None:
    auth.login()
    contract_id = db.session.scalars(select(Contract.id).where(Contract.account == "1000000001")).one()
    for path, headers in cabinet_pages(contract_id):
        rendered = client.get(path, headers=headers)
        assert rendered.status_code == 200, path
        assert not hits

        with queries:
            again = client.get(path, headers=headers)

        assert hits == [path.split("?")[0]], path
        assert queries.count == 0, path
        assert again.get_data() == rendered.get_data(), path
        assert without_request_id(again) == [
            (name, value) for name, value in without_request_id(rendered) if name != "Set-Cookie"
        ], path
        assert again.headers["X-Request-Id"] != rendered.headers["X-Request-Id"]
        hits.clear()


@pytest.mark.usefixtures("demo")
def test_a_whole_page_and_its_htmx_fragment_are_kept_apart(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    contract_id = db.session.scalars(select(Contract.id).where(Contract.account == "1000000001")).one()
    whole = client.get(f"/contracts/{contract_id}").get_data(as_text=True)
    panel = client.get(f"/contracts/{contract_id}", headers=HTMX_PANEL).get_data(as_text=True)

    assert client.get(f"/contracts/{contract_id}").get_data(as_text=True) == whole
    assert client.get(f"/contracts/{contract_id}", headers=HTMX_PANEL).get_data(as_text=True) == panel
    assert "<html" in whole and "<html" not in panel


@pytest.mark.usefixtures("demo")
def test_visitors_share_the_start_page_and_the_faq_and_get_no_cookie(app: Flask, hits: list[str]) -> None:
    first, second = app.test_client(), app.test_client()
    for path in ("/", "/faq?q=пароль"):
        shown = first.get(path)
        again = second.get(path)
        assert again.get_data() == shown.get_data()
        assert "Set-Cookie" not in again.headers
    assert hits == ["/", "/faq"]


@pytest.mark.usefixtures("demo")
def test_a_page_that_sets_a_cookie_of_its_own_is_never_kept(app: Flask, hits: list[str]) -> None:
    for _ in range(2):
        assert "Set-Cookie" in app.test_client().get("/login").headers  # a new session with its CSRF token
        assert app.test_client().get("/profile?lang=kk").status_code == 302
    visitor = app.test_client()
    visitor.get("/?lang=kk")
    assert '<html lang="kk">' in visitor.get("/").get_data(as_text=True)  # the lang cookie's page, not Russian's
    assert hits == []


@pytest.mark.usefixtures("demo")
def test_each_session_sees_only_its_own_client(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    load_crafted()
    other = app.test_client()
    sign_in_crafted(AuthActions(other, auth.outbox))
    auth.login()
    for _ in range(2):
        assert "Ахметов" in client.get("/profile").get_data(as_text=True)
        profile = other.get("/profile").get_data(as_text=True)
        assert "Ахметов" not in profile
    assert app.test_client().get("/profile").status_code == 302  # a visitor, although the page is kept


@pytest.mark.usefixtures("demo")
def test_logout_on_one_worker_ends_the_kept_pages_on_every_worker(
    app: Flask, client: FlaskClient, auth: AuthActions, second_worker: Flask
) -> None:
    auth.login()
    elsewhere = same_device(second_worker, client)
    copied = same_device(app, client)
    for browser in (client, elsewhere, copied):
        for _ in range(2):
            assert browser.get("/profile").status_code == 200

    assert auth.logout().status_code == 303

    assert copied.get("/profile").status_code == 302
    assert elsewhere.get("/profile").status_code == 302


@pytest.mark.usefixtures("demo")
def test_a_password_reset_ends_the_kept_pages_of_every_other_session(
    app: Flask, client: FlaskClient, auth: AuthActions, second_worker: Flask
) -> None:
    auth.login()
    phone = same_device(second_worker, client)
    for _ in range(2):
        assert phone.get("/contracts").status_code == 200

    assert AuthActions(app.test_client(), auth.outbox).reset_password("Danik#Astana2027").status_code == 303

    assert phone.get("/contracts").status_code == 302


def schedule(client: FlaskClient, contract_id: int) -> list[str]:
    return statuses_on_page(client.get(f"/schedule/{contract_id}?year=all&per_page=12").get_data(as_text=True))


@pytest.mark.parametrize("app", [{"PORTAL_TODAY": OCTOBER}], indirect=True)
@pytest.mark.parametrize("second_worker", [{"PORTAL_TODAY": OCTOBER}], indirect=True)
def test_an_import_shows_on_the_next_page_on_every_worker(
    app: Flask, client: FlaskClient, auth: AuthActions, second_worker: Flask, hits: list[str]
) -> None:
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    elsewhere = same_device(second_worker, client)
    for browser in (client, elsewhere):
        assert schedule(browser, contract_id) == BEFORE
        assert schedule(browser, contract_id) == BEFORE
    assert len(hits) == 2

    import_document(db.session, parse_document(json.dumps(september_paid())))
    db.session.commit()

    for browser in (client, elsewhere):
        assert schedule(browser, contract_id) == ["Погашено"] * 3 + BEFORE[3:]


@pytest.mark.parametrize("app", [{"PORTAL_TODAY": OCTOBER}], indirect=True)
def test_sql_by_hand_through_the_app_shows_at_once_and_from_outside_it_within_the_cache_time(
    app: Flask, client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    assert schedule(client, contract_id) == BEFORE

    db.session.execute(
        text("UPDATE schedule_entries SET debited = 120000, debited_on = '2022-09-25' WHERE contract_id = :id"),
        {"id": contract_id},
    )
    db.session.commit()
    assert schedule(client, contract_id)[2] == "Погашено"

    # An operator's psql: nothing of the app sees it, so the kept page stands for PORTAL_PAGE_CACHE_SECONDS.
    with db.engine.connect() as outside:
        outside.execute(
            text("UPDATE schedule_entries SET debited = 0, debited_on = NULL WHERE contract_id = :id"),
            {"id": contract_id},
        )
        outside.commit()
    assert schedule(client, contract_id)[2] == "Погашено"
    clock.advance(seconds=app.config["PORTAL_PAGE_CACHE_SECONDS"] + 1)
    assert schedule(client, contract_id)[2] == "Просрочено"


@pytest.mark.usefixtures("demo")
def test_the_clients_own_changes_show_at_once(client: FlaskClient, auth: AuthActions, hits: list[str]) -> None:
    auth.login()
    assert "Напоминания включены." in client.get("/profile").get_data(as_text=True)  # the demo client's choice
    client.get("/profile")
    token = csrf_token(client.get("/profile").get_data(as_text=True))

    client.post("/profile/reminders", data={"csrf_token": token, "reminders": "off"}, headers={"HX-Request": "true"})
    assert "Напоминания выключены." in client.get("/profile").get_data(as_text=True)

    # Without htmx the answer is a redirect and a flashed message: the page that shows it is the app's own.
    client.post("/profile/reminders", data={"csrf_token": token, "reminders": "on"})
    shown = client.get("/profile").get_data(as_text=True)
    assert shown.count("Напоминания включены.") == 2  # the message, and the section's state
    assert client.get("/profile").get_data(as_text=True).count("Напоминания включены.") == 1

    client.get("/contracts?lang=kk")
    assert '<html lang="kk">' in client.get("/profile").get_data(as_text=True)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("app", [{"PORTAL_TODAY": None}], indirect=True)
def test_a_page_kept_late_in_the_day_is_rendered_again_after_midnight_in_almaty(
    client: FlaskClient, auth: AuthActions, clock: FakeClock, hits: list[str]
) -> None:
    clock.current = datetime(2026, 11, 24, 18, 59, 30, tzinfo=UTC)  # 23:59:30 in Almaty
    auth.login()
    client.get("/schedule")
    client.get("/schedule")
    assert hits == ["/schedule"]

    clock.advance(seconds=40)
    client.get("/schedule")
    assert hits == ["/schedule"]


@pytest.mark.usefixtures("demo")
def test_eight_hours_after_sign_in_a_kept_page_is_not_shown(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    auth.login()
    for _ in range(8 * 6 - 1):
        clock.advance(minutes=10)
        assert client.get("/profile").status_code == 200
    clock.advance(minutes=9, seconds=40)  # 20 seconds before the 8 hours
    assert client.get("/profile").status_code == 200
    clock.advance(seconds=30)

    assert client.get("/profile").status_code == 302


@pytest.mark.usefixtures("demo")
def test_kept_pages_served_on_another_worker_keep_the_session_alive(
    app: Flask, client: FlaskClient, auth: AuthActions, clock: FakeClock, second_worker: Flask
) -> None:
    auth.login()
    elsewhere = same_device(second_worker, client)
    elsewhere.get("/profile")
    clock.advance(seconds=50)
    elsewhere.get("/profile")  # kept: the app does not see it; the worker tells Redis
    cache_of(second_worker).report()

    clock.advance(minutes=14, seconds=30)  # 15:20 since the app last saw the session, 14:30 since the kept page
    assert client.get("/contracts").status_code == 200

    clock.advance(minutes=15, seconds=1)
    ended = client.get("/contracts")
    assert ended.status_code == 302
    assert "вы не были активны 15 минут" in client.get(ended.headers["Location"]).get_data(as_text=True)


@pytest.mark.usefixtures("demo")
def test_without_redis_every_page_is_rendered_and_logout_still_ends_the_session(
    app: Flask, client: FlaskClient, auth: AuthActions, redis_url: str, hits: list[str]
) -> None:
    auth.login()
    copied = same_device(app, client)
    client.get("/profile")
    assert client.get("/profile").status_code == 200
    assert hits == ["/profile"]

    redis.Redis.from_url(redis_url).shutdown(nosave=True)
    # A worker learns that Redis is gone when Redis's end of its connection closes: until then nothing can have
    # been published, and the kept page is still the app's. Then it stands aside.
    rendered_within(client, hits, seconds=5.0)

    served = len(hits)
    for _ in range(2):
        assert "Ахметов" in client.get("/profile").get_data(as_text=True)
    assert auth.logout().status_code == 303
    assert copied.get("/profile").status_code == 302
    assert len(hits) == served


def rendered_within(client: FlaskClient, hits: list[str], seconds: float) -> None:
    """Ask for the profile until the app renders it rather than the page cache, for `seconds` at most."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        served = len(hits)
        assert client.get("/profile").status_code == 200
        if len(hits) == served:
            return
        time.sleep(0.05)
    pytest.fail(f"the page cache still served the profile {seconds} s after Redis was shut down")


def test_the_session_says_whose_pages_it_may_be_shown() -> None:
    signed_in = {"_user_id": "7", SESSION_ID: "abc", "signed_in_at": 1000.0}
    owner = page_owner(signed_in)
    assert owner is not None and (owner.session, owner.client, owner.ends_at) == ("abc", 7, 1000.0 + 8 * 3600)
    assert page_owner({}) is VISITOR
    assert page_owner({"csrf_token": "t"}) is VISITOR
    assert page_owner({**signed_in, "_flashes": [("info", "x")]}) is None
    assert page_owner({STAFF_ID: 3, "signed_in_at": 1000.0}) is None
    assert page_owner({"_user_id": "7", "signed_in_at": 1000.0}) is None  # signed in before sessions had an id


@pytest.mark.parametrize("seconds", ["-1", "601", "a minute"])
def test_the_cache_time_is_checked(migrated: str, redis_url: str, seconds: str) -> None:
    with pytest.raises(ConfigError, match="PORTAL_PAGE_CACHE_SECONDS"):
        make_app(migrated, REDIS_URL=redis_url, PORTAL_PAGE_CACHE_SECONDS=seconds)


def test_no_page_cache_without_redis_or_with_zero_seconds(migrated: str, redis_url: str) -> None:
    assert "page_cache" not in make_app(migrated, REDIS_URL=None).extensions
    assert "page_cache" not in make_app(migrated, REDIS_URL=redis_url, PORTAL_PAGE_CACHE_SECONDS=0).extensions
    assert "page_cache" in make_app(migrated, REDIS_URL=redis_url).extensions


@pytest.mark.usefixtures("demo")
def test_a_client_row_changed_by_the_app_drops_only_that_clients_pages(
    app: Flask, client: FlaskClient, auth: AuthActions, hits: list[str]
) -> None:
    auth.login()
    visitor = app.test_client()
    client.get("/profile")
    visitor.get("/faq")

    akhmetov = db.session.scalars(select(Client).where(Client.iin == "880515301238")).one()
    akhmetov.email = "d.akhmetov@new.example.kz"
    db.session.commit()

    assert "d.akhmetov@new.example.kz" in client.get("/profile").get_data(as_text=True)
    visitor.get("/faq")
    assert hits == ["/faq"]


def test_an_answer_with_a_cookie_of_its_own_is_not_kept(app: Flask, hits: list[str]) -> None:
    """Whatever a page may come to set besides the session (here a view made for the test), its answer is the
    app's own each time: a kept copy would set it for everyone."""

    @cacheable
    def with_a_cookie() -> Response:
        response = make_response("a page")
        response.set_cookie("seen", "1")
        return response

    app.add_url_rule("/with-a-cookie", view_func=with_a_cookie)
    for _ in range(2):
        assert app.test_client().get("/with-a-cookie").headers["Set-Cookie"].startswith("seen=1")
    assert hits == []
