"""`python -m dashboard bench [--scale small|province] [--out FILE.json]`.

In one run, for SQLite and (when reachable) this machine's PostgreSQL: build or reuse the demo database of
the scale, start the real app and the naive baseline (bench.naive_app) as servers, log in, and time over
HTTP (POST /_dash-update-component) the same requests against both; then time an import of a tally CSV
against bare pandas.read_csv of the same file and against the bare bulk write of its rows (the ceiling of
any import on that database), and read both servers' resident memory.
"""
from __future__ import annotations

import csv
import json
import os
import random
import secrets
import sys
import tempfile
import time
from urllib.parse import urlencode
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, delete, func, insert, literal, select, text

from bench import harness as h
from data.db import make_engine, make_session_factory
from data.demo import demo_as_of, load_demo
from data.models import (ImportLog, Item, Org, Rectification, RollupHeadline, RollupSubtree, Round,
                         Tally, User)
from data.rollups import bump_version
from data.schema import upgrade
from data.users import create_user
from domain.rules import FIRST
from layouts import ids

REQUESTS = 30  # measured requests per figure (after warm-up)
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IMPORT_ROUND = "基准测试导入批次"
IMPORT_ROWS = {"small": 20_000, "province": 300_000}


# ---------------------------------------------------------------------------------------- databases
# Tests run the benchmark in their own files and databases: BENCH_DIR and BENCH_TAG keep them apart.
def bench_name(scale: str, kind: str = "") -> str:
    """kind: "load" for the load test's own databases (bench.load), kept apart from the timing run's."""
    tag = os.environ.get("BENCH_TAG", "")
    return f"dashboard_bench_{scale}" + (f"_{kind}" if kind else "") + (f"_{tag}" if tag else "")


def sqlite_url(scale: str, kind: str = "") -> str:
    folder = Path(os.environ.get("BENCH_DIR") or h.ROOT / "instance")
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / (bench_name(scale, kind) + '.sqlite3')}"


def postgres_url(scale: str, kind: str = "") -> str | None:
    name = bench_name(scale, kind)
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: report SQLite only
        print(f"PostgreSQL not reachable ({exc.__class__.__name__}); SQLite only", file=sys.stderr)
        return None
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def prepare(url: str, scale: str) -> tuple[str, str, float | None]:
    """Migrate, load the demo when empty, and (re)create the benchmark's admin with a fresh password."""
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    built = None
    with factory() as s:
        empty = s.scalar(select(Org.id).limit(1)) is None
    if empty:
        start = time.perf_counter()
        load_demo(factory, scale=scale)
        built = time.perf_counter() - start
    password = secrets.token_urlsafe(16)
    with factory.begin() as s:
        s.execute(delete(User).where(User.username == "bench"))
        s.flush()
        create_user(s, "bench", password, "admin")
    engine.dispose()
    return "bench", password, built


