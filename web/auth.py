"""Flask-side login (docs/roles.md and docs/api.md): the form, sessions that expire, a failed-login limit, bearer tokens
for the API, and the guard that puts every other route (pages, /_dash-*, /api/*) behind a login."""
from __future__ import annotations

import math
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from string import whitespace
from typing import Iterator
from urllib.parse import quote, urlsplit

import flask
from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_bootstrap import Bootstrap5
from flask_compress import Compress
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import event, literal, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from domain.scope import ROLE_LABELS, Scope
from data import audit, login_limits
from data.cache import assume_fingerprint, known_fingerprint
from data.models import User
from data.users import authenticate, end_session, session_user, unknown_user_hash, user_by_token, user_scope

bp = Blueprint("auth", __name__, template_folder="templates", static_folder="static",
               static_url_path="/auth-static")
# Reachable without a login: the form itself and the stylesheet and script it uses (Bootstrap-Flask's static
# files, web/static); /healthz for the reverse proxy's checks (docs/DEPLOY.md).
PUBLIC_ENDPOINTS = {"auth.login", "auth.logout", "bootstrap.static", "auth.static", "auth.healthz"}

# The login page's words, in Chinese (default) and English: /login?lang=en. web/static/login.js keeps the
# language the app uses (its localStorage "lang") and the login page's the same, either way.
LOGIN_TEXTS = {
    "zh": {"html_lang": "zh-CN", "title": "评议督导看板", "page": "登录", "username": "用户名", "password": "密码",
           "submit": "登录", "other": "en", "toggle": "English", "expired": "登录已过期，请重新登录。",
           "wrong": "用户名或密码不正确。", "blocked": "登录失败次数过多，请 {later}后再试。", "seconds": "{n} 秒",
           "minutes": "{n} 分钟", "form_expired": "表单已过期，请重新提交。"},
    "en": {"html_lang": "en", "title": "Supervision Dashboard", "page": "Log in", "username": "Username",
           "password": "Password", "submit": "Log in", "other": "zh", "toggle": "中文",
           "expired": "Your session has expired: please log in again.", "wrong": "Wrong username or password.",
           "blocked": "Too many failed logins: please try again in {later}.", "seconds": "{n} seconds",
           "minutes": "{n} minutes", "form_expired": "The form had expired: please submit it again."},
}


def _login_texts() -> dict[str, str]:
    """The login page's words in the language asked (?lang=en, or the form's hidden lang field)."""
    return LOGIN_TEXTS["en" if request.values.get("lang") == "en" else "zh"]
BOOTSTRAP_CSS_URL = "/bootstrap/static/css/bootstrap.min.css"  # where Bootstrap5's blueprint serves it
# The tab's icon (three bars), inline in the page: Dash's /_favicon.ico was asked of the server again at every
# change of address, each 下钻 click and page change (15 KB and a request through the login beside the click's
# own, 5-29 ms of the server's time), as nothing sent with the rolling session cookie can be kept by the browser
# (it varies with the cookie).
ICON_HREF = "data:image/svg+xml," + quote(
    "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><rect width='32' height='32' rx='6' "
    "fill='#b02a37'/><path fill='#fff' d='M7 24h4v-8H7zm7 0h4V8h-4zm7 0h4V12h-4z'/></svg>", safe="")


@contextmanager
def db_session() -> Iterator[Session]:
    """A read session on the app's database for the current request (never commits; see data.db.read_engine).
    The request's sessions read the data version once between them (a callback opens several); a write in
    the request makes the next one read it again (_forget_data_version)."""
    with current_app.extensions["dashboard_read_sessions"]() as s:
        if "data_fingerprint" in flask.g:
            assume_fingerprint(s, flask.g.data_fingerprint)
        try:
            yield s
        finally:
            if known_fingerprint(s) is not None:
                flask.g.data_fingerprint = known_fingerprint(s)


def _forget_data_version(_session: Session) -> None:
    if flask.has_request_context():
        flask.g.pop("data_fingerprint", None)


def audit_event(action: str, username: str | None, detail: str = "") -> None:
    """One line of the audit trail, in its own transaction (a failed write must not lose the answer)."""
    with current_app.extensions["dashboard_sessions"].begin() as s:
        audit.record(s, action, username, detail, request.remote_addr)


