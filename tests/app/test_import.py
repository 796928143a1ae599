"""`portal import`: all or nothing, every bad record named by its path, idempotent."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from portal import importer
from portal.extensions import db
from portal.models import Client, Contract, Deposit, ScheduleEntry

DESIGN_EXAMPLE: dict[str, Any] = {
    "clients": [
        {
            "iin": "880515301238",
            "last_name": "Ахметов",
            "first_name": "Данияр",
            "middle_name": "Серикович",
            "gender": "M",
            "birth_date": "1988-05-15",
            "id_number": "041234567",
            "id_issued_on": "2019-06-01",
            "id_valid_until": "2029-05-31",
            "id_issuer": "МВД РК",
            "email": "d.akhmetov@example.kz",
            "phone": "+77011234567",
            "contracts": [
                {
                    "number": "ДА-2022-00117",
                    "account": "1000000001",
                    "kind": "rent_to_own",
                    "signed_on": "2022-06-20",
                    "ends_on": "2037-06-10",
                    "collateral": "Квартира",
                    "address": "г. Астана, ул. Кенесары, д. 40, кв. 12",
                    "amount": "18000000.00",
                    "payments": 180,
                    "monthly_payment": "151234.56",
                    "payment_day": 10,
                    "penalty": "0.00",
                    "fine": "0.00",
                    "state_duty": "0.00",
                    "schedule": [
                        {
                            "due_on": "2022-07-10",
                            "debit_on": "2022-07-25",
                            "principal": "61234.56",
                            "interest": "90000.00",
                            "debited": "151234.56",
                            "debited_on": "2022-07-25",
                        },
                        {
                            "due_on": "2022-08-10",
                            "debit_on": "2022-08-25",
                            "principal": "61800.00",
                            "interest": "89434.56",
                        },
                    ],
                    "deposits": [{"on": "2022-07-05", "amount": "151234.56"}],
                }
            ],
        }
    ]
}


def write(tmp_path: Path, document: Any, name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every imported table, ids included: "changes nothing" means this stays equal."""
    tables = {"clients": Client, "contracts": Contract, "entries": ScheduleEntry, "deposits": Deposit}
    return {
        name: [tuple(row) for row in db.session.execute(select(model.__table__).order_by(model.id))]
        for name, model in tables.items()
    }


def count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_design_example_imports(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["portal", "import", str(write(tmp_path, DESIGN_EXAMPLE))])

    assert result.exit_code == 0, result.output
    assert "Imported 1 clients, 1 contracts, 2 schedule entries, 1 deposits" in result.output
    client = db.session.scalars(select(Client)).one()
    assert (client.iin, client.full_name, client.phone) == ("880515301238", "Ахметов Данияр Серикович", "+77011234567")
    contract = db.session.scalars(select(Contract)).one()
    assert contract.client_id == client.id
    assert contract.amount == Decimal("18000000.00")
    assert isinstance(contract.monthly_payment, Decimal)
    entries = db.session.scalars(select(ScheduleEntry).order_by(ScheduleEntry.due_on)).all()
    assert [(e.debited, e.debited_on is not None) for e in entries] == [(Decimal("151234.56"), True), (0, False)]


def test_importing_the_same_file_twice_changes_nothing(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, DESIGN_EXAMPLE)
    assert runner.invoke(args=["portal", "import", str(path)]).exit_code == 0
    first = snapshot()

    result = runner.invoke(args=["portal", "import", str(path)])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert snapshot() == first


