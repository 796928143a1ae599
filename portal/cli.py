"""Operator commands: `flask --app wsgi portal …` (the Makefile wraps the usual ones)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.clock import now, today
from portal.domain.iin import mask_iin
from portal.extensions import db
from portal.faq.loader import load_faq
from portal.import_runs import record_run
from portal.importer import ImportRejected, import_file
from portal.models import STAFF_ROLES, SUPPORT, AuditEvent, Client, Staff
from portal.reminders import send_reminders
from portal.sealing import InvalidToken
from portal.sms import read_outbox
from portal.staff.service import (
    LastAdminRefused,
    StaffRefused,
    add_staff,
    disable_staff,
    enable_staff,
    provisioning_uri,
    rotate_totp_key,
)

portal = AppGroup("portal", help="Operator commands of the client cabinet.")

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
# A script may hand a new staff member's password over in this variable instead of the prompt.
STAFF_PASSWORD_VARIABLE = "PORTAL_STAFF_PASSWORD"  # noqa: S105  (the variable's name, not a password)


def _reject(error: ImportRejected) -> None:
    for problem in error.problems:
        click.echo(problem, err=True)
    if error.count > len(error.problems):
        click.echo(f"… and {error.count - len(error.problems)} more, not listed.", err=True)
    click.echo(f"Nothing was written: {error.count} problem(s).", err=True)
    raise SystemExit(1)


@portal.command("import")
@click.argument("file", type=FILE)
def import_command(file: Path) -> None:
    """Import clients, contracts, schedules and deposits from the core system's JSON FILE (all or nothing)."""
    started = time.perf_counter()
    try:
        report = import_file(db.session(), file)
    except ImportRejected as error:
        _reject(error)
        return
    seconds = time.perf_counter() - started
    record_run(db.session(), file.name, report)
    db.session.commit()
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
    from portal.demo import load_demo  # by its command, not by every app a worker creates

    day = today()
    load_demo(db.session(), day)
    click.echo(f"Demo accounts ready as of {day:%d.%m.%Y}: 1000000001 / 880515301238 and 1000000003 / 921102404563.")


@portal.command("remind")
def remind_command() -> None:
    """Send the SMS reminders due today: a payment the balance will not cover soon, a missed debit."""
    days = current_app.config["PORTAL_REMIND_DAYS"]
    sent = send_reminders(db.session(), today(), days, current_app.config, now)
    click.echo(f"Reminders sent: {sent}.")


@portal.command("faq")
@click.argument("file", type=FILE)
def faq_command(file: Path) -> None:
    """Replace the FAQ with the entries of FILE (JSON, three languages)."""
    try:
        count = load_faq(db.session(), file)
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
@click.option("--staff", "staff_login", metavar="LOGIN", help="Only this support staff member's events.")
@click.option("--limit", default=50, show_default=True, help="How many of the latest events to show.")
def audit_command(iin: str | None, staff_login: str | None, limit: int) -> None:
    """Show the latest sign-ins, failures, throttled tries, SMS step-ups, codes, password changes and staff views,
    newest first.

    Columns: time, event, client (IIN masked), staff login, address, detail (for a staff view: the page)."""
    query = (
        select(AuditEvent, Client.iin, Staff.login)
        .outerjoin(Client, Client.id == AuditEvent.client_id)
        .outerjoin(Staff, Staff.id == AuditEvent.staff_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    if iin:
        query = query.where(Client.iin == iin)
    if staff_login:
        query = query.where(Staff.login == staff_login.strip().lower())
    for event, client_iin, login in db.session.execute(query):
        who = mask_iin(client_iin) if client_iin else "-"
        click.echo(
            f"{event.at:%Y-%m-%d %H:%M:%S} UTC  {event.event:<21} {who:<12} {login or '-':<12} "
            f"{event.address or '-':<15} {event.detail or ''}".rstrip()
        )


@portal.group("staff")
def staff_group() -> None:
    """Support staff accounts: they sign in at /staff/login and see a client's cabinet read-only."""


@staff_group.command("add")
@click.argument("login")
@click.option("--name", required=True, help="The staff member's full name, as clients will see it.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(STAFF_ROLES),
    default=(SUPPORT,),
    show_default=True,
    help="A role of the staff member; repeat it for several.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def staff_add_command(login: str, name: str, roles: tuple[str, ...], password_stdin: bool) -> None:
    """Add a staff member LOGIN with one or more roles (support: clients' cabinets and sign-in problems; editor;
    admin); prints the TOTP secret and its provisioning URI, shown this once only.

    The password is asked for twice (hidden), or read from standard input (--password-stdin) or from the
    PORTAL_STAFF_PASSWORD variable, for scripts. It must meet the manual's password rules."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif os.environ.get(STAFF_PASSWORD_VARIABLE):
        password = os.environ[STAFF_PASSWORD_VARIABLE]
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        staff, secret = add_staff(login, name, password, roles)
    except StaffRefused as refused:
        for problem in refused.problems:
            click.echo(f"Refused: {problem.words}.", err=True)
        raise SystemExit(1) from None
    click.echo(f"Staff member {staff.login} ({staff.full_name}) added, roles: {', '.join(sorted(roles))}.")
    click.echo("Add the account to an authenticator app now: the secret is not shown again.")
    click.echo(f"TOTP secret: {secret}")
    click.echo(f"Provisioning URI: {provisioning_uri(staff, secret, current_app.config['PORTAL_TOTP_ISSUER'])}")


@staff_group.command("list")
def staff_list_command() -> None:
    """List the staff members: login, state, added on, roles, full name."""
    members = db.session.scalars(select(Staff).options(selectinload(Staff.roles)).order_by(Staff.login)).all()
    if not members:
        click.echo("No staff members.")
    for staff in members:
        state = "active" if staff.active else "disabled"
        roles = ",".join(role.role for role in staff.roles) or "-"
        click.echo(f"{staff.login:<20} {state:<9} {staff.created_at:%Y-%m-%d}  {roles:<22} {staff.full_name}")


@staff_group.command("rotate-key")
def staff_rotate_key_command() -> None:
    """Seal every staff TOTP secret again under the first key of PORTAL_TOTP_KEY (put a new key first, run this,
    then drop the old key)."""
    try:
        count = rotate_totp_key()
    except InvalidToken:
        click.echo("A TOTP secret opens under none of the keys in PORTAL_TOTP_KEY: nothing was changed.", err=True)
        raise SystemExit(1) from None
    click.echo(f"TOTP secrets sealed again under the first key: {count}.")


@staff_group.command("disable")
@click.argument("login")
def staff_disable_command(login: str) -> None:
    """Disable staff member LOGIN: no more sign-ins, and every session of theirs ends now (not the last active
    admin: add another first)."""
    try:
        staff = disable_staff(login)
    except LastAdminRefused:
        click.echo(f"Refused: {login} is the last active admin; add another admin first.", err=True)
        raise SystemExit(1) from None
    if staff is None:
        click.echo(f"No staff member {login}.", err=True)
        raise SystemExit(1)
    click.echo(f"Staff member {staff.login} disabled; their sessions have ended.")


@staff_group.command("enable")
@click.argument("login")
def staff_enable_command(login: str) -> None:
    """Let disabled staff member LOGIN sign in again (with the same password and authenticator)."""
    staff = enable_staff(login)
    if staff is None:
        click.echo(f"No staff member {login}.", err=True)
        raise SystemExit(1)
    click.echo(f"Staff member {staff.login} enabled.")
