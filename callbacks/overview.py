"""总览: reports.overview for the URL state and the caller's scope -> KPI cards and charts."""
from __future__ import annotations

from dash import Input, Output, State

from callbacks import common
from dashboard import reports
from layouts import ids
from layouts.components import error_alert
from layouts.overview import body


def show(state: dict, lang: str | None):
    try:
        data = common.call(reports.overview, state, cache_as="overview")
    except reports.ReportError as exc:
        return error_alert(str(exc), lang)
    return body(data, lang)


def register(app) -> None:
    app.callback(Output(ids.Overview.BODY, "children"), Input(ids.Shell.STATE, "data"),
                 State(ids.Shell.LANG, "data"))(show)
