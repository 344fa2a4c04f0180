"""上报进度: the status filter (into the URL), the completeness bar chart, and 逐级审核 of the ticked rows (each
org checked on the server: docs/roles.md); the tables live in callbacks.tables."""
from __future__ import annotations

from dash import Input, Output, State, ctx, dcc, html, set_props
from dash.exceptions import PreventUpdate
from flask import current_app, request

from callbacks import common, drill
from dashboard import reports
from data import approvals
from data.queries import find_round
from layouts import ids
from layouts.components import empty_state, error_alert
from layouts.i18n import DEFAULT, t
from layouts.overview import GRAPH_CONFIG
from layouts.reporting import PATH, approval_message, completeness_figure

MAX_AT_ONCE = 500  # ticked rows acted on in one click


def on_status(status: str | None, search: str | None):
    return common.search_with(search, "status", status)


def show_chart(state: dict, lang: str | None):
    try:
        table = common.table("reporting-completeness", state)
    except reports.ReportError as exc:
        return error_alert(str(exc), lang)
    if not table.rows:
        return empty_state(lang)
    return dcc.Graph(id=ids.Reporting.CHART, figure=completeness_figure(table, lang), config=GRAPH_CONFIG)


def act_on_selected(_approve, _return, selected: list | None, reason: str | None, state: dict | None,
                    lang: str | None, live: dict | None, row_request: dict | None = None):
    """Approve or return every ticked org, each in its own transaction (one refusal does not undo the
    others) and audited; then the grid shows the new 审核状态 in place."""
    if ctx.triggered_id not in (ids.Reporting.APPROVE, ids.Reporting.RETURN):
        raise PreventUpdate
    lang, state = lang or DEFAULT, state or {}
    codes = list(dict.fromkeys(str(row.get("c0")) for row in selected or [] if isinstance(row, dict) and row.get("c0")))
    if not codes:
        return html.Div(t(lang, "appr_none"), className="text-danger")
    returning = ctx.triggered_id == ids.Reporting.RETURN
    done, refused = [], []
    for code in codes[:MAX_AT_ONCE]:
        try:
            with current_app.extensions["dashboard_sessions"].begin() as s:
                approvals.act(s, round_name=find_round(s, state.get("round")).name, org_code=code,
                              username=common.username(), role=common.role(), scope=common.scope(),
                              return_reason=(reason or "") if returning else None, address=request.remote_addr)
            done.append(code)
        except (approvals.ApprovalError, reports.ReportError) as exc:
            refused.append(str(exc))
    if done:
        live = live or {"table": "reporting", "state": state, "lang": lang}
        drill.refresh("reporting", state, lang, live, row_request)
        set_props(ids.grid("reporting"), {"selectedRows": []})  # the next action starts from a clean slate
    return approval_message(done, refused, lang)


def register(app) -> None:
    app.callback(Output(ids.page(PATH).NAV, "search", allow_duplicate=True), Input(ids.Reporting.STATUS, "value"),
                 State(ids.Shell.URL, "search"), prevent_initial_call=True)(on_status)
    common.on_build([(ids.Reporting.CHART_BOX, "children")], show_chart)
    app.callback(Output(ids.Reporting.APPROVAL_MESSAGE, "children"), Input(ids.Reporting.APPROVE, "n_clicks"),
                 Input(ids.Reporting.RETURN, "n_clicks"), State(ids.grid("reporting"), "selectedRows"),
                 State(ids.Reporting.REASON, "value"), State(ids.page(PATH).STATE, "data"), State(ids.Shell.LANG, "data"),
                 *drill.grid_states("reporting"),
                 prevent_initial_call=True)(act_on_selected)
