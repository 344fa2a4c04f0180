"""Login hardening (issue: scope and security, item 3), through the Flask test client on both backends:
the failed-login limit per name and per address, shared by every worker through the database; CSRF on
form POSTs and on Dash's JSON POSTs; the security headers; no default passwords."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from sqlalchemy import update

from data import login_limits
from data.models import LoginFailure
from data.users import create_user
from tests.conftest import login

PASSWORD = "correct-horse-9"


@pytest.fixture
def app_and_users(web_app, sessions):
    with sessions.begin() as s:
        for name in ("ada", "bob", "cyd"):
            create_user(s, name, PASSWORD, "admin")
    return web_app


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_failures_of_one_name_slow_it_down_from_every_address_but_never_lock_it_for_long(app_and_users, sessions):
    c = client_from(app_and_users, "10.0.0.1")
    for _ in range(5):
        assert login(c, "ada", "wrong").status_code == 401
    r = login(c, "ada", PASSWORD)
    assert r.status_code == 429
    assert "登录失败次数过多，请 5 秒后再试。" in r.get_data(as_text=True)
    # The guessed name waits from another address too; other names do not.
    other = client_from(app_and_users, "10.0.0.2")
    assert login(other, "ada", PASSWORD).status_code == 429
    assert login(other, "bob", PASSWORD).status_code == 302
    # Seconds later (the failures moved back in time) the real user gets in: a slow-down, not a lockout.
    with sessions.begin() as s:
        s.execute(update(LoginFailure).values(at=LoginFailure.at - timedelta(seconds=6)))
    assert login(client_from(app_and_users, "10.0.0.2"), "ada", PASSWORD).status_code == 302


def test_a_names_wait_doubles_with_each_failure_up_to_a_minute(sessions):
    assert [login_limits.name_wait(n).total_seconds() for n in range(4, 12)] == [0, 5, 10, 20, 40, 60, 60, 60]
    t0 = datetime(2026, 1, 5, 9, 0)
    with sessions.begin() as s:
        for second in range(0, 200, 10):  # 20 failures of one name in 200 s, from 20 addresses
            login_limits.record_failure(s, "ada", f"10.1.0.{second}", t0 + timedelta(seconds=second))
    last = t0 + timedelta(seconds=190)
    with sessions() as s:
        # On main 20 failures locked the name out from everywhere for 10 minutes; now: a minute at most.
        assert login_limits.wait_time(s, "ada", "10.0.0.8", last) == timedelta(minutes=1)
        assert login_limits.wait_time(s, "ada", "10.0.0.8", last + timedelta(seconds=61)) is None


def test_an_address_trying_many_names_waits_and_a_success_forgives_only_its_own_name(app_and_users):
    c = client_from(app_and_users, "10.0.0.3")
    for i in range(18):
        assert login(c, f"guess{i}", "wrong").status_code == 401
    assert login(c, "bob", "wrong").status_code == 401
    # bob gets in (19 failures from here: under the address limit) and is forgiven his own failure only ...
    assert login(client_from(app_and_users, "10.0.0.3"), "bob", PASSWORD).status_code == 302
    for i in range(2):
        assert login(c, f"other{i}", "wrong").status_code == 401
    # ... so the 18 guesses + 2 more are 20 failures of this address: any name now waits, from here only.
    r = login(c, "cyd", PASSWORD)
    assert r.status_code == 429 and "登录失败次数过多" in r.get_data(as_text=True)
    assert login(client_from(app_and_users, "10.0.0.4"), "cyd", PASSWORD).status_code == 302


def test_the_limit_is_shared_by_every_worker(engine, app_and_users):
    """Two app instances (two worker processes) on one database count the same failures."""
    from app import create_app

    second = create_app({"ENGINE": engine, "SECRET_KEY": "test-secret", "TESTING": True})
    for i in range(5):
        app = app_and_users if i % 2 else second
        assert login(client_from(app, "10.0.0.5"), "ada", "wrong").status_code == 401
    assert login(client_from(second, "10.0.0.6"), "ada", PASSWORD).status_code == 429
    assert login(client_from(app_and_users, "10.0.0.6"), "ada", PASSWORD).status_code == 429


def test_the_wait_ends_when_the_oldest_failure_leaves_the_window(sessions):
    t0 = datetime(2026, 1, 5, 9, 0)
    with sessions.begin() as s:
        for minute in range(5):
            login_limits.record_failure(s, "ada", "10.0.0.7", t0 + timedelta(minutes=minute))
    with sessions() as s:
        assert login_limits.wait_time(s, "ada", "10.0.0.8", t0 + timedelta(minutes=4)) == timedelta(seconds=5)
        assert login_limits.wait_time(s, "ada", "10.0.0.8", t0 + timedelta(minutes=4, seconds=5)) is None
        assert login_limits.wait_time(s, "bob", "10.0.0.8", t0 + timedelta(minutes=4)) is None
    with sessions.begin() as s:
        for i in range(20):  # an address failing under 20 names waits until the oldest leaves the window
            login_limits.record_failure(s, f"n{i}", "10.0.0.9", t0 + timedelta(minutes=i / 4))
    with sessions() as s:
        assert login_limits.wait_time(s, "zed", "10.0.0.9", t0 + timedelta(minutes=5)) == timedelta(minutes=5)
        assert login_limits.wait_time(s, "zed", "10.0.0.9", t0 + timedelta(minutes=10)) is None


def test_login_failures_and_successes_are_audited(app_and_users, sessions):
    from data.audit import recent

    c = client_from(app_and_users, "10.0.0.9")
    login(c, "ada", "wrong")
    login(c, "ada", PASSWORD)
    with sessions() as s:
        rows = [(r.action, r.username, r.address) for r in reversed(recent(s))]
    assert rows == [("login_failed", "ada", "10.0.0.9"), ("login", "ada", "10.0.0.9")]


# ---------------------------------------------------------------------------------------- CSRF
def test_form_posts_need_the_forms_token(app_and_users):
    c = app_and_users.test_client()
    c.get("/login")
    r = c.post("/login", data={"username": "ada", "password": PASSWORD})
    assert r.status_code == 400 and "表单已过期" in r.get_data(as_text=True)
    assert c.get("/").status_code == 302  # not logged in


def test_dash_posts_must_be_same_origin_json(app_and_users):
    c = app_and_users.test_client()
    assert login(c, "ada", PASSWORD).status_code == 302
    from tests import security_helpers as sh

    cb = next(cb for cb in sh.callbacks(c) if cb.output.endswith("getRowsResponse"))  # the users grid's rows
    body = sh.payload(cb, lambda i, _p: (
        {"startRow": 0, "endRow": 10, "sortModel": [], "filterModel": {}} if i["type"] == "report-grid-ask"
        else {"table": "users", "state": {}, "lang": "zh"}), "users")
    ok = c.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})
    assert ok.status_code == 200 and ok.get_json()["response"]['{"table":"users","type":"report-grid"}'][
        "getRowsResponse"]["rowCount"] == 3
    foreign = c.post("/_dash-update-component", json=body, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    # What a cross-site HTML form can send: not JSON.
    form = c.post("/_dash-update-component", data={"payload": "x"})
    assert form.status_code == 400


# ---------------------------------------------------------------------------------------- headers
def test_security_headers_on_pages_forms_and_api(app_and_users):
    c = app_and_users.test_client()
    pages = [c.get("/login")]
    login(c, "ada", PASSWORD)
    pages += [c.get("/"), c.get("/api/v1/reports/drilldown")]
    hashes = app_and_users.config["CSP_SCRIPT_HASHES"]
    assert hashes and all(h.startswith("'sha256-") for h in hashes)
    for r in pages:
        csp = r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        script_src = re.search(r"script-src ([^;]+)", csp).group(1)
        assert "'unsafe-inline'" not in script_src and all(h in script_src for h in hashes)
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "same-origin"


def test_every_inline_script_of_the_page_is_allowed_by_its_hash(app_and_users):
    """The CSP does not silently break Dash: each inline script on the page has its hash in the policy."""
    import base64
    import hashlib

    c = app_and_users.test_client()
    login(c, "ada", PASSWORD)
    r = c.get("/")
    html = re.sub(r"<!--.*?-->", "", r.get_data(as_text=True), flags=re.S)  # comments never run
    inline = [m.group(2) for m in re.finditer(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S)
              if "application/json" not in m.group(1)]
    assert inline
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in r.headers["Content-Security-Policy"], script[:80]


def test_no_default_passwords(sessions, engine):
    """A first start creates demo users with fresh random passwords, different on every start."""
    from app import first_start
    from data.db import make_session_factory

    made = first_start(make_session_factory(engine))
    assert {role for _, role, _ in made} >= {"admin", "leader", "supervisor", "unit"}
    passwords = [p for _, _, p in made]
    assert len(set(passwords)) == len(passwords)
    assert all(len(p) >= 12 and p not in ("admin", "password", "123456") for p in passwords)
