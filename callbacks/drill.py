"""下钻: the breadcrumb of the current node (reports.node_path); its grids live in callbacks.tables."""
from __future__ import annotations

from dash import Input, Output, State, html
from dash.exceptions import PreventUpdate
from flask import current_app, request

from callbacks import common
from dashboard import reports
from web.auth import db_session
from data import rework as rework_data
from data.lookups import regions_in_scope, systems_in_scope
from data.queries import find_round
from layouts import ids, urlstate
from layouts.drill import breadcrumb, pickers, rework_form
from layouts.i18n import t

REWORK_ROLES = ("admin", "supervisor")


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


def show_rework(state: dict, lang: str | None):
    """The 认定 form when the drill-down shows one org and the user may order a redo (its scope checked)."""
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
    return rework_form(f"{path[-1][0]}（{state['org']}）", shown, lang)


def save_rework(n_clicks, ordered_on, recheck_due, office, doc_no, note, state: dict, lang: str | None):
    if not n_clicks:
        raise PreventUpdate
    try:
        with current_app.extensions["dashboard_sessions"].begin() as s:
            rework_data.record_order(s, round_name=find_round(s, state.get("round")).name, org_code=state.get("org") or "",
                                     ordered_on=ordered_on, recheck_due=recheck_due, office=office, doc_no=doc_no,
                                     note=note, username=common.username(), role=common.role(),
                                     scope=common.scope(), address=request.remote_addr)
    except (rework_data.ReworkError, reports.ReportError) as exc:
        return html.Span(str(exc), className="text-danger")
    return html.Span(f"{t(lang, 'rework_saved')}：{state.get('org')} · {ordered_on}", className="text-success")


def register(app) -> None:
    app.callback(Output(ids.Drill.REWORK_BOX, "children"), Input(ids.Shell.STATE, "data"),
                 State(ids.Shell.LANG, "data"))(show_rework)
    app.callback(Output(ids.Drill.REWORK_MESSAGE, "children"), Input(ids.Drill.REWORK_SAVE, "n_clicks"),
                 State(ids.Drill.REWORK_DATE, "value"), State(ids.Drill.REWORK_DUE, "value"),
                 State(ids.Drill.REWORK_OFFICE, "value"), State(ids.Drill.REWORK_DOC, "value"),
                 State(ids.Drill.REWORK_NOTE, "value"), State(ids.Shell.STATE, "data"),
                 State(ids.Shell.LANG, "data"), prevent_initial_call=True)(save_rework)
    app.callback(Output(ids.Drill.PICKERS, "children"), Input(ids.Shell.STATE, "data"),
                 State(ids.Shell.LANG, "data"))(show_pickers)
    app.callback(Output(ids.Shell.URL, "search", allow_duplicate=True),
                 Input(ids.Drill.SYSTEM, "value"), Input(ids.Drill.REGION, "value"),
                 State(ids.Shell.URL, "search"), prevent_initial_call=True)(on_pick)
    app.callback(Output(ids.Drill.BREADCRUMB, "children"), Input(ids.Shell.STATE, "data"),
                 State(ids.Shell.LANG, "data"))(show_breadcrumb)
