"""`portal sms-outbox`: support staff read the latest codes in development; production refuses."""

from __future__ import annotations

import pytest
from flask.testing import FlaskCliRunner

from tests.conftest import AuthActions, make_app, running


@pytest.mark.usefixtures("demo")
def test_the_latest_code_is_shown(auth: AuthActions, runner: FlaskCliRunner) -> None:
    assert "The outbox is empty." in runner.invoke(args=["portal", "sms-outbox"]).output
    auth.submit_facts()

    result = runner.invoke(args=["portal", "sms-outbox"])

    assert result.exit_code == 0
    assert "+77017654321" in result.output
    assert auth.last_code() in result.output


def test_production_refuses_to_show_the_outbox(migrated: str) -> None:
    app = make_app(migrated, PORTAL_ENV="production", PORTAL_TODAY=None)
    with running(app):
        result = app.test_cli_runner().invoke(args=["portal", "sms-outbox"])
    assert result.exit_code == 1
    assert "development only" in result.output
