"""红线/薄弱组织: the funnel plot (reports.funnel) and a click on an org opening its drill-down.
The candidates table lives in callbacks.tables."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, dcc, html

from callbacks import common
from dashboard import reports
from layouts import ids
from layouts.components import empty_state, error_alert
from layouts.overview import GRAPH_CONFIG
from layouts.i18n import t
from layouts.redline import PATH, funnel_figure


def show_funnel(state: dict, lang: str | None):
    try:
        data = common.call(reports.funnel, state, cache_as="funnel")
    except reports.ReportError as exc:
        return error_alert(str(exc), lang)
    if not data["points"]:
        return empty_state(lang)
    graph = dcc.Graph(id=ids.Redline.FUNNEL, figure=funnel_figure(data, lang), config=GRAPH_CONFIG)
    if data["total_points"] == len(data["points"]):
        return graph
    points = data["points"]
    flagged = sum(1 for p in points if p["band"] != "ok")
    key = "funnel_sampled" if flagged == data["flagged_points"] else "funnel_sampled_worst"
    note = t(lang, key).format(total=f"{data['total_points']:,}", flagged=f"{data['flagged_points']:,}",
                               worst=f"{flagged:,}", sample=f"{len(points) - flagged:,}")
    return html.Div([html.P(note, className="small text-muted mb-1", id=ids.Redline.FUNNEL_NOTE), graph])


def register(app) -> None:
    common.on_build([(ids.Redline.FUNNEL_BOX, "children")], show_funnel)
    # A click on an org opens its drill-down, in the browser (assets/clientside.js links.funnel).
    app.clientside_callback(ClientsideFunction("links", "funnel"),
                            Output(ids.page(PATH).NAV, "pathname", allow_duplicate=True),
                            Output(ids.page(PATH).NAV, "search", allow_duplicate=True),
                            Input(ids.Redline.FUNNEL, "clickData"), State(ids.Shell.URL, "search"),
                            prevent_initial_call=True)
