"""The stored facts: clients, their contracts, schedule entries, deposits, documents issued, the FAQ, the support
staff, and the notices for clients.

Figures (payments made, debts, statuses) are derived from these by portal.domain.schedule, never stored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    or_,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship, remote

from portal.domain.schedule import Deposit as DepositFact
from portal.domain.schedule import Entry
from portal.extensions import db

Money = Numeric(14, 2, asdecimal=True)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database (SQLite would otherwise hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Client(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "clients"
    __table_args__ = (
        CheckConstraint("length(iin) = 12", name="iin_length"),
        CheckConstraint("gender in ('M', 'F')", name="gender"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    iin: Mapped[str] = mapped_column(String(12), unique=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    id_number: Mapped[str] = mapped_column(String(20))
    id_issued_on: Mapped[date] = mapped_column(Date)
    id_valid_until: Mapped[date] = mapped_column(Date)
    id_issuer: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Sign-in state. A session carries the version it was made under; logout and a password change
    # bump it, which ends every session of this client on every app instance.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the last SMS code went out: claiming it with one conditional UPDATE lets a single code out per minute,
    # however many requests race for it.
    code_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    consent_version: Mapped[str | None] = mapped_column(String(20))
    # The language the client chose last (ru, kk or en): the cabinet opens in it and SMS are written in it.
    language: Mapped[str | None] = mapped_column(String(2))
    # SMS reminders of payments (`portal remind`); the client turns them off in the profile.
    reminders: Mapped[bool] = mapped_column(default=True, server_default=true())

    contracts: Mapped[list[Contract]] = relationship(
        back_populates="client", order_by="Contract.signed_on, Contract.id", lazy="raise"
    )
    # Why a relationship to rows that no client owns: to be eager-loaded, limited to the notices shown at the moment
    # (`joinedload(Client.notices.and_(...))`), by the statement that already reads the client and the contracts
    # for the session's check (portal.cabinet.service.client_with_contracts), so that the banner of every cabinet
    # page costs no statement of its own (DESIGN §4: at most 3 a page). Every notice is every client's: the join
    # condition holds for each pair, written as `=` or `<>` because SQLAlchemy needs a comparison of a column of
    # each side to know the direction. View-only, and never loaded lazily.
    notices: Mapped[list[ClientNotice]] = relationship(
        primaryjoin=lambda: or_(
            Client.id == foreign(remote(ClientNotice.id)), Client.id != foreign(remote(ClientNotice.id))
        ),
        order_by=lambda: (ClientNotice.starts_at, ClientNotice.id),
        viewonly=True,
        lazy="raise",
    )

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)


class Contract(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "contracts"
    __table_args__ = (
        CheckConstraint("kind in ('rent_to_own', 'loan')", name="kind"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("payments > 0", name="payments_positive"),
        CheckConstraint("monthly_payment >= 0", name="monthly_payment_not_negative"),
        CheckConstraint("payment_day between 1 and 31", name="payment_day"),
        CheckConstraint("penalty >= 0 and fine >= 0 and state_duty >= 0", name="charges_not_negative"),
        CheckConstraint("ends_on >= signed_on", name="ends_after_signed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(50), unique=True)
    account: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    signed_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    collateral: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal] = mapped_column(Money)
    payments: Mapped[int]
    monthly_payment: Mapped[Decimal] = mapped_column(Money)
    payment_day: Mapped[int]
    penalty: Mapped[Decimal] = mapped_column(Money)
    fine: Mapped[Decimal] = mapped_column(Money)
    state_duty: Mapped[Decimal] = mapped_column(Money)

    client: Mapped[Client] = relationship(back_populates="contracts", lazy="raise")
    schedule: Mapped[list[ScheduleEntry]] = relationship(
        back_populates="contract", order_by="ScheduleEntry.due_on", lazy="raise"
    )
    deposits: Mapped[list[Deposit]] = relationship(
        back_populates="contract", order_by="Deposit.paid_on, Deposit.seq", lazy="raise"
    )

    @property
    def charges(self) -> Decimal:
        """Пеня, штраф and государственная пошлина, as the company charged them."""
        return self.penalty + self.fine + self.state_duty


class ScheduleEntry(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "schedule_entries"
    __table_args__ = (
        UniqueConstraint("contract_id", "due_on"),
        CheckConstraint("principal >= 0 and interest >= 0 and debited >= 0", name="money_not_negative"),
        CheckConstraint("debit_on >= due_on", name="debit_not_before_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    debit_on: Mapped[date] = mapped_column(Date)
    principal: Mapped[Decimal] = mapped_column(Money)
    interest: Mapped[Decimal] = mapped_column(Money)
    debited: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    debited_on: Mapped[date | None] = mapped_column(Date)

    contract: Mapped[Contract] = relationship(back_populates="schedule", lazy="raise")

    @property
    def accrued(self) -> Decimal:
        return self.principal + self.interest

    def as_fact(self) -> Entry:
        return Entry(
            due_on=self.due_on,
            debit_on=self.debit_on,
            principal=self.principal,
            interest=self.interest,
            debited=self.debited,
            debited_on=self.debited_on,
        )


class Deposit(db.Model):  # type: ignore[name-defined,misc]
    """Money the client paid into the contract's personal account.

    Deposits have no number of their own in the core system, so a deposit is known by its contract, its date
    and its place among that day's deposits in the import file (seq), which makes re-imports idempotent.
    """

    __tablename__ = "deposits"
    __table_args__ = (
        UniqueConstraint("contract_id", "paid_on", "seq"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"))
    paid_on: Mapped[date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(default=0)
    amount: Mapped[Decimal] = mapped_column(Money)

    contract: Mapped[Contract] = relationship(back_populates="deposits", lazy="raise")

    def as_fact(self) -> DepositFact:
        return DepositFact(on=self.paid_on, amount=self.amount)


class ReminderSent(db.Model):  # type: ignore[name-defined,misc]
    """A reminder SMS about one schedule entry, for one reason: recorded before it is sent, so never sent twice."""

    __tablename__ = "reminders_sent"
    __table_args__ = (
        UniqueConstraint("schedule_entry_id", "reason"),
        CheckConstraint("reason in ('upcoming', 'missed')", name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_entry_id: Mapped[int] = mapped_column(ForeignKey("schedule_entries.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(10))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OneTimeCode(db.Model):  # type: ignore[name-defined,misc]
    """An SMS code for first-time authorization, a password reset or a sign-in that must be confirmed (after many
    failed passwords, portal.auth.throttle); only its keyed hash is stored."""

    __tablename__ = "one_time_codes"
    __table_args__ = (
        CheckConstraint("purpose in ('register', 'reset', 'sign_in')", name="purpose"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_one_time_codes_phone_created_at", "phone", "created_at"),  # the hourly cap per phone
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(100))  # seed$hmac-sha256
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    consumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """Who did what to an account, when and from where: sign-ins, failures, locks, codes, password changes."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_client_id_at", "client_id", "at"),
        Index("ix_audit_events_staff_id_event_at", "staff_id", "event", "at"),  # each member's last sign-in
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    event: Mapped[str] = mapped_column(String(30))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    # The support staff member who acted (signed in, looked at a client's cabinet), if it was one.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[str | None] = mapped_column(String(255))


