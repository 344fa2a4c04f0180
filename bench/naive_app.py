"""The approach a Dash user would reach for, as the benchmark's baseline: the tallies and ledgers held as
pandas DataFrames in the app process, a groupby in every callback.

It answers the same questions as the product's drill-down, overview and ledger page, on the same data, so
the benchmark can put the two side by side. It is not part of the product and has no login.

    python -m bench.naive_app DATABASE_URL PORT
"""
from __future__ import annotations

import sys
from datetime import date

import dash
import pandas as pd
from dash import Input, Output, dcc, html
from sqlalchemy import create_engine

COUNTS = ["opt1", "opt2", "opt3", "opt4", "opt5", "unknown", "abstain"]
MAX_DEPTH = 8


def load(url: str) -> dict[str, pd.DataFrame]:
    engine = create_engine(url)
    orgs = pd.read_sql("SELECT o.id, o.code, o.name, o.parent_id, o.depth, s.name AS system, COALESCE(r.l2_code, r.l1_code) AS region "
                       "FROM orgs o JOIN systems s ON s.id = o.system_id JOIN regions r ON r.id = o.region_id",
                       engine)
    # Ancestor code at every depth, the way one flattens a tree for groupby.
    parent = {int(k): (None if pd.isna(v) else int(v)) for k, v in zip(orgs["id"], orgs["parent_id"])}
    code = dict(zip(orgs["id"], orgs["code"]))
    chains = []
    for org_id in orgs["id"]:
        path, node = [], int(org_id)
        while node is not None:
            path.append(code[node])
            node = parent[node]
        chains.append(path[::-1])
    for d in range(MAX_DEPTH):
        orgs[f"anc{d}"] = [c[d] if d < len(c) else None for c in chains]

    items = pd.read_sql("SELECT id AS item_id, is_overall FROM items", engine)
    items["is_overall"] = items["is_overall"].astype(bool)
    tallies = pd.read_sql("SELECT round_id, org_id, item_id, member_key, " + ", ".join(COUNTS) + " FROM tallies",
                          engine)
    tallies = tallies[tallies["member_key"] == 0].merge(items, on="item_id")
    has_overall = tallies[tallies["is_overall"]].groupby(["round_id", "org_id"]).size().rename("has_overall")
    tallies = tallies.merge(has_overall, left_on=["round_id", "org_id"], right_index=True, how="left")
    tallies = tallies[tallies["is_overall"] | tallies["has_overall"].isna()]
    tallies = tallies.merge(orgs, left_on="org_id", right_on="id")
    pledges = pd.read_sql("SELECT round_id, org_id, due_date, status, fulfilled_date FROM pledges", engine,
                          parse_dates=["due_date", "fulfilled_date"])
    rects = pd.read_sql("SELECT code, round_id, org_id, status, registered_date, deadline, completed_date, "
                        "closed_date FROM rectifications", engine,
                        parse_dates=["registered_date", "deadline", "completed_date", "closed_date"])
    pledges = pledges.merge(orgs, left_on="org_id", right_on="id")
    rects = rects.merge(orgs, left_on="org_id", right_on="id")
    return {"orgs": orgs, "tallies": tallies, "pledges": pledges, "rects": rects}


def rates(frame: pd.DataFrame) -> list[dict]:
    frame = frame.copy()
    frame["n"] = frame["opt1"] + frame["opt2"] + frame["opt3"]
    frame["满意率"] = frame["opt1"] / frame["n"]
    frame["综合满意率"] = (frame["opt1"] + frame["opt2"]) / frame["n"]
    return frame.reset_index().to_dict("records")


def drill(data, round_id: int, system: str | None, region: str | None, org: str | None,
          as_of: date) -> list[dict]:
    t = data["tallies"]
    t = t[t["round_id"] == round_id]
    if org:
        depth = int(data["orgs"].loc[data["orgs"]["code"] == org, "depth"].iloc[0])
        sub = t[(t[f"anc{depth}"] == org) & (t["depth"] > depth)]
        key = f"anc{depth + 1}"
    elif region:
        sub = t[(t["region"] == region) & ((t["system"] == system) if system else True)]
        inside = set(sub["code"])
        orgs = data["orgs"]
        parents = orgs.set_index("code")["parent_id"].map(orgs.set_index("id")["code"])
        tops = {c for c in inside if parents.get(c) not in inside}
        sub = sub.copy()
        sub["top"] = None
        for d in range(MAX_DEPTH):
            col = sub[f"anc{d}"]
            sub.loc[sub["top"].isna() & col.isin(tops), "top"] = col
        key = "top"
    elif system:
        sub, key = t[t["system"] == system], "region"
    else:
        sub, key = t, "system"
    grouped = sub.groupby(key)[COUNTS].sum()
    rows = rates(grouped)
    # Ledger columns beside the ballots, as the product's drill-down shows them.
    rects = data["rects"]
    rects = rects[(rects["round_id"] == round_id) & (rects["registered_date"] <= pd.Timestamp(as_of))]
    overdue = rects[~rects["status"].isin(["已完成", "已销号"]) & (rects["deadline"] < pd.Timestamp(as_of))]
    if key in overdue.columns:
        counts = overdue.groupby(key).size().to_dict()
        for row in rows:
            row["超期整改"] = counts.get(row[key], 0)
    return rows


def overview(data, round_id: int) -> dict:
    t = data["tallies"]
    t = t[t["round_id"] == round_id]
    by_system = rates(t.groupby("system")[COUNTS].sum())
    by_region = rates(t.groupby("region")[COUNTS].sum())
    total = t[COUNTS].sum()
    return {"n": int(total["opt1"] + total["opt2"] + total["opt3"]), "systems": by_system, "regions": by_region}


def ledger_page(data, round_id: int, start: int) -> dict:
    r = data["rects"]
    r = r[r["round_id"] == round_id].sort_values(["deadline", "code"])
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
