"""下钻: the breadcrumb of the current node (reports.node_path); its grids live in callbacks.tables."""
from __future__ import annotations

from dash import Input, Output, State, html
from dash.exceptions import PreventUpdate

from callbacks import common
from dashboard import reports
from web.auth import db_session
from data.lookups import regions_in_scope, systems_in_scope
from layouts import ids, urlstate
from layouts.drill import breadcrumb, pickers


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


def on_pick(system: str | None, region: str | None, search: str | None):
    """A picked system or region starts the drill there (a new system clears the region of the old one)."""
    state = urlstate.parse(search)
    system, region = system or None, region or None
    if system == state.get("system") and region == state.get("region"):
        raise PreventUpdate  # the pickers showing where the user already is (an org below stays open)
    if system != state.get("system"):
        region = None
    new = urlstate.encode({**urlstate.shared(state), "system": system, "region": region})
    if new == (search or ""):
        raise PreventUpdate
    return new


def register(app) -> None:
    app.callback(Output(ids.Drill.PICKERS, "children"), Input(ids.Shell.STATE, "data"),
                 State(ids.Shell.LANG, "data"))(show_pickers)
    app.callback(Output(ids.Shell.URL, "search", allow_duplicate=True),
                 Input(ids.Drill.SYSTEM, "value"), Input(ids.Drill.REGION, "value"),
                 State(ids.Shell.URL, "search"), prevent_initial_call=True)(on_pick)
    app.callback(Output(ids.Drill.BREADCRUMB, "children"), Input(ids.Shell.STATE, "data"),
                 State(ids.Shell.LANG, "data"))(show_breadcrumb)
