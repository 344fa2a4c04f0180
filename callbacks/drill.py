"""下钻: the breadcrumb of the current node (reports.node_path) and the pickers; its grids live in
callbacks.tables. Moving to another node on the page (a row click, a picker, a breadcrumb link, the browser's
back button) is one request for what the user looks at (breadcrumb, pickers, the children's rows pushed into
the grid already on screen), then one for the two breakdown cards below it, dimmed until their figures come
(docs/SCALING.md, "A click in the browser")."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, html
from dash.exceptions import PreventUpdate
from flask import current_app, request

from callbacks import common, tables
from dashboard import reports
from web.auth import db_session
from data import rework as rework_data
from data.lookups import regions_in_scope, systems_in_scope
from data.queries import find_round
from layouts import ids, urlstate
from layouts.components import LATER_CLASS, column_defs, region_options
from layouts.drill import NODE_KEYS, PATH, breadcrumb, pickers, rework_form
from layouts.i18n import DEFAULT, t

# The cards below the children's grid follow in a second request, once the grid the user looks at is painted.
BREAKDOWNS = ("items", "categories")
REWORK_ROLES = ("admin", "supervisor")


def later_mark(path: str) -> tuple:
    """The page's later parts, dimmed (dim): what a move puts on them, for common.in_place."""
    return ids.page(path).LATER, "className"


def show_breadcrumb(state: dict, lang: str | None):
    try:
        path = common.node_path(state)
    except reports.ReportError as exc:
        return html.Ol(html.Li(str(exc), className="breadcrumb-item text-danger"), className="breadcrumb mb-0")
    levels = [(label, {"system": f.system, "region": f.region, "org": f.org}) for label, f in path]
    return breadcrumb(levels, state, lang)


def show_pickers(state: dict, lang: str | None):
    with db_session() as s:
        systems = systems_in_scope(s, common.scope())
        regions = regions_in_scope(s, common.scope(), state.get("system"))
    return pickers(systems, regions, state, lang)


def show_rework(state: dict, lang: str | None, at=ids.Drill):
    """The 认定 form when the page shows one org and the user may order a redo (its scope checked); `at`: the
    page's ids (the drill-down's, the 单位画像's)."""
    if not state.get("org") or common.role() not in REWORK_ROLES:
        return None
    try:
        path = common.node_path(state)  # resolves the round and the org within the caller's scope
    except reports.ReportError:
        return None
    with db_session() as s:
        round_name = find_round(s, state.get("round")).name
        order = rework_data.current_order(s, round_name, state["org"])
        shown = order and {"ordered_on": order.ordered_on.isoformat(), "office": order.office,
                           "doc_no": order.doc_no, "note": order.note,
                           "recheck_due": order.recheck_due.isoformat() if order.recheck_due else None}
    return rework_form(f"{path[-1][0]}（{state['org']}）", shown, lang, at)


def save_rework(n_clicks, ordered_on, recheck_due, office, doc_no, note, search: str | None, lang: str | None):
    """Records the 认定 for the org the page shows now: read from the page's own URL, which a drill move
    updates in place (the shell's state keeps the node the page was opened at)."""
    if not n_clicks:
        raise PreventUpdate
    state = urlstate.parse(search)
    try:
        with current_app.extensions["dashboard_sessions"].begin() as s:
            rework_data.record_order(s, round_name=find_round(s, state.get("round")).name, org_code=state.get("org") or "",
                                     ordered_on=ordered_on, recheck_due=recheck_due, office=office, doc_no=doc_no,
                                     note=note, username=common.username(), role=common.role(),
                                     scope=common.scope(), address=request.remote_addr)
    except (rework_data.ReworkError, reports.ReportError) as exc:
        return html.Span(str(exc), className="text-danger")
    return html.Span(f"{t(lang, 'rework_saved')}：{state.get('org')} · {ordered_on}", className="text-success")


def _outside_node(state: dict) -> dict:
    return {k: v for k, v in state.items() if k not in NODE_KEYS and k not in ("sort", "filter")}