# ---------------------------------------------------------------------------------------- requests
def drill_states(url: str, as_of: date, rng: random.Random) -> dict[str, list[dict]]:
    """Varied drill-down nodes per level: system → region → org → children, as URL states."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    from dashboard import reports
    from domain.scope import EVERYTHING

    def drilldown(s, **node):
        return reports.drilldown(s, reports.request("drilldown", {**node, "as_of": as_of}, EVERYTHING))

    levels: dict[str, list[dict]] = {"system": [], "region": [], "org": [], "children": []}
    with factory() as s:
        top = drilldown(s)
        systems = [row[0] for row in top.rows]
        attempts = 0
        while min(len(v) for v in levels.values()) < REQUESTS and attempts < 2000:
            attempts += 1
            system = rng.choice(systems)
            regions = drilldown(s, system=system)
            if not regions.rows:
                continue
            region = rng.choice(regions.rows)[0]
            orgs = drilldown(s, system=system, region=region)
            if not orgs.rows:
                continue
            org = rng.choice(orgs.rows)[0]
            kids = drilldown(s, system=system, region=region, org=org)
            state = {"as_of": as_of.isoformat(), "system": system}
            levels["system"].append(state)
            levels["region"].append({**state, "region": region})
            levels["org"].append({**state, "region": region, "org": org})
            if kids.rows and kids.columns[0].name == "组织编码":
                levels["children"].append({**state, "region": region, "org": rng.choice(kids.rows)[0]})
    engine.dispose()
    return {k: v[:REQUESTS] for k, v in levels.items()}


def grid_body(deps, table: str, state: dict, start: int = 0) -> dict:
    dep = h.find_callback(deps, '"type":"report-grid"}.getRowsResponse')
    grid = {"type": "report-grid", "table": table}
    body = h.payload(dep, {})
    body["outputs"] = {"id": grid, "property": "getRowsResponse"}
    # The grid's request as the browser passes it on to the server (callbacks.tables: grid_ask).
    ask = {"type": "report-grid-ask", "table": table}
    body["inputs"] = [{"id": ask, "property": "data",
                       "value": {"startRow": start, "endRow": start + 100, "sortModel": [], "filterModel": {}}}]
    body["state"] = [{"id": {"type": "report-grid-state", "table": table}, "property": "data",
                      "value": {"table": table, "state": state, "lang": "zh"}},
                     {"id": {"type": "report-grid-live", "table": table}, "property": "data", "value": None}]
    body["changedPropIds"] = [json.dumps(ask, separators=(",", ":"), sort_keys=True) + ".data"]
    return body


def export_body(deps, table: str, state: dict) -> dict:
    dep = h.find_callback(deps, '"type":"report-export-message"}.children')
    button = {"fmt": "xlsx", "table": table, "type": "report-export"}
    return {  # the file comes back in the response's side update of the shell's download
        "output": dep["output"],
        "outputs": {"id": {"type": "report-export-message", "table": table}, "property": "children"},
        "inputs": [[{"id": button, "property": "n_clicks", "value": 1}]],
        "state": [{"id": {"type": "report-grid-state", "table": table}, "property": "data",
                   "value": {"table": table, "state": state, "lang": "zh"}},
                  {"id": {"type": "report-grid", "table": table}, "property": "getRowsRequest", "value": None},
                  {"id": {"type": "report-grid-live", "table": table}, "property": "data", "value": None}],
        "changedPropIds": [json.dumps(button, separators=(",", ":")) + ".n_clicks"],
    }


def overview_body(deps, state: dict, lang: str) -> dict:
    """总览 as the router draws it, in its one request (callbacks.shell.route: the navbar, the page's cards)."""
    dep = h.find_callback(deps, "shell-rendered")
    return h.payload(dep, {"shell-route.data": json.dumps(["/", sorted(state.items()), lang, False]), "url.pathname": "/",
                           "url.search": "?" + urlencode(state), "lang.data": lang})


# The pages a user changes to most (bench.browser PAGE_CHANGES, and 承诺践诺), timed as the router draws them
# and as their later parts come (callbacks.shell.route, later_parts): the server's share of a page change.
PAGES = ("/drill", "/redline", "/rectifications", "/pledges")


def page_body(deps, path: str, state: dict, lang: str = "zh") -> dict:
    """The router's request for the page at `path` (nothing on screen yet: the whole page is built)."""
    dep = h.find_callback(deps, "shell-rendered")
    return h.payload(dep, {"shell-route.data": json.dumps([path, sorted(state.items()), lang, False]), "url.pathname": path,
                           "url.search": "?" + urlencode(state), "lang.data": lang})


def later_body(deps, path: str, state: dict, lang: str = "zh") -> dict:
    """The browser's request for the parts of the page at `path` below its first grid."""
    dep = h.find_callback(deps, '"page-later"}.children')
    body = h.payload(dep, {"url.pathname": path, "url.search": "?" + urlencode(state), "lang.data": lang})
    own = ids.page(path)  # the callback is every page's (MATCH): the request names the page's own ids
    ask = json.dumps(own.LATER_ASK, sort_keys=True, separators=(",", ":"))
    return {**body, "outputs": {"id": own.LATER, "property": "children"},
            "inputs": [{"id": own.LATER_ASK, "property": "data", "value": 1}], "changedPropIds": [f"{ask}.data"]}


def simple_body(deps, output_id: str, input_id: str, value, state_values: dict | None = None) -> dict:
    dep = h.find_callback(deps, output_id)
    return h.payload(dep, {f"{input_id}.{dep['inputs'][0]['property']}": value, **(state_values or {})})


# ---------------------------------------------------------------------------------------- one engine
def run_engine(url: str, engine_name: str, scale: str) -> dict:
    rng = random.Random(2012)
    user, password, built = prepare(url, scale)
    as_of = demo_as_of()
    env = {**os.environ, "PYTHONPATH": str(h.ROOT)}
    ours_port, naive_port = h.free_port(), h.free_port()
    result: dict = {"engine": engine_name, "scale": scale, "requests_per_figure": REQUESTS,
                    "as_of": as_of.isoformat(), "demo_build_s": round(built, 1) if built else None}
    ours = h.start_server(["-m", "bench.serve_app", url, str(ours_port)], env, ours_port, "/login")
    try:
        base = f"http://127.0.0.1:{ours_port}"
        session = h.login(base, user, password)
        deps = h.dependencies(session, base)
        levels = drill_states(url, as_of, rng)
        floor = [simple_body(deps, "bench-floor-out", "bench-floor-in", i) for i in range(REQUESTS)]
        with make_session_factory(make_engine(url))() as s:
            round_names = [r for r in s.scalars(select(Round.name).order_by(Round.id))]
        overview = [overview_body(deps, {"as_of": as_of.isoformat(), "round": round_names[i % len(round_names)]},
                                  ("zh", "en")[i // len(round_names) % 2])
                    for i in range(REQUESTS)]
        # The index of a (round, as-of) is built on the first request that needs it: time that once.
        start = time.perf_counter()
        h.time_posts(session, base, [grid_body(deps, "drilldown", {"as_of": as_of.isoformat()})], warmup=0)
        result["index_build_ms"] = round((time.perf_counter() - start) * 1000, 1)
        t = {"floor": h.time_posts(session, base, floor),
             "overview": h.time_posts(session, base, overview)}
        for level, states in levels.items():
            t[f"drill_{level}"] = h.time_posts(session, base, [grid_body(deps, "drilldown", st) for st in states])
        # The drill-down page also fills two breakdown cards (测评项目, 参评人员类别) for its node. Kept per data
        # version for a user who sees everything: timed on each node's first view and on a repeated view.
        root = {"as_of": as_of.isoformat()}
        start = time.perf_counter()
        h.time_posts(session, base, [grid_body(deps, kind, root) for kind in ("items", "categories")], warmup=0)
        result["breakdowns_root_first_ms"] = round((time.perf_counter() - start) * 1000, 1)
        nodes = list({json.dumps(st, sort_keys=True): st for states in levels.values() for st in states}.values())
        cards = [grid_body(deps, kind, st) for st in nodes for kind in ("items", "categories")]
        t["breakdowns_first"] = h.time_posts(session, base, cards, warmup=0)
        t["breakdowns_again"] = h.time_posts(session, base, cards, warmup=0)
        ledger_rows = _rect_count(url)
        t["ledger_page"] = h.time_posts(session, base, [
            grid_body(deps, "rectifications", {"as_of": as_of.isoformat()},
                      start=rng.randrange(0, max(1, ledger_rows - 100))) for _ in range(REQUESTS)])
        t["redline"] = h.time_posts(session, base, [
            grid_body(deps, "redline", {"as_of": as_of.isoformat(), **({"system": st["system"]} if i % 2 else {})})
            for i, st in enumerate(levels["system"])], warmup=2)
        for path in PAGES:
            state = {"as_of": as_of.isoformat()}
            t[f"page{path}"] = h.time_posts(session, base, [page_body(deps, path, state)] * REQUESTS)
            t[f"later{path}"] = h.time_posts(session, base, [later_body(deps, path, state)] * REQUESTS)
        export_state, export_rows = _export_state(url, as_of)
        exports = h.time_posts(session, base, [export_body(deps, "rectifications", export_state)
                                               for _ in range(5 if scale == "province" else REQUESTS)], warmup=1)
        result["rss_mb"] = round(h.rss_mb(ours), 1)
    finally:
        h.stop_server(ours)
    drill_all = [x for k, v in t.items() if k.startswith("drill_") for x in v]
    result.update({
        "floor_p50_ms": h.p50(t["floor"]), "floor_p95_ms": h.p95(t["floor"]),
        "drilldown_p50_ms": h.p50(drill_all), "drilldown_p95_ms": h.p95(drill_all),
        **{f"{k}_p50_ms": h.p50(v) for k, v in t.items() if k.startswith("drill_")},
        **{f"{k}_p95_ms": h.p95(v) for k, v in t.items() if k.startswith("drill_")},
        "overview_p50_ms": h.p50(t["overview"]), "overview_p95_ms": h.p95(t["overview"]),
        **{f"{k}_p50_ms": h.p50(v) for k, v in t.items() if k.startswith("breakdowns_")},
        **{f"{k}_p95_ms": h.p95(v) for k, v in t.items() if k.startswith("breakdowns_")},
        "ledger_page_p50_ms": h.p50(t["ledger_page"]), "ledger_page_p95_ms": h.p95(t["ledger_page"]),
        "redline_p50_ms": h.p50(t["redline"]), "redline_p95_ms": h.p95(t["redline"]),
        # Per page: the router's request and the later parts' (p50 ms), the server's share of a page change.
        "page_server_p50_ms": {path: {"page": h.p50(t[f"page{path}"]), "later": h.p50(t[f"later{path}"])}
                               for path in PAGES},
        "export_rows": export_rows, "export_10k_s": round(h.p50(exports) / 1000 * 10_000 / max(export_rows, 1), 3),
        "export_p50_s": round(h.p50(exports) / 1000, 3),
    })
    result.update(naive(url, levels, env, as_of))
    result.update(import_speed(url, scale))
    return result


def _rect_count(url: str) -> int:
    with make_session_factory(make_engine(url))() as s:
        newest = s.scalar(select(Round.id).order_by(Round.start_date.desc(), Round.id.desc()).limit(1))
        return s.scalar(select(text("count(*)")).select_from(Rectification).where(Rectification.round_id == newest))


def _export_state(url: str, as_of: date) -> tuple[dict, int]:
    """A rectification ledger state of close to 10,000 rows (all systems, whole round at province scale)."""
    from dashboard import reports
    from domain.scope import EVERYTHING

    with make_session_factory(make_engine(url))() as s:
        table = reports.build("rectifications", s, reports.request("rectifications", {"as_of": as_of}, EVERYTHING))
    return {"as_of": as_of.isoformat()}, len(table.rows)


# ---------------------------------------------------------------------------------------- naive
def naive(url: str, levels: dict, env: dict, as_of: date) -> dict:
    port = h.free_port()
    proc = h.start_server(["-m", "bench.naive_app", url, str(port)], env, port, "/", timeout=1800)
    try:
        base = f"http://127.0.0.1:{port}"
        import requests

        session = requests.Session()
        deps = h.dependencies(session, base)
        with make_session_factory(make_engine(url))() as s:
            rounds = {r.name: r.id for r in s.scalars(select(Round))}
            newest = s.scalar(select(Round.id).order_by(Round.start_date.desc(), Round.id.desc()).limit(1))
        drill = []
        for states in levels.values():
            drill += [simple_body(deps, "drill", "q-drill", {"round": newest, "as_of": as_of.isoformat(),
                                                             **{k: st.get(k) for k in ("system", "region", "org")}})
                      for st in states]
        over = [simple_body(deps, "overview", "q-overview", {"round": list(rounds.values())[i % len(rounds)]})
                for i in range(REQUESTS)]
        floor = [simple_body(deps, "floor", "q-floor", i) for i in range(REQUESTS)]
        t_floor, t_drill, t_over = (h.time_posts(session, base, floor), h.time_posts(session, base, drill),
                                    h.time_posts(session, base, over))
        return {"naive_floor_p50_ms": h.p50(t_floor), "naive_drilldown_p50_ms": h.p50(t_drill),
                "naive_drilldown_p95_ms": h.p95(t_drill), "naive_overview_p95_ms": h.p95(t_over),
                "naive_rss_mb": round(h.rss_mb(proc), 1)}
    finally:
        h.stop_server(proc)


# ---------------------------------------------------------------------------------------- import
def import_speed(url: str, scale: str) -> dict:
    """Import a tally CSV of a fresh round (rows/s) against bare pandas.read_csv of the same file; the
    round is removed afterwards so the benchmark database stays as the demo made it."""
    from data.importers import import_files

    rows_wanted = IMPORT_ROWS[scale]
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with factory() as s:
        _drop_round(s, IMPORT_ROUND)
        s.commit()
        # the 三级 round with the most org tallies: one round only, else an org reported in two rounds
        # would repeat its keys in the file (首评 only, for the same reason)
        org_rows = (Tally.member_key == 0, Tally.phase == FIRST)
        source = s.scalar(select(Tally.round_id).join(Round, Round.id == Tally.round_id)
                          .where(Round.scale == "三级", *org_rows).group_by(Tally.round_id)
                          .order_by(func.count().desc(), Tally.round_id).limit(1))
        stmt = (select(Org.code, Item.name, Tally.category, Tally.opt1, Tally.opt2, Tally.opt3, Tally.unknown,
                       Tally.abstain).join(Org, Org.id == Tally.org_id).join(Item, Item.id == Tally.item_id)
                .where(Tally.round_id == source, *org_rows).limit(rows_wanted))
        rows = s.connection().execute(stmt).all()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "测评汇总.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["评议批次", "组织编码", "党员编号", "测评项目", "参评人员类别", "满意", "基本满意", "不满意",
                             "不了解", "弃权"])
            for code, item, category, s_, b_, u_, x1, x2 in rows:
                writer.writerow([IMPORT_ROUND, code, "", item, category, s_, b_, u_, x1, x2])
        start = time.perf_counter()
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str)
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        result = import_files(factory, [path], username="bench")
        import_s = time.perf_counter() - start
    if not result.accepted:
        raise RuntimeError("benchmark import rejected: " + "; ".join(e.cli_line() for e in result.errors[:5]))
    bare_s = _bare_insert_s(factory, IMPORT_ROUND)
    with factory.begin() as s:
        _drop_round(s, IMPORT_ROUND)
    engine.dispose()
    return {"import_rows": len(frame), "import_s": round(import_s, 2),
            "import_rows_per_s": round(len(frame) / import_s), "read_csv_rows_per_s": round(len(frame) / read_s),
            "bare_insert_s": round(bare_s, 2), "bare_insert_rows_per_s": round(len(frame) / bare_s)}


