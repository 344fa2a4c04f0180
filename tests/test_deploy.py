"""A deployment that holds (docs/DEPLOY.md), checked where it can be here, on PostgreSQL:
- a backup made with pg_dump, restored with pg_restore into a fresh database, gives every report unchanged;
- the app served by two worker processes on one database: an import through one is seen at once by the other.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import PG_ADMIN_URL, skip_or_fail

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def pg_database(prefix: str):
    """A fresh, empty PostgreSQL database (its URL), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL means "no PostgreSQL"
        skip_or_fail(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def demo_database(url: str, admin_password: str | None = None) -> None:
    """The schema, the small demo campaign and (optionally) an admin user."""
    from data.db import make_engine, make_session_factory, transaction
    from data.demo import load_demo
    from data.schema import upgrade
    from data.users import create_user

    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    load_demo(factory, scale="small")
    if admin_password:
        with transaction(factory) as s:
            create_user(s, "admin", admin_password, "admin", display_name="部署测试管理员")
    engine.dispose()


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def child_env(**extra: str) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


# ---------------------------------------------------------------------------------------- backup
def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        skip_or_fail(f"{name} not found: apt-get install postgresql-client")
    return path


def _major(version_text: str) -> int:
    return int(re.search(r"(\d+)(?:\.\d+)?", version_text).group(1))


def test_a_pg_dump_restored_into_a_fresh_database_gives_every_report_unchanged(tmp_path):
    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    with pg_database("dashboard_backup") as source, pg_database("dashboard_restore") as target:
        demo_database(source, admin_password="restore-check-9")
        # The client must not be older than the server (pg_dump refuses a newer server's database).
        engine = create_engine(source)
        with engine.connect() as conn:
            server = _major(conn.execute(text("SHOW server_version")).scalar())
        engine.dispose()
        client = _major(subprocess.run([pg_dump, "--version"], capture_output=True, text=True).stdout.split()[-1])
        assert client >= server, f"pg_dump {client} cannot dump a PostgreSQL {server} server"
        # What docs/DEPLOY.md tells the operator to run.
        dump = tmp_path / "dashboard.dump"
        subprocess.run([pg_dump, "--format=custom", "--no-owner", f"--file={dump}", libpq_url(source)],
                       check=True, timeout=300)
        subprocess.run([pg_restore, "--no-owner", "--exit-on-error", f"--dbname={libpq_url(target)}", str(dump)],
                       check=True, timeout=300)

        from data.demo import demo_as_of

        # Both snapshots at once, each in a process of its own (no cache of one can answer for the other).
        runs = [subprocess.Popen([sys.executable, "-m", "tests.report_snapshot", url, demo_as_of().isoformat()],
                                 cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for url in (source, target)]
        answers = [run.communicate(timeout=600) for run in runs]
        assert all(run.returncode == 0 for run in runs), [err[-2000:] for _, err in answers]
        before, after = (json.loads(out) for out, _ in answers)
        assert before.keys() == after.keys()
        differ = [key for key in before if before[key] != after[key]]
        assert not differ, differ[:5]
        # Not a comparison of two empty answers: the campaign is there, at the top and one level down.
        tables = [v for k, v in before.items() if "rows" in v]
        assert sum(1 for t in tables if t["rows"]) > len(tables) // 2
        assert sum(1 for k in before if k.startswith("drilldown ")) > 2
        # The users came back too: the restored database takes the same login.
        from data.db import make_engine, make_session_factory
        from data.users import authenticate

        restored = make_engine(target)
        with make_session_factory(restored)() as s:
            assert authenticate(s, "admin", "restore-check-9") is not None
        restored.dispose()
