"""数据质量: a click on a finding opens that org's drill-down (same round and as-of date), or for a
作废场次 finding shows the void sessions below. The tables live in callbacks.tables (which links the
findings' rows with row_link)."""
from __future__ import annotations

from dash import Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from callbacks import common
from layouts import ids, urlstate
from layouts.quality import sessions_card

VOID = "作废场次"
VOID_LINK = "void:"


def row_link(state: dict, row: list) -> str:
    """Where a finding leads (rows: 检查项, 组织编码, …): void sessions stay on the page, others drill."""
    check, code = row[0], str(row[1])
    if check == VOID:
        return VOID_LINK + code
    return "/drill" + urlstate.encode({**urlstate.shared(state), "org": code})


def open_finding(cell: dict | None, state: dict, lang: str | None):
    """(pathname, search, sessions panel)."""
    target = (cell or {}).get("rowId")
    if not isinstance(target, str):
        raise PreventUpdate
    if target.startswith(VOID_LINK):
        code = target[len(VOID_LINK):]
        keep = {k: v for k, v in state.items() if k not in ("sort", "filter", "org")}
        return no_update, no_update, common.fill(sessions_card(keep, code, lang))  # its grid drawn in
    if target.startswith("/drill?"):
        path, _, search = target.partition("?")
        return path, "?" + search, no_update
    raise PreventUpdate


def register(app) -> None:
    app.callback(Output(ids.Shell.NAV, "pathname", allow_duplicate=True),
                 Output(ids.Shell.NAV, "search", allow_duplicate=True),
                 Output(ids.Quality.SESSIONS_BOX, "children"),
                 Input(ids.grid("quality"), "cellClicked"), State(ids.Shell.STATE, "data"),
                 State(ids.Shell.LANG, "data"), prevent_initial_call=True)(open_finding)