def test_a_new_export_updates_in_place_and_drops_what_the_core_system_removed(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    assert runner.invoke(args=["portal", "import", str(write(tmp_path, DESIGN_EXAMPLE))]).exit_code == 0
    contract_id = db.session.scalar(select(Contract.id))
    changed = copy.deepcopy(DESIGN_EXAMPLE)
    contract = changed["clients"][0]["contracts"][0]
    contract["penalty"] = "1500.00"
    contract["schedule"][1].update(debited="151234.56", debited_on="2022-08-25")
    del contract["schedule"][0]
    contract["deposits"].append({"on": "2022-08-01", "amount": "151234.56"})

    result = runner.invoke(args=["portal", "import", str(write(tmp_path, changed))])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(Contract.id)) == contract_id
    assert db.session.scalar(select(Contract.penalty)) == Decimal("1500.00")
    assert db.session.scalars(select(ScheduleEntry.debited)).all() == [Decimal("151234.56")]
    assert count(Deposit) == 2


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda d: d["clients"][0]["contracts"][0]["schedule"][1].update(principal="abc"),
            "clients[0].contracts[0].schedule[1].principal: not a number",
        ),
        (
            lambda d: d["clients"][0]["contracts"][0]["schedule"][1].update(principal=61800.0),
            "clients[0].contracts[0].schedule[1].principal: must be a decimal string",
        ),
        (
            lambda d: d["clients"][0]["contracts"][0].update(amount="-1.00"),
            "clients[0].contracts[0].amount: must not be negative",
        ),
        (
            lambda d: d["clients"][0]["contracts"][0].update(amount="1.005"),
            "clients[0].contracts[0].amount: more than two decimal places",
        ),
        (lambda d: d["clients"][0].update(iin="821214240092"), "clients[0].iin: not a valid IIN"),
        (lambda d: d["clients"][0].update(iin="88051530123"), "clients[0].iin: not a valid IIN"),
        (
            lambda d: d["clients"][0].update(phone="+7 495 123 45 67"),
            "clients[0].phone: not a Kazakhstan mobile number",
        ),
        (lambda d: d["clients"][0].update(birth_date="15.05.1988"), "clients[0].birth_date: not a date"),
        (lambda d: d["clients"][0].update(id_issued_on="2023-02-31"), "clients[0].id_issued_on: not a date"),
        (lambda d: d["clients"][0].pop("last_name"), "clients[0].last_name: missing"),
        (lambda d: d["clients"][0].update(nickname="Дан"), "clients[0].nickname: unknown field"),
        (lambda d: d["clients"][0].update(gender="X"), "clients[0].gender: must be 'M' or 'F'"),
        (lambda d: d["clients"][0]["contracts"][0].update(kind="lease"), "clients[0].contracts[0].kind: must be"),
        (
            lambda d: d["clients"][0]["contracts"][0].update(payments="180"),
            "clients[0].contracts[0].payments: not a whole number",
        ),
        (lambda d: d["clients"][0]["contracts"][0].update(account="10-01"), "clients[0].contracts[0].account"),
        (
            lambda d: d["clients"][0]["contracts"][0]["schedule"][1].update(debit_on="2022-08-01"),
            "clients[0].contracts[0].schedule[1]: debit_on is before due_on",
        ),
        (
            lambda d: d["clients"][0]["contracts"][0]["schedule"][1].update(due_on="2022-07-10", debit_on="2022-07-25"),
            "clients[0].contracts[0]: schedule has two entries due on 2022-07-10",
        ),
        (
            lambda d: d["clients"][0]["contracts"][0]["deposits"][0].update(amount="0.00"),
            "clients[0].contracts[0].deposits[0].amount: must be more than zero",
        ),
        (lambda d: d["clients"].append(copy.deepcopy(d["clients"][0])), "clients[1].iin: the same IIN as clients[0]"),
    ],
)
def test_a_bad_record_is_named_by_its_path_and_nothing_is_written(
    runner: FlaskCliRunner, tmp_path: Path, change: Any, problem: str
) -> None:
    document = copy.deepcopy(DESIGN_EXAMPLE)
    change(document)

    result = runner.invoke(args=["portal", "import", str(write(tmp_path, document))])

    assert result.exit_code == 1
    assert problem in result.output
    assert "Nothing was written" in result.output
    assert count(Client) == count(Contract) == count(ScheduleEntry) == 0


def test_every_bad_record_is_named_not_only_the_first(runner: FlaskCliRunner, tmp_path: Path) -> None:
    document = copy.deepcopy(DESIGN_EXAMPLE)
    document["clients"].append(copy.deepcopy(document["clients"][0]))
    document["clients"][1].update(iin="921102404563", phone="12")
    document["clients"][1]["contracts"][0].update(number="ДА-2", account="1000000009")
    document["clients"][1]["contracts"][0]["schedule"][0]["principal"] = "x"
    document["clients"][0]["contracts"][0]["schedule"][1]["interest"] = "1e5"

    result = runner.invoke(args=["portal", "import", str(write(tmp_path, document))])

    assert result.exit_code == 1
    assert "clients[0].contracts[0].schedule[1].interest: not a number" in result.output
    assert "clients[1].phone: not a Kazakhstan mobile number" in result.output
    assert "clients[1].contracts[0].schedule[0].principal: not a number" in result.output


