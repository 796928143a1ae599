"""When the core system's data was last brought in: each `portal import` that went through, and `portal demo`; the
latest of them, for the clients' pages and the staff's."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import now
from portal.importer import ImportReport
from portal.models import ImportRun

DEMO = "demo"


def record_run(session: Session, source: str, report: ImportReport | None = None) -> None:
    """Keep a run that went through (committed by the caller); `source` is the file's name, never its folder."""
    session.add(
        ImportRun(
            finished_at=now(),
            source=source[:255],
            clients=report.clients if report else 0,
            rows=report.rows if report else 0,
            changed=report.changed.total() if report else 0,
            removed=report.removed.total() if report else 0,
        )
    )


def last_run(session: Session) -> ImportRun | None:
    return session.scalars(select(ImportRun).order_by(ImportRun.finished_at.desc()).limit(1)).first()


def recent_runs(session: Session, limit: int = 20) -> list[ImportRun]:
    """The latest runs, newest first."""
    newest_first = select(ImportRun).order_by(ImportRun.finished_at.desc(), ImportRun.id.desc())
    return list(session.scalars(newest_first.limit(limit)))
