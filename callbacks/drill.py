"""下钻: the breadcrumb of the current node (reports.node_path); its grids live in callbacks.tables."""
from __future__ import annotations

from dash import Input, Output, State, html

from callbacks import common
from dashboard import reports
from layouts import ids
from layouts.drill import breadcrumb


def show_breadcrumb(state: dict, lang: str | None):
    try:
        path = common.node_path(state)
    except reports.ReportError as exc:
        return html.Ol(html.Li(str(exc), className="breadcrumb-item text-danger"), className="breadcrumb mb-0")
    levels = [(label, {"system": f.system, "region": f.region, "org": f.org}) for label, f in path]
    return breadcrumb(levels, state, lang)


def register(app) -> None:
    app.callback(Output(ids.Drill.BREADCRUMB, "children"), Input(ids.Shell.STATE, "data"),
                 State(ids.Shell.LANG, "data"))(show_breadcrumb)