@dataclass
class WebUser(UserMixin):
    """What a request needs of its user, loaded fresh each request so a changed scope applies at once."""

    id: str
    username: str
    display_name: str
    role: str
    scope: Scope

    @classmethod
    def of(cls, user: User) -> "WebUser":
        return cls(str(user.id), user.username, user.display_name or user.username, user.role,
                   user_scope(user))

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def csrf_token() -> str:
    """The session's token for form POSTs (the login form, the navbar's logout). The response it goes into is
    sent uncompressed (_compress)."""
    g.csrf_token_sent = True
    if "csrf_token" not in session:
        session["csrf_token"] = secrets.token_urlsafe(32)
    return session["csrf_token"]


def _safe_next(target: str | None) -> str:
    """Only a path of this site: an open redirect after login would make a phishing link look trustworthy.
    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so "/<TAB>/evil.example" is
    "//evil.example": any control character, whitespace or backslash makes the target the overview."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if any(c in whitespace or c == "\\" or ord(c) < 32 or ord(c) == 127 for c in target):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def _form(error: str | None = None, status: int = 200, notice: str | None = None):
    """The login page; error and notice: keys of LOGIN_TEXTS (with the values they are formatted with)."""
    words = _login_texts()
    nxt = _safe_next(request.values.get("next"))
    toggle = url_for("auth.login", lang=words["other"], **({"next": nxt} if nxt != "/" else {}))
    html = render_template("login.html", t=words, lang=words["html_lang"], toggle_href=toggle, icon_href=ICON_HREF,
        error=error and words[error[0]].format(**error[1]), notice=notice and words[notice],
        csrf_token=csrf_token(), next=nxt, username=request.form.get("username", ""))
    return html, status


# Where a role lands after logging in (instead of the overview).
LANDING = {"supervisor": "/workbench", "unit": "/org"}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        notice = "expired" if request.args.get("expired") else None
        return _form(notice=notice)
    username = request.form.get("username", "").strip()
    address = request.remote_addr or ""
    factory = current_app.extensions["dashboard_sessions"]
    now = datetime.now()
    with db_session() as s:
        wait = login_limits.wait_time(s, username, address, now)
    if wait is not None:
        audit_event("login_blocked", username)
        seconds = math.ceil(wait.total_seconds())
        words = _login_texts()
        later = (words["seconds"].format(n=seconds) if seconds < 60
                 else words["minutes"].format(n=math.ceil(seconds / 60)))
        return _form(("blocked", {"later": later}), 429)
    with db_session() as s:
        user = authenticate(s, username, request.form.get("password", ""))
        web_user = WebUser.of(user) if user else None
        epoch = user.session_epoch if user else None
    with factory.begin() as s:
        if web_user is None:
            login_limits.record_failure(s, username, address, now)
        else:
            login_limits.record_success(s, username, address)
        audit.record(s, "login" if web_user else "login_failed", username, "", address)
    if web_user is None:
        return _form(("wrong", {}), 401)
    session.clear()  # a fresh session on login: no fixation of a cookie set before it
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME of inactivity
    # The session's id (ended for good by logout) and the user's epoch (ended by a password or role change).
    session["sid"], session["epoch"] = secrets.token_urlsafe(24), epoch
    # The logout form's token, minted with the session: drawn later, by the first page's layout, it was lost
    # now and then to a request running beside it that wrote the session back without it.
    csrf_token()
    login_user(web_user)
    target = _safe_next(request.form.get("next"))
    # A supervisor's landing page is the 督导工作台, a unit's its own 单位画像 (/org without a code opens the
    # first org of its scope: docs/views.md); a link they followed is kept.
    return redirect(LANDING.get(web_user.role, target) if target == "/" else target)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """POST with the form's CSRF token (a cross-site page cannot log anyone out). The session's id is
    remembered as ended, so its cookie, replayed, opens nothing. A GET (an old bookmark) changes nothing."""
    if request.method == "GET":
        return redirect("/")
    if "sid" in session:
        until = datetime.now() + current_app.permanent_session_lifetime
        with current_app.extensions["dashboard_sessions"].begin() as s:
            end_session(s, session["sid"], until)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/healthz")
def healthz():
    """For the reverse proxy and monitoring: 200 when the database answers, 503 when not; no data."""
    try:
        with db_session() as s:
            s.execute(select(literal(1)))
    except SQLAlchemyError:
        return "unavailable\n", 503, {"Content-Type": "text/plain", "Cache-Control": "no-store"}
    return "ok\n", 200, {"Content-Type": "text/plain", "Cache-Control": "no-store"}


def _load_user(user_id: str) -> WebUser | None:
    epoch, sid = session.get("epoch"), session.get("sid")
    if not user_id.isdigit() or not isinstance(epoch, int) or not isinstance(sid, str):
        return None  # a session from before sessions could end: log in again
    with db_session() as s:
        user = session_user(s, int(user_id), epoch, sid)
        return WebUser.of(user) if user is not None else None


def keep_this_session(user: User) -> None:
    """After an admin changed their own password: their other sessions end, this one goes on."""
    if current_user.is_authenticated and current_user.id == str(user.id):
        session["epoch"] = user.session_epoch


def _load_from_request(req) -> WebUser | None:
    """Authorization: Bearer TOKEN, for the API only (a token must not open the pages)."""
    auth = req.headers.get("Authorization", "")
    if not req.path.startswith("/api/") or not auth.lower().startswith("bearer "):
        return None
    token = auth[7:].strip()
    if not token:
        return None
    with db_session() as s:
        user = user_by_token(s, token)
        return WebUser.of(user) if user is not None else None


def _guard():
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    # Dash's routes (/_dash-*, its assets) and the API answer 401: a redirect would reach a script as HTML.
    if request.path.startswith(("/_dash", "/api/", "/assets/", "/_favicon")):
        return jsonify(error="未登录或登录已过期"), 401
    # A session cookie the server no longer accepts (too old, or signed with an old key) reads as an empty
    # session: the user was logged in and has expired, so say so.
    sent = request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])
    expired = 1 if sent and not list(session.keys()) else None
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?"), expired=expired))


UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _csrf_protect():
    """Cross-site request forgery, two rules for two kinds of POST:
    - a form POST (login, or any Flask form added later) carries the session's csrf_token field;
    - Dash callbacks and uploads are JSON POSTs made by the Dash renderer's fetch(): a cross-site page can
      only send those as a "simple" request if it drops the JSON content type, so JSON is required, and a
      browser's Origin header, when sent, must be this site. (SameSite=Lax cookies are the third wall.)"""
    if request.method not in UNSAFE:
        return None
    origin = request.headers.get("Origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        return jsonify(error="跨站请求已拒绝"), 403
    if request.path.startswith("/_dash-"):
        if not request.is_json:
            return jsonify(error="请求格式无效"), 400
        return None
    sent = request.form.get("csrf_token", "")
    if not sent or not secrets.compare_digest(sent, session.get("csrf_token", "")):
        if request.endpoint == "auth.logout" and not current_user.is_authenticated:
            return redirect(url_for("auth.login"))  # already logged out (the page was old): nothing to end
        if request.endpoint == "auth.login":
            return _form(("form_expired", {}), 400)
        return jsonify(error="表单已过期，请刷新页面后重新提交"), 400
    return None


def _csp() -> str:
    """What the pages may load: only this site. Dash's own inline start-up script is allowed by its hash
    (app.csp_hashes(), kept in CSP_SCRIPT_HASHES), not by 'unsafe-inline'; Plotly and AG Grid inject <style>
    elements, so styles need 'unsafe-inline'; charts export images as data:/blob: URLs."""
    scripts = " ".join(["'self'", *current_app.config.get("CSP_SCRIPT_HASHES", [])])
    return ("default-src 'self'; "
            f"script-src {scripts}; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


# Scripts, styles and JSON go compressed (zstd, br or gzip, whichever the browser takes): 下钻 opened with an
# empty cache was 4.0 MB of scripts and styles, 1.1 MB compressed; a page change's answers 62 KB, 11 KB at
# province (`bench --browser`, docs/SCALING.md). Office networks are often slow; compressing an answer takes about 1 ms.
COMPRESSED_TYPES = ["application/javascript", "text/javascript", "text/css", "application/json"]
_compressor = Compress()


def _compress(response):
    """Not a response carrying the session's form token: beside text an attacker can choose (the URL state the
    navbar repeats in its links), its compressed size would give the token away a character at a time
    (BREACH). HTML, where the login form carries it, is not among COMPRESSED_TYPES at all."""
    if g.get("csrf_token_sent"):
        return response
    return _compressor.after_request(response)


def _security_headers(response):
    # No framing at all (clickjacking), no MIME sniffing, no URLs with filters leaking to other sites.
    response.headers.setdefault("Content-Security-Policy", _csp())
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


DB_DOWN_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>暂时无法访问 · 评议督导看板</title>
<link rel="stylesheet" href="/bootstrap/static/css/bootstrap.min.css"></head><body class="bg-light">
<main class="container" style="max-width: 560px; margin-top: 12vh"><div class="card card-body shadow-sm">
<h1 class="h4">数据库暂时无法访问</h1>
<p>看板暂时连不上数据库，您的数据不受影响。请稍后刷新本页；数据库恢复后无需重新登录。</p>
<p class="text-muted small mb-0">如长时间无法访问，请联系系统管理员。</p>
<p class="mt-3 mb-0"><a class="btn btn-primary" href="">刷新</a></p></div></main></body></html>"""
DB_DOWN_MESSAGE = "数据库暂时无法访问，请稍后再试。"


def database_unavailable(err: BaseException) -> bool:
    """An error of the database connection (down, refusing connections, file gone), not of a query's logic
    nor of a value it was sent (a DataError, e.g. a NUL in a name, is never reported as an outage)."""
    if isinstance(err, DBAPIError):
        return isinstance(err, (OperationalError, InterfaceError)) or err.connection_invalidated
    return isinstance(err, SQLAlchemyError) and "connect" in str(err).lower()


def _db_error(err: SQLAlchemyError):
    """A database outage: a clear page or JSON error (503), never a stack trace. Nothing is cached here,
    so the next request after the database returns simply works (the pool reconnects)."""
    if not database_unavailable(err):
        raise err
    flask.current_app.logger.error("database unavailable: %s", err.__class__.__name__)
    if request.path.startswith("/_dash-update-component"):
        # The Dash renderer applies sideUpdate: the shell's alert tells the user, the page stays as it is.
        return jsonify(multi=True, response={}, sideUpdate={"shell-error": {"children": DB_DOWN_MESSAGE,
                                                                            "is_open": True}})
    if request.path.startswith(("/_dash", "/api/", "/assets/", "/_favicon")):
        return jsonify(error=DB_DOWN_MESSAGE), 503
    return DB_DOWN_PAGE, 503, {"Content-Type": "text/html; charset=utf-8", "Retry-After": "30"}


TOO_LARGE_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>请求内容过大 · 评议督导看板</title>
<link rel="stylesheet" href="/bootstrap/static/css/bootstrap.min.css"></head><body class="bg-light">
<main class="container" style="max-width: 560px; margin-top: 12vh"><div class="card card-body shadow-sm">
<h1 class="h4">请求内容过大</h1><p>{message}</p>
<p class="mt-3 mb-0"><a class="btn btn-primary" href="/">返回首页</a></p></div></main></body></html>"""


def too_large_message() -> str:
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) / 1024 / 1024
    return (f"上传内容过大：单次请求不能超过 {limit:g} MB（文件以 Base64 传送，约为原大小的 4/3）。"
            "请减少一次选择的文件，分批上传。")


def _too_large(err: HTTPException):
    """A request body over MAX_CONTENT_LENGTH (an oversized upload): a Chinese message, never a bare 413.
    The Dash renderer shows it in the shell's alert, the page stays as it is."""
    message = too_large_message()
    if request.path.startswith("/_dash-update-component"):
        return jsonify(multi=True, response={}, sideUpdate={"shell-error": {"children": message, "is_open": True}})
    if request.path.startswith(("/_dash", "/api/")):
        return jsonify(error=message), 413
    return TOO_LARGE_PAGE.format(message=message), 413, {"Content-Type": "text/html; charset=utf-8"}


def _dash_request_error(err: Exception):
    """A request to Dash's callback route that Dash itself cannot take apart (inputs missing or of the wrong
    shape: the renderer never sends these) is the caller's mistake: 400 with a message, never a trace."""
    if isinstance(err, HTTPException):
        return err
    if isinstance(err, SQLAlchemyError):
        return _db_error(err)
    if request.path != "/_dash-update-component":
        raise err
    flask.current_app.logger.warning("malformed Dash request refused", exc_info=err)
    return jsonify(error="请求格式无效"), 400


def init_app(app: flask.Flask) -> None:
    event.listen(app.extensions["dashboard_sessions"], "after_commit", _forget_data_version)
    unknown_user_hash()  # now, not in the first login with an unknown name (which would take twice as long)
    manager = LoginManager()
    manager.user_loader(_load_user)
    manager.request_loader(_load_from_request)
    # No current_user in templates: that context processor loads the user (a database read), and the login
    # form must answer even while the database is away.
    manager.init_app(app, add_context_processor=False)
    app.register_blueprint(bp)
    # Bootstrap's CSS as a static asset of the installed Bootstrap-Flask package: no copy here, no CDN.
    app.config["BOOTSTRAP_SERVE_LOCAL"] = True
    Bootstrap5(app)
    app.before_request(_guard)
    app.before_request(_csrf_protect)
    app.after_request(_security_headers)
    app.config.update(COMPRESS_MIMETYPES=COMPRESSED_TYPES, COMPRESS_REGISTER=False)
    _compressor.init_app(app)
    app.after_request(_compress)
    app.register_error_handler(SQLAlchemyError, _db_error)
    app.register_error_handler(413, _too_large)
    app.register_error_handler(Exception, _dash_request_error)
