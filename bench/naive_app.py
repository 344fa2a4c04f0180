"""What a competent Dash developer would write without our SQL and node index, as the benchmark's
baseline: the data held as pandas DataFrames in the app process, summed to one row per (round, org) at
start, each org's ancestors stored as one integer column per depth (anc0 = its root … its own id at its
depth), so a subtree is an equality test and every answer is a vectorised filter and groupby.

It answers the same questions as the product's drill-down, overview and ledger page, on the same data, so
the benchmark can put the two side by side. It is not part of the product and has no login.

    python -m bench.naive_app DATABASE_URL PORT
"""
from __future__ import annotations

import sys
from datetime import date

import dash
import numpy as np
import pandas as pd
from dash import Input, Output, dcc, html
from sqlalchemy import create_engine

COUNTS = ["opt1", "opt2", "opt3", "opt4", "opt5", "unknown", "abstain"]


def ancestors(orgs: pd.DataFrame) -> pd.DataFrame:
    """anc{d}: the id of each org's ancestor at depth d (-1 below its own depth), vectorised per level."""
    ids = orgs["id"].to_numpy()
    parent = np.full(ids.max() + 1, -1, dtype=np.int64)
    parent[ids] = orgs["parent_id"].fillna(-1).astype(np.int64).to_numpy()
    depth = orgs["depth"].to_numpy()
    columns = {}
    node = ids.copy()
    for d in range(int(depth.max()), -1, -1):  # walk every org up one level at a time, deepest first
        columns[f"anc{d}"] = np.where(depth >= d, node, -1)
        node = np.where(depth >= d, parent[np.maximum(node, 0)], node) if d else node
    return orgs.assign(**{k: columns[k] for k in sorted(columns, key=lambda k: int(k[3:]))})


def load(url: str) -> dict:
    engine = create_engine(url)
    orgs = pd.read_sql("SELECT o.id, o.code, o.name, o.parent_id, o.depth, s.name AS system, "
                       "COALESCE(r.l2_code, r.l1_code) AS region FROM orgs o JOIN systems s ON s.id = o.system_id "
                       "JOIN regions r ON r.id = o.region_id", engine)
    orgs = ancestors(orgs)
    # An org's region and system beside its parent's: a "top" org of a region filter is one whose parent is
    # outside it, an equality test per request instead of a walk.
    parent_of = orgs.set_index("id")[["system", "region"]].add_prefix("parent_")
    orgs = orgs.join(parent_of, on="parent_id")
    items = pd.read_sql("SELECT id AS item_id, is_overall FROM items", engine)
    items["is_overall"] = items["is_overall"].astype(bool)
    tallies = pd.read_sql("SELECT round_id, org_id, item_id, " + ", ".join(COUNTS)
                          + " FROM tallies WHERE member_key = 0", engine).merge(items, on="item_id")
    # The overall item where an org has one, else all its items: then one row per (round, org).
    has_overall = tallies.groupby(["round_id", "org_id"])["is_overall"].transform("any")
    tallies = tallies[tallies["is_overall"] | ~has_overall]
    per_org = tallies.groupby(["round_id", "org_id"], as_index=False)[COUNTS].sum()
    per_org = per_org.merge(orgs, left_on="org_id", right_on="id")
    rects = pd.read_sql("SELECT code, round_id, org_id, status, registered_date, deadline, completed_date, "
                        "closed_date FROM rectifications", engine,
                        parse_dates=["registered_date", "deadline", "completed_date", "closed_date"])
    rects = rects.merge(orgs, left_on="org_id", right_on="id")
    engine.dispose()
    return {"orgs": orgs.set_index("code", drop=False),
            "rounds": {k: v.reset_index(drop=True) for k, v in per_org.groupby("round_id")},
            "rects": {k: v.reset_index(drop=True) for k, v in rects.groupby("round_id")}}


def rates(frame: pd.DataFrame) -> list[dict]:
    n = frame["opt1"] + frame["opt2"] + frame["opt3"]
    frame = frame.assign(n=n, 满意率=frame["opt1"] / n, 综合满意率=(frame["opt1"] + frame["opt2"]) / n)
    return frame.reset_index().to_dict("records")


