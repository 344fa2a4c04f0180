"""承诺践诺: the filter bar and its URL state (as on the rectification ledger); the three tables are grids
of callbacks.tables."""
from __future__ import annotations

from dash import Input, Output, State

from callbacks.rectifications import _choices, filters_to_search
from dashboard import ledger_reports
from layouts import ids
from layouts.rectifications import filter_bar


def show_filters(state: dict, lang: str | None):
    systems, regions = _choices(state)
    return filter_bar(ids.Pledges, systems, regions, state, lang, ledger_reports.PLEDGE_STATUSES)


def on_filter(system, region, org, status, overdue, search):
    return filters_to_search(search, system, region, org, status, overdue=overdue)


def register(app) -> None:
    page = ids.Pledges
    app.callback(Output(page.FILTERS, "children"), Input(ids.Shell.STATE, "data"),
                 State(ids.Shell.LANG, "data"))(show_filters)
    app.callback(Output(ids.Shell.URL, "search", allow_duplicate=True),
                 Input(page.SYSTEM, "value"), Input(page.REGION, "value"), Input(page.ORG, "value"),
                 Input(page.STATUS, "value"), Input(page.OVERDUE, "value"), State(ids.Shell.URL, "search"),
                 prevent_initial_call=True)(on_filter)