class IssuedDocument(db.Model):  # type: ignore[name-defined,misc]
    """A document the cabinet issued (a payment schedule or a statement), known by the code printed on it.

    Only what /verify/<code> confirms is kept: the kind, the contract and when it was issued; never the figures.
    """

    __tablename__ = "issued_documents"
    __table_args__ = (CheckConstraint("kind in ('schedule', 'statement')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)

    contract: Mapped[Contract] = relationship(lazy="raise")


class Staff(db.Model):  # type: ignore[name-defined,misc]
    """A support staff member: signs in with a password and a TOTP code to see a client's cabinet, read-only.

    Created by `portal staff add` or by an admin at /staff/members; never signed in through Flask-Login, so never
    the cabinet's `current_user`.
    """

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(50), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    # The TOTP secret sealed with PORTAL_TOTP_KEY (portal/sealing.py), never the plain one.
    totp_sealed: Mapped[str] = mapped_column(String(255))
    # The TOTP time step of the last code accepted: a code is good once, never again within its window.
    totp_last_step: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    session_version: Mapped[int] = mapped_column(default=0)

    # Every staff page checks a role: they come with the member (and again after a commit expired them).
    roles: Mapped[list[StaffRole]] = relationship(
        cascade="all, delete-orphan", order_by="StaffRole.role", lazy="selectin"
    )

    @property
    def role_names(self) -> set[str]:
        return {role.role for role in self.roles}


SUPPORT, EDITOR, ADMIN = "support", "editor", "admin"
STAFF_ROLES = (SUPPORT, EDITOR, ADMIN)


class StaffRole(db.Model):  # type: ignore[name-defined,misc]
    """A role of a staff member: support (clients' cabinets and sign-in problems), editor, admin."""

    __tablename__ = "staff_roles"
    __table_args__ = (CheckConstraint("role in ('support', 'editor', 'admin')", name="role"),)

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(10), primary_key=True)


class SignInFailures(db.Model):  # type: ignore[name-defined,misc]
    """Failed sign-ins of one account from one address, or from every address where `address` is empty
    (portal.auth.throttle). The account (a client's Номер счета + ИИН, a staff login) and the address are keyed
    hashes: neither an IIN nor an address is stored in clear."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        CheckConstraint("failures >= 0", name="failures_not_negative"),
        Index("ix_sign_in_failures_last_at", "last_at"),  # forgetting the counts a day old
    )

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int]
    since: Mapped[datetime] = mapped_column(UtcDateTime)  # the first failure of the count
    last_at: Mapped[datetime] = mapped_column(UtcDateTime)  # the last try counted
    next_try_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # no try from this address before it


class FaqTexts:
    """A question and its answer in every language of the cabinet, and the topic it is filed under: the columns of
    an entry, and of a version of one."""

    topic: Mapped[str] = mapped_column(String(50))
    question_ru: Mapped[str] = mapped_column(Text)
    question_kk: Mapped[str] = mapped_column(Text)
    question_en: Mapped[str] = mapped_column(Text)
    answer_ru: Mapped[str] = mapped_column(Text)
    answer_kk: Mapped[str] = mapped_column(Text)
    answer_en: Mapped[str] = mapped_column(Text)

    def question(self, language: str) -> str:
        return str(getattr(self, f"question_{language}"))

    def answer(self, language: str) -> str:
        return str(getattr(self, f"answer_{language}"))


class FaqEntry(FaqTexts, db.Model):  # type: ignore[name-defined,misc]
    """A question and its answer in every language, loaded by `portal faq FILE` or kept by editors in /staff/faq.

    Clients see the published ones; a draft (not published) may lack a language, a published entry never does."""

    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(index=True)
    published: Mapped[bool] = mapped_column(default=True, server_default=true())


class FaqVersion(FaqTexts, db.Model):  # type: ignore[name-defined,misc]
    """An FAQ entry as it was after one change: who made it (a staff member, or none for `portal faq FILE`), when,
    and what it was. Kept by slug, so that a deleted entry keeps its versions and can be brought back."""

    __tablename__ = "faq_versions"
    __table_args__ = (Index("ix_faq_versions_slug_id", "slug", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    # added, changed, published, hidden, deleted, restored, rolled_back, file (see portal.faq.editing.Change)
    change: Mapped[str] = mapped_column(String(20))
    published: Mapped[bool]

    staff: Mapped[Staff | None] = relationship(lazy="raise")


class ImportRun(db.Model):  # type: ignore[name-defined,misc]
    """A load of the core system's data that went through: `portal import` of a file, or `portal demo`.

    When the data was last brought in is what a client is told beside the latest deposit the cabinet knows."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    finished_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    source: Mapped[str] = mapped_column(String(255))  # the file's name (no folder), or "demo"
    clients: Mapped[int] = mapped_column(default=0)
    rows: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)  # rows added or changed
    removed: Mapped[int] = mapped_column(default=0)  # rows no longer in the file


class ClientNotice(db.Model):  # type: ignore[name-defined,misc]
    """A short notice shown on every page of every signed-in client's cabinet from `starts_at` until `ends_at`
    (planned maintenance, new bank details), in each language of the cabinet; kept by the staff's editors."""

    __tablename__ = "client_notices"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text_ru: Mapped[str] = mapped_column(String(300))
    text_kk: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)  # the notices shown now, and those ended
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    def text(self, language: str) -> str:
        return str(getattr(self, f"text_{language}"))