def _children(frame: pd.DataFrame, orgs: pd.DataFrame, system, region, org) -> tuple[pd.DataFrame, str]:
    """(rows under the node, the column naming each row's child) for a node given as the URL gives it."""
    if org:
        depth, org_id = orgs.at[org, "depth"], orgs.at[org, "id"]
        return frame[(frame[f"anc{depth}"] == org_id) & (frame["depth"] > depth)], f"anc{depth + 1}"
    if region:
        inside = frame["region"] == region
        parent_inside = frame["parent_region"] == region
        if system:
            inside &= frame["system"] == system
            parent_inside &= frame["parent_system"] == system
        sub = frame[inside]
        # Each row's top: its ancestor at the shallowest depth still inside the filter.
        tops = set(orgs.loc[(orgs["region"] == region) & ((orgs["system"] == system) if system else True)
                            & ~((orgs["parent_region"] == region)
                                & ((orgs["parent_system"] == system) if system else True)), "id"])
        top = np.full(len(sub), -1, dtype=np.int64)
        for d in range(int(sub["depth"].max()) + 1 if len(sub) else 0):
            col = sub[f"anc{d}"].to_numpy()
            top = np.where((top < 0) & np.isin(col, list(tops)), col, top)
        return sub.assign(top=top), "top"
    if system:
        return frame[frame["system"] == system], "region"
    return frame, "system"


def drill(data, round_id: int, system: str | None, region: str | None, org: str | None,
          as_of: date) -> list[dict]:
    sub, key = _children(data["rounds"][round_id], data["orgs"], system, region, org)
    rows = rates(sub.groupby(key)[COUNTS].sum())
    # Ledger columns beside the ballots, as the product's drill-down shows them.
    rects, cutoff = data["rects"].get(round_id), pd.Timestamp(as_of)
    if rects is not None:
        rects, _ = _children(rects, data["orgs"], system, region, org)
        overdue = rects[(rects["registered_date"] <= cutoff) & ~rects["status"].isin(["已完成", "已销号"])
                        & (rects["deadline"] < cutoff)]
        counts = overdue.groupby(key).size().to_dict() if key in overdue.columns else {}
        for row in rows:
            row["超期整改"] = counts.get(row[key], 0)
    return rows


def overview(data, round_id: int) -> dict:
    t = data["rounds"][round_id]
    by_system = rates(t.groupby("system")[COUNTS].sum())
    by_region = rates(t.groupby("region")[COUNTS].sum())
    total = t[COUNTS].sum()
    return {"n": int(total["opt1"] + total["opt2"] + total["opt3"]), "systems": by_system, "regions": by_region}


def ledger_page(data, round_id: int, start: int) -> dict:
    r = data["rects"].get(round_id, pd.DataFrame(columns=["deadline", "code", "status"]))
    r = r.sort_values(["deadline", "code"])
    return {"total": len(r), "rows": r.iloc[start:start + 100][["code", "status"]].astype(str).to_dict("records")}


def create_app(url: str) -> dash.Dash:
    data = load(url)
    app = dash.Dash(__name__)
    app.layout = html.Div([dcc.Store(id=i) for i in ("q-floor", "q-drill", "q-overview", "q-ledger")]
                          + [html.Div(id=i) for i in ("floor", "drill", "overview", "ledger")])

    @app.callback(Output("floor", "children"), Input("q-floor", "data"))
    def floor(_):
        return ""

    @app.callback(Output("drill", "children"), Input("q-drill", "data"))
    def on_drill(q):
        return str(len(drill(data, q["round"], q.get("system"), q.get("region"), q.get("org"),
                             date.fromisoformat(q["as_of"]))))

    @app.callback(Output("overview", "children"), Input("q-overview", "data"))
    def on_overview(q):
        return str(overview(data, q["round"])["n"])

    @app.callback(Output("ledger", "children"), Input("q-ledger", "data"))
    def on_ledger(q):
        return str(ledger_page(data, q["round"], q.get("start", 0))["total"])

    return app


if __name__ == "__main__":
    from waitress import serve

    serve(create_app(sys.argv[1]).server, host="127.0.0.1", port=int(sys.argv[2]), threads=4)
