"""领导点评 (docs/views.md): the leaders' graded comments on the orgs in view, with the problems each raised in
整改台账; the 点评等次 filter lives in the URL."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from domain.record import COMMENT_GRADES
from layouts import ids
from layouts.components import page, select_col, table_card
from layouts.i18n import t

PATH = "/comments"  # the page's address (callbacks.shell.PAGES)


def layout(state: dict, lang: str) -> html.Div:
    return page(PATH, state, lang, "nav_comments", [
        dbc.Row(select_col(ids.Comments.GRADE, t(lang, "com_grade"), COMMENT_GRADES, state.get("grade"),
                           t(lang, "com_all_grades"), lang), className="g-2 mb-3"),
        table_card("comments", t(lang, "com_table"), state, lang),
    ])
