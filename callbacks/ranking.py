"""薄弱排名 on the red-line page: the N selector and the 组织类型 filter. A change is one request: the URL
records it (the router leaves the page alone, assets/clientside.js) and the ranking grid is refreshed in
place; a click on a row opens that org's profile (callbacks.tables links the rows)."""
from __future__ import annotations

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from callbacks import common, drill, tables
from data.profile_queries import org_types_in_scope
from layouts import ids, urlstate
from layouts.i18n import DEFAULT
from layouts.ranking import DEFAULT_LIMIT, controls
from web.auth import db_session

TABLE = "ranking"


def show_controls(state: dict, lang: str | None):
    with db_session() as s:
        levels = org_types_in_scope(s, common.scope())
    return controls(levels, state or {}, lang or DEFAULT)


def on_change(limit: str | None, level: str | None, search: str | None, lang: str | None, live: dict | None):
    state = urlstate.parse(search)
    new = urlstate.change({k: v for k, v in state.items() if k not in ("limit", "level")},
                          limit=None if (limit or DEFAULT_LIMIT) == DEFAULT_LIMIT else limit, level=level or None)
    if new == state:
        raise PreventUpdate
    drill.refresh(TABLE, new, lang or DEFAULT, live or {"table": TABLE, "state": state, "lang": lang or DEFAULT})
    return urlstate.encode(new)


def register(app) -> None:
    common.on_build([(ids.Ranking.CONTROLS, "children")], show_controls)
    app.callback(Output(ids.Shell.NAV, "search", allow_duplicate=True), Input(ids.Ranking.LIMIT, "value"),
                 Input(ids.Ranking.LEVEL, "value"), State(ids.Shell.URL, "search"), State(ids.Shell.LANG, "data"),
                 State(ids.grid_live(TABLE), "data"), prevent_initial_call=True)(on_change)
    tables.register_row_link(app, TABLE, tables.open_row("/org"))  # a row: that org's 单位画像
