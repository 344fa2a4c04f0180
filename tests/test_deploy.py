"""A deployment that holds (docs/DEPLOY.md), checked where it can be here, on PostgreSQL:
- a backup made with pg_dump, restored with pg_restore into a fresh database, gives every report unchanged;
- a worker process logs to standard output and answers /healthz; two workers on one database see an import
  through one at once in the other (tests/test_browser_workers.py, in Chromium).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
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
    from data.db import make_engine, make_session_factory
    from data.demo import load_demo
    from data.schema import upgrade
    from data.users import create_user

    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    load_demo(factory, scale="small")
    if admin_password:
        with factory.begin() as s:
            create_user(s, "admin", admin_password, "admin", display_name="部署测试管理员")
    engine.dispose()


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def child_env(**extra: str) -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


# ---------------------------------------------------------------------------------------- processes
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(base: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the worker stopped"
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{base} did not answer /healthz in {seconds} s")


@contextmanager
def workers(url: str, count: int, tmp_path):
    """`count` processes of `python app.py` on one database and one SECRET_KEY, as behind a load balancer."""
    env = child_env(DATABASE_URL=url, SECRET_KEY=secrets.token_hex(16))
    started = []
    try:
        for i in range(count):
            port = _free_port()
            log = open(tmp_path / f"worker{i}.log", "w")  # noqa: SIM115 - closed with the process below
            process = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)],
                                       cwd=ROOT, env=env, stdout=log, stderr=log)
            started.append((f"http://127.0.0.1:{port}", process, log))
        for base, process, _ in started:
            _wait_healthy(base, process)
        yield [base for base, _, _ in started]
    finally:
        for _, process, log in started:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


def test_a_worker_logs_to_stdout_and_answers_healthz(tmp_path):
    """`python app.py` as the process manager runs it: logs on standard output, /healthz for the proxy."""
    from data.db import make_engine
    from data.schema import upgrade

    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    upgrade(make_engine(url))
    with workers(url, 1, tmp_path) as (base,):
        with urllib.request.urlopen(base + "/healthz", timeout=10) as r:
            assert r.status == 200 and r.read() == b"ok\n"
        with urllib.request.urlopen(base + "/login", timeout=10) as r:
            assert r.status == 200
    log = (tmp_path / "worker0.log").read_text(encoding="utf-8")
    assert "INFO waitress: Serving on http://127.0.0.1:" in log
    assert "Traceback" not in log


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
