"""承诺践诺: the filter bar and its URL state (as on the rectification ledger); the three tables are grids
of callbacks.tables."""
from __future__ import annotations

from callbacks.rectifications import _choices, register_filter_bar
from dashboard import ledger_reports
from layouts import ids
from layouts.rectifications import filter_bar


def show_filters(state: dict, lang: str | None):
    systems, regions = _choices(state)
    return filter_bar(ids.Pledges, systems, regions, state, lang, ledger_reports.PLEDGE_STATUSES)


def register(app) -> None:
    page = ids.Pledges
    register_filter_bar(app, page, show_filters, "pledges",
                        (page.SYSTEM, page.REGION, page.ORG, page.STATUS, page.OVERDUE))
