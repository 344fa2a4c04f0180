"""评议督导看板 web application: Flask (login, API) with Dash mounted behind the login.

`python app.py [--host 127.0.0.1] [--port 8050]` serves it with waitress. On the embedded default SQLite
it prepares itself on first start: schema, the small demo campaign, and demo users with fresh passwords.
"""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dash
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from data.db import INSTANCE_DIR, make_engine, make_read_session_factory, make_session_factory

ROOT = Path(__file__).resolve().parent


def _instance_secret() -> str:
    """A development secret generated once and kept in instance/, so sessions survive restarts."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def create_app(config: dict | None = None) -> Flask:
    from callbacks import register
    from callbacks.common import on_callback_error
    from dashboard import memory
    from web import api as web_api
    from web import auth as web_auth
    from callbacks.shell import first_layout

    memory.tune_malloc()

    cfg = {"DATABASE_URL": os.environ.get("DATABASE_URL"), "SESSION_HOURS": os.environ.get("SESSION_HOURS", 8),
           # The largest request body (an upload is sent Base64-encoded in one callback request): over it,
           # a clear Chinese message (web_auth), the body is never read.
           "MAX_REQUEST_MB": os.environ.get("MAX_REQUEST_MB", 50),
           "SECRET_KEY": os.environ.get("SECRET_KEY"), "TESTING": False,
           # Behind HTTPS (docs/DEPLOY.md): the session cookie is sent over HTTPS only.
           "SESSION_COOKIE_SECURE": _env_flag("SESSION_COOKIE_SECURE"),
           # How many reverse proxies in front set X-Forwarded-For/-Proto (0: none, headers ignored).
           "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES") or 0), **(config or {})}
    server = Flask(__name__, instance_path=str(INSTANCE_DIR))
    server.config.update(
        TESTING=cfg["TESTING"], SECRET_KEY=cfg["SECRET_KEY"] or _instance_secret(),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=float(cfg["SESSION_HOURS"])),
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        REPORT_CACHE=bool(cfg.get("REPORT_CACHE", True)),  # tables kept per data version (callbacks.common)
        SESSION_COOKIE_SECURE=bool(cfg["SESSION_COOKIE_SECURE"]),
        MAX_CONTENT_LENGTH=int(float(cfg["MAX_REQUEST_MB"]) * 1024 * 1024))
    server.json.ensure_ascii = False
    if cfg["TRUSTED_PROXIES"]:
        # The client's address and scheme from the proxy's headers, so the per-address login limit counts
        # clients, not the proxy; off by default, since without a proxy anyone could forge these headers.
        n = int(cfg["TRUSTED_PROXIES"])
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n)
    # ENGINE lets tests share their engine (one pool per database); otherwise DATABASE_URL or the default.
    engine = cfg.get("ENGINE") or make_engine(cfg["DATABASE_URL"])
    server.extensions["dashboard_sessions"] = make_session_factory(engine)  # writes: one transaction each
    server.extensions["dashboard_read_sessions"] = make_read_session_factory(engine)  # web_auth.db_session
    web_auth.init_app(server)
    server.register_blueprint(web_api.bp)

    app = dash.Dash(__name__, server=server, url_base_pathname="/", serve_locally=True,
                    assets_folder=str(ROOT / "assets"), title="评议督导看板", update_title=None,
                    suppress_callback_exceptions=True, external_stylesheets=[web_auth.BOOTSTRAP_CSS_URL],
                    on_error=on_callback_error)
    # lang makes browsers pick Simplified Chinese glyphs (not Japanese variants) for the Han characters.
    app.index_string = app.index_string.replace("<html>", '<html lang="zh-CN">').replace(
        "{%favicon%}", f'<link rel="icon" href="{web_auth.ICON_HREF}">')
    app.layout = first_layout
    register(app)
    # After every callback is registered: the hashes of Dash's inline scripts for the CSP (web_auth).
    server.config["CSP_SCRIPT_HASHES"] = app.csp_hashes()
    server.extensions["dash"] = app
    if cfg.get("WARM_INDEX", True):  # the first click after a start must not pay the node index's build
        from dashboard import warmup
        server.wsgi_app = warmup.watching(server.wsgi_app)
        warmup.start(server.extensions["dashboard_read_sessions"])
    return server


def first_start(factory) -> list[tuple[str, str, str]]:
    """Prepare an empty embedded database: the demo campaign and demo users. Returns (user, role, password)
    for users created now; the passwords are random and shown once."""
    from data.demo import load_demo
    from data.lookups import demo_user_grants, has_orgs, has_users
    from data.users import create_user

    with factory() as s:
        empty = not has_orgs(s)
    if empty:
        print(load_demo(factory, scale="small"))
    created = []
    with factory.begin() as s:
        if has_users(s):
            return created
        for username, role, grants, display in demo_user_grants(s):
            password = secrets.token_urlsafe(12)
            create_user(s, username, password, role, grants, display_name=display)
            created.append((username, role, password))
    return created


def main(argv: list[str] | None = None) -> None:
    import waitress

    from data.schema import upgrade

    parser = argparse.ArgumentParser(description="评议督导看板")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    args = parser.parse_args(argv)
    # Every log line (Flask's, waitress's, ours) to standard output, one line each: the process manager
    # keeps them (journald under systemd, docs/DEPLOY.md).
    logging.basicConfig(stream=sys.stdout, level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not os.environ.get("DATABASE_URL"):
        engine = make_engine()
        upgrade(engine)
        for username, role, password in first_start(make_session_factory(engine)):
            print(f"demo user {username} ({role}) password: {password}")
    print(f"serving on http://{args.host}:{args.port}/", flush=True)
    waitress.serve(create_app(), host=args.host, port=args.port, threads=8)


if __name__ == "__main__":
    main()
