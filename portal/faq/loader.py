"""`portal faq FILE`: the FAQ in three languages, replaced whole from a JSON file kept in the repository (the first
load, or a bulk replace of what editors keep in /staff/faq: every entry the file adds, changes or drops gets a
version, so that it can be rolled back in the browser)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.faq.editing import LANGUAGES, Change, Words, keep_version
from portal.importer import ImportRejected, problems_of
from portal.models import FaqEntry


class _Texts(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    ru: str
    kk: str
    en: str

    @field_validator("ru", "kk", "en")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    slug: str
    topic: str
    question: _Texts
    answer: _Texts


class FaqDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    version: int
    entries: list[_Entry]


def load_faq(session: Session, path: Path) -> int:
    """Replace the FAQ with the file's entries, in the file's order; returns how many there are."""
    try:
        document = FaqDocument.model_validate_json(path.read_bytes())
    except ValidationError as error:
        raise ImportRejected(list(problems_of(error))) from None
    slugs = [entry.slug for entry in document.entries]
    repeated = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if repeated:
        raise ImportRejected([f"entries: slug {slug!r} appears more than once" for slug in repeated])

    existing = {entry.slug: entry for entry in session.scalars(select(FaqEntry))}
    for position, entry in enumerate(document.entries):
        row = existing.get(entry.slug) or FaqEntry(slug=entry.slug)
        words = Words(
            entry.topic,
            {
                f"{part}_{language}": getattr(getattr(entry, part), language)
                for part in ("question", "answer")
                for language in LANGUAGES
            },
        )
        changed = row.id is None or Words.of(row) != words or not row.published
        row.position = position
        row.topic = entry.topic
        for name, text in words.texts.items():
            setattr(row, name, text)
        row.published = True
        session.add(row)
        if changed:  # each entry the file adds or changes gets a version, so an editor can roll it back
            keep_version(session, row, Change.FILE, None)
    for row in existing.values():
        if row.slug not in slugs:
            keep_version(session, row, Change.DELETED, None)
    session.execute(delete(FaqEntry).where(FaqEntry.slug.not_in(slugs)))
    session.commit()
    return len(document.entries)
