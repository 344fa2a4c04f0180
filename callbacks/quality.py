"""数据质量: a click on a finding opens that org's drill-down (same round and as-of date), or for a
作废场次 finding shows the void sessions below. The tables live in callbacks.tables (which links the
findings' rows with row_link)."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State
from dash.exceptions import PreventUpdate

from callbacks import common
from layouts import ids, urlstate
from layouts.quality import PATH, sessions_card

VOID = "作废场次"
VOID_LINK = "void:"


def row_link(state: dict, row: list) -> str:
    """Where a finding leads (rows: 检查项, 组织编码, …): void sessions stay on the page, others drill."""
    check, code = row[0], str(row[1])
    if check == VOID:
        return VOID_LINK + code
    return "/drill" + urlstate.encode({**urlstate.shared(state), "org": code})


def open_sessions(code: str | None, state: dict | None, lang: str | None):
    """The void sessions behind a 作废场次 finding clicked (its org's code, handed on by the browser: a
    finding leading to 下钻 opens it there, assets/clientside.js links.quality), as a grid drawn in for the
    caller's scope."""
    if not isinstance(code, str) or not code:
        raise PreventUpdate
    keep = {k: v for k, v in (state or {}).items() if k not in ("sort", "filter", "org")}
    return common.fill(sessions_card(keep, code, lang))


def register(app) -> None:
    app.clientside_callback(ClientsideFunction("links", "quality"),
                            Output(ids.page(PATH).NAV, "pathname", allow_duplicate=True),
                            Output(ids.page(PATH).NAV, "search", allow_duplicate=True), Output(ids.Quality.VOID, "data"),
                            Input(ids.grid("quality"), "cellClicked"), prevent_initial_call=True)
    app.callback(Output(ids.Quality.SESSIONS_BOX, "children"), Input(ids.Quality.VOID, "data"),
                 State(ids.page(PATH).STATE, "data"), State(ids.Shell.LANG, "data"),
                 prevent_initial_call=True)(open_sessions)
