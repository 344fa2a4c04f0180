"""督导工作台: the group picker (the groups the user may open, data.groups), the 待办 list, a click on a unit's
cell (to the page that explains it, filtered to the unit), and moving to another group or as-of date in
place: one request refreshes the grid's rows, the 待办 list, the heading and the 情况通报 link, and gives the
navbar's links the new date (the shell is not rebuilt). The grid itself lives in callbacks.tables."""
from __future__ import annotations

from dash import Input, Output, State, set_props
from dash.exceptions import PreventUpdate

from callbacks import common
from callbacks.drill import grid_states, grid_stores, refresh
from callbacks.shell import shell_bar
from dashboard import reports
from data import groups as group_data
from data.queries import find_round
from web.auth import db_session
from layouts import ids, urlstate
from layouts.components import brief_href, error_alert
from layouts.i18n import DEFAULT
from layouts.workbench import (PATH, OWN_KEYS, cell_target, controls, heading, no_group, print_table, todo_list,
                               unit_of)

TODO = "scorecard-todo"


def _shown_group(state: dict) -> tuple[list[str], str | None, str]:
    """(the groups the user may open in the round, the group shown, the round's name)."""
    with db_session() as s:
        rnd = find_round(s, state.get("round"))
        found = group_data.openable(s, common.scope(), rnd.id)
    return found, state.get("group") or (found[0] if found else None), rnd.name


def _todo(state: dict, group: str, lang: str):
    """(the 待办 list, the printed table of the units that follows it)."""
    try:
        printed = print_table(common.table("scorecard", {**state, "group": group}), lang)
        table = common.table(TODO, {**state, "group": group})
    except reports.ReportError as exc:
        return error_alert(str(exc), lang), None
    return todo_list(table.rows, state, group, lang), printed


def show_page(state: dict, lang: str | None):
    """(controls, heading, 待办, the grid card's style) of the page as the router builds it."""
    lang = lang or DEFAULT
    try:
        found, group, round_name = _shown_group(state)
    except reports.ReportError as exc:
        return [], "", error_alert(str(exc), lang), {}
    if group is None:  # nothing to open in this round: say why, and leave the empty grid out
        return [], "", no_group(common.role(), lang), {"display": "none"}
    return (controls(found, group, state, lang), heading(group, round_name, _date(state), lang),
            _todo(state, group, lang)[0], {})


def show_print(state: dict, lang: str | None):
    """The table printed instead of the grid, below it (layouts.components.Later: built once the grid is on
    screen)."""
    try:
        group = _shown_group(state)[1]
    except reports.ReportError:
        return None
    return None if group is None else _todo(state, group, lang or DEFAULT)[1]


def _date(state: dict) -> str:
    return common.request_of("scorecard", {"as_of": state.get("as_of")}).as_of.isoformat()


def on_group(group: str | None, search: str | None):
    return common.search_with(search, "group", group)


def _outside(state: dict) -> dict:
    return {k: v for k, v in state.items() if k not in OWN_KEYS and k not in ("sort", "filter")}


def move(search: str | None, pathname: str | None, lang: str | None, mounted: dict | None, live: dict | None,
         row_request: dict | None = None):
    """Another group or date: the grid's rows, the 待办, the heading and the brief's link, in place. Another
    round or page is the router's (callbacks.shell)."""
    if pathname != PATH:
        raise PreventUpdate
    state, lang = urlstate.parse(search), lang or DEFAULT
    shown = (live or {}).get("state") or mounted or {}
    if _outside(state) != _outside(shown):
        raise PreventUpdate
    found, group, round_name = _shown_group(state)
    # The picker writes the group shown by default into the URL when it appears: nothing moves then.
    if group is None or (group == (shown.get("group") or (found[0] if found else None))
                         and state.get("as_of") == shown.get("as_of")):
        raise PreventUpdate
    refresh("scorecard", state, lang, live or {"table": "scorecard", "state": shown, "lang": lang}, row_request)
    common.put(ids.Workbench.HEADING, {"children": heading(group, round_name, _date(state), lang)})
    set_props(ids.page(PATH).BRIEF, {"href": brief_href({**urlstate.shared(state), "group": group})})
    if state.get("as_of") != shown.get("as_of"):  # the navbar's links carry the date to the other pages
        set_props(ids.Shell.NAVBAR, {"children": shell_bar(pathname, state, lang)[0]})
    todo, printed = _todo(state, group, lang)
    set_props(ids.Workbench.PRINT, {"children": printed})
    return todo


def open_cell(cell: dict | None, live: dict | None, store: dict | None):
    """A click on a unit's cell opens the page behind it, filtered to the unit, in the same round and date."""
    code = unit_of((cell or {}).get("rowId"))
    column = str((cell or {}).get("colId") or "")
    if code is None or not column[1:].isdigit():
        raise PreventUpdate
    state = (live or store or {}).get("state") or {}
    try:
        table = common.table("scorecard", state)
    except reports.ReportError:
        raise PreventUpdate from None
    index = int(column[1:])
    if index >= len(table.headers) or code not in {str(row[0]) for row in table.rows}:
        raise PreventUpdate
    target = cell_target(state, dict(table.filters.extra).get("group"), table.headers[index], code)
    path, _, search = target.partition("?")
    return path, "?" + search


def register(app) -> None:
    common.on_build([(ids.Workbench.CONTROLS, "children"), (ids.Workbench.HEADING, "children"),
                     (ids.Workbench.TODO, "children"), ("card-scorecard", "style")],
                    show_page)  # the page comes with its parts (callbacks.shell.route)
    common.on_build([(ids.Workbench.PRINT, "children")], show_print)
    app.callback(Output(ids.page(PATH).NAV, "search", allow_duplicate=True), Input(ids.Workbench.GROUP, "value"),
                 State(ids.Shell.URL, "search"), prevent_initial_call=True)(on_group)
    common.register_location(app, PATH, ids.Workbench.URL, ids.Workbench.MOVE, "scorecard")  # another group or date
    # What a move changes beside the 待办, returned as outputs (common.returning). Not the navbar: an output
    # outside the page would make Dash call the move whenever the page appears.
    changed = common.in_place(*grid_stores("scorecard"), (ids.Workbench.HEADING, "children"))
    app.callback(Output(ids.Workbench.TODO, "children", allow_duplicate=True), *changed,
                 Input(ids.Workbench.MOVE, "data"), State(ids.Workbench.URL, "pathname"), State(ids.Shell.LANG, "data"),
                 State(ids.page(PATH).STATE, "data"), *grid_states("scorecard"),
                 prevent_initial_call=True)(common.returning(move, changed))
    app.callback(Output(ids.page(PATH).NAV, "pathname", allow_duplicate=True),
                 Output(ids.page(PATH).NAV, "search", allow_duplicate=True),
                 Input(ids.grid("scorecard"), "cellClicked"), State(ids.grid_live("scorecard"), "data"),
                 State(ids.grid_state("scorecard"), "data"), prevent_initial_call=True)(open_cell)