def test_a_file_that_is_not_json_is_refused(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"clients": [', encoding="utf-8")

    result = runner.invoke(args=["portal", "import", str(path)])

    assert result.exit_code == 1
    assert "not valid JSON" in result.output


def test_an_account_held_by_another_client_is_refused_without_writing(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assert runner.invoke(args=["portal", "import", str(write(tmp_path, DESIGN_EXAMPLE))]).exit_code == 0
    before = snapshot()
    other = copy.deepcopy(DESIGN_EXAMPLE)
    other["clients"][0].update(iin="921102404563", phone="+77017654321")

    result = runner.invoke(args=["portal", "import", str(write(tmp_path, other, "other.json"))])

    assert result.exit_code == 1
    assert "clients[0].contracts[0].number: this contract belongs to another client" in result.output
    db.session.expire_all()
    assert snapshot() == before


def test_a_failure_half_way_leaves_nothing_behind(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from portal import importer

    real_upsert = importer._upsert
    calls = []

    def failing_upsert(session: Any, table: Any, rows: Any, key: Any) -> None:
        calls.append(table.name)
        if table.name == "schedule_entries":
            raise RuntimeError("the disk is full")
        real_upsert(session, table, rows, key)

    monkeypatch.setattr(importer, "_upsert", failing_upsert)

    with pytest.raises(RuntimeError):
        importer.import_file(db.session, write(tmp_path, DESIGN_EXAMPLE))

    assert calls[:2] == ["clients", "contracts"]
    assert count(Client) == count(Contract) == 0


# --- large files: read a client at a time, all of it or nothing, every problem named ------------------------------


def generated(clients: int, entries: tuple[int, int]) -> dict[str, Any]:
    from bench.generate import clients as generate_clients

    return {"clients": generate_clients(clients, (1, 2), entries, 2026, date(2026, 11, 24))}


def test_every_bad_record_of_a_large_file_is_named_and_nothing_is_written(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    document = generated(2000, (3, 6))
    clients = document["clients"]
    clients[7]["phone"] = "12"
    clients[1000]["contracts"][0]["schedule"][2]["principal"] = "abc"
    clients[1998]["contracts"][-1]["schedule"][0]["due_on"] = "2026-02-30"
    clients[1999]["iin"] = clients[3]["iin"]

    result = runner.invoke(args=["portal", "import", str(write(tmp_path, document))])

    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("clients[")]
    last = len(clients[1998]["contracts"]) - 1
    assert problems == [
        "clients[7].phone: not a Kazakhstan mobile number",
        "clients[1000].contracts[0].schedule[2].principal: not a number",
        f"clients[1998].contracts[{last}].schedule[0].due_on: not a date (YYYY-MM-DD)",
        "clients[1999].iin: the same IIN as clients[3]",
    ]
    assert "Nothing was written: 4 problem(s)." in result.output
    assert count(Client) == count(Contract) == count(ScheduleEntry) == count(Deposit) == 0


def test_a_large_file_imported_twice_changes_nothing_the_second_time(runner: FlaskCliRunner, tmp_path: Path) -> None:
    document = generated(150, (60, 120))  # more rows than one staging batch
    rows = sum(
        1 + len(c["contracts"]) + sum(len(k["schedule"]) + len(k["deposits"]) for k in c["contracts"])
        for c in document["clients"]
    )
    assert rows > importer.FLUSH_ROWS
    path = write(tmp_path, document)

    first = runner.invoke(args=["portal", "import", str(path)])

    assert first.exit_code == 0, first.output
    assert f"{rows} rows added or changed" in first.output
    assert count(Client) + count(Contract) + count(ScheduleEntry) + count(Deposit) == rows
    before = snapshot()

    second = runner.invoke(args=["portal", "import", str(path)])

    assert second.exit_code == 0, second.output
    assert f"({rows} rows in" in second.output
    assert "; 0 rows added or changed; removed 0 schedule entries and 0 deposits" in second.output
    db.session.expire_all()
    assert snapshot() == before


def test_a_change_is_counted_once(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assert runner.invoke(args=["portal", "import", str(write(tmp_path, DESIGN_EXAMPLE))]).exit_code == 0
    changed = copy.deepcopy(DESIGN_EXAMPLE)
    changed["clients"][0]["email"] = "new@example.kz"
    changed["clients"][0]["contracts"][0]["schedule"][1].update(debited="151234.56", debited_on="2022-08-25")
    del changed["clients"][0]["contracts"][0]["deposits"][0]

    result = runner.invoke(args=["portal", "import", str(write(tmp_path, changed))])

    assert result.exit_code == 0, result.output
    assert "; 2 rows added or changed; removed 0 schedule entries and 1 deposits" in result.output


@pytest.mark.slow
def test_a_large_file_is_never_held_whole(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What the import holds at a time (a block of text, a batch of rows) made small, so that a file of a few MB
    # shows what a large one would, in a few seconds under tracemalloc.
    monkeypatch.setattr(importer, "BLOCK", 4096)
    monkeypatch.setattr(importer, "FLUSH_ROWS", 200)
    path = tmp_path / "large.json"
    path.write_text(json.dumps(generated(600, (12, 36)), ensure_ascii=False, indent=1), encoding="utf-8")
    size = path.stat().st_size
    assert size > 4_000_000
    importer.import_file(db.session, write(tmp_path, DESIGN_EXAMPLE))  # what a first import builds once

    tracemalloc.start()
    try:
        report = importer.import_file(db.session, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert report.clients == 600
    # Reading it whole would take its size at least, and a model object per row several times more.
    assert peak < size / 4, f"peak Python memory {peak:,} bytes for a file of {size:,}"


@pytest.mark.parametrize("block", [1, 7, 4096])
def test_where_the_reading_blocks_end_changes_nothing(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    document = copy.deepcopy(DESIGN_EXAMPLE)
    document["clients"].append(copy.deepcopy(document["clients"][0]))
    document["clients"][1].update(iin="921102404563", phone="+77017654321", middle_name=None)
    document["clients"][1]["contracts"][0].update(number="ДА-2", account="1000000009", payments=180)
    path = tmp_path / "spaced.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=3), encoding="utf-8")
    monkeypatch.setattr(importer, "BLOCK", block)

    report = importer.import_file(db.session, path)

    assert (report.clients, report.contracts, report.schedule_entries, report.deposits) == (2, 2, 4, 2)
    assert count(Client) == 2 and count(ScheduleEntry) == 4


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"clients": [], "extra": 1}', "extra: unknown field"),
        ("{}", "clients: missing"),
        ('{"clients": {"iin": "880515301238"}}', "clients: not a list"),
        ('{"clients": [5]}', "clients[0]: not an object"),
        ("[]", "(document): not an object"),
        ("", "(document): not valid JSON"),
        ('{"clients": []} []', "(document): not valid JSON"),
        ('{"clients": [{"iin": "8805"} {}]}', "(document): not valid JSON"),
        ('{"clients": [{"iin": "8805"},]}', "(document): not valid JSON"),
        ('{"clients": [,]}', "(document): not valid JSON"),
        ('{"clients": [], }', "(document): not valid JSON"),
    ],
)
def test_a_document_of_the_wrong_shape_is_refused(
    runner: FlaskCliRunner, tmp_path: Path, text: str, problem: str
) -> None:
    path = tmp_path / "odd.json"
    path.write_text(text, encoding="utf-8")

    result = runner.invoke(args=["portal", "import", str(path)])

    assert result.exit_code == 1
    assert problem in result.output


def test_a_file_cut_off_after_good_clients_writes_nothing(runner: FlaskCliRunner, tmp_path: Path) -> None:
    text = json.dumps(generated(50, (3, 6)), ensure_ascii=False)
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) * 3 // 4], encoding="utf-8")

    result = runner.invoke(args=["portal", "import", str(path)])

    assert result.exit_code == 1
    assert "(document): not valid JSON" in result.output
    assert count(Client) == count(Contract) == count(ScheduleEntry) == 0


def test_an_account_moved_to_another_client_is_refused_on_both_sides(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assert runner.invoke(args=["portal", "import", str(write(tmp_path, DESIGN_EXAMPLE))]).exit_code == 0
    before = snapshot()
    moved = copy.deepcopy(DESIGN_EXAMPLE)
    moved["clients"][0]["contracts"][0]["account"] = "1000000009"
    moved["clients"].append(copy.deepcopy(DESIGN_EXAMPLE["clients"][0]))
    moved["clients"][1].update(iin="921102404563", phone="+77017654321")
    moved["clients"][1]["contracts"][0]["number"] = "ДА-2023-00318"

    result = runner.invoke(args=["portal", "import", str(write(tmp_path, moved, "moved.json"))])

    assert result.exit_code == 1
    assert "clients[0].contracts[0].number: this contract's account belongs to another client" in result.output
    assert "clients[1].contracts[0].account: this account belongs to another client" in result.output
    db.session.expire_all()
    assert snapshot() == before


def test_an_account_of_a_contract_the_file_does_not_name_is_refused(runner: FlaskCliRunner, tmp_path: Path) -> None:
    assert runner.invoke(args=["portal", "import", str(write(tmp_path, DESIGN_EXAMPLE))]).exit_code == 0
    renumbered = copy.deepcopy(DESIGN_EXAMPLE)
    renumbered["clients"][0]["contracts"][0]["number"] = "ДА-2022-99999"

    result = runner.invoke(args=["portal", "import", str(write(tmp_path, renumbered, "renumbered.json"))])

    assert result.exit_code == 1
    assert (
        "clients[0].contracts[0].account: this account belongs to contract ДА-2022-00117, which the file does not name"
        in result.output
    )
    assert count(Contract) == 1


# --- hostile files: refused with the path named, nothing written, never a traceback -------------------------------

EXAMPLE_TEXT = json.dumps(DESIGN_EXAMPLE, ensure_ascii=False)
DEEP = 100_000


def edited(old: str, new: str) -> str:
    assert EXAMPLE_TEXT.count(old) == 1, old
    return EXAMPLE_TEXT.replace(old, new)


def second_client() -> str:
    other = copy.deepcopy(DESIGN_EXAMPLE["clients"][0])
    other.update(iin="921102404563", phone="+77017654321")
    other["contracts"][0].update(number="ДА-2", account="1000000009")
    return json.dumps(other, ensure_ascii=False)


HOSTILE = {
    "email twice": (
        edited('"email": "d.akhmetov@example.kz"', '"email": "d.akhmetov@example.kz", "email": "x@example.kz"'),
        "clients[0].email: duplicate field",
    ),
    "clients twice": (
        EXAMPLE_TEXT[:-1] + f', "clients": [{second_client()}]}}',
        "clients: duplicate field",
    ),
    "a schedule amount twice": (
        edited('"principal": "61800.00"', '"principal": "61800.00", "principal": "1.00"'),
        "clients[0].contracts[0].schedule[1].principal: duplicate field",
    ),
    "5,000-digit payments": (
        edited('"payments": 180', '"payments": ' + "9" * 5000),
        "clients[0].contracts[0].payments: a number longer than 20 characters",
    ),
    "a long fraction": (
        edited('"payments": 180', '"payments": 180.' + "0" * 30),
        "clients[0].contracts[0].payments: a number longer than 20 characters",
    ),
    "100,000-deep nesting": (
        edited('"email": "d.akhmetov@example.kz"', '"email": ' + "[" * DEEP + "]" * DEEP),
        "clients[0].email" + "[0]" * 17 + ": nested more than 20 levels deep",
    ),
    "nesting too deep for pydantic's parser": (
        edited('"email": "d.akhmetov@example.kz"', '"email": ' + "[" * 500 + "]" * 500),
        "clients[0].email" + "[0]" * 17 + ": nested more than 20 levels deep",
    ),
    "nested clients": ('{"clients": ' + "[" * DEEP + "]" * DEEP + "}", "]: nested more than 20 levels deep"),
    "an escaped NUL in middle_name": (
        edited('"Серикович"', '"Сери\\u0000кович"'),
        "clients[0].middle_name: contains a control character (U+0000)",
    ),
    "a raw NUL in middle_name": (
        edited('"Серикович"', '"Сери\x00кович"'),
        "clients[0].middle_name: contains a control character (U+0000)",
    ),
    "a tab in the address": (
        edited('"г. Астана', '"г.\\tАстана'),
        "clients[0].contracts[0].address: contains a control character (U+0009)",
    ),
    "ESC in id_issuer": (
        edited('"МВД РК"', '"МВД\\u001bРК"'),
        "clients[0].id_issuer: contains a control character (U+001B)",
    ),
    "a C1 control in last_name": (
        edited('"Ахметов"', '"Ахметов\\u0085"'),
        "clients[0].last_name: contains a control character (U+0085)",
    ),
    "DEL in the contract number": (
        edited('"ДА-2022-00117"', '"ДА-2022\\u007f00117"'),
        "clients[0].contracts[0].number: contains a control character (U+007F)",
    ),
    "a control in an amount": (
        edited('"principal": "61800.00"', '"principal": "\\u001f61800.00"'),
        "clients[0].contracts[0].schedule[1].principal: contains a control character (U+001F)",
    ),
    "an unpaired surrogate": (
        edited('"Данияр"', '"Дани\\ud800яр"'),
        "clients[0].first_name: contains an unpaired surrogate (U+D800)",
    ),
    "a last_name longer than its column": (
        edited('"Ахметов"', '"' + "А" * 101 + '"'),
        "clients[0].last_name: longer than 100 characters",
    ),
    "a middle_name longer than its column": (
        edited('"Серикович"', '"' + "С" * 101 + '"'),
        "clients[0].middle_name: longer than 100 characters",
    ),
    "an id_number longer than its column": (
        edited('"041234567"', '"' + "0" * 21 + '"'),
        "clients[0].id_number: longer than 20 characters",
    ),
    "an id_issuer longer than its column": (
        edited('"МВД РК"', '"' + "М" * 201 + '"'),
        "clients[0].id_issuer: longer than 200 characters",
    ),
    "an email longer than its column": (
        edited('"d.akhmetov@example.kz"', '"' + "d" * 244 + '@example.kz"'),
        "clients[0].email: longer than 254 characters",
    ),
    "a contract number longer than its column": (
        edited('"ДА-2022-00117"', '"' + "Д" * 51 + '"'),
        "clients[0].contracts[0].number: longer than 50 characters",
    ),
    "a collateral longer than its column": (
        edited('"Квартира"', '"' + "К" * 201 + '"'),
        "clients[0].contracts[0].collateral: longer than 200 characters",
    ),
    "an address longer than allowed": (
        edited('"г. Астана', '"' + "г" * 2001),
        "clients[0].contracts[0].address: longer than 2000 characters",
    ),
    "a field name of 100,000 characters": (
        edited('"gender": "M"', '"gender": "M", "' + "n" * 100_000 + '": 1'),
        "clients[0]." + "n" * 64 + "…: unknown field",
    ),
}


@pytest.mark.parametrize(("text", "problem"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_file_is_refused_by_its_path_and_nothing_is_written(
    runner: FlaskCliRunner, tmp_path: Path, text: str, problem: str
) -> None:
    assert runner.invoke(args=["portal", "import", str(write(tmp_path, DESIGN_EXAMPLE))]).exit_code == 0
    before = snapshot()
    path = tmp_path / "hostile.json"
    path.write_text(text, encoding="utf-8")

    result = runner.invoke(args=["portal", "import", str(path)])

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert problem in result.output
    assert "Traceback" not in result.output
    assert "Nothing was written" in result.output
    assert len(result.output) < 1000
    db.session.expire_all()
    assert snapshot() == before


# What no client's record holds whole: CLIENT_CHARS lowered, so that small files take the token-by-token walk.
WALKED = {
    "a long address": (
        edited('"г. Астана', '"' + "г" * 3000),
        ["clients[0].contracts[0].address: longer than 2000 characters"],
    ),
    "a long escaped address": (
        edited('"г. Астана', '"' + '\\"' * 30_000),
        ["clients[0].contracts[0].address: longer than 2000 characters"],
    ),
    "a client only too long": (EXAMPLE_TEXT, ["clients[0]: longer than 600 characters"]),
    "several findings": (
        edited('"Серикович"', '"\\u0000", "middle_name": "' + "x" * 30_000 + '", "x": ' + "9" * 30),
        [
            "clients[0].middle_name: contains a control character (U+0000)",
            "clients[0].middle_name: duplicate field",
            "clients[0].middle_name: longer than 100 characters",
            "clients[0].x: a number longer than 20 characters",
        ],
    ),
}


@pytest.mark.parametrize("block", [1, 7, 4096])
@pytest.mark.parametrize(("text", "problems"), WALKED.values(), ids=WALKED.keys())
def test_a_client_too_long_to_hold_is_walked_and_named(
    runner: FlaskCliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    block: int,
    text: str,
    problems: list[str],
) -> None:
    monkeypatch.setattr(importer, "CLIENT_CHARS", 600)
    monkeypatch.setattr(importer, "BLOCK", block)
    path = tmp_path / "walked.json"
    path.write_text(text, encoding="utf-8")

    result = runner.invoke(args=["portal", "import", str(path)])

    assert result.exit_code == 1, result.output
    assert [line for line in result.output.splitlines() if line.startswith("clients")] == problems
    assert f"Nothing was written: {len(problems)} problem(s)." in result.output
    assert count(Client) == 0


def test_past_a_thousand_problems_the_rest_are_counted(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text('{"clients": [' + ", ".join(["5"] * 5000) + "]}", encoding="utf-8")

    result = runner.invoke(args=["portal", "import", str(path)])

    assert result.exit_code == 1
    assert "clients[999]: not an object" in result.output
    assert "clients[1000]" not in result.output
    assert "… and 4000 more, not listed." in result.output
    assert "Nothing was written: 5000 problem(s)." in result.output


# --- 100 MB however its strings are shaped: one process's peak memory (never its time: see the README) ------------

HUNDRED_MB = 100_000_000


def shaped(path: Path, shape: str) -> None:
    """A 100 MB file whose bulk is strings of one shape."""
    head, tail = EXAMPLE_TEXT.split('"г. Астана, ул. Кенесары, д. 40, кв. 12"')
    with path.open("w", encoding="utf-8") as file:
        if shape == "clients":  # a hundred clients, each with an address of 1 MB: each held, validated, refused
            client = json.loads(EXAMPLE_TEXT)["clients"][0]
            client["contracts"][0]["address"] = "а" * 500_000
            file.write('{"clients": [' + ", ".join([json.dumps(client, ensure_ascii=False)] * 100) + "]}")
            return
        file.write(head)
        if shape == "list":  # one client of ten thousand 10 KB strings
            file.write("[" + ", ".join(['"' + "б" * 5000 + '"'] * 10_000) + "]")
        else:  # one string of 100 MB: plain, or escapes only
            file.write('"' + {"plain": "в", "escapes": '\\"'}[shape] * (HUNDRED_MB // 2) + '"')
        file.write(tail)


# The import's own process reports its peak: a forked child's ru_maxrss would count the pages of this test's
# process that it held before it ran the import.
REPORTING_PEAK = (
    "import atexit, sys\n"
    "from flask.cli import main\n"
    "atexit.register(lambda: print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0], file=sys.stderr))\n"
    "sys.argv = ['flask', '--app', 'wsgi', 'portal', 'import', sys.argv[1]]\n"
    "main()\n"
)


def import_in_a_process(path: Path, database_url: str) -> tuple[int, str, int]:
    """`flask --app wsgi portal import FILE` in a process of its own: exit status, output, peak RSS in bytes."""
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", REPORTING_PEAK, str(path)], capture_output=True, text=True, env=env, check=False
    )
    output, _, peak = done.stderr.rstrip().rpartition("\n")
    return done.returncode, done.stdout + output, int(peak) * 1024


@pytest.mark.slow
@pytest.mark.parametrize(
    ("shape", "problem"),
    [
        ("plain", "clients[0].contracts[0].address: longer than 2000 characters"),
        ("escapes", "clients[0].contracts[0].address: longer than 2000 characters"),
        ("list", "clients[0].contracts[0].address[0]: longer than 2000 characters"),
        ("clients", "clients[99].contracts[0].address: longer than 2000 characters"),
    ],
)
def test_a_100_mb_file_of_long_strings_is_refused_within_150_mb(
    app: Flask, migrated: str, tmp_path: Path, shape: str, problem: str
) -> None:
    path = tmp_path / f"{shape}.json"
    shaped(path, shape)
    assert path.stat().st_size > HUNDRED_MB * 0.99

    status, output, peak = import_in_a_process(path, migrated)

    assert status == 1, output
    assert problem in output
    assert "Traceback" not in output
    assert peak < 150 * 2**20, f"peak RSS {peak / 2**20:.0f} MB"
    assert count(Client) == 0
