"""整改台账: the filter bar (choices within the scope), filters written into the URL, the ageing chart.
The ledger and the per-org summary are grids of callbacks.tables."""
from __future__ import annotations

from dash import Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from callbacks import common
from dashboard import ledger_reports, reports
from web.auth import db_session
from data.lookups import regions_in_scope, sources_in_scope, systems_in_scope
from layouts import ids, urlstate
from layouts.components import error_alert
from layouts.i18n import t
from layouts.overview import GRAPH_CONFIG
from layouts.rectifications import ageing_figure, filter_bar

FILTER_KEYS = ("system", "region", "org", "status", "light", "source", "overdue_only")


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


def filters_to_search(search: str | None, system=None, region=None, org=None, status=None, light=None,
                      source=None, overdue=None) -> str:
    """The URL with the ledger filters set (grid sort/filter dropped: another row set). A new system
    clears the region picked for the old one. PreventUpdate when nothing changed."""
    state = urlstate.parse(search)
    values = {"system": system or None, "region": region or None, "org": (org or "").strip() or None,
              "status": status or None, "light": light or None, "source": source or None,
              "overdue_only": "1" if overdue else None}
    if values["system"] != state.get("system") and values["region"] == state.get("region"):
        values["region"] = None
    if all(values[k] == state.get(k) for k in values):
        raise PreventUpdate
    keep = {k: v for k, v in state.items() if k not in FILTER_KEYS and k not in ("sort", "filter")}
    new = urlstate.encode({**keep, **values})
    if new == (search or ""):
        raise PreventUpdate
    return new


def on_filter(system, region, org, status, light, source, overdue, search):
    return filters_to_search(search, system, region, org, status, light, source, overdue)


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


def register_filter_bar(app, page, show, on_filter, fields: tuple) -> None:
    """A ledger's filter bar (drawn from the shell state) and its fields written into the URL, in order."""
    app.callback(Output(page.FILTERS, "children"), Input(ids.Shell.STATE, "data"),
                 State(ids.Shell.LANG, "data"))(show)
    app.callback(Output(ids.Shell.URL, "search", allow_duplicate=True),
                 *(Input(field, "value") for field in fields), State(ids.Shell.URL, "search"),
                 prevent_initial_call=True)(on_filter)


def register(app) -> None:
    page = ids.Rectifications
    register_filter_bar(app, page, show_filters, on_filter,
                        (page.SYSTEM, page.REGION, page.ORG, page.STATUS, page.LIGHT, page.SOURCE, page.OVERDUE))
    app.callback(Output(page.AGEING_BOX, "children"), Input(ids.Shell.STATE, "data"),
                 State(ids.Shell.LANG, "data"))(show_ageing)
