"""Personal data stays out of the logs: no IIN, phone, code or password in clear in any log line."""

from __future__ import annotations

import logging

import pytest

from tests.conftest import AuthActions


@pytest.mark.usefixtures("demo")
def test_a_whole_registration_and_login_log_nothing_personal(
    auth: AuthActions, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    auth.submit_facts(phone="8 701 765 43 22")  # a wrong number first
    auth.submit_facts()
    code = auth.last_code()
    auth.submit_code("000000" if code != "000000" else "111111")
    auth.submit_code(code)
    auth.submit_password("Ainur#Home2027")
    auth.logout()
    auth.login(account="1000000003", iin="921102404563", password="Wrong#Pass2027")
    auth.login(account="1000000003", iin="921102404563", password="Ainur#Home2027")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "sms to +7 701 *** ** 21" in logged  # the outbox line is there, masked
    for secret in (
        "921102404563",
        "7017654321",
        "7017654322",
        "+77017654321",
        code,
        "Ainur#Home2027",
        "Wrong#Pass2027",
        "ДА-2023-00318",
    ):
        assert secret not in logged, secret
