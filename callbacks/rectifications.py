"""整改台账: the filter bar (choices within the scope), filters written into the URL, the ageing chart.
The ledger and the per-org summary are grids of callbacks.tables."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, dcc, html

from callbacks import common
from dashboard import ledger_reports, reports
from web.auth import db_session
from data.lookups import regions_in_scope, sources_in_scope, systems_in_scope
from layouts import ids
from layouts.components import error_alert
from layouts.i18n import t
from layouts.overview import GRAPH_CONFIG
from layouts.rectifications import ageing_figure, filter_bar


def _choices(state: dict) -> tuple[list[str], list[tuple[str, str]]]:
    with db_session() as s:
        return (systems_in_scope(s, common.scope()),
                regions_in_scope(s, common.scope(), state.get("system")))


def show_filters(state: dict, lang: str | None):
    systems, regions = _choices(state)
    with db_session() as s:
        sources = tuple(sources_in_scope(s, common.scope()))
    return filter_bar(ids.Rectifications, systems, regions, state, lang, ledger_reports.RECT_STATUSES,
                      ledger_reports.LIGHTS, sources)


def show_ageing(state: dict, lang: str | None):
    try:
        table = common.table("rectification-ageing", state)
    except reports.ReportError as exc:
        return error_alert(str(exc), lang)
    graph = dcc.Graph(id=ids.Rectifications.AGEING, figure=ageing_figure(table.rows, lang), config=GRAPH_CONFIG)
    if any(count for _, count in table.rows):
        return graph
    # Every band is shown even when all are empty; the sentence says so in words too.
    return html.Div([html.P(t(lang, "ageing_none"), className="text-muted small mb-0", role="status"), graph])


def register_filter_bar(app, page, show, name: str, fields: tuple) -> None:
    """A ledger's filter bar (drawn with the page) and its fields written into the URL, in order, in the
    browser (assets/clientside.js filters.<name>): the router draws the other row set, the one request."""
    common.on_build([(page.FILTERS, "children")], show)
    app.clientside_callback(ClientsideFunction("filters", name), Output(ids.Shell.NAV, "search", allow_duplicate=True),
                            *(Input(field, "value") for field in fields), State(ids.Shell.URL, "search"),
                            prevent_initial_call=True)


def register(app) -> None:
    page = ids.Rectifications
    register_filter_bar(app, page, show_filters, "rectifications",
                        (page.SYSTEM, page.REGION, page.ORG, page.STATUS, page.LIGHT, page.SOURCE, page.OVERDUE))
    common.on_build([(page.AGEING_BOX, "children")], show_ageing)
