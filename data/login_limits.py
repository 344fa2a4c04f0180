"""The failed-login limit (docs/roles.md), shared by every worker through the database.

A name's failures (from any address) slow its next try down rather than lock it: after NAME_FREE failures
in WINDOW each try waits NAME_FIRST_WAIT, doubling with every failure up to NAME_MAX_WAIT from the latest
one. A guesser gets about one try a minute per name, and whoever else fails a user's name can make the
user wait a minute at worst, never lock them out for long. An address that failed ADDRESS_LIMIT times (under
any names) waits until the oldest of them leaves the window: that stops trying many names from one place.
Behind a reverse proxy the address is the client's only with TRUSTED_PROXIES set (docs/DEPLOY.md).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data.models import LoginFailure

NAME_FREE, NAME_FIRST_WAIT, NAME_MAX_WAIT = 5, timedelta(seconds=5), timedelta(minutes=1)
ADDRESS_LIMIT = 20
WINDOW = timedelta(minutes=10)


def name_wait(failures: int) -> timedelta:
    """How long after its latest failure a name with this many recent failures waits (exponential backoff)."""
    if failures < NAME_FREE:
        return timedelta(0)
    return min(NAME_FIRST_WAIT * 2 ** min(failures - NAME_FREE, 16), NAME_MAX_WAIT)


def _recent(session: Session, column, value: str, since: datetime, limit: int) -> list[datetime]:
    return list(session.scalars(select(LoginFailure.at).where(column == value, LoginFailure.at > since)
                                .order_by(LoginFailure.at.desc()).limit(limit)))


def wait_time(session: Session, username: str, address: str, now: datetime) -> timedelta | None:
    """How long this name or address must wait before it may try again; None when it may try now."""
    since = now - WINDOW
    waits = []
    by_name = _recent(session, LoginFailure.username, username[:80], since, NAME_FREE + 8)
    if by_name:
        waits.append(by_name[0] + name_wait(len(by_name)) - now)
    by_address = _recent(session, LoginFailure.address, address[:60], since, ADDRESS_LIMIT)
    if len(by_address) >= ADDRESS_LIMIT:
        # Free again when the oldest of the last ADDRESS_LIMIT failures leaves the window.
        waits.append(by_address[-1] + WINDOW - now)
    wait = max(waits, default=timedelta(0))
    return wait if wait > timedelta(0) else None


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
