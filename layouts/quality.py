"""数据质量 (docs/views.md): the 走过场 checks summed up by 检查项, every finding (a click opens the org, or the
void sessions behind a 作废场次 finding), and what each check means in plain words."""
from __future__ import annotations

from dash import dcc, html

from layouts import ids
from layouts.components import Later, table_card
from layouts.i18n import t

PATH = "/quality"  # the page's address (callbacks.shell.PAGES)


def layout(state: dict, lang: str) -> html.Div:
    return html.Div([
        dcc.Store(id=ids.page(PATH).STATE, data=state),
        html.H1(t(lang, "nav_quality"), className="h4 mb-2"),
        html.P(t(lang, "q_intro"), className="text-muted small mb-3"),
        table_card("quality-summary", t(lang, "q_summary"), state, lang),
        Later(PATH, [table_card("quality", t(lang, "q_findings"), state, lang), dcc.Store(id=ids.Quality.VOID),
               html.Div(id=ids.Quality.SESSIONS_BOX)]),
    ])


def sessions_card(state: dict, org: str, lang: str):
    """The void sessions of one org (the finding clicked), as a grid of their own."""
    return table_card("void-sessions", f"{t(lang, 'q_sessions')} · {org}", {**state, "org": org}, lang)
