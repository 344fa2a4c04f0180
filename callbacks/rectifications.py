"""整改台账: the filter bar (choices within the scope), filters written into the URL, the ageing chart.
The ledger and the per-org summary are grids of callbacks.tables."""
from __future__ import annotations

from dash import ClientsideFunction, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from callbacks import common, drill
from dashboard import ledger_reports, reports
from web.auth import db_session
from data.lookups import regions_in_scope, sources_in_scope, systems_in_scope
from layouts import ids, urlstate
from layouts.components import error_alert, region_options
from layouts.i18n import DEFAULT, t
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


# The ledger pages, each moving in place to other filters: (its ids, its tables, its filter fields by URL key).
LEDGERS = {
    "/rectifications": (ids.Rectifications, ("rectifications", "rectification-summary"), {
        "system": ids.Rectifications.SYSTEM, "region": ids.Rectifications.REGION, "org": ids.Rectifications.ORG,
        "status": ids.Rectifications.STATUS, "light": ids.Rectifications.LIGHT,
        "source": ids.Rectifications.SOURCE, "overdue_only": ids.Rectifications.OVERDUE}),
    "/pledges": (ids.Pledges, ("pledges", "pledge-summary", "pledges-overdue"), {
        "system": ids.Pledges.SYSTEM, "region": ids.Pledges.REGION, "org": ids.Pledges.ORG,
        "status": ids.Pledges.STATUS, "overdue_only": ids.Pledges.OVERDUE}),
}


def move(search: str | None, pathname: str | None, lang: str | None, mounted: dict | None, live: dict | None,
         row_request: dict | None = None):
    """Other filters on a ledger page, in place: the ledger's first rows pushed into its grid on screen and
    the filter bar set where it differs from the URL (the browser's back button); the page's other parts,
    dimmed, follow (`follow`). Passed on by the browser only when a filter changed (assets/clientside.js
    shell.moved); the router leaves the page."""
    if pathname not in LEDGERS:
        raise PreventUpdate
    page, tables, fields = LEDGERS[pathname]
    state, lang = urlstate.parse(search), lang or DEFAULT
    shown = (live or {}).get("state") or mounted or {}
    common.write_url(pathname, search, page.ASK)
    drill.refresh(tables[0], state, lang, live or {"table": tables[0], "state": shown, "lang": lang}, row_request)
    drill.dim(pathname)
    if state.get("system") != shown.get("system"):  # the regions of the system now picked
        with db_session() as s:
            regions = regions_in_scope(s, common.scope(), state.get("system"))
        common.put(page.REGION, {"options": region_options(regions)})
    for key, field in fields.items():  # a set value calls the bar's clientside callback, which finds it so
        if state.get(key) != shown.get(key):
            value = (["1"] if state.get(key) else []) if key == "overdue_only" else (
                state.get(key) or ("" if key == "org" else None))
            common.put(field, {"value": value})
    return state


def register_filter_bar(app, page, show, name: str, fields: tuple) -> None:
    """A ledger's filter bar (drawn with the page) and its fields written into the URL, in order, in the
    browser (assets/clientside.js filters.<name>); the page then moves in place (move), the one request."""
    common.on_build([(page.FILTERS, "children")], show)
    # A changed filter hands the move its URL at once (written with the answer, common.write_url); the page's
    # own location passes on a URL naming other filters than the ledger shows (a link, the back and forward
    # buttons), not the one a move wrote with its answer.
    app.clientside_callback(ClientsideFunction("filters", name), Output(page.ASK, "data"),
                            *(Input(field, "value") for field in fields), State(ids.Shell.URL, "search"),
                            prevent_initial_call=True)
    path = next(p for p, (at, _, _) in LEDGERS.items() if at is page)
    common.register_location(app, path, page.URL, page.MOVE, LEDGERS[path][1][0])
    tables, own = LEDGERS[path][1], ids.page(path)
    # What a move and its follow-up change, returned as outputs (common.returning).
    changed = common.in_place((own.NAV, "search"), drill.later_mark(path), *drill.grid_stores(tables[0]),
                              (page.REGION, "options"), *((field, "value") for field in fields))
    for asked in (page.ASK, page.MOVE):  # two callbacks, as on 下钻 (callbacks.drill.register)
        app.callback(Output(page.SHOWN, "data", allow_duplicate=True), *changed, Input(asked, "data"),
                     State(page.URL, "pathname"), State(ids.Shell.LANG, "data"), State(own.STATE, "data"),
                     *drill.grid_states(tables[0]),
                     prevent_initial_call=True)(common.returning(move, changed))
    after = common.in_place(drill.later_mark(path), *([(page.AGEING_BOX, "children")] if path == "/rectifications" else []))
    app.callback(*after, Input(ids.grid_live(tables[0]), "data"), State(page.URL, "pathname"),
                 State(ids.Shell.LANG, "data"), State(own.STATE, "data"), *drill.grid_states(*tables[1:]),
                 prevent_initial_call=True)(common.returning(follow, after, own=0))


def follow(live: dict | None, pathname: str | None, lang: str | None, mounted: dict | None, *grids: dict | None):
    """A ledger page's summaries (and 整改台账's ageing chart) show the filters its ledger now shows."""
    if not live or not live.get("state") or pathname not in LEDGERS:
        raise PreventUpdate
    page, tables, _ = LEDGERS[pathname]
    state, lang = live["state"], lang or DEFAULT
    drill.refresh_dimmed(pathname, tables[1:], state, lang, mounted, grids)
    if pathname == "/rectifications":
        common.put(page.AGEING_BOX, {"children": show_ageing(state, lang)})


def register(app) -> None:
    page = ids.Rectifications
    register_filter_bar(app, page, show_filters, "rectifications",
                        (page.SYSTEM, page.REGION, page.ORG, page.STATUS, page.LIGHT, page.SOURCE, page.OVERDUE))
    common.on_build([(page.AGEING_BOX, "children")], show_ageing)
