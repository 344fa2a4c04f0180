"""The audit trail (AuditLog): logins (ok, refused, blocked), imports, exports, user changes and visit
records, with who, when and from where. Admins read and export it (dashboard.audit_report)."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import AuditLog
from domain.metrics import day_end


def record(session: Session, action: str, username: str | None, detail: str = "", address: str | None = None,
           at: datetime | None = None) -> None:
    session.add(AuditLog(at=at or datetime.now(), username=username, action=action, detail=detail[:2000],
                         address=(address or "")[:60] or None))


def recent(session: Session, action: str | None = None, limit: int = 50) -> list[AuditLog]:
    stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    return list(session.scalars(stmt))


def search(session: Session, action: str | None = None, username: str | None = None,
           start: date | None = None, end: date | None = None) -> list[AuditLog]:
    """Rows newest first; start and end are whole days, both included."""
    stmt = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if username:
        stmt = stmt.where(AuditLog.username == username)
    if start:
        stmt = stmt.where(AuditLog.at >= datetime.combine(start, time.min))
    if end:
        stmt = stmt.where(AuditLog.at < day_end(end))
    return list(session.scalars(stmt))
