"""Shared fixtures: a real database per backend (SQLite and PostgreSQL), cleaned between tests.

On CI (CI=true) a missing PostgreSQL or Chromium is a failure, never a skip.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from data.db import make_engine, make_session_factory
from data.models import Base
from data.schema import upgrade

ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def skip_or_fail(reason: str) -> None:
    if ON_CI:
        pytest.fail(f"required on CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _pg_database():
    """A throwaway PostgreSQL database for this test run, dropped at the end."""
    name = f"dashboard_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL means "no PostgreSQL"
        skip_or_fail(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _engines(tmp_path_factory):
    return {}


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, _engines, tmp_path_factory):
    """A migrated database of each backend, emptied before every test."""
    backend = request.param
    if backend not in _engines:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        else:
            url = request.getfixturevalue("_pg_database")
        eng = make_engine(url)
        upgrade(eng)
        _engines[backend] = eng
    eng = _engines[backend]
    with eng.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    return eng


@pytest.fixture
def sessions(engine):
    """A session factory bound to the test database."""
    return make_session_factory(engine)


# ---------------------------------------------------------------------------------------- web app
@pytest.fixture
def web_app(engine):
    """The Flask+Dash app on the test database (both backends), with the report cache on as in production:
    it is keyed by the data version, so a test that changes the data sees the change at once."""
    from app import create_app

    return create_app({"ENGINE": engine, "SECRET_KEY": "test-secret", "TESTING": True})


def grid_in(box: list):
    """The grid among a card's grid box children (callbacks.tables.render: warnings, tools, grid, notes)."""
    import dash_ag_grid as dag

    return next(c for c in box if isinstance(c, dag.AgGrid))


def login(client, username: str, password: str):
    """POST /login the way the form does, with the CSRF token of the form."""
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def logout(client):
    """POST /logout the way the navbar's form does, with the session's CSRF token."""
    with client.session_transaction() as sess:
        token = sess.setdefault("csrf_token", "token-of-this-session")
    return client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def as_user(web_app, users):
    """Run a callback as one of the module's `users` (a fixture each module defines: name -> WebUser)."""
    from contextlib import contextmanager

    from flask_login import login_user

    @contextmanager
    def ctx(name):
        with web_app.test_request_context("/_dash-update-component", method="POST"):
            login_user(users[name])
            yield
    return ctx
