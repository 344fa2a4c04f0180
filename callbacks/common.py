"""What every callback needs: the caller's scope (from the server session, never from the browser), the
URL state as one checked report request, and report tables kept per data version (data.cache)."""
from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

from dash import ClientsideFunction, Input, Output, State, ctx, no_update, set_props
from dash.exceptions import PreventUpdate
from flask import current_app, g
from flask_login import current_user

from dashboard import admin_report, audit_report, ledger_reports, reports, views
from data.cache import ComputedCache, data_version
from domain import gridmodel
from domain.request import Request
from domain.scope import NOTHING, Scope
from domain.tables import Filters, ReportTable, RowStream
from web.auth import database_unavailable, db_session
from layouts import ids, urlstate
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

# Report tables per (app, table, request, data version): an import through any worker or the command line
# bumps the version, so no worker serves a stale table. A page's callbacks arrive together and often need the
# same table (数据质量's summary and findings both rest on the quality checks): it is computed once.
_tables = ComputedCache(128)


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


def request_of(view: str, state: dict) -> Request:
    """The report request of the URL state for `view` and the caller's scope, checked once here (an as-of
    date absent from the URL is the round's default, as the navbar shows it: docs/views.md)."""
    if state.get("as_of"):
        return views.request(view, state, scope())
    with db_session() as s:
        return views.request(view, state, scope(), session=s)


def _cached(kind: str, request: Request, compute):
    """compute(session) for the request, kept per data version unless the app's REPORT_CACHE is off (the
    benchmark measures the computation itself: once per Dash request, as a page asks a table for its columns
    and then for its rows)."""
    with db_session() as s:
        if not current_app.config.get("REPORT_CACHE", True):
            computed = g.setdefault("computed_tables", {})
            if (kind, request) not in computed:
                computed[kind, request] = compute(s)
            return computed[kind, request]
        # The request holds the scope: two users with different scopes never share a result.
        key = (id(current_app._get_current_object()), kind, request, *data_version(s))
        return _tables.get(key, lambda: compute(s))


def is_admin() -> bool:
    return bool(current_user and current_user.is_authenticated and current_user.role == "admin")


def table(name: str, state: dict) -> ReportTable:
    """The report table `name` (a view of reports.build) for the URL state and the caller's scope."""
    request = request_of(name, state)
    if name in ADMIN_TABLES:
        # Admin-only tables: refused on the server whatever page or request asks for them (never cached).
        if not is_admin():
            raise reports.OutOfScope("仅管理员可查看")
        with db_session() as s:
            return ADMIN_TABLES[name](s, state, request.as_of, scope().describe())
    if name in OWN_TABLES:
        if role() not in OWN_ROLES:
            raise reports.OutOfScope("仅管理员和单位账号可查看导入记录")
        with db_session() as s:
            return OWN_TABLES[name](s, state, request.as_of, scope().describe(),
                                    None if is_admin() else username())

    if name in reports.DERIVED:  # from its base table, itself cached (and computed once) under its own key
        base, derive = reports.DERIVED[name]
        return _cached(name, request, lambda s: derive(table(base, state)))
    return _cached(name, request, lambda s: views.build(name, s, request))


def page(name: str, state: dict, sort_model, filter_model, start: int, end: int | None):
    """(rows start..end of table(name, state) after the grid model, their total) from a paged query, or
    None when the table has no paged form for that model (see reports.page). Not cached: a page is cheap."""
    if name not in ledger_reports.PAGED_VIEWS:  # no request to check, no session to open for the others
        return None
    request = request_of(name, state)
    with db_session() as s:
        return reports.page(name, s, request, sort_model, filter_model, start, end)


@contextmanager
def export_rows(name: str, state: dict, sort_model, filter_model) -> Iterator[tuple[ReportTable, RowStream | None]]:
    """(table, stream) of every row the grid shows: for a table with a paged form, the rows are read from
    the database a part at a time while the block consumes the stream (reports.stream); otherwise the
    whole table after the grid model, and stream is None."""
    if name not in ADMIN_TABLES:
        request = request_of(name, state)
        with db_session() as s:
            found = reports.stream(name, s, request, sort_model, filter_model)
            if found is not None:
                yield found
                return
    yield gridmodel.apply(table(name, state), sort_model, filter_model), None


def call(func, state: dict, cache_as: str | None = None):
    """reports.func(session, request) for the state, cached under cache_as when given."""
    request = request_of(cache_as or func.__name__, state)
    if cache_as:
        return _cached(cache_as, request, lambda s: func(s, request))
    with db_session() as s:
        return func(s, request)


def node_path(state: dict) -> list[tuple[str, Filters]]:
    """reports.node_path of the state's node, read once a request: a 下钻 move to an org draws both its
    breadcrumb and its 认定 form from it (the second read was two queries and a connection more)."""
    request = request_of("drilldown", state)
    known = g.setdefault("node_paths", {})
    if request not in known:
        with db_session() as s:
            known[request] = reports.node_path(s, request)
    return known[request]


# The outputs the running callback declares beside its own (`returning`): (id, property) -> what was put there.
_declared: ContextVar[dict | None] = ContextVar("declared_outputs", default=None)


def _key(component_id) -> str:
    return json.dumps(component_id, sort_keys=True) if isinstance(component_id, dict) else component_id


def put(component_id, props: dict) -> None:
    """set_props, but a property the running callback declares as an output (`returning`) comes back as that
    output: for each set_props target the browser recomputes the paths of every component on the page, for
    an output only when it holds components (docs/SCALING.md)."""
    declared, rest = _declared.get(), {}
    for prop, value in props.items():
        if declared is not None and (_key(component_id), prop) in declared:
            declared[_key(component_id), prop] = value
        else:
            rest[prop] = value
    if rest:
        set_props(component_id, rest)


