"""Operator commands: `flask --app wsgi portal …` (the Makefile wraps the usual ones)."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal.clock import today
from portal.demo import load_demo
from portal.extensions import db
from portal.faq.loader import load_faq
from portal.importer import ImportRejected, import_file
from portal.models import AuditEvent, Client
from portal.sms import read_outbox

portal = AppGroup("portal", help="Operator commands of the client cabinet.")

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _reject(error: ImportRejected) -> None:
    for problem in error.problems:
        click.echo(problem, err=True)
    click.echo(f"Nothing was written: {len(error.problems)} problem(s).", err=True)
    raise SystemExit(1)


@portal.command("import")
@click.argument("file", type=FILE)
def import_command(file: Path) -> None:
    """Import clients, contracts, schedules and deposits from the core system's JSON FILE (all or nothing)."""
    started = time.perf_counter()
    try:
        report = import_file(db.session, file)
    except ImportRejected as error:
        _reject(error)
        return
    seconds = time.perf_counter() - started
    click.echo(
        f"Imported {report.clients} clients, {report.contracts} contracts, {report.schedule_entries} schedule "
        f"entries, {report.deposits} deposits ({report.rows} rows in {seconds:.1f} s, "
        f"{report.rows / max(seconds, 1e-9):,.0f} rows/s); {report.changed.total()} rows added or changed; "
        f"removed {report.removed['schedule_entries']} schedule entries and {report.removed['deposits']} deposits "
        "no longer in the file."
    )


@portal.command("demo")
def demo_command() -> None:
    """Load the demo accounts, or reset them to their initial state, with dates relative to today."""
    day = today()
    load_demo(db.session, day)
    click.echo(f"Demo accounts ready as of {day:%d.%m.%Y}: 1000000001 / 880515301238 and 1000000003 / 921102404563.")


@portal.command("faq")
@click.argument("file", type=FILE)
def faq_command(file: Path) -> None:
    """Replace the FAQ with the entries of FILE (JSON, three languages)."""
    try:
        count = load_faq(db.session, file)
    except ImportRejected as error:
        _reject(error)
        return
    click.echo(f"FAQ loaded: {count} questions.")


@portal.command("sms-outbox")
@click.option("--limit", default=10, show_default=True, help="How many of the latest messages to show.")
def sms_outbox_command(limit: int) -> None:
    """Show the latest SMS written to the development outbox (codes included; refused in production)."""
    if current_app.config["PORTAL_ENV"] == "production":
        click.echo("The SMS outbox is for development only.", err=True)
        raise SystemExit(1)
    messages = read_outbox(Path(current_app.config["PORTAL_SMS_OUTBOX"]), limit)
    if not messages:
        click.echo("The outbox is empty.")
    for message in messages:
        click.echo(f"{message['sent_at']}  {message['to']}  {message['text']}")


@portal.command("audit")
@click.option("--iin", help="Only this client's events.")
@click.option("--limit", default=50, show_default=True, help="How many of the latest events to show.")
def audit_command(iin: str | None, limit: int) -> None:
    """Show the latest sign-ins, failures, locks, codes and password changes, newest first."""
    query = (
        select(AuditEvent, Client.iin)
        .outerjoin(Client, Client.id == AuditEvent.client_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    if iin:
        query = query.where(Client.iin == iin)
    for event, client_iin in db.session.execute(query):
        who = f"{client_iin[:4]}****{client_iin[-4:]}" if client_iin else "-"
        click.echo(
            f"{event.at:%Y-%m-%d %H:%M:%S} UTC  {event.event:<16} {who:<12} {event.address or '-':<15} "
            f"{event.detail or ''}".rstrip()
        )
