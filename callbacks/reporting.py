"""上报进度: the status filter (into the URL) and the completeness bar chart; the tables live in
callbacks.tables."""
from __future__ import annotations

from dash import Input, Output, State, dcc

from callbacks import common
from dashboard import reports
from layouts import ids
from layouts.components import empty_state, error_alert
from layouts.overview import GRAPH_CONFIG
from layouts.reporting import completeness_figure


def on_status(status: str | None, search: str | None):
    return common.search_with(search, "status", status)


def show_chart(state: dict, lang: str | None):
    try:
        table = common.table("reporting-completeness", state)
    except reports.ReportError as exc:
        return error_alert(str(exc), lang)
    if not table.rows:
        return empty_state(lang)
    return dcc.Graph(id=ids.Reporting.CHART, figure=completeness_figure(table), config=GRAPH_CONFIG)


def register(app) -> None:
    app.callback(Output(ids.Shell.URL, "search", allow_duplicate=True), Input(ids.Reporting.STATUS, "value"),
                 State(ids.Shell.URL, "search"), prevent_initial_call=True)(on_status)
    app.callback(Output(ids.Reporting.CHART_BOX, "children"), Input(ids.Shell.STATE, "data"),
                 State(ids.Shell.LANG, "data"))(show_chart)
