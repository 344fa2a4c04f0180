"""Nothing lost, nothing leaked by an error (issue: scope and security, item 5):
- every callback (from the app's own dependency map) given malformed input answers 200/204 — no update or a
  message — never a 500 or a stack trace;
- a database outage gives a clear Chinese page (503), a JSON 503 from the API, a message from Dash, and the
  app works again once the database is back, without a restart. Both backends."""
from __future__ import annotations

import json
import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from data.db import make_engine
from data.schema import upgrade
from data.users import create_user
from tests import report_dataset as rd
from tests import security_helpers as sh
from tests.conftest import PG_ADMIN_URL, login

PASSWORD = "password-123"
JUNK = [12345, ["a", 1, None], {"x": {"y": [1, 2]}}, "?" + "x" * 100_000, None, True, "not-a-date",
        {"startRow": "a", "endRow": -5, "sortModel": "x", "filterModel": [1]}]


@pytest.fixture
def client(web_app, sessions):
    with sessions() as s:
        rd.load(s)
    with sessions.begin() as s:
        create_user(s, "uma", PASSWORD, "unit", ["A2"])
    c = web_app.test_client()
    assert login(c, "uma", PASSWORD).status_code == 302
    return c


def test_every_callback_survives_malformed_input(client):
    from callbacks.tables import TITLES

    problems = []
    cbs = sh.callbacks(client)
    assert len(cbs) >= 10
    for cb in cbs:
        for match in (["drilldown", "items"] if cb.has_match else ["drilldown"]):
            for junk in JUNK:
                for drop in (False, True):
                    body = sh.payload(cb, lambda _id, _prop, junk=junk: junk, match, drop_last_input=drop)
                    r = client.post("/_dash-update-component", json=body)
                    text_ = r.get_data(as_text=True)
                    # One input fewer than declared (the renderer never sends that) may also be refused: 400.
                    allowed = (200, 204, 400) if drop else (200, 204)
                    if r.status_code not in allowed or sh.is_traceback(text_):
                        problems.append(f"{cb.label()} {str(junk)[:40]} drop={drop}: {r.status_code}")
            # Inputs whose value is missing altogether (a property never set): treated as None.
            body = sh.payload(cb, lambda _i, _p: None, cb.has_match and "drilldown" or "drilldown")
            for entry in body["inputs"] + body["state"]:
                for e in entry if isinstance(entry, list) else [entry]:
                    e.pop("value", None)
            r = client.post("/_dash-update-component", json=body)
            if r.status_code not in (200, 204):
                problems.append(f"{cb.label()} no values: {r.status_code}")
    assert not problems, "\n".join(problems[:30])
    assert TITLES  # the grid tables the MATCH callbacks serve


def test_a_failing_callback_says_so_in_the_shell_alert(client):
    """A malformed grid request is refused with a readable message, not silently and not with a trace."""
    cb = next(c for c in sh.callbacks(client) if c.output.endswith("getRowsResponse"))  # a grid's rows
    r = client.post("/_dash-update-component", json=sh.payload(cb, lambda _i, _p: ["not", "a", "state"]))
    assert r.status_code == 200
    side = r.get_json()["sideUpdate"]["shell-error"]
    assert side == {"children": "请求的参数无效，页面未更新。", "is_open": True}


def test_a_broken_request_body_is_a_400_not_a_500(client):
    for body in ({}, {"output": "nope.children", "inputs": []}, [1, 2]):
        r = client.post("/_dash-update-component", json=body)
        assert r.status_code in (204, 400), (body, r.status_code)
        assert not sh.is_traceback(r.get_data(as_text=True))


# ---------------------------------------------------------------------------------------- outage
class Outage:
    """A database of the test's own that can be taken away and given back while the app keeps running."""

    def __init__(self, backend: str, tmp_path):
        self.backend = backend
        if backend == "sqlite":
            self.path = tmp_path / "outage.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            self.name = f"dashboard_outage_{uuid.uuid4().hex[:8]}"
            self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
            self.url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.name
        self.engine = make_engine(self.url)

    def stop(self):
        if self.backend == "sqlite":
            # The file goes away and a directory stands in its place: SQLite cannot open (nor recreate) it.
            self.engine.dispose()
            os.rename(self.path, str(self.path) + ".away")
            os.mkdir(self.path)
        else:
            with self.admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false'))
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": self.name})

    def start(self):
        if self.backend == "sqlite":
            os.rmdir(self.path)
            os.rename(str(self.path) + ".away", self.path)
        else:
            with self.admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true'))

    def close(self):
        self.engine.dispose()
        if self.backend != "sqlite":
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def outage(request, tmp_path):
    if request.param == "postgresql":
        request.getfixturevalue("_pg_database")  # skips (or fails on CI) without PostgreSQL
    o = Outage(request.param, tmp_path)
    yield o
    o.close()


