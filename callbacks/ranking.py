"""薄弱排名 on the red-line page: the N selector and the 组织类型 filter. A change is one request: the ranking
grid is refreshed in place and the URL records it (the router leaves the page alone, assets/clientside.js);
the back and forward buttons bring the N and type of the URL; a click on a row opens that org's profile
(callbacks.tables links the rows)."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, ctx, set_props
from dash.exceptions import PreventUpdate

from callbacks import common, drill, tables
from data.lookups import org_types_in_scope
from layouts import ids, urlstate
from layouts.redline import PATH
from layouts.i18n import DEFAULT
from layouts.ranking import DEFAULT_LIMIT, controls
from web.auth import db_session

TABLE = "ranking"


def show_controls(state: dict, lang: str | None):
    with db_session() as s:
        levels = org_types_in_scope(s, common.scope())
    return controls(levels, state or {}, lang or DEFAULT)


def move(asked: str | None, lang: str | None, drawn: dict | None, live: dict | None, row_request: dict | None = None):
    """The ranking grid shows the N and 组织类型 the browser just worked out into a URL (assets/clientside.js
    filters.ranking), and the URL is written; or those of the URL the back button brought, and the controls
    show them. Returns the state it shows."""
    if asked is None:
        raise PreventUpdate
    state, lang = urlstate.parse(asked), lang or DEFAULT
    common.write_url(PATH, asked, ids.Ranking.ASK)
    drill.refresh(TABLE, state, lang, live or drawn or {"table": TABLE, "state": {}, "lang": lang}, row_request)
    if ctx.triggered_id == ids.Ranking.MOVE:  # a set value calls filters.ranking, which finds the URL so
        common.put(ids.Ranking.LIMIT, {"value": state.get("limit") or DEFAULT_LIMIT})
        common.put(ids.Ranking.LEVEL, {"value": state.get("level")})
    return state


def register(app) -> None:
    common.on_build([(ids.Ranking.CONTROLS, "children")], show_controls)
    # A change hands `move` its URL at once, the one request; the answer writes the URL (common.write_url).
    app.clientside_callback(ClientsideFunction("filters", "ranking"), Output(ids.Ranking.ASK, "data"),
                            Input(ids.Ranking.LIMIT, "value"), Input(ids.Ranking.LEVEL, "value"),
                            State(ids.Shell.URL, "search"), prevent_initial_call=True)
    common.register_location(app, PATH, ids.Ranking.URL, ids.Ranking.MOVE, TABLE)  # the back button's N and type
    # What a move changes beside the state it shows, returned as outputs (common.returning). Not the URL: an
    # output outside the later part the ranking comes in would make Dash call the move when the part appears.
    changed = common.in_place(*drill.grid_stores(TABLE), (ids.Ranking.LIMIT, "value"), (ids.Ranking.LEVEL, "value"))
    for asked in (ids.Ranking.ASK, ids.Ranking.MOVE):  # two callbacks, as on 下钻 (callbacks.drill.register)
        app.callback(Output(ids.Ranking.SHOWN, "data", allow_duplicate=True), *changed, Input(asked, "data"),
                     State(ids.Shell.LANG, "data"), State(ids.grid_state(TABLE), "data"),
                     *drill.grid_states(TABLE),
                     prevent_initial_call=True)(common.returning(move, changed))
    tables.register_row_link(app, TABLE, PATH, "org")  # a row: that org's 单位画像
