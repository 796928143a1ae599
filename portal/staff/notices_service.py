"""The notices for clients as editors keep them: the board of those shown now, planned and ended, and adding,
changing, ending and deleting one, each written to the audit trail (the notice's id, never its text) with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from portal.audit import Event, record
from portal.clock import now
from portal.domain.clock import from_kazakhstan_time, kazakhstan_now
from portal.extensions import db
from portal.models import ClientNotice, Staff

ENDED_SHOWN = 20


@dataclass(frozen=True)
class NoticeRow:
    """A notice as the staff's pages show it: its three texts, and its moments in Kazakhstan's time."""

    id: int
    text_ru: str
    text_kk: str
    text_en: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class NoticeBoard:
    """«Сейчас показываются» (by start), «Запланированы» (by start), «Завершены» (the last ENDED_SHOWN, latest
    first)."""

    current: list[NoticeRow]
    planned: list[NoticeRow]
    ended: list[NoticeRow]


@dataclass(frozen=True)
class NoticeFacts:
    """A notice as an editor typed it; the moments are wall-clock times in Kazakhstan (naive)."""

    text_ru: str
    text_kk: str
    text_en: str
    starts_at: datetime
    ends_at: datetime


def _row(notice: ClientNotice) -> NoticeRow:
    return NoticeRow(
        notice.id,
        notice.text_ru,
        notice.text_kk,
        notice.text_en,
        kazakhstan_now(notice.starts_at),
        kazakhstan_now(notice.ends_at),
    )


def notice_board() -> NoticeBoard:
    """Every notice not yet ended and the latest ended ones, in one query."""
    moment = now()
    latest_ended = (
        select(ClientNotice.id)
        .where(ClientNotice.ends_at <= moment)
        .order_by(ClientNotice.ends_at.desc(), ClientNotice.id.desc())
        .limit(ENDED_SHOWN)
    )
    notices = db.session.scalars(
        select(ClientNotice)
        .where(or_(ClientNotice.ends_at > moment, ClientNotice.id.in_(latest_ended.scalar_subquery())))
        .order_by(ClientNotice.starts_at, ClientNotice.id)
    ).all()
    current = [_row(n) for n in notices if n.starts_at <= moment < n.ends_at]
    planned = [_row(n) for n in notices if n.starts_at > moment]
    ended = [_row(n) for n in sorted(notices, key=lambda n: (n.ends_at, n.id), reverse=True) if n.ends_at <= moment]
    return NoticeBoard(current, planned, ended)


def find_notice(notice_id: int) -> NoticeRow | None:
    notice = db.session.get(ClientNotice, notice_id)
    return _row(notice) if notice is not None else None


def _write(notice: ClientNotice, facts: NoticeFacts) -> None:
    notice.text_ru, notice.text_kk, notice.text_en = facts.text_ru, facts.text_kk, facts.text_en
    notice.starts_at = from_kazakhstan_time(facts.starts_at)
    notice.ends_at = from_kazakhstan_time(facts.ends_at)
    notice.updated_at = now()


def add_notice(facts: NoticeFacts, staff: Staff) -> int:
    """The new notice's id."""
    notice = ClientNotice(created_by=staff.id, created_at=now())
    _write(notice, facts)
    db.session.add(notice)
    db.session.flush()
    record(Event.NOTICE_ADDED, None, str(notice.id), staff.id)
    db.session.commit()
    return notice.id


def change_notice(notice_id: int, facts: NoticeFacts, staff: Staff) -> bool:
    """False when there is no such notice (deleted meanwhile)."""
    notice = db.session.get(ClientNotice, notice_id)
    if notice is None:
        return False
    _write(notice, facts)
    record(Event.NOTICE_CHANGED, None, str(notice.id), staff.id)
    db.session.commit()
    return True


def end_notice(notice_id: int, staff: Staff) -> bool:
    """«Снять сейчас»: a notice shown now ends at this moment. False when it is not shown now (planned, ended, or
    gone): nothing changes."""
    moment = now()
    notice = db.session.get(ClientNotice, notice_id)
    if notice is None or not notice.starts_at <= moment < notice.ends_at:
        return False
    if notice.starts_at == moment:  # shown from this very instant: ended, it had begun a moment before
        notice.starts_at = moment - timedelta(seconds=1)
    notice.ends_at = moment
    notice.updated_at = moment
    record(Event.NOTICE_ENDED, None, str(notice.id), staff.id)
    db.session.commit()
    return True


def delete_notice(notice_id: int, staff: Staff) -> bool:
    """False when there is no such notice."""
    notice = db.session.get(ClientNotice, notice_id)
    if notice is None:
        return False
    db.session.delete(notice)
    record(Event.NOTICE_DELETED, None, str(notice_id), staff.id)
    db.session.commit()
    return True
