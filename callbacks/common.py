"""What every callback needs: the caller's scope (from the server session, never from the browser), the
URL state as report arguments, and report tables with a short per-process cache."""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from datetime import date
from typing import Iterator

from dash import set_props
from flask import current_app
from flask_login import current_user

from dashboard import admin_report, audit_report, reports
from domain import gridmodel
from domain.scope import NOTHING, Scope
from domain.tables import Filters, ReportTable, RowStream
from web.auth import database_unavailable, db_session
from layouts import ids
from layouts.shell import UserInfo

log = logging.getLogger(__name__)
# Tables only an admin may read: name -> (session, page state, as_of, scope label) -> ReportTable.
ADMIN_TABLES = {"audit": audit_report.audit_table, "users": admin_report.users_table,
                "round-changes": admin_report.round_changes_table}
# Tables an admin reads whole and a unit user only for its own rows (its own imports); refused to the others.
OWN_TABLES = {"imports": admin_report.import_log_table}
OWN_ROLES = ("admin", "unit")
DB_DOWN = "数据库暂时无法访问，请稍后再试；恢复后无需重新登录。"
BAD_REQUEST = "请求的参数无效，页面未更新。"

_cache: dict[tuple, tuple[float, object]] = {}
_cache_lock = threading.Lock()
_CACHE_MAX = 128
# One lock per key being computed: a page's callbacks arrive together and often need the same table (数据质量's
# summary and findings both rest on the quality checks); the second waits for the first's result.
_computing: dict[tuple, threading.Lock] = {}


def scope() -> Scope:
    return current_user.scope if current_user and current_user.is_authenticated else NOTHING


def user_info() -> UserInfo:
    if not current_user or not current_user.is_authenticated:
        return UserInfo("—", "—", NOTHING.describe())
    return UserInfo(current_user.display_name, current_user.role_label, current_user.scope.describe(),
                    current_user.role)


def role() -> str | None:
    return current_user.role if current_user and current_user.is_authenticated else None


def username() -> str | None:
    return current_user.username if current_user and current_user.is_authenticated else None


def exported_by() -> str:
    return current_user.display_name if current_user and current_user.is_authenticated else "—"


def filters_of(state: dict) -> Filters:
    return Filters(round=state.get("round"), system=state.get("system"), region=state.get("region"),
                   org=state.get("org"),
                   extra=tuple((k, state[k]) for k in reports.PAGE_FILTERS if state.get(k)))


def as_of_of(state: dict) -> date:
    """The URL's as-of date; today when absent (the UI's default, docs/metrics.md)."""
    text = state.get("as_of")
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise reports.BadParameter(f"统计截止日期无效，应为 YYYY-MM-DD：{text}") from None


def _cached(key: tuple, compute):
    ttl = float(current_app.config.get("REPORT_CACHE_SECONDS", 0) or 0)
    if ttl <= 0:
        return compute()

    def fresh():
        hit = _cache.get(key)
        return hit if hit and time.monotonic() - hit[0] < ttl else None

    with _cache_lock:
        hit = fresh()
        if hit:
            return hit[1]
        computing = _computing.setdefault(key, threading.Lock())
    with computing:
        with _cache_lock:
            hit = fresh()
        if hit:
            return hit[1]
        now = time.monotonic()
        try:
            value = compute()
        except BaseException:
            with _cache_lock:
                _computing.pop(key, None)
            raise
        with _cache_lock:  # stored and released together: a caller in between would compute it again
            if len(_cache) >= _CACHE_MAX:
                _cache.clear()
            _cache[key] = (now, value)
            _computing.pop(key, None)
    return value


def clear_cache() -> None:
    """Forget cached report tables (after an import or a rule change)."""
    with _cache_lock:
        _cache.clear()


def _key(kind: str, state: dict) -> tuple:
    node = tuple(sorted((k, v) for k, v in state.items() if k not in ("sort", "filter")))
    # The scope is part of the key: two users with different scopes never share a result.
    return (id(current_app._get_current_object()), kind, node, as_of_of(state), scope())


def is_admin() -> bool:
    return bool(current_user and current_user.is_authenticated and current_user.role == "admin")


def table(name: str, state: dict) -> ReportTable:
    """The report table `name` (a view of reports.build) for the URL state and the caller's scope."""
    if name in ADMIN_TABLES:
        # Admin-only tables: refused on the server whatever page or request asks for them (never cached).
        if not is_admin():
            raise reports.OutOfScope("仅管理员可查看")
        with db_session() as s:
            return ADMIN_TABLES[name](s, state, as_of_of(state), scope().describe())
    if name in OWN_TABLES:
        if role() not in OWN_ROLES:
            raise reports.OutOfScope("仅管理员和单位账号可查看导入记录")
        with db_session() as s:
            return OWN_TABLES[name](s, state, as_of_of(state), scope().describe(),
                                    None if is_admin() else username())

    if name in reports.DERIVED:  # from its base table, itself cached (and computed once) under its own key
        base, derive = reports.DERIVED[name]
        return _cached(_key(name, state), lambda: derive(table(base, state)))

    def compute():
        with db_session() as s:
            return reports.build(name, s, filters_of(state), as_of_of(state), scope())
    return _cached(_key(name, state), compute)


def page(name: str, state: dict, sort_model, filter_model, start: int, end: int | None):
    """(rows start..end of table(name, state) after the grid model, their total) from a paged query, or
    None when the table has no paged form for that model (see reports.page). Not cached: a page is cheap."""
    if name in ADMIN_TABLES:
        return None
    with db_session() as s:
        return reports.page(name, s, filters_of(state), as_of_of(state), scope(), sort_model, filter_model,
                            start, end)


@contextmanager
def export_rows(name: str, state: dict, sort_model, filter_model) -> Iterator[tuple[ReportTable, RowStream | None]]:
    """(table, stream) of every row the grid shows: for a table with a paged form, the rows are read from
    the database a part at a time while the block consumes the stream (reports.stream); otherwise the
    whole table after the grid model, and stream is None."""
    if name not in ADMIN_TABLES:
        with db_session() as s:
            found = reports.stream(name, s, filters_of(state), as_of_of(state), scope(), sort_model, filter_model)
            if found is not None:
                yield found
                return
    yield gridmodel.apply(table(name, state), sort_model, filter_model), None


def call(func, state: dict, cache_as: str | None = None):
    """reports.func(session, filters, as_of, scope) for the state, cached under cache_as when given."""
    def compute():
        with db_session() as s:
            return func(s, filters_of(state), as_of_of(state), scope())
    return _cached(_key(cache_as, state), compute) if cache_as else compute()


def node_path(state: dict) -> list[tuple[str, Filters]]:
    with db_session() as s:
        return reports.node_path(s, filters_of(state), scope())


def on_callback_error(err: Exception):
    """Dash's global on_error: any exception a callback raises (malformed input sent by hand, a database
    outage) becomes "no update" plus a message in the shell's alert, never a 500 with a stack trace."""
    if database_unavailable(err):
        log.error("callback: database unavailable: %s", err.__class__.__name__)
        message = DB_DOWN
    else:
        log.warning("callback refused malformed input", exc_info=err)
        message = BAD_REQUEST
    set_props(ids.Shell.ERROR, {"children": message, "is_open": True})
    return None