def test_database_outage_is_a_clear_503_and_the_app_recovers(outage):
    from app import create_app
    from data.db import make_session_factory

    upgrade(outage.engine)
    factory = make_session_factory(outage.engine)
    with factory() as s:
        rd.load(s)
    with factory.begin() as s:
        create_user(s, "ada", PASSWORD, "admin", [])
    app = create_app({"ENGINE": outage.engine, "SECRET_KEY": "test-secret", "TESTING": True})
    client = app.test_client()
    assert login(client, "ada", PASSWORD).status_code == 302
    api = f"/api/v1/reports/drilldown?as_of={rd.AS_OF.isoformat()}"
    cb = next(c for c in sh.callbacks(client) if c.output.endswith("getRowsResponse"))  # 下级's rows
    body = sh.payload(cb, lambda i, _p: (
        {"startRow": 0, "endRow": 20, "sortModel": [], "filterModel": {}} if i["type"] == "report-grid-ask"
        else {"table": "drilldown", "state": {"as_of": rd.AS_OF.isoformat()}, "lang": "zh"}))
    assert client.get(api).status_code == 200

    outage.stop()
    page = client.get("/drill")
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert "数据库暂时无法访问" in html and not sh.is_traceback(html)
    r = client.get(api)
    assert r.status_code == 503 and r.get_json() == {"error": "数据库暂时无法访问，请稍后再试。"}
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200
    assert "数据库暂时无法访问" in r.get_json()["sideUpdate"]["shell-error"]["children"]
    assert client.get("/login").status_code == 200  # the login form itself needs no database

    outage.start()
    assert client.get("/drill").status_code == 200  # same session, no restart, no new login
    r = client.get(api)
    assert r.status_code == 200 and r.get_json()["rows"]
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200 and "shell-error" not in json.dumps(r.get_json())


def test_an_oversized_request_is_a_chinese_message_not_a_bare_413(web_app, engine, client):
    """MAX_CONTENT_LENGTH (MAX_REQUEST_MB, 50 MB by default) bounds every request body; an upload over it
    shows a message in the shell's alert, the API answers JSON, a page a Chinese page."""
    from app import create_app

    assert create_app({"ENGINE": engine, "SECRET_KEY": "x"}).config["MAX_CONTENT_LENGTH"] == 50 * 1024 * 1024
    assert create_app({"ENGINE": engine, "SECRET_KEY": "x", "MAX_REQUEST_MB": "8"}).config["MAX_CONTENT_LENGTH"] \
        == 8 * 1024 * 1024
    web_app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    cb = next(c for c in sh.callbacks(client) if "import-files.children" in c.output)
    big = "data:text/csv;base64," + "A" * (1024 * 1024 + 10)
    body = sh.payload(cb, lambda _i, p: [big] if p == "contents" else ["大.csv"] if p == "filename" else "zh")
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200
    side = r.get_json()["sideUpdate"]["shell-error"]
    assert side["is_open"] is True and "上传内容过大" in side["children"] and "1 MB" in side["children"]
    r = client.post("/api/v1/reports/drilldown", data=b"x" * (1024 * 1024 + 1))
    assert r.status_code == 413 and "上传内容过大" in r.get_json()["error"]
    r = client.post("/login", data={"username": "x" * (1024 * 1024 + 1)})
    assert r.status_code == 413 and "请求内容过大" in r.get_data(as_text=True)
    assert not sh.is_traceback(r.get_data(as_text=True))
    small = "data:text/csv;base64," + "A" * 1000  # under the limit: the callback itself answers
    body = sh.payload(cb, lambda _i, p: [small] if p == "contents" else ["小.csv"] if p == "filename" else "zh")
    assert "上传内容过大" not in client.post("/_dash-update-component", json=body).get_data(as_text=True)
