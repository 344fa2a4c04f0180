"""One cache design for everything computed from the database (report tables, the node index, resolved names).

Keys carry the data version (data_version(session)): every import, demo load and rule edit bumps it in the
database (data.rollups.bump_version), so every worker process and the command line see a change on their
next read. Nothing expires by time and nothing is cleared by hand: an old version's entries are simply never
asked for again and fall out of the LRU bound. One computation per key at a time: callers asking for a key
being computed wait for that result instead of computing it again (a page's callbacks arrive together).
"""
from __future__ import annotations

import threading
from typing import Callable, Hashable, TypeVar

from cachetools import LRUCache
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.db import READS_ONLY
from data.models import DataVersion, ImportLog

T = TypeVar("T")
_MISSING = object()
_VERSION = "data_fingerprint"  # session.info key: a read session reads the version once


def data_fingerprint(session: Session) -> tuple:
    """Changes whenever an import, a demo load or a profile edit changes what the figures rest on."""
    remembered = session.info.get(_VERSION)
    if remembered is not None:
        return remembered
    stmt = select(select(func.max(ImportLog.id)).scalar_subquery(),
                  select(DataVersion.token).where(DataVersion.id == 1).scalar_subquery())
    fingerprint = tuple(session.execute(stmt).one())
    if session.info.get(READS_ONLY):  # one read per request: every cache a request uses asks
        session.info[_VERSION] = fingerprint
    return fingerprint


def known_fingerprint(session: Session) -> tuple | None:
    """The data version this read session has read already, if it has."""
    return session.info.get(_VERSION)


def assume_fingerprint(session: Session, fingerprint: tuple) -> None:
    """A read session of the same request as one that read the version: it need not read it again."""
    session.info[_VERSION] = fingerprint


def data_version(session: Session) -> tuple:
    """The key prefix of a value computed from the session's database as it is now: which database (two
    apps in one process may use two) and its data version."""
    bind = session.get_bind()
    return str(bind.url), id(bind), data_fingerprint(session)


class ComputedCache:
    """An LRU of computed values (cachetools.LRUCache) with one computation per key at a time."""

    def __init__(self, maxsize: int):
        self._values: LRUCache = LRUCache(maxsize)
        self._lock = threading.Lock()  # guards _values and _computing; never held while computing
        self._computing: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], T], keep: Callable[[T], bool] | None = None) -> T:
        """The value of key, computed once; keep(value) False leaves a computed value unstored."""
        with self._lock:
            value = self._values.get(key, _MISSING)
            if value is not _MISSING:
                return value
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                value = self._values.get(key, _MISSING)
            if value is not _MISSING:  # computed by the caller this one waited for
                return value
            try:
                value = compute()
                if keep is None or keep(value):
                    with self._lock:
                        self._values[key] = value
            finally:  # stored (or failed) and released together: a later caller finds the value
                with self._lock:
                    if self._computing.get(key) is computing:
                        del self._computing[key]
        return value

    def peek(self, key: Hashable, default=None):
        with self._lock:
            return self._values.get(key, default)

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)
