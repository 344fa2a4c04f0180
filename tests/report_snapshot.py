"""Every report of a database as one JSON document: `python -m tests.report_snapshot DATABASE_URL AS_OF`.

Run in a process of its own, so no process cache (node index, report cache) can answer for another
database: the backup test (tests/test_deploy.py) compares the snapshots of a database and of its restore.
Each view of dashboard.reports for every round; the drill-down and overview one level down as well.
"""
from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import date

from dashboard import reports
from data.db import make_engine, make_session_factory
from data.lookups import round_names
from domain.request import Request
from domain.scope import scope_for
from domain.tables import Filters

TABLE_VIEWS = sorted({"drilldown", "redline", "items", "categories", *reports.LEDGER_VIEWS})
DICT_VIEWS = {"overview": reports.overview, "funnel": reports.funnel}


def _answer(compute):
    try:
        value = compute()
    except reports.ReportError as exc:  # the same refusal on both sides is the same report
        return {"error": str(exc)}
    return asdict(value) if hasattr(value, "__dataclass_fields__") else value


def snapshot(url: str, as_of: date) -> dict:
    factory = make_session_factory(make_engine(url))
    everything = scope_for("admin", [])
    out = {}

    def take(view: str, filters: Filters, compute) -> None:
        out[f"{view} {json.dumps(filters.as_dict(), ensure_ascii=False, sort_keys=True)}"] = _answer(compute)

    with factory() as s:
        for round_name in round_names(s):
            top = Filters(round=round_name)
            for view in TABLE_VIEWS:
                take(view, top, lambda: reports.build(view, s, Request(top, as_of, everything)))
            for view, func in DICT_VIEWS.items():
                take(view, top, lambda: func(s, Request(top, as_of, everything)))
            drill = reports.drilldown(s, Request(top, as_of, everything))
            for i in range(len(drill.rows)):  # one level down: the drill-down and its charts
                below = reports.child_filters(top, drill, i)
                if below is not None:
                    take("drilldown", below, lambda: reports.build("drilldown", s, Request(below, as_of, everything)))
                    take("overview", below, lambda: reports.overview(s, Request(below, as_of, everything)))
    return out


if __name__ == "__main__":
    json.dump(snapshot(sys.argv[1], date.fromisoformat(sys.argv[2])), sys.stdout, ensure_ascii=False,
              sort_keys=True, default=str)
