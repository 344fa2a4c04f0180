"""领导点评: the 点评等次 filter (into the URL); the table lives in callbacks.tables."""
from __future__ import annotations

from dash import Input, Output, State

from callbacks import common
from layouts import ids
from layouts.comments import PATH


def on_grade(grade: str | None, search: str | None):
    return common.search_with(search, "grade", grade)


def register(app) -> None:
    app.callback(Output(ids.page(PATH).NAV, "search", allow_duplicate=True), Input(ids.Comments.GRADE, "value"),
                 State(ids.Shell.URL, "search"), prevent_initial_call=True)(on_grade)
