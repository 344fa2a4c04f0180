"""Login, logout, session cookies and the login guard in front of pages, Dash routes and the API
(docs/roles.md and docs/api.md), through the Flask test client on both database backends."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest

from data.users import create_user
from tests.conftest import login, logout

PASSWORD = "correct-horse-9"


@pytest.fixture
def client(web_app, sessions):
    with sessions.begin() as s:
        create_user(s, "ada", PASSWORD, "admin", display_name="艾达")
    return web_app.test_client()


@pytest.mark.parametrize("path", ["/", "/drill?org=A", "/redline"])
def test_anonymous_pages_redirect_to_login_keeping_the_target(client, path):
    r = client.get(path)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login?next=")
    assert path.split("?")[0] in r.headers["Location"]


@pytest.mark.parametrize("method,path", [
    ("post", "/_dash-update-component"), ("get", "/_dash-layout"), ("get", "/_dash-dependencies"),
    ("get", "/_dash-component-suites/dash/dcc/dash_core_components.js"),
    ("get", "/api/v1/reports/drilldown"), ("get", "/api/v1/reports/nonexistent"),
])
def test_anonymous_dash_and_api_requests_get_401(client, method, path):
    r = getattr(client, method)(path, json={} if method == "post" else None)
    assert r.status_code == 401
    assert r.get_json()["error"]


def test_login_page_is_local_and_has_a_csrf_token(client):
    r = client.get("/login")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "用户名" in html and "密码" in html
    assert re.search(r'name="csrf_token" value="[^"]{20,}"', html)
    assert not re.search(r"https?://", html)
    css = client.get("/bootstrap/static/css/bootstrap.min.css")
    assert css.status_code == 200 and css.mimetype == "text/css" and b".btn" in css.data


def test_the_login_form_shows_a_typed_user_name_as_text_never_as_markup(client):
    r = login(client, '"><script>alert(1)</script>', "wrong-password")
    html = r.get_data(as_text=True)
    assert r.status_code == 401 and "用户名或密码不正确" in html
    assert "<script>alert(1)" not in html and 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_login_then_pages_dash_and_logout(client):
    r = login(client, "ada", PASSWORD)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/logout").status_code == 302  # a GET (a link another site could plant) changes nothing
    assert client.get("/").status_code == 200
    r = logout(client)
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert client.get("/").status_code == 302
    assert client.get("/_dash-layout").status_code == 401


def test_the_logout_form_works_whichever_of_the_first_requests_wrote_the_cookie_last(client, web_app):
    """The page's first requests run side by side and each writes the session cookie back: the logout form's
    token must already be in the cookie login set, not only in the one the layout's response sets."""
    login(client, "ada", PASSWORD)
    name = web_app.config["SESSION_COOKIE_NAME"]
    at_login = client.get_cookie(name).value
    layout = client.get("/_dash-layout", headers={"Referer": "http://localhost/"}).get_data(as_text=True)
    token = re.search(r'name=\\"csrf_token\\" value=\\"([^"\\]+)', layout).group(1)
    client.set_cookie(name, at_login)  # a request beside the layout's finished last
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert client.get("/").status_code == 302  # logged out


def test_login_redirects_to_the_page_asked_for_but_never_off_site(client):
    page = client.get("/login?next=/redline").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": "ada", "password": PASSWORD, "csrf_token": token,
                                    "next": "/redline?round=x"})
    assert r.headers["Location"] == "/redline?round=x"
    logout(client)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": "ada", "password": PASSWORD, "csrf_token": token,
                                    "next": "//evil.example/x"})
    assert r.headers["Location"] == "/"


