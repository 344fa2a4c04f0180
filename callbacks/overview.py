"""总览: reports.overview for the URL state and the caller's scope -> KPI cards and charts."""
from __future__ import annotations

from functools import partial

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from callbacks import common
from dashboard import reports
from layouts import ids, urlstate
from layouts.components import error_alert
from layouts.overview import PATH, body


def show(state: dict, lang: str | None):
    try:
        data = common.call(reports.overview, state, cache_as="overview")
    except reports.ReportError as exc:
        return error_alert(str(exc), lang)
    return body(data, lang)


def open_group(key: str, click: dict | None, search: str | None):
    """A click on a bar opens the drill-down of that system (key "system") or region (key "region")."""
    points = (click or {}).get("points") or []
    custom = points[0].get("customdata") if points else None
    if not custom:
        raise PreventUpdate
    keep = {k: v for k, v in urlstate.parse(search).items() if k in urlstate.SHARED}
    return "/drill", urlstate.encode({**keep, key: str(custom[0])})


def register(app) -> None:
    common.on_build([(ids.Overview.BODY, "children")], show)
    for key, graph in (("system", ids.Overview.BY_SYSTEM), ("region", ids.Overview.BY_REGION)):
        app.callback(Output(ids.page(PATH).NAV, "pathname", allow_duplicate=True),
                     Output(ids.page(PATH).NAV, "search", allow_duplicate=True),
                     Input(graph, "clickData"), State(ids.Shell.URL, "search"),
                     prevent_initial_call=True)(partial(open_group, key))
