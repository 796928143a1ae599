"""The FAQ as editors keep it in /staff/faq: add, change, publish or hide, reorder, delete, roll back.

Every change of an entry's words or of whether clients see it writes the entry as it now is to `faq_versions`
(who, when, what changed), in the same transaction, with an audit row; any version can be brought back, and so can
a deleted entry. A published entry has its question and answer in every language; a draft may lack some.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit import Event, record
from portal.clock import now
from portal.domain.clock import kazakhstan_now
from portal.models import FaqEntry, FaqTexts, FaqVersion, Staff

LANGUAGES = ("ru", "kk", "en")
TEXT_FIELDS = tuple(f"{part}_{language}" for language in LANGUAGES for part in ("question", "answer"))
SLUG_LENGTH = 60


class Change(enum.StrEnum):
    """What a version of an entry records."""

    ADDED = "added"
    CHANGED = "changed"
    PUBLISHED = "published"
    HIDDEN = "hidden"
    DELETED = "deleted"
    RESTORED = "restored"  # a deleted entry brought back, as a draft
    ROLLED_BACK = "rolled_back"  # the words of an earlier version brought back
    FILE = "file"  # `portal faq FILE`


AUDITED = {
    Change.ADDED: Event.FAQ_ADDED,
    Change.CHANGED: Event.FAQ_CHANGED,
    Change.PUBLISHED: Event.FAQ_PUBLISHED,
    Change.HIDDEN: Event.FAQ_HIDDEN,
    Change.DELETED: Event.FAQ_DELETED,
    Change.RESTORED: Event.FAQ_RESTORED,
    Change.ROLLED_BACK: Event.FAQ_ROLLED_BACK,
}


@dataclass(frozen=True)
class Words:
    """An entry's topic, questions and answers as an editor typed them (trimmed)."""

    topic: str
    texts: dict[str, str]  # by TEXT_FIELDS name: question_ru, answer_ru, ...

    @classmethod
    def of(cls, entry: FaqTexts) -> Words:
        return cls(entry.topic, {name: str(getattr(entry, name)) for name in TEXT_FIELDS})

    def missing_languages(self) -> list[str]:
        """The languages whose question or answer is empty: such an entry cannot be published."""
        return [
            language
            for language in LANGUAGES
            if not (self.texts[f"question_{language}"] and self.texts[f"answer_{language}"])
        ]


class Refusal(enum.Enum):
    MISSING_LANGUAGE = "missing_language"  # publishing an entry without every language
    STALE = "stale"  # another editor changed the entry after this form was opened
    NO_QUESTION = "no_question"  # a draft needs a question in at least one language
    SLUG_TAKEN = "slug_taken"  # a deleted entry's address is another entry's now
    GONE = "gone"  # no such entry or version


class EditRefused(Exception):
    def __init__(self, refusal: Refusal, languages: Sequence[str] = ()) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.languages = list(languages)


def _check(words: Words, publish: bool) -> None:
    if publish and words.missing_languages():
        raise EditRefused(Refusal.MISSING_LANGUAGE, words.missing_languages())
    if not any(words.texts[f"question_{language}"] for language in LANGUAGES):
        raise EditRefused(Refusal.NO_QUESTION)


def _write(entry: FaqEntry, words: Words) -> None:
    entry.topic = words.topic
    for name, text in words.texts.items():
        setattr(entry, name, text)


def keep_version(session: Session, entry: FaqEntry, change: Change, staff_id: int | None) -> FaqVersion:
    """Write the entry as it now is as its newest version (and the audit row, unless it came from a file)."""
    version = FaqVersion(
        slug=entry.slug, at=now(), staff_id=staff_id, change=change.value, published=entry.published, topic=entry.topic
    )
    for name in TEXT_FIELDS:
        setattr(version, name, getattr(entry, name))
    session.add(version)
    if change in AUDITED:
        record(AUDITED[change], None, entry.slug, staff_id)
    return version


def latest_version_id(session: Session, slug: str) -> int | None:
    return session.scalar(select(func.max(FaqVersion.id)).where(FaqVersion.slug == slug))


