"""The payee's IBAN check digits (mod 97) and the BIN's form."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.config import defaults
from portal.domain.payee import bin_is_well_formed, group_iban, iban_is_valid


@pytest.mark.parametrize(
    "iban",
    [
        "KZ86125KZT5004100100",  # the IBAN registry's example for Kazakhstan
        "KZ86 125K ZT50 0410 0100",
        "kz86125kzt5004100100",
        "KZ186010001234567890",
    ],
)
def test_valid_ibans(iban: str) -> None:
    assert iban_is_valid(iban)


@pytest.mark.parametrize(
    "iban",
    [
        "KZ87125KZT5004100100",  # check digits off by one
        "KZ86125KZT5004100101",  # a digit changed
        "KZ86125KZT500410010",  # too short
        "KZ86125KZT50041001000",  # too long
        "DE89370400440532013000",  # valid, but not Kazakhstan's
        "KZ8612 5KZT-5004100100",
        "",
    ],
)
def test_invalid_ibans(iban: str) -> None:
    assert not iban_is_valid(iban)


def test_the_configured_default_iban_and_bin_are_well_formed(tmp_path: Path) -> None:
    settings = defaults(str(tmp_path))
    assert iban_is_valid(settings["PORTAL_PAYEE_IBAN"])
    rearranged = settings["PORTAL_PAYEE_IBAN"][4:] + settings["PORTAL_PAYEE_IBAN"][:4]
    assert int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1
    assert bin_is_well_formed(settings["PORTAL_PAYEE_BIN"])


def test_grouping() -> None:
    assert group_iban("kz186010001234567890") == "KZ18 6010 0012 3456 7890"


@pytest.mark.parametrize("raw", ["07054000412", "0705400041234", "07054000412a", ""])
def test_malformed_bins(raw: str) -> None:
    assert not bin_is_well_formed(raw)
