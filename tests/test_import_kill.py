"""Nothing lost (docs/import-templates.md): an import killed with SIGKILL while it writes, or cut off by a
database outage, leaves every table exactly as before; the database stays usable and the same file imports afterwards.

Each backend gets its own throwaway database (a killed client may leave a server backend behind for a
moment, which must not disturb other tests). The import runs as the real CLI in a subprocess.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from domain.rules import EVALUATOR_CATEGORIES
from data.db import make_engine, make_session_factory
from data.importers import import_files
from data.models import Tally
from data.schema import upgrade
from tests.test_import_fuzz import snapshot

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
from tests.conftest import skip_or_fail  # noqa: E402 - CI turns a missing PostgreSQL into a failure
ROUND = "2012年评议"
ORGS, ITEMS = 3000, 10  # 3000 x 10 x 7 categories = 210,000 tally rows: a write phase of a few seconds
BIG_ROWS = ORGS * ITEMS * len(EVALUATOR_CATEGORIES)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("kill")
    orgs = ["组织编码,组织名称,上级组织编码,组织类型,所属系统,所属地区", "ROOT,总党委,,党委,交通运输系统,湖南省/长沙市"]
    orgs += [f"O{i:04d},第{i}支部,ROOT,党支部,交通运输系统,湖南省/长沙市" for i in range(ORGS)]
    sessions = ["评议批次,组织编码,测评对象,有效份数"] + [f"{ROUND},O{i:04d},党组织,1000" for i in range(ORGS)]
    big = ["评议批次,组织编码,党员编号,测评项目,参评人员类别,满意,基本满意,不满意,不了解,弃权"]
    big += [f"{ROUND},O{i:04d},,项目{item},{category},{i % 7 + 1},{i % 3},{item % 2},0,1"
            for i in range(ORGS) for item in range(ITEMS) for category in EVALUATOR_CATEGORIES]
    out = {}
    for name, lines in (("orgs", orgs), ("sessions", sessions), ("big", big)):
        out[name] = folder / f"{name}.csv"
        out[name].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def pg_admin():
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
        return admin
    except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL means "no PostgreSQL"
        skip_or_fail(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")


class Database:
    """A fresh database of one backend, seeded with orgs, a round and its 测评场次."""

    def __init__(self, backend: str, tmp_path: Path):
        self.backend = backend
        self.admin = None
        if backend == "sqlite":
            self.path = tmp_path / "kill.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            self.admin = pg_admin()
            self.name = f"dashboard_kill_{uuid.uuid4().hex[:10]}"
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
            self.url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.name

    def seed(self, files: dict[str, Path]) -> None:
        engine = make_engine(self.url)
        upgrade(engine)
        result = import_files(make_session_factory(engine), [files["orgs"], files["sessions"]], "setup")
        assert result.accepted, result.errors[:3]
        engine.dispose()

    def state(self) -> dict:
        engine = make_engine(self.url)
        try:
            return snapshot(make_session_factory(engine))
        finally:
            engine.dispose()  # the last SQLite connection closing checkpoints and removes the -wal file

    def tallies(self) -> int:
        engine = make_engine(self.url)
        with engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(Tally)).scalar_one()
        engine.dispose()
        return count

    def writing(self) -> bool:
        """Has the import begun writing? SQLite: its transaction holds the write lock (a write transaction
        of ours cannot start; ours is rolled back at once) or spilled pages into the write-ahead log.
        PostgreSQL: the import's backend is running (or ran) its INSERT or COPY into tallies."""
        if self.backend == "sqlite":
            wal = self.path.with_name(self.path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                return True
            probe = sqlite3.connect(self.path, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:  # database is locked: the import is writing
                return True
            finally:
                probe.close()
        with self.admin.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid() "
                "AND (query ILIKE 'INSERT INTO tallies%' OR query ILIKE 'COPY tallies%')"),
                {"db": self.name}).scalar_one())

    def other_backends(self) -> int:
        with self.admin.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :db"),
                                {"db": self.name}).scalar_one()

    def drop(self) -> None:
        if self.admin is not None:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path, files):
    database = Database(request.param, tmp_path)
    try:
        database.seed(files)
        yield database
    finally:
        database.drop()


def cli(url: str, *args: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "dashboard", "import", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def wait_until(condition, proc: subprocess.Popen, limit: float = 60.0) -> bool:
    """Poll until condition() holds; False when the process ended first (or the limit passed)."""
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        if condition():
            return True
        time.sleep(0.02)
    return False


def settle(db: Database) -> None:
    """A killed client's PostgreSQL backend rolls back and exits once it notices the closed socket."""
    if db.backend == "postgresql":
        end = time.monotonic() + 30
        while db.other_backends() and time.monotonic() < end:
            time.sleep(0.05)
        assert db.other_backends() == 0, "the killed import's server backend is still there"


def test_import_killed_midway_leaves_database_as_before(db, files):
    before = db.state()
    assert before["tallies"][0] == 0 and before["orgs"][0] == ORGS + 1
    # First a kill right after start (before any write, most likely), then two kills inside the write
    # phase: at the moment it is seen to begin, and a little later, deep in the bulk insert.
    killed_while_writing = 0
    for after_write in (None, 0.0, 0.3):
        assert not db.writing()  # else the poll below could not tell this run's writes from the last's
        proc = cli(db.url, str(files["big"]))
        if after_write is None:
            time.sleep(0.2)
        else:
            assert wait_until(db.writing, proc), f"the import never started writing: {proc.communicate()}"
            time.sleep(after_write)
        assert proc.poll() is None, "the import finished before it was killed (make the file bigger)"
        was_writing = db.writing()
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        killed_while_writing += was_writing
        settle(db)
        assert db.state() == before, f"a kill {after_write}s into the write phase left a partial import"
    assert killed_while_writing >= 2

    if db.backend == "sqlite":
        engine = create_engine(db.url)
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        engine.dispose()
    # The database is usable and the very same file now imports whole.
    done = cli(db.url, str(files["big"]))
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert f"big.csv：已导入，模板 测评汇总，{BIG_ROWS} 行：新增 {BIG_ROWS}" in out
    assert db.tallies() == BIG_ROWS


def assert_one_line_error(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, (out, err)
    assert "Traceback" not in err and "Traceback" not in out, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_database_outage_mid_import_is_a_clear_error_and_writes_nothing(tmp_path, files):
    db = Database("postgresql", tmp_path)
    try:
        db.seed(files)
        before = db.state()
        proc = cli(db.url, str(files["big"]))
        assert wait_until(db.writing, proc), f"the import never started writing: {proc.communicate()}"
        with db.admin.connect() as conn:  # the server drops the import's connection mid-transaction
            terminated = conn.execute(text(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()) AS t"), {"db": db.name}).scalar_one()
        assert terminated >= 1
        line = assert_one_line_error(proc)
        assert line.startswith("big.csv:") and "数据库" in line, line
        settle(db)
        # Nothing of the file is written; the audit log records the refused attempt, which it should.
        after = db.state()
        assert {k: v for k, v in after.items() if k != "audit_log"} == {
            k: v for k, v in before.items() if k != "audit_log"}
    finally:
        db.drop()


def test_unreachable_database_is_a_clear_error(files):
    """Nothing listens on port 1: the CLI says so in one line, no traceback."""
    line = assert_one_line_error(cli("postgresql+psycopg://postgres@127.0.0.1:1/nothing", str(files["big"])))
    assert "数据库" in line and "database" in line, line
