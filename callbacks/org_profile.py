"""单位画像 (/org): the org's figures, trend and 认定 form from the URL state; its sub-orgs' grid lives in
callbacks.tables. Moving to another org (a click on a sub-org, the browser's back button) is one request
that returns everything that changes, the grid refreshed in place (as callbacks.drill.move does)."""
from __future__ import annotations

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from callbacks import common, drill
from dashboard import org_profile, reports
from layouts import ids, urlstate
from layouts.components import empty_state, error_alert
from layouts.i18n import DEFAULT, t
from layouts.org_profile import PATH, body, record_part, trend_part

CHILDREN = "profile-children"
COMMENTS_SHOWN = 10  # the newest 领导点评 on the page; the link opens them all


def parts(state: dict, lang: str | None):
    """(header and figures, trend, 认定 form, record, the sub-orgs' box style) of the org the state names (or
    the caller's own)."""
    lang = lang or DEFAULT
    try:
        table = common.table("profile", state)
        trend = common.call(org_profile.trend, state, cache_as="profile-trend")
        row = dict(zip(table.headers, table.rows[0]))
        comments = common.table("comments", {**urlstate.shared(state), "org": row["组织编码"]})
    except reports.ReportError as exc:
        if isinstance(exc, reports.BadParameter) and not state.get("org"):
            return empty_state(lang, t(lang, "profile_pick")), None, None, None, {}
        return error_alert(str(exc), lang), None, None, None, {}
    newest = [dict(zip(comments.headers, r)) for r in comments.rows[:COMMENTS_SHOWN]]
    record = record_part(row, newest, len(comments.rows), state, lang)
    # No sub-org and no member evaluated: no table of zeros, a line in the header says so instead.
    empty = not row.get("下级组织数") and not row.get("参评党员数")
    metric = table.columns[table.headers.index("测评数") + 1]
    rework = drill.show_rework({**state, "org": row["组织编码"]}, lang, ids.Profile)
    return (body(row, metric.name, metric.format, state, lang), trend_part(trend, lang), rework, record,
            {"display": "none"} if empty else {})


def move(search: str | None, pathname: str | None, lang: str | None, mounted: dict | None, live: dict | None,
         row_request: dict | None = None):
    """Another org on the same page (the router leaves /org alone when only `org` changes)."""
    if pathname != "/org":
        raise PreventUpdate
    state, lang = urlstate.parse(search), lang or DEFAULT
    shown = (live or {}).get("state") or mounted or {}
    if state.get("org") == shown.get("org") or {k: v for k, v in state.items() if k != "org"} != \
            {k: v for k, v in shown.items() if k != "org"}:
        raise PreventUpdate
    drill.refresh(CHILDREN, state, lang, live or {"table": CHILDREN, "state": shown, "lang": lang}, row_request)
    return parts(state, lang)


def open_child(cell: dict | None, search: str | None):
    target = (cell or {}).get("rowId")
    if not isinstance(target, str) or not target.startswith("/org?"):
        raise PreventUpdate
    new = "?" + target.partition("?")[2]
    if new == (search or ""):
        raise PreventUpdate
    return new


def register(app) -> None:
    parts_at = [(ids.Profile.BODY, "children"), (ids.Profile.TREND_BOX, "children"),
                (ids.Profile.REWORK_BOX, "children"), (ids.Profile.RECORD, "children"),
                (ids.Profile.CHILDREN_BOX, "style")]
    common.on_build(parts_at, parts)  # the page comes with its parts (callbacks.shell.route)
    common.register_location(app, PATH, ids.Profile.URL, ids.Profile.MOVE, CHILDREN)  # another org
    changed = common.in_place(*drill.grid_stores(CHILDREN))  # returned as outputs (common.returning)
    app.callback(*[Output(i, prop) for i, prop in parts_at], *changed, Input(ids.Profile.MOVE, "data"),
                 State(ids.Profile.URL, "pathname"), State(ids.Shell.LANG, "data"),
                 State(ids.page(PATH).STATE, "data"), *drill.grid_states(CHILDREN),
                 prevent_initial_call=True)(common.returning(move, changed, len(parts_at)))
    app.callback(Output(ids.Profile.URL, "search"), Input(ids.grid(CHILDREN), "cellClicked"),
                 State(ids.Profile.URL, "search"), prevent_initial_call=True)(open_child)
    # The 认定 form on this page saves through the drill-down's function, reading the org from this page's URL.
    p = ids.Profile
    app.callback(Output(p.REWORK_MESSAGE, "children"), Input(p.REWORK_SAVE, "n_clicks"),
                 State(p.REWORK_DATE, "value"), State(p.REWORK_DUE, "value"), State(p.REWORK_OFFICE, "value"),
                 State(p.REWORK_DOC, "value"), State(p.REWORK_NOTE, "value"), State(p.URL, "search"),
                 State(ids.Shell.LANG, "data"), prevent_initial_call=True)(drill.save_rework)
