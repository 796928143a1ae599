"""Kept HTML (portal.rendering.kept): the contract panel and the schedule's panel and table are rendered once and
kept for the requests that would render them alike. A kept block is never the wrong one: a change to the
contract itself (not only to its entries), another language, support's view of the client, another day; and a
made-up query string is rendered but not kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from portal.extensions import cache, db
from portal.staff.service import add_staff
from tests.app.test_cabinet import field, load_crafted, sign_in_crafted
from tests.app.test_staff import StaffActions
from tests.conftest import AuthActions, FakeClock, make_app, running

OCTOBER = {"PORTAL_TODAY": date(2022, 10, 15)}
# The tests that look at the kept keys look into the process's own cache (kept_keys): no Redis for them.
OCTOBER_IN_MEMORY = {**OCTOBER, "REDIS_URL": None}
PANEL = {"HX-Request": "true", "HX-Target": "contract-panel"}
TABLE = {"HX-Request": "true", "HX-Target": "schedule-table"}
SCHEDULE_PANEL = {"HX-Request": "true", "HX-Target": "schedule-panel"}


def kept_keys(app: Flask) -> set[str]:
    """The keys of the kept HTML in the app's cache (the process's own here, as in development)."""
    return {key for key in app.extensions["cache"][cache]._cache if key.startswith("html:")}


def page(client: FlaskClient, path: str, headers: dict[str, str] | None = None) -> str:
    response = client.get(path, headers=headers or {})
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# A whole page carries the session's CSRF token (the header htmx sends, the sign-out form), signed with the
# second it was made in: two pages asked a second apart differ there and only there.
CSRF_TOKEN = re.compile(r'("X-CSRFToken": "|name="csrf_token" value=")[^"]+"')


def without_token(html: str) -> str:
    masked, found = CSRF_TOKEN.subn(r'\1…"', html)
    assert found, "the page carries no CSRF token"
    return masked


@pytest.fixture
def uncached(migrated: str, clock: FakeClock, outbox: Path) -> Iterator[Flask]:
    """A second app on the same database with no cache at all: every block rendered afresh."""
    app = make_app(
        migrated,
        CACHE_TYPE="NullCache",
        CACHE_NO_NULL_WARNING=True,
        PORTAL_PAGE_CACHE_SECONDS=0,
        PORTAL_CLOCK=clock,
        **OCTOBER,
    )
    yield app
    with running(app):
        pass


@pytest.mark.parametrize("app", [OCTOBER_IN_MEMORY], indirect=True)
@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_a_kept_block_is_the_block_as_rendered_afresh(
    app: Flask, client: FlaskClient, auth: AuthActions, uncached: Flask, outbox: Path, language: str
) -> None:
    first, second = load_crafted(contracts=2, entries=30)
    sign_in_crafted(auth)
    afresh = uncached.test_client()
    sign_in_crafted(AuthActions(afresh, outbox))
    asked = [
        (f"/contracts/{second}", PANEL),
        (f"/schedule/{first}", TABLE),
        (f"/schedule/{first}?year=all&per_page=24&page=2", TABLE),
        (f"/schedule/{second}?year=2023&per_page=12&page=1", SCHEDULE_PANEL),
        (f"/schedule/{second}?page=3", TABLE),
    ]
    for path, headers in asked:
        path += ("&" if "?" in path else "?") + f"lang={language}"
        rendered = page(client, path, headers)
        assert page(client, path, headers) == rendered  # the second one read from the cache
        assert page(afresh, path, headers) == rendered, path
    assert len(kept_keys(app)) == len(asked) + 1  # the schedule's panel holds its table, kept on its own too


@pytest.mark.parametrize("app", [OCTOBER], indirect=True)
def test_a_change_to_the_contract_itself_shows_on_the_next_page(client: FlaskClient, auth: AuthActions) -> None:
    """The penalty, the address and the number are the contract's own columns: changing them changes no
    revision (that follows the entries and deposits), yet the kept panel and tabs are not shown again."""
    first, second = load_crafted(contracts=2)
    sign_in_crafted(auth)
    before = page(client, f"/contracts/{first}")
    assert field(before, "Пеня") == "1 500,00 ₸"
    assert without_token(page(client, f"/contracts/{first}")) == without_token(before)

    db.session.execute(
        text("UPDATE contracts SET penalty = 1234.50, address = 'г. Астана, ул. Новая, 1' WHERE id = :id"),
        {"id": first},
    )
    db.session.execute(text("UPDATE contracts SET number = 'ДА-2099-00001' WHERE id = :id"), {"id": second})
    db.session.commit()

    after = page(client, f"/contracts/{first}")
    assert field(after, "Пеня") == "1 234,50 ₸"
    assert field(after, "Адрес") == "г. Астана, ул. Новая, 1"
    assert ">ДА-2099-00001</a>" in after  # the other contract's tab
    assert ">ДА-2099-00001</a>" in page(client, f"/schedule/{first}", SCHEDULE_PANEL)


@pytest.mark.parametrize("app", [OCTOBER], indirect=True)
def test_each_language_and_day_has_its_own_kept_page(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    assert "Информация по задолженности" in page(client, f"/contracts/{contract_id}?lang=ru", PANEL)
    assert "Debt information" in page(client, f"/contracts/{contract_id}?lang=en", PANEL)
    assert "Берешек туралы ақпарат" in page(client, f"/contracts/{contract_id}?lang=kk", PANEL)
    assert "Информация по задолженности" in page(client, f"/contracts/{contract_id}?lang=ru", PANEL)

    october = page(client, f"/contracts/{contract_id}?lang=ru", PANEL)
    assert 'value="2022-10-15"' in october  # the statement's period ends today
    app.config["PORTAL_TODAY"] = date(2022, 10, 16)
    assert 'value="2022-10-16"' in page(client, f"/contracts/{contract_id}", PANEL)


@pytest.mark.parametrize("app", [OCTOBER], indirect=True)
def test_support_and_the_client_each_see_their_own_kept_page(
    app: Flask, client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    contract_id = load_crafted()[0]
    sign_in_crafted(auth)
    secret = add_staff("aigul", "Нурпеисова Айгуль", "Support#Desk2026")[1]
    staff = StaffActions(app.test_client(), secret, clock)
    assert staff.login().headers["Location"] == "/staff"
    client_id = db.session.execute(text("SELECT client_id FROM contracts WHERE id = :id"), {"id": contract_id}).one()[0]

    for _ in range(2):  # each of them twice, the second time from the cache
        own = page(client, f"/contracts/{contract_id}", PANEL)
        assert "Выписка по договору за период" in own and "/staff/" not in own
        seen = page(staff.client, f"/staff/clients/{client_id}/contracts/{contract_id}", PANEL)
        assert "Выписка по договору за период" not in seen
        schedule = page(staff.client, f"/staff/clients/{client_id}/schedule/{contract_id}", TABLE)
        assert f'action="/staff/clients/{client_id}/schedule/{contract_id}"' in schedule
        assert f'action="/schedule/{contract_id}"' in page(client, f"/schedule/{contract_id}", TABLE)


@pytest.mark.parametrize("app", [OCTOBER_IN_MEMORY], indirect=True)
def test_made_up_query_strings_are_shown_but_not_kept(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    contract_id = load_crafted(entries=30)[0]
    sign_in_crafted(auth)
    page(client, f"/schedule/{contract_id}?per_page=12&page=2", TABLE)
    kept = kept_keys(app)
    assert len(kept) == 1

    for query in ["page=999999", "page=-3", "per_page=13", "year=1066", "year=99999", "page=0"]:
        shown = page(client, f"/schedule/{contract_id}?{query}", TABLE)
        assert re.search(r'<span class="status-\w+">', shown), query  # a page of the schedule all the same
    assert kept_keys(app) == kept