def returning(handler, outputs: list[Output], own: int = 1):
    """`handler` with what it `put` on `outputs` returned as the callback's outputs, no_update for the rest,
    after the `own` outputs its return value fills (a tuple of them when more than one). Every output must be
    on the page whenever the callback runs: a missing one makes the browser refuse the callback."""
    keys = [(_key(o.component_id), o.component_property) for o in outputs]

    def run(*args):
        declared = dict.fromkeys(keys, no_update)
        token = _declared.set(declared)
        try:
            returned = handler(*args)
        finally:
            _declared.reset(token)
        own_values = () if own == 0 else (returned,) if own == 1 else tuple(returned)
        values = (*own_values, *declared.values())
        return values if len(values) > 1 else values[0]  # a callback of one output takes its value alone
    return run


def in_place(*parts: tuple) -> list[Output]:
    """The outputs of a callback that moves a page in place, `returning` what it puts on `parts` ((id, property)
    pairs). Only parts that are always on the page, cheap to mark as loading while the request runs (Dash
    marks every output), and in the same part of the page as the callback's input (an output outside it makes
    Dash call the callback when that part appears). The grid itself (absent behind an empty state, drawn again
    when marked), the parts below (not there until the later parts come) and the navbar go through set_props
    (docs/SCALING.md)."""
    return [Output(i, prop, allow_duplicate=True) for i, prop in parts]


def write_url(path: str, search: str, *asked_by) -> None:
    """A move of the page at `path` asked by a click or a field (asked_by: their ids, or the ask store the
    browser filled) writes the URL with its answer: written first, the address bar's locations and their
    callbacks held the request back (docs/SCALING.md). A move the location reported (a link, the back button)
    has its URL already."""
    if ctx.triggered_id in asked_by:
        put(ids.page(path).NAV, {"search": search})


def register_location(app, path: str, location: str, move: str, grid: str) -> None:
    """The own location of the page at `path` (`location`: a link within the page, the back and forward
    buttons): the browser passes its URL on to the page's `move` store only when it is that page's and names
    other keys of the page's own than the grid `grid` shows, on the same round and date (assets/clientside.js
    shell.moved); the URL the page was drawn with, or the one a move wrote with its answer, asks nothing."""
    app.clientside_callback(ClientsideFunction("shell", "moved"), Output(move, "data"),
                            Input(location, "search"), State(location, "pathname"),
                            State(ids.page(path).STATE, "data"), State(ids.grid_live(grid), "data"),
                            prevent_initial_call=True)


def search_with(search: str | None, key: str, value: str | None) -> str:
    """The URL with one page filter changed (grid sort/filter dropped: another row set); PreventUpdate when
    it is already so."""
    state = urlstate.parse(search)
    if (value or None) == state.get(key):
        raise PreventUpdate
    return urlstate.encode({k: v for k, v in urlstate.change(state, **{key: value or None}).items()
                            if k not in ("sort", "filter")})


# Page parts drawn from the page's state when the router builds the page (callbacks.shell.route), or its
# later parts (callbacks.shell.later_parts): they come in that one request instead of a request each once on
# screen (docs/SCALING.md, "A click in the browser"). The ids of one set lie all in the page's first part or
# all in its later parts. Output ids -> (properties, fn(state, lang) -> the value, or a tuple of them).
_BUILDERS: dict[tuple[str, ...], tuple[tuple[str, ...], object]] = {}


def on_build(outputs: list[tuple[str, str]], fn) -> None:
    """Fill these (id, property) of a page with fn(state, lang) when the router builds a page holding them."""
    _BUILDERS[tuple(i for i, _ in outputs)] = (tuple(p for _, p in outputs), fn)


def components(root) -> dict:
    """Every component with a string id in the tree, the root included, by id."""
    return {c.id: c for c in [root, *root._traverse()] if isinstance(getattr(c, "id", None), str)}


# Then whatever the parts hold is drawn in by these, fn(root) -> root: callbacks.tables draws every table
# card's grid with its first rows.
_FILLERS: list = []


def on_fill(fn) -> None:
    if fn not in _FILLERS:
        _FILLERS.append(fn)


def fill(root):
    """`root` (a page, a card a callback returns) with its table cards drawn in."""
    for fn in _FILLERS:
        root = fn(root)
    return root


def build(page, state: dict, lang: str):
    """The page with the parts registered by on_build filled in, then its table cards (fill). The caller's
    scope applies as in any callback: the builders read it from the session."""
    found = components(page)
    for out_ids, (props, fn) in _BUILDERS.items():
        if not all(i in found for i in out_ids):
            continue
        try:
            values = fn(state, lang)
        except PreventUpdate:
            continue
        for i, prop, v in zip(out_ids, props, values if len(out_ids) > 1 else (values,)):
            setattr(found[i], prop, v)
    return fill(page)


def on_callback_error(err: Exception):
    """Dash's global on_error: any exception a callback raises (malformed input sent by hand, a database
    outage) becomes "no update" plus a message in the shell's alert, never a 500 with a stack trace."""
    if database_unavailable(err):
        log.error("callback: database unavailable: %s", err.__class__.__name__)
        message = DB_DOWN
    elif isinstance(err, reports.BadParameter):  # a parameter checked where the request is built: say which
        log.info("callback refused a parameter: %s", err)
        message = f"{BAD_REQUEST}{err}"
    else:
        log.warning("callback refused malformed input", exc_info=err)
        message = BAD_REQUEST
    set_props(ids.Shell.ERROR, {"children": message, "is_open": True})
    return None
