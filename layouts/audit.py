"""审计日志 (admins only): filters for action, user and dates above the shared grid of the audit trail."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from domain.tables import AUDIT_ACTIONS
from layouts import ids
from layouts.components import dropdown, page, table_card
from layouts.i18n import t, value

PATH = "/audit"  # the page's address (callbacks.shell.PAGES)

FILTER_KEYS = ("action", "user", "from", "to")


def layout(state: dict, lang: str) -> html.Div:
    return page(PATH, state, lang, "nav_audit", [
        dbc.Row([
            dbc.Col([dbc.Label(t(lang, "audit_action"), html_for=ids.Audit.ACTION),
                     dropdown(lang, id=ids.Audit.ACTION, options=[{"label": value(lang, v), "value": k}
                                                                 for k, v in AUDIT_ACTIONS.items()],
                              placeholder=t(lang, "audit_all_actions"))], md=3),
            dbc.Col([dbc.Label(t(lang, "audit_user"), html_for=ids.Audit.USER),
                     dbc.Input(id=ids.Audit.USER, type="text", debounce=True)], md=3),
            dbc.Col([dbc.Label(t(lang, "audit_dates"), html_for=ids.Audit.DATES), html.Br(),
                     dcc.DatePickerRange(id=ids.Audit.DATES, display_format="YYYY-MM-DD",
                                         first_day_of_week=1, clearable=True,
                                         start_date_placeholder_text=t(lang, "audit_from"),
                                         end_date_placeholder_text=t(lang, "audit_to"))], md=4),
        ], className="mb-3 g-3"),
        table_card("audit", t(lang, "nav_audit"), {k: v for k, v in state.items() if k in FILTER_KEYS}, lang),
    ])