def _bare_insert_s(factory, name: str) -> float:
    """Seconds the import's own bulk write (SQLite executemany, PostgreSQL COPY) takes to write the imported
    round's tallies once more, into a copy of the round, with every value already resolved and stored as
    the driver takes it: no reading, no checks, no rollups. Rolled back. No import of the file can be
    faster than this on the same database, so it says how far the import's target is reachable here."""
    from types import SimpleNamespace

    from data.importers.fast_tallies import INSERT_COLUMNS, bulk_write

    copy_name = name + "·仅写入"
    with factory() as s:
        source = s.scalar(select(Round.id).where(Round.name == name))
        kept = [c for c in Round.__table__.c if c.name not in ("id", "name", "created_at")]
        s.execute(insert(Round).from_select(["name", *(c.name for c in kept)],
                                            select(literal(copy_name), *kept).where(Round.id == source)))
        copy = s.scalar(select(Round.id).where(Round.name == copy_name))
        s.execute(insert(Item).from_select(["round_id", "name", "is_overall", "position"],
                                           select(literal(copy), Item.name, Item.is_overall, Item.position)
                                           .where(Item.round_id == source)))
        item_of = dict(s.execute(text("SELECT a.id, b.id FROM items a JOIN items b ON a.name = b.name "
                                      "WHERE a.round_id = :source AND b.round_id = :copy"),
                                 {"source": source, "copy": copy}).all())
        # text() applies no type conversion: the values come back as the driver stores them.
        stored = s.execute(text(f"SELECT {', '.join(INSERT_COLUMNS)} FROM tallies WHERE round_id = :r"),
                           {"r": source}).all()
        at_round, at_item = INSERT_COLUMNS.index("round_id"), INSERT_COLUMNS.index("item_id")
        rows = [tuple(copy if i == at_round else item_of[v] if i == at_item else v for i, v in enumerate(row))
                for row in stored]
        start = time.perf_counter()
        bulk_write(SimpleNamespace(session=s), rows, [])
        s.flush()
        seconds = time.perf_counter() - start
        s.rollback()
    return seconds


