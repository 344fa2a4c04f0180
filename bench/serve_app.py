"""The real app as the benchmark serves it: create_app() plus one empty callback, the floor every Dash
round trip pays (routing, JSON, auth), and no per-process report cache so every request is computed.

    python -m bench.serve_app DATABASE_URL PORT
"""
from __future__ import annotations

import secrets
import sys

from dash import Input, Output
from waitress import serve

from app import create_app

FLOOR_OUTPUT, FLOOR_INPUT = "bench-floor-out", "bench-floor-in"


def main() -> None:
    server = create_app({"DATABASE_URL": sys.argv[1], "SECRET_KEY": secrets.token_hex(16),
                         "REPORT_CACHE": False})  # measure the computation, not the cache
    dash_app = server.extensions["dash"]
    dash_app.callback(Output(FLOOR_OUTPUT, "children"), Input(FLOOR_INPUT, "data"))(lambda value: value)
    serve(server, host="127.0.0.1", port=int(sys.argv[2]), threads=4, _quiet=True)


if __name__ == "__main__":
    main()
