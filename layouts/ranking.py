"""薄弱排名 on the red-line page (docs/views.md): the N weakest orgs by the interval's lower bound, with an N
selector and a 组织类型 filter; the table is the shared grid (callbacks.tables), the controls are filled by
callbacks.ranking with the types the user's scope holds."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import ids
from layouts.components import select_col, table_card
from layouts.i18n import t

LIMITS = (3, 5, 10, 20, 50)  # dashboard.ranking.LIMIT_CHOICES
DEFAULT_LIMIT = "10"


def card(state: dict, lang: str) -> html.Div:
    return html.Div([dcc.Store(id=ids.Ranking.ASK), dcc.Store(id=ids.Ranking.SHOWN), dcc.Store(id=ids.Ranking.MOVE),
                     dcc.Location(id=ids.Ranking.URL, refresh=False),
                     html.Div(id=ids.Ranking.CONTROLS, className="no-print mb-1"),
                     table_card("ranking", t(lang, "ranking_title"), state, lang)], id="ranking-section")


def controls(levels: list[str], state: dict, lang: str) -> dbc.Row:
    return dbc.Row([
        select_col(ids.Ranking.LIMIT, t(lang, "ranking_limit"), [str(n) for n in LIMITS],
                   state.get("limit") or DEFAULT_LIMIT, None, lang, clearable=False, searchable=False, xs=4, md=2,
                   lg=1),
        select_col(ids.Ranking.LEVEL, t(lang, "ranking_level"), levels, state.get("level"),
                   t(lang, "ranking_all_levels"), lang, xs=8, md=4, lg=3),
    ], className="g-2")
