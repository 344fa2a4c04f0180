"""The failed-login limit (docs/roles.md), shared by every worker through the database.

A name that failed USER_LIMIT times in WINDOW (from any address) waits, and so does an address that failed
ADDRESS_LIMIT times (under any names): the first stops guessing one password, the second trying many names.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data.models import LoginFailure

USER_LIMIT, ADDRESS_LIMIT = 5, 20
WINDOW = timedelta(minutes=10)


def wait_time(session: Session, username: str, address: str, now: datetime) -> timedelta | None:
    """How long this name or address must wait before it may try again; None when it may try now."""
    since = now - WINDOW
    waits = []
    for column, value, limit in ((LoginFailure.username, username[:80], USER_LIMIT),
                                 (LoginFailure.address, address[:60], ADDRESS_LIMIT)):
        times = list(session.scalars(select(LoginFailure.at).where(column == value, LoginFailure.at > since)
                                     .order_by(LoginFailure.at.desc()).limit(limit)))
        if len(times) >= limit:
            # Free again when the oldest of the last `limit` failures leaves the window.
            waits.append(times[-1] + WINDOW - now)
    return max(waits) if waits else None


def record_failure(session: Session, username: str, address: str, now: datetime) -> None:
    session.add(LoginFailure(at=now, username=username[:80], address=address[:60]))
    # Old rows count for nothing: keep the table small.
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))


def record_success(session: Session, username: str, address: str) -> None:
    """The name's failures from this address are forgiven; other names' failures from it still count."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == username[:80],
                                               LoginFailure.address == address[:60]))


def failures(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(LoginFailure)) or 0