def move(search: str | None, pathname: str | None, lang: str | None, mounted: dict | None, live: dict | None,
         row_request: dict | None = None):
    """The breadcrumb of the node the URL names now, with the pickers and the children's grid (put, returned as
    the callback's other outputs); the breakdown cards follow through `follow`. Another round, date or page is
    the router's (callbacks.shell)."""
    if pathname != "/drill":
        raise PreventUpdate
    state, lang = urlstate.parse(search), lang or DEFAULT
    shown = (live or {}).get("state") or mounted or {}
    node = {k: state.get(k) for k in NODE_KEYS}
    if _outside_node(state) != _outside_node(shown):
        raise PreventUpdate  # another round or date: the page is rebuilt
    if node == {k: shown.get(k) for k in NODE_KEYS}:  # only the grid's sort/filter: the grid has it already
        if state.get("sort") == shown.get("sort"):
            raise PreventUpdate
        return show_breadcrumb(state, lang)  # its links up carry the new sort
    common.write_url(PATH, search, ids.Drill.ASK, ids.grid("drilldown"))
    refresh("drilldown", state, lang, live or {"table": "drilldown", "state": shown, "lang": lang}, row_request)
    dim(PATH)
    # The pickers show where the user is; set only what differs (a set value calls the clientside pick,
    # which finds nothing to do). A system's regions are most often every region: then the region picker
    # keeps its options (a province's are 16 KB of the answer, and the picker indexes them again for its search).
    region = {"value": state.get("region")} if state.get("region") != shown.get("region") else {}
    if state.get("system") != shown.get("system"):
        common.put(ids.Drill.SYSTEM, {"value": state.get("system")})
        with db_session() as s:
            regions = regions_in_scope(s, common.scope(), state.get("system"))
            if regions != regions_in_scope(s, common.scope(), shown.get("system")):
                region = {"options": region_options(regions), "value": state.get("region")}
    if region:
        common.put(ids.Drill.REGION, region)
    if state.get("org") != shown.get("org"):  # the 认定 form follows the org on screen
        common.put(ids.Drill.REWORK_BOX, {"children": show_rework(state, lang)})
    return show_breadcrumb(state, lang)


def clicked(cell: dict | None, pathname: str | None, lang: str | None, mounted: dict | None, live: dict | None,
            row_request: dict | None = None):
    """A click on a row of 下级 moves to the node its row names (its row id is that node's query), straight from
    the grid's click: one hop of the browser's callback chain less than working the URL out in the browser
    first. A row that names no node (a member, the totals) asks nothing."""
    target = (cell or {}).get("rowId")
    if not isinstance(target, str) or not target.startswith("?"):
        raise PreventUpdate
    return move(target, pathname, lang, mounted, live, row_request)


def dim(path: str, on: bool = True) -> None:
    """The later parts of the page at `path` (layouts.components.Later) still show the old node or filters, until a second
    request brings theirs: the first request brings only what the user looks at (docs/SCALING.md). Their
    covers (layouts.components.cover) dim them; on=False uncovers them."""
    common.put(ids.page(path).LATER, {"className": f"{LATER_CLASS} stale" if on else LATER_CLASS})


def refresh_dimmed(path: str, names: tuple[str, ...], state: dict, lang: str, mounted: dict | None, grids) -> None:
    """The dimmed grids `names` of the page at `path` show `state` (grids: the values of their grid_states;
    mounted: the page's first state)."""
    for name, live, row_request in zip(names, grids[:len(names)], grids[len(names):]):
        refresh(name, state, lang, live or {"table": name, "state": mounted or {}, "lang": lang}, row_request)
    dim(path, on=False)


def grid_states(*names: str, optional: bool = False) -> list[State]:
    """What `refresh` reads of the grids `names`: their grid_live data, then their last row requests (None where
    an empty state or a message shows instead of the grid). optional: grids of a page's later parts, which may
    not have come yet."""
    return [*(State(ids.grid_live(name), "data", allow_optional=optional) for name in names),
            *(State(ids.grid(name), "getRowsRequest", allow_optional=True) for name in names)]


def grid_stores(name: str) -> tuple:
    """The (id, property) pairs `refresh` puts on the stores of the grid `name`, for common.in_place."""
    return (ids.grid_live(name), "data"), (ids.grid_first(name), "data")


def follow(live: dict | None, lang: str | None, mounted: dict | None, built, *grids: dict | None) -> None:
    """The breakdown cards show the node the children's grid now shows (after `move`). Before the cards have
    come (built: None), nothing to refresh: they are built for the address on screen when they are asked for
    (callbacks.shell.later_parts), and a page drawn ahead (callbacks.shell.prefetch) is moved before then."""
    if not live or not live.get("state"):
        raise PreventUpdate
    if not built:
        dim(PATH, on=False)
        return
    refresh_dimmed(PATH, BREAKDOWNS, live["state"], lang or DEFAULT, mounted, grids)


def _columns(name: str, state: dict) -> list[str] | None:
    """The column names of the grid showing `state`, None when an empty state or a message shows instead."""
    try:
        table, count = tables.table_and_count(name, state)
    except reports.ReportError:
        return None
    return [c.name for c in table.columns] if count else None