def new_slug(session: Session, words: Words) -> str:
    """An address for a new entry from its English question (or the first one written): unique among the entries
    and the deleted ones, which keep theirs."""
    question = next(
        (words.texts[f"question_{language}"] for language in ("en", "ru", "kk") if words.texts[f"question_{language}"]),
        "",
    )
    base = re.sub(r"[^a-z0-9]+", "-", question.lower()).strip("-")[:SLUG_LENGTH].strip("-") or "question"
    taken = set(session.scalars(select(FaqEntry.slug).where(FaqEntry.slug.startswith(base))))
    taken |= set(session.scalars(select(FaqVersion.slug).where(FaqVersion.slug.startswith(base)).distinct()))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def add_entry(session: Session, words: Words, publish: bool, staff: Staff) -> FaqEntry:
    """A new entry at the end of the list: published, or a draft."""
    _check(words, publish)
    last = session.scalar(select(func.max(FaqEntry.position)))
    entry = FaqEntry(slug=new_slug(session, words), position=(last if last is not None else -1) + 1, published=publish)
    _write(entry, words)
    session.add(entry)
    keep_version(session, entry, Change.ADDED, staff.id)
    session.commit()
    return entry


def _entry(session: Session, entry_id: int) -> FaqEntry:
    entry = session.get(FaqEntry, entry_id)
    if entry is None:
        raise EditRefused(Refusal.GONE)
    return entry


def change_entry(
    session: Session, entry_id: int, words: Words, publish: bool, based_on: int | None, staff: Staff
) -> FaqEntry:
    """The entry's new words (and whether it is published), unless another editor changed it since the editor's
    form was opened (`based_on`, the version it showed)."""
    entry = _entry(session, entry_id)
    if based_on != latest_version_id(session, entry.slug):
        raise EditRefused(Refusal.STALE)
    _check(words, publish)
    if Words.of(entry) == words and entry.published == publish:
        return entry  # nothing changed: no version
    change = Change.CHANGED if Words.of(entry) != words else (Change.PUBLISHED if publish else Change.HIDDEN)
    _write(entry, words)
    entry.published = publish
    keep_version(session, entry, change, staff.id)
    session.commit()
    return entry


def set_published(session: Session, entry_id: int, publish: bool, staff: Staff) -> FaqEntry:
    """Show the entry to clients, or hide it; showing it needs every language."""
    entry = _entry(session, entry_id)
    if entry.published == publish:
        return entry
    _check(Words.of(entry), publish)
    entry.published = publish
    keep_version(session, entry, Change.PUBLISHED if publish else Change.HIDDEN, staff.id)
    session.commit()
    return entry


def move_entry(session: Session, entry_id: int, up: bool, staff: Staff) -> None:
    """Swap the entry with the one above (or below) it; at the top (or bottom) nothing moves."""
    entry = _entry(session, entry_id)
    ordered = list(session.scalars(select(FaqEntry).order_by(FaqEntry.position, FaqEntry.id)))
    index = ordered.index(entry)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered):
        each.position = position
    record(Event.FAQ_MOVED, None, f"{entry.slug} {'up' if up else 'down'}", staff.id)
    session.commit()


def delete_entry(session: Session, entry_id: int, staff: Staff) -> str:
    """Delete the entry; its versions stay, the last one saying it was deleted, so that it can be brought back."""
    entry = _entry(session, entry_id)
    keep_version(session, entry, Change.DELETED, staff.id)
    session.delete(entry)
    session.commit()
    return entry.slug


def roll_back(session: Session, entry_id: int, version_id: int, staff: Staff) -> FaqEntry:
    """Bring back the words (topic, questions, answers) of an earlier version of the entry, as a new version; whether
    clients see the entry stays as it is, so a published entry takes back only words with every language."""
    entry = _entry(session, entry_id)
    version = session.get(FaqVersion, version_id)
    if version is None or version.slug != entry.slug:
        raise EditRefused(Refusal.GONE)
    words = Words.of(version)
    _check(words, entry.published)
    _write(entry, words)
    keep_version(session, entry, Change.ROLLED_BACK, staff.id)
    session.commit()
    return entry


def restore_deleted(session: Session, version_id: int, staff: Staff) -> FaqEntry:
    """A deleted entry back, as a draft at the end of the list, with the words it had when it was deleted."""
    version = session.get(FaqVersion, version_id)
    if (
        version is None
        or version.change != Change.DELETED.value
        or version.id != latest_version_id(session, version.slug)
    ):
        raise EditRefused(Refusal.GONE)
    if session.scalar(select(FaqEntry.id).where(FaqEntry.slug == version.slug)) is not None:
        raise EditRefused(Refusal.SLUG_TAKEN)
    last = session.scalar(select(func.max(FaqEntry.position)))
    entry = FaqEntry(slug=version.slug, position=(last if last is not None else -1) + 1, published=False)
    _write(entry, Words.of(version))
    session.add(entry)
    keep_version(session, entry, Change.RESTORED, staff.id)
    session.commit()
    return entry