def test_wrong_password_and_unknown_user_are_refused_alike(client):
    for user, password in (("ada", "wrong-password"), ("nobody", PASSWORD)):
        r = login(client, user, password)
        assert r.status_code == 401
        assert "用户名或密码不正确" in r.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_post_without_the_forms_csrf_token_is_refused(client):
    client.get("/login")
    r = client.post("/login", data={"username": "ada", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 400
    assert client.get("/").status_code == 302


def test_failed_logins_are_limited_per_user_and_address(client):
    for _ in range(5):
        assert login(client, "ada", "wrong-password").status_code == 401
    r = login(client, "ada", PASSWORD)  # even the right password waits now
    assert r.status_code == 429
    assert "登录失败次数过多" in r.get_data(as_text=True)
    other = client.application.test_client()
    assert login(other, "ada", PASSWORD, ).status_code == 429  # same address, same user
    r = other.post("/login")  # no token at all: still a clean refusal
    assert r.status_code == 400


def test_session_cookie_is_httponly_lax_and_expires(web_app, client):
    r = login(client, "ada", PASSWORD)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    lifetime = web_app.config["PERMANENT_SESSION_LIFETIME"]
    assert lifetime == timedelta(hours=8)
    assert abs(expires - (datetime.now(timezone.utc) + lifetime)) < timedelta(minutes=5)


def test_session_hours_come_from_the_config(engine):
    from app import create_app

    app = create_app({"ENGINE": engine, "SECRET_KEY": "s", "SESSION_HOURS": "0.5"})
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)


def test_page_html_references_nothing_outside_the_app(client):
    login(client, "ada", PASSWORD)
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert not re.findall(r"https?://[^\"' )]+", html), "the app must work without internet"
    for ref in re.findall(r'(?:href|src)="([^"]+)"', html):
        if ref.startswith("data:image/"):  # inline (the tab's icon): nothing to fetch
            continue
        assert ref.startswith("/"), ref
        assert client.get(ref).status_code == 200, ref


def test_logins_and_refusals_are_in_the_audit_trail(client, sessions):
    from data.audit import recent

    login(client, "ada", "wrong-password")
    login(client, "ada", PASSWORD)
    with sessions() as s:
        trail = [(e.action, e.username, e.address) for e in reversed(recent(s))]
    assert trail == [("login_failed", "ada", "127.0.0.1"), ("login", "ada", "127.0.0.1")]


def test_an_expired_session_is_sent_to_login_with_a_notice(engine, sessions):
    from app import create_app

    with sessions.begin() as s:
        create_user(s, "ada", PASSWORD, "admin")
    app = create_app({"ENGINE": engine, "SECRET_KEY": "s", "SESSION_HOURS": 1})
    client = app.test_client()
    login(client, "ada", PASSWORD)
    assert client.get("/").status_code == 200
    # Flask checks the signed cookie's age against PERMANENT_SESSION_LIFETIME: shorten it to "already old".
    app.permanent_session_lifetime = timedelta(seconds=-1)
    r = client.get("/drill")
    assert r.status_code == 302 and "expired=1" in r.headers["Location"]
    assert "登录已过期" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert client.post("/_dash-update-component", json={}).status_code == 401


def test_a_visitor_who_only_saw_the_form_is_not_told_of_an_expiry(client):
    client.get("/login")  # the form's CSRF token makes a session cookie
    r = client.get("/")
    assert r.status_code == 302 and "expired" not in r.headers["Location"]


def test_responses_forbid_framing_and_sniffing(client):
    for r in (client.get("/login"), client.get("/api/v1/reports/drilldown")):
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_scripts_and_answers_go_compressed_but_never_beside_the_form_token(client):
    """Scripts, styles and JSON are sent compressed to a browser that takes it (a page opened with an empty
    cache: 4 MB of scripts, 1 MB compressed); HTML and any answer carrying the session's form token are not
    (BREACH: the compressed size beside text an attacker chose would tell the token)."""
    import gzip
    import zlib

    def plain(r):
        encoding = r.headers.get("Content-Encoding")
        data = r.get_data()
        return {None: lambda d: d, "gzip": gzip.decompress,
                "deflate": lambda d: zlib.decompress(d, -zlib.MAX_WBITS)}[encoding](data)

    login_form = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert login_form.status_code == 200 and "Content-Encoding" not in login_form.headers
    login(client, "ada", PASSWORD)
    html = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in html.headers
    script = next(ref for ref in re.findall(r'src="([^"]+)"', html.get_data(as_text=True)) if ".js" in ref)
    for accepted in ("gzip", "gzip, deflate"):  # a whole answer gzip, a streamed file deflate (flask-compress)
        whole = client.get(script)
        assert "Content-Encoding" not in whole.headers
        squeezed = client.get(script, headers={"Accept-Encoding": accepted})
        assert squeezed.headers.get("Content-Encoding") in ("gzip", "deflate")
        assert plain(squeezed) == whole.get_data() and len(squeezed.get_data()) < len(whole.get_data()) / 2
    answer = client.get("/_dash-dependencies", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["Content-Encoding"] == "gzip" and plain(answer) == client.get("/_dash-dependencies").get_data()
    # The layout of a page opened directly comes with its navbar, whose logout form carries the token.
    with_token = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip", "Referer": "http://localhost/drill"})
    assert with_token.status_code == 200 and "Content-Encoding" not in with_token.headers
    with client.session_transaction() as sess:
        assert sess["csrf_token"] in with_token.get_data(as_text=True)