def _drop_round(session, name: str) -> None:
    rid = session.scalar(select(Round.id).where(Round.name == name))
    if rid is None:
        return
    for model in (RollupSubtree, RollupHeadline, Tally, Item):
        session.execute(delete(model).where(model.round_id == rid))
    session.execute(delete(ImportLog).where(ImportLog.file_name.like("%测评汇总.csv")))
    session.execute(delete(Round).where(Round.id == rid))
    bump_version(session)


# ---------------------------------------------------------------------------------------- entry
TARGETS = {
    "drilldown p50 ≤ 3 × floor p50": lambda r: r["drilldown_p50_ms"] <= 3 * r["floor_p50_ms"],
    "drilldown p95 ≤ 50 ms": lambda r: r["drilldown_p95_ms"] <= 50,
    "overview p95 ≤ 100 ms": lambda r: r["overview_p95_ms"] <= 100,
    "naive drilldown p50 ≥ 10 × ours": lambda r: r["naive_drilldown_p50_ms"] >= 10 * r["drilldown_p50_ms"],
    # Server work: each app's drill-down less its own empty callback (ours behind the login, the naive without).
    "drilldown work ≤ naive's / 5": lambda r: r["drilldown_work_ms"] * 5 <= r["naive_drilldown_work_ms"],
    "rss ≤ naive rss / 4": lambda r: r["rss_mb"] <= r["naive_rss_mb"] / 4,
    "import ≥ read_csv / 3": lambda r: r["import_rows_per_s"] >= r["read_csv_rows_per_s"] / 3,
}