# What the editor's pages show -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedEntry:
    id: int
    number: int  # its place in the list, from 1
    question: str  # in the page's language, else the first language that has one
    topic: str
    published: bool
    missing: list[str]  # languages without a question or an answer
    changed_at: datetime | None  # Kazakhstan time
    changed_by: str | None  # a staff member's name; None: from a file


@dataclass(frozen=True)
class DeletedEntry:
    version_id: int
    question: str
    deleted_at: datetime  # Kazakhstan time
    deleted_by: str | None


@dataclass(frozen=True)
class ShownVersion:
    id: int
    at: datetime  # Kazakhstan time
    by: str | None  # a staff member's name; None: from a file
    change: str
    published: bool
    words: Words
    current: bool  # the entry as it is now


def _question_in(item: FaqTexts, language: str) -> str:
    return next(
        (
            item.question(each)
            for each in (language, *LANGUAGES)
            if item.question(each)  # a draft may lack the page's language
        ),
        "",
    )


def _matches(item: FaqTexts, topic: str, slug: str, needle: str) -> bool:
    return (
        not needle
        or any(needle in str(getattr(item, name)).casefold() for name in TEXT_FIELDS)
        or (needle in topic.casefold() or needle in slug)
    )


def _latest_versions(session: Session) -> dict[str, tuple[FaqVersion, str | None]]:
    """The newest version of each slug, with its author's name: one statement."""
    newest = select(func.max(FaqVersion.id)).group_by(FaqVersion.slug).scalar_subquery()
    rows = session.execute(
        select(FaqVersion, Staff.full_name)
        .outerjoin(Staff, Staff.id == FaqVersion.staff_id)
        .where(FaqVersion.id.in_(newest))
    ).all()
    return {version.slug: (version, name) for version, name in rows}


@dataclass(frozen=True)
class EditorList:
    """The editors' list: the entries the query finds, how many there are in all, and (with no query) the entries
    deleted and not brought back, the latest first."""

    entries: list[ListedEntry]
    total: int
    deleted: list[DeletedEntry]


def editor_list(session: Session, language: str, query: str = "", deleted_shown: int = 50) -> EditorList:
    """Every entry in the clients' order, or those whose words (any language), topic or address hold `query`; two
    statements: the entries, and the newest version of each slug (of the deleted ones too)."""
    entries = list(session.scalars(select(FaqEntry).order_by(FaqEntry.position, FaqEntry.id)))
    latest = _latest_versions(session)
    needle = query.strip().casefold()
    listed = []
    for number, entry in enumerate(entries, start=1):
        if not _matches(entry, entry.topic, entry.slug, needle):
            continue
        version, name = latest.get(entry.slug, (None, None))
        listed.append(
            ListedEntry(
                id=entry.id,
                number=number,
                question=_question_in(entry, language),
                topic=entry.topic,
                published=entry.published,
                missing=Words.of(entry).missing_languages(),
                changed_at=kazakhstan_now(version.at) if version else None,
                changed_by=name,
            )
        )
    present = {entry.slug for entry in entries}
    gone = sorted(
        (
            (version, name)
            for version, name in latest.values()
            if version.change == Change.DELETED.value and version.slug not in present
        ),
        key=lambda row: row[0].id,
        reverse=True,
    )
    deleted = [
        DeletedEntry(version.id, _question_in(version, language), kazakhstan_now(version.at), name)
        for version, name in gone[:deleted_shown]
    ]
    return EditorList(listed, len(entries), [] if needle else deleted)


@dataclass(frozen=True)
class ShownEntry:
    """The entry an editor's page is about: its id and its question in the page's language."""

    id: int
    question: str


def shown_entry(entry: FaqEntry, language: str) -> ShownEntry:
    return ShownEntry(entry.id, _question_in(entry, language))


def topics(session: Session) -> list[str]:
    return list(session.scalars(select(FaqEntry.topic).distinct().order_by(FaqEntry.topic)))


def versions(session: Session, slug: str, limit: int = 50) -> list[ShownVersion]:
    """The entry's versions, the newest (the entry as it is) first."""
    rows = session.execute(
        select(FaqVersion, Staff.full_name)
        .outerjoin(Staff, Staff.id == FaqVersion.staff_id)
        .where(FaqVersion.slug == slug)
        .order_by(FaqVersion.id.desc())
        .limit(limit)
    ).all()
    return [
        ShownVersion(
            version.id, kazakhstan_now(version.at), name, version.change, version.published, Words.of(version), i == 0
        )
        for i, (version, name) in enumerate(rows)
    ]
