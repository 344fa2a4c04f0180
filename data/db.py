"""Engine and session handling. One code path for SQLite and PostgreSQL."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


def default_url() -> str:
    INSTANCE_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'dashboard.sqlite3'}"


def database_url(url: str | None = None) -> str:
    return url or os.environ.get("DATABASE_URL") or default_url()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the app read while an import writes; foreign keys are off by default in SQLite.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def read_engine(engine: Engine) -> Engine:
    """The engine for read-only sessions. On PostgreSQL its statements run without BEGIN and ROLLBACK around
    them: under READ COMMITTED every statement takes its own snapshot anyway, so the transaction bought
    nothing but two round trips per session (a drill-down click opens two). SQLite keeps its transaction,
    which gives a request's reads one snapshot. Same pool either way."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


# Session.info flag of sessions that never write: what they read of the data version may be remembered for
# the session's life (data.cache.data_fingerprint), and names they resolve may come from a shared cache.
READS_ONLY = "reads_only"


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for the web's reads: read_engine's, flagged READS_ONLY."""
    return sessionmaker(bind=read_engine(engine), expire_on_commit=False, info={READS_ONLY: True})

