"""Every report table on screen: rendered from its state, paged/sorted/filtered on the server, exported
with exactly the rows, order and columns on screen, and (drill-down) a row click goes one level down."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import uuid4

import dash_bootstrap_components as dbc
from dash import ALL, MATCH, ClientsideFunction, Input, Output, State, ctx, dcc, html, set_props
from dash.exceptions import PreventUpdate

from callbacks import common, quality
from dashboard import exports, memory, reports
from domain import gridmodel
from domain.tables import VIEW_TITLES, ReportTable
from web.auth import audit_event
from layouts import ids, urlstate
from layouts import workbench
from layouts.components import PAGE_SIZE, empty_state, error_alert, grid_with_tools, json_cell, table_empty
from layouts.i18n import phrase
from layouts.org_profile import profile_href

NODE_KEYS = ("system", "region", "org")
# The page's main table keeps its sort and filter in the URL, so a copied link shows the same rows.
# The main grid of a page, whose sort and filter the URL carries: table -> its page.
URL_TABLES = {"drilldown": "/drill", "redline": "/redline", "rectifications": "/rectifications", "pledges": "/pledges"}
# Tables whose rows lead somewhere on a click (their row ids are links, worked out from the whole table).
LINK_TABLES = ("drilldown", "redline")
TITLES = {**VIEW_TITLES, "profile-children": "单位画像（下级组织）", "items": "测评项目分析", "categories": "参评人员类别分析", "audit": "审计日志",
          "imports": "导入记录", "users": "用户", "round-changes": "评议批次修改记录"}
# Tables whose rows can be ticked for an action (上报进度: 逐级审核, callbacks.reporting).
SELECTABLE_TABLES = ("reporting",)
# Other pages' row links: table name -> (state, row) -> where a click on the row leads (or None).
ROW_LINKS = {"quality": quality.row_link, "scorecard": workbench.row_id}
# Empty states that say what is missing for that table: name -> (table, lang) -> message.
EMPTY = {"scorecard": workbench.empty_message}
# The same, for tables whose rows lead somewhere depending on the table (state, table, row index) -> link:
# 薄弱排名's rows and 单位画像's sub-orgs open that org's profile (members lead nowhere).
TABLE_LINKS = {"ranking": lambda state, table, i: profile_href(state, table.rows[i][1]),
               "profile-children": lambda state, table, i: (profile_href(state, table.rows[i][0])
                                                            if table.columns[0].name == "组织编码" else None)}
LINKED = (*LINK_TABLES, *ROW_LINKS, *TABLE_LINKS)


def render(store: dict):
    return _render(store)[0]


def _render(store: dict, with_rows: bool = False):
    """(what the card's grid box holds: the table's warnings, export buttons, grid and notes, or its empty state
    or error; with_rows: the grid's first page as grid_first holds it)."""
    name, state, lang = store["table"], store["state"], store["lang"]
    sort, filters = urlstate.decode_grid(state) if name in URL_TABLES else ([], {})
    rows = None
    try:
        if with_rows and not filters:  # the first page and the row count at once
            table, rows, sort = first_page(name, state, sort)
            count = rows["rowCount"]
        else:
            table, count = table_and_count(name, state)
    except reports.ReportError as exc:
        return error_alert(str(exc), lang), None
    if not count:
        # what is missing and what to do
        return (empty_state(lang, EMPTY[name](table, lang)) if name in EMPTY else table_empty(name, state, lang)), None
    # A warning (⚠, e.g. the org's 优秀 quota exceeded) stands above the grid; plain notes follow it.
    warnings = [dbc.Alert(phrase(lang, n), color="warning", className="py-2 mb-2 small")
                for n in table.notes if n.startswith("⚠")]
    notes = [html.P(phrase(lang, n), className="text-muted small mb-1") for n in table.notes if not n.startswith("⚠")]
    if rows is None and not valid_models(table, sort, filters):  # a link from another level or an edited URL
        sort, filters = [], {}
    grid = grid_with_tools(name, table.columns, lang, clickable=name in LINKED,
                           sort=sort, filters=filters, selectable=name in SELECTABLE_TABLES)
    if not with_rows:
        return [*warnings, *grid, *notes], None
    return [*warnings, *grid, *notes], first_store(sort, filters, rows or get_rows(first_request(sort, filters), store))


def first_request(sort: list[dict], filters: dict) -> dict:
    """The row request a grid in `sort` and `filters` makes first."""
    return {"startRow": 0, "endRow": PAGE_SIZE, "sortModel": sort, "filterModel": filters}


def first_store(sort: list[dict], filters: dict, response: dict) -> dict:
    """grid_first's data: the first page, answered in the browser when the grid asks exactly for it
    (assets/clientside.js firstRowsAtOnce, or grids.answer), once: its token marks it used there."""
    return {**first_request(sort, filters), "response": response, "token": uuid4().hex}


def first_page(name: str, state: dict, sort: list[dict]) -> tuple[ReportTable, dict, list[dict]]:
    """(the table, the getRowsResponse of its first page, the sort it is in: `sort`, or none when `sort` does
    not fit the table, a link from another level). A ledger answers from its paged query, with its table
    without rows: the whole 整改台账 takes about 0.7 s to build at province scale, its first page a few
    milliseconds (docs/SCALING.md). Raises ReportError."""
    try:
        return _first_page(name, state, sort)
    except gridmodel.GridModelError:
        return _first_page(name, state, [])


def _first_page(name: str, state: dict, sort: list[dict]) -> tuple[ReportTable, dict, list[dict]]:
    found = common.page(name, state, sort, {}, 0, PAGE_SIZE)
    if found:
        page, total = found
        return replace(page, rows=[]), paged_response(name, page, total, 0), sort
    table = common.table(name, state)
    return table, rows_response(name, state, gridmodel.apply(table, sort, {}), 0, PAGE_SIZE), sort


def fill(root):
    """`root` with every table card's grid (or empty state) drawn in: a page the router builds, a card another
    callback returns. The grid then mounts with the page, instead of a request per card once it is on screen;
    a card's grid is drawn again by `render` only when its state store changes."""
    tree = [root, *root._traverse()]
    stores = {c.id["table"]: c.data for c in tree
              if isinstance(getattr(c, "id", None), dict) and c.id.get("type") == ids.GRID_STATE}
    drawn = {}
    for c in tree:
        if isinstance(getattr(c, "id", None), dict) and c.id.get("type") == ids.GRID_BOX and c.id["table"] in stores:
            c.children, drawn[c.id["table"]] = _render(stores[c.id["table"]], with_rows=True)
    for c in tree:
        if isinstance(getattr(c, "id", None), dict) and c.id.get("type") == "report-grid-first" and c.id["table"] in drawn:
            c.data = drawn[c.id["table"]]
    return root


def valid_models(table, sort, filters) -> bool:
    try:
        gridmodel.apply(table, sort, filters)
    except gridmodel.GridModelError:
        return False
    return True


def _child_search(state: dict, table, index: int) -> str | None:
    child = reports.child_filters(common.request_of(table.view, state).filters, table, index)
    if child is None:
        return None
    # The grid's sort goes down with the user (its columns are the same at every level); a filter does not.
    keep = {k: v for k, v in state.items() if k not in NODE_KEYS and k != "filter"}
    return urlstate.encode({**keep, "system": child.system, "region": child.region, "org": child.org})


def _org_link(state: dict, code) -> str:
    """A candidate row leads to that org's drill-down, in the same round and as-of date."""
    return "/drill" + urlstate.encode({**urlstate.shared(state), "org": str(code)})


def get_rows(request: dict | None, store: dict, live: dict | None = None):
    if not request:
        raise PreventUpdate
    store = live or store  # refreshed in place: the rows of the node now shown
    name, state = store["table"], store["state"]
    sort, filters = request.get("sortModel"), request.get("filterModel")
    start, end = max(0, int(request.get("startRow") or 0)), int(request.get("endRow") or 0)
    try:
        # A ledger's page comes straight from SQL; other tables (or a sort/filter on a worked-out column)
        # are built whole, then sorted, filtered and sliced here.
        paged = common.page(name, state, sort, filters, start, end)
        table = None if paged else gridmodel.apply(common.table(name, state), sort, filters)
    except (reports.ReportError, gridmodel.GridModelError):
        return {"rowData": [], "rowCount": 0}
    if paged:
        return paged_response(name, *paged, start)
    return rows_response(name, state, table, start, end)


def table_and_count(name: str, state: dict) -> tuple[ReportTable, int]:
    """The table and how many rows it has: a ledger's without its rows, counted by its query (first_page)."""
    counted = common.page(name, state, [], {}, 0, 0)
    if counted:
        return counted
    table = common.table(name, state)
    return table, len(table.rows)


def paged_response(name: str, page, total: int, start: int) -> dict:
    """getRowsResponse of a page that reports.page gave (its rows from `start` of `total`)."""
    rows = []
    for k, values in enumerate(page.rows):
        row = {gridmodel.col_id(j): json_cell(v) for j, v in enumerate(values)}
        row["_id"], row["_red"] = f"{name}:{start + k}:{values[0]}", k in page.red_rows
        rows.append(row)
    return {"rowData": rows, "rowCount": total}


def rows_response(name: str, state: dict, table, start: int, end: int) -> dict:
    """getRowsResponse of rows start..end of a whole (already sorted and filtered) table."""
    rows = []
    for i in range(start, min(end, len(table.rows))):
        row = {gridmodel.col_id(j): json_cell(v) for j, v in enumerate(table.rows[i])}
        search = (_child_search(state, table, i) if name == "drilldown"
                  else _org_link(state, table.rows[i][0]) if name == "redline"
                  else ROW_LINKS[name](state, table.rows[i]) if name in ROW_LINKS
                  else TABLE_LINKS[name](state, table, i) if name in TABLE_LINKS else None)
        # The row id is where a click on the row leads (or a plain unique id when it leads nowhere).
        row["_id"] = search if search else f"{name}:{i}:{table.rows[i][0]}"  # "?…" / "/drill?…": a link
        row["_red"] = i in table.red_rows
        rows.append(row)
    return {"rowData": rows, "rowCount": len(table.rows)}


def export(clicks: list, store: dict, request: dict | None, live: dict | None = None):
    """The card's message; the file through the shell's download, one for every card on the page."""
    if not ctx.triggered_id or not any(clicks):
        raise PreventUpdate
    download, message = export_file(live or store, ctx.triggered_id["fmt"], request)
    if download is not None:
        set_props(ids.Shell.DOWNLOAD, {"data": download})
    return message


def export_file(store: dict, fmt: str, request: dict | None):
    """(dcc.Download data, message): every row matching the grid's filters, in the grid's order."""
    name, state, request = store["table"], store["state"], request or {}
    sort, filters = request.get("sortModel"), request.get("filterModel")
    try:
        # Every matching row, sorted and read in parts by SQL where the table has a paged form.
        with common.export_rows(name, state, sort, filters) as (table, stream):
            # The title block says how the rows were narrowed and ordered on screen.
            table = replace(table, filters=replace(table.filters, extra=table.filters.extra
                                                   + gridmodel.describe(table, sort, filters)))
            data = exports.export_bytes(table, fmt, exported_by=common.exported_by(), exported_at=datetime.now(),
                                        stream=stream)
            count = stream.count if stream is not None else len(table.rows)
    except (reports.ReportError, gridmodel.GridModelError) as exc:
        return None, str(exc)
    filters = "；".join(f"{k}={v}" for k, v in table.filters.as_dict().items()) or "无"
    audit_event("export", common.username(), f"{table.title}；{fmt}；{count} 行；筛选 {filters}；"
                                              f"截止 {table.as_of.isoformat()}")
    filename = exports.export_filename(TITLES.get(name, name), table, fmt)
    download = dcc.send_bytes(data, filename)
    del table, data
    memory.trim()  # an export's buffers are the largest a request allocates: hand them back
    return download, ""


def register_row_link(app, table: str, at: str, page: str) -> None:
    """A click on a row of `table` (on the page at `at`) whose id links to `page` ("drill", "org") opens it, in
    the browser (assets/clientside.js links): no request until the page is asked for."""
    app.clientside_callback(ClientsideFunction("links", page),
                            Output(ids.page(at).NAV, "pathname", allow_duplicate=True),
                            Output(ids.page(at).NAV, "search", allow_duplicate=True),
                            Input(ids.grid(table), "cellClicked"), prevent_initial_call=True)


def register(app) -> None:
    common.on_fill(fill)  # pages and cards come with their grids drawn in
    # A card's grid comes drawn with its page (fill); it is drawn again when a callback writes its state.
    app.callback(Output(ids.grid_box(MATCH), "children"), Input(ids.grid_state(MATCH), "data"),
                 prevent_initial_call=True)(render)
    # A grid's row request is answered in the browser from the first page its page brought (grid_first),
    # else passed on to the server (grid_ask).
    app.clientside_callback(ClientsideFunction("grids", "answer"),
                            Output(ids.grid(MATCH), "getRowsResponse", allow_duplicate=True),
                            Output(ids.grid_ask(MATCH), "data"),
                            Input(ids.grid(MATCH), "getRowsRequest"), State(ids.grid_first(MATCH), "data"),
                            prevent_initial_call=True)
    # A grid refreshed in place that the user had paged, sorted or filtered starts again from its first page,
    # given as grid_first (callbacks.drill.refresh).
    app.clientside_callback(ClientsideFunction("grids", "restart"), Output(ids.grid_first(MATCH), "clear_data"),
                            Input(ids.grid_first(MATCH), "data"), prevent_initial_call=True)
    app.callback(Output(ids.grid(MATCH), "getRowsResponse"), Input(ids.grid_ask(MATCH), "data"),
                 State(ids.grid_state(MATCH), "data"), State(ids.grid_live(MATCH), "data"),
                 prevent_initial_call=True)(get_rows)
    app.callback(Output(ids.export_message(MATCH), "children"),
                 Input(ids.export(MATCH, ALL), "n_clicks"), State(ids.grid_state(MATCH), "data"),
                 State(ids.grid(MATCH), "getRowsRequest"), State(ids.grid_live(MATCH), "data"),
                 prevent_initial_call=True)(export)
    register_row_link(app, "redline", URL_TABLES["redline"], "drill")  # a 红线/薄弱 row: the org on 下钻
    # The main grid's sort and filter go into the URL in the browser (assets/clientside.js grids.toUrl).
    for name, at in URL_TABLES.items():
        app.clientside_callback(ClientsideFunction("grids", "toUrl"), Output(ids.page(at).NAV, "search", allow_duplicate=True),
                                Input(ids.grid(name), "getRowsRequest"), State(ids.Shell.URL, "search"),
                                prevent_initial_call=True)
