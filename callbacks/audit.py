"""审计日志: the filters narrow the shared grid's state; the table itself (admins only, refused on the server
in callbacks.common.table) is rendered, paged and exported by callbacks.tables."""
from __future__ import annotations

from dash import Input, Output, State
from dash.exceptions import PreventUpdate

from layouts import ids


def on_filters(action, user, start, end, store: dict | None):
    if not isinstance(store, dict):
        raise PreventUpdate
    state = {"action": action, "user": (user or "").strip() or None, "from": start, "to": end}
    state = {k: str(v) for k, v in state.items() if v}
    if state == store.get("state"):
        raise PreventUpdate
    return {**store, "state": state}


def register(app) -> None:
    app.callback(Output(ids.grid_state("audit"), "data"),
                 Input(ids.Audit.ACTION, "value"), Input(ids.Audit.USER, "value"),
                 Input(ids.Audit.DATES, "start_date"), Input(ids.Audit.DATES, "end_date"),
                 State(ids.grid_state("audit"), "data"), prevent_initial_call=True)(on_filters)
