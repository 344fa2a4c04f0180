"""The real app as the benchmark serves it: create_app() plus one empty callback, the floor every Dash
round trip pays (routing, JSON, auth), and no per-process report cache so every request is computed.
Beside it, on the same Flask server, behind the same login and served by the same waitress, the browser
benchmark's floor (bench.browser): a minimal Dash app at /_dash-floor/ whose button fills one AG Grid.

    python -m bench.serve_app DATABASE_URL PORT
"""
from __future__ import annotations

import secrets
import sys

import dash
import dash_ag_grid as dag
from dash import Input, Output, html
from waitress import serve

from app import create_app

FLOOR_OUTPUT, FLOOR_INPUT = "bench-floor-out", "bench-floor-in"
# Under /_dash so the login and CSRF rules of web.auth treat its requests as they treat the app's own.
FLOOR_PATH, FLOOR_ROWS = "/_dash-floor/", 25


def floor_rows(n: int) -> list[dict]:
    return [{"code": f"r{n}-{i}", "name": f"组织{n}-{i}", "rate": i / FLOOR_ROWS, "n": 100 + i}
            for i in range(FLOOR_ROWS)]


def add_floor_app(server) -> None:
    """The least a Dash page does for a click: one callback, one grid's rows replaced."""
    floor = dash.Dash(__name__, server=server, url_base_pathname=FLOOR_PATH, serve_locally=True,
                      update_title=None)
    floor.layout = html.Div([
        html.Button("下一组", id="floor-button"),
        dag.AgGrid(id="floor-grid", rowData=floor_rows(0),
                   columnDefs=[{"field": f} for f in ("code", "name", "rate", "n")],
                   dashGridOptions={"domLayout": "autoHeight"}, style={"width": "100%"}),
    ])
    floor.callback(Output("floor-grid", "rowData"), Input("floor-button", "n_clicks"),
                   prevent_initial_call=True)(floor_rows)
    server.config["CSP_SCRIPT_HASHES"] = sorted({*server.config.get("CSP_SCRIPT_HASHES", []),
                                                 *floor.csp_hashes()})


def main() -> None:
    server = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": secrets.token_hex(16),
                         "REPORT_CACHE": False})  # measure the computation, not the cache
    dash_app = server.extensions["dash"]
    dash_app.callback(Output(FLOOR_OUTPUT, "children"), Input(FLOOR_INPUT, "data"))(lambda value: value)
    add_floor_app(server)
    serve(server, host="127.0.0.1", port=int(sys.argv[2]), threads=4, _quiet=True)


if __name__ == "__main__":
    main()