def refresh(name: str, state: dict, lang: str, live: dict, row_request: dict | None = None) -> None:
    """The grid `name` shows `state`: its first page pushed into the grid on screen (columns replaced when
    they differ); a new grid, or an empty state or message, only where there was none or is none now.
    row_request: the grid's last row request (its getRowsRequest). The rows pushed fill the block that request
    asked for: pushed only when it was the first page in the order they come in, unfiltered; a grid the user
    paged, sorted or filtered starts again from its first page instead (grid_first, assets/clientside.js
    grids.restart), so no page of the rows shown before stays in its cache."""
    store = {"table": name, "state": state, "lang": lang}
    shown = live["columns"] if "columns" in live else _columns(name, live["state"])
    # The user's sort (in the URL) is kept from level to level: the first page comes in that order.
    sort = urlstate.decode_grid(state)[0] if name in tables.URL_TABLES else []
    try:
        table, rows, sort = tables.first_page(name, state, sort)
    except reports.ReportError:
        table = rows = None
    columns = [c.name for c in table.columns] if rows and rows["rowCount"] else None
    if columns is None or shown is None:
        common.put(ids.grid_box(name), {"children": tables.render(store)})
    else:
        props = {"columnDefs": column_defs(table.columns, lang, sort)} if columns != shown else {}
        if _first_page_asked(row_request, sort):
            props["getRowsResponse"] = rows
        else:
            common.put(ids.grid_first(name), {"data": tables.first_store(sort, {}, rows)})
        if props:
            common.put(ids.grid(name), props)
    common.put(ids.grid_live(name), {"data": {**store, "columns": columns}})


def _first_page_asked(asked: dict | None, sort: list[dict]) -> bool:
    if not asked:  # a grid that has asked for nothing shows nothing yet
        return True
    order = [(s.get("colId"), s.get("sort")) for s in asked.get("sortModel") or [] if isinstance(s, dict)]
    return (not asked.get("startRow") and not asked.get("filterModel")
            and order == [(s["colId"], s["sort"]) for s in sort])


def register(app) -> None:
    common.on_build([(ids.Drill.REWORK_BOX, "children")], show_rework)
    app.callback(Output(ids.Drill.REWORK_MESSAGE, "children"), Input(ids.Drill.REWORK_SAVE, "n_clicks"),
                 State(ids.Drill.REWORK_DATE, "value"), State(ids.Drill.REWORK_DUE, "value"),
                 State(ids.Drill.REWORK_OFFICE, "value"), State(ids.Drill.REWORK_DOC, "value"),
                 State(ids.Drill.REWORK_NOTE, "value"), State(ids.Drill.URL, "search"),
                 State(ids.Shell.LANG, "data"), prevent_initial_call=True)(save_rework)
    common.on_build([(ids.Drill.PICKERS, "children")], show_pickers)
    common.on_build([(ids.Drill.BREADCRUMB, "children")], show_breadcrumb)
    # A picker works out the URL in the browser and hands it to `move` (assets/clientside.js drill.pick); a row
    # click goes to the server as it is (`clicked`). The request for the grid the user looks at goes at once,
    # its answer writes the URL (common.write_url); the breakdown cards follow (`follow`).
    app.clientside_callback(ClientsideFunction("drill", "pick"), Output(ids.Drill.ASK, "data"),
                            Input(ids.Drill.SYSTEM, "value"), Input(ids.Drill.REGION, "value"),
                            State(ids.Shell.URL, "search"), prevent_initial_call=True)
    # The page's own location (layouts.drill): a breadcrumb link or the back and forward buttons move it (to
    # another node or sort), and the router (callbacks.shell) leaves the page alone.
    common.register_location(app, PATH, ids.Drill.URL, ids.Drill.MOVE, "drilldown")
    # The same move, asked by a picker (ASK), by the location (MOVE) or by a row click: one callback each, so a
    # click's request goes at once instead of waiting for the location's check of the URL it wrote.
    # What a move changes beside the breadcrumb, returned as outputs (common.returning).
    own = ids.page(PATH)
    changed = common.in_place((own.NAV, "search"), later_mark(PATH), *grid_stores("drilldown"),
                              (ids.Drill.SYSTEM, "value"), (ids.Drill.REGION, "options"), (ids.Drill.REGION, "value"),
                              (ids.Drill.REWORK_BOX, "children"))
    for asked, handler in (((ids.Drill.ASK, "data"), move), ((ids.Drill.MOVE, "data"), move),
                           ((ids.grid("drilldown"), "cellClicked"), clicked)):
        app.callback(Output(ids.Drill.BREADCRUMB, "children", allow_duplicate=True), *changed, Input(*asked),
                     State(ids.Drill.URL, "pathname"), State(ids.Shell.LANG, "data"), State(own.STATE, "data"),
                     *grid_states("drilldown"),
                     prevent_initial_call=True)(common.returning(handler, changed))
    after = common.in_place(later_mark(PATH))
    app.callback(*after, Input(ids.grid_live("drilldown"), "data"), State(ids.Shell.LANG, "data"),
                 State(own.STATE, "data"), State(own.LATER_BUILT, "data"), *grid_states(*BREAKDOWNS, optional=True),
                 prevent_initial_call=True)(common.returning(follow, after, own=0))
