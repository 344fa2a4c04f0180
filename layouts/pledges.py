"""承诺践诺 (docs/views.md): the pledge ledger, fulfilment per org and the list of 逾期未兑现 pledges, with
the same URL-held filters as the rectification ledger."""
from __future__ import annotations

from dash import dcc, html

from layouts import ids
from layouts.components import page, table_card
from layouts.i18n import t

PATH = "/pledges"  # the page's address (callbacks.shell.PAGES)


def layout(state: dict, lang: str) -> html.Div:
    return page(PATH, state, lang, "nav_pledges", [
        html.Div(id=ids.Pledges.FILTERS, className="mb-2"),
        dcc.Store(id=ids.Pledges.MOVE), dcc.Store(id=ids.Pledges.ASK), dcc.Store(id=ids.Pledges.SHOWN),
        dcc.Location(id=ids.Pledges.URL, refresh=False),
        table_card("pledges", t(lang, "pledge_ledger"), state, lang),
    ], later=[
        table_card("pledge-summary", t(lang, "pledge_summary"), state, lang),
        table_card("pledges-overdue", t(lang, "pledge_overdue"), state, lang),
    ])