def run_bench(scale: str = "province", out: str | None = None) -> int:
    runs = [run_engine(sqlite_url(scale), "sqlite", scale)]
    pg = postgres_url(scale)
    if pg:
        runs.append(run_engine(pg, "postgresql", scale))
    for r in runs:
        r["drilldown_work_ms"] = round(r["drilldown_p50_ms"] - r["floor_p50_ms"], 2)
        r["naive_drilldown_work_ms"] = round(r["naive_drilldown_p50_ms"] - r["naive_floor_p50_ms"], 2)
        r["targets"] = {name: bool(check(r)) for name, check in TARGETS.items()}
        r["drilldown_vs_floor"] = round(r["drilldown_p50_ms"] / r["floor_p50_ms"], 2)
        r["naive_vs_ours_drilldown"] = round(r["naive_drilldown_p50_ms"] / r["drilldown_p50_ms"], 1)
        r["rss_vs_naive"] = round(r["rss_mb"] / r["naive_rss_mb"], 3)
        r["import_vs_read_csv"] = round(r["import_rows_per_s"] / r["read_csv_rows_per_s"], 3)
        r["bare_insert_vs_read_csv"] = round(r["bare_insert_rows_per_s"] / r["read_csv_rows_per_s"], 3)
    report = {**runs[0], "measured_at": datetime.now().isoformat(timespec="seconds"),
              "runs": runs}
    text_out = json.dumps(report, ensure_ascii=False, indent=2, default=str)
    if out:
        Path(out).write_text(text_out, encoding="utf-8")
    print(text_out)
    return 0
