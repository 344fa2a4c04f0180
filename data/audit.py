"""The audit trail (AuditLog): logins, refused logins and exports, with who, when and from where."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import AuditLog


def record(session: Session, action: str, username: str | None, detail: str = "", address: str | None = None,
           at: datetime | None = None) -> None:
    session.add(AuditLog(at=at or datetime.now(), username=username, action=action, detail=detail[:2000],
                         address=(address or "")[:60] or None))


def recent(session: Session, action: str | None = None, limit: int = 50) -> list[AuditLog]:
    stmt = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    return list(session.scalars(stmt))
