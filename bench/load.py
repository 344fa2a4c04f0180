"""`python -m dashboard bench --load [--sessions 20] [--seconds 60] [--engine both] [--out FILE.json]`.

A load test of the app as it is deployed (`python app.py`, report cache on), on the small demo, for SQLite
and (when reachable) this machine's PostgreSQL: N logged-in sessions, each a thread that sends what a user's
clicks send (drill-down at every level, the overview, ledger pages, 上报进度, an xlsx export) one after
another for T seconds; it reports the requests, the errors (an HTTP error, a timeout, or a callback that
answered with the page's error alert), p50/p95/p99 overall and per kind, and the server's memory.

Bounded: at most MAX_SESSIONS sessions, MAX_SECONDS seconds and MAX_REQUESTS requests, and only to the
server it starts itself on 127.0.0.1 (there is no option to aim it elsewhere). See docs/SCALING.md.
"""
from __future__ import annotations

import json
import os
import random
import secrets
import statistics
import threading
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import psutil
import requests

from bench import harness as h
from bench import run as bench
from data.db import make_engine, make_session_factory
from data.demo import demo_as_of
from data.lookups import round_names

MAX_SESSIONS, MAX_SECONDS, MAX_REQUESTS = 200, 600, 200_000
TIMEOUT_S = 60  # a request slower than this counts as an error
# How often each kind of request comes up in a session's stream (a user drills and reads ledgers most).
MIX = {"drilldown": 5, "overview": 2, "ledger_page": 4, "reporting": 1, "export": 1}


def _percentile(ordered: list[float], p: float) -> float | None:
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))], 1)


def _summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"requests": len(ordered), "p50_ms": _percentile(ordered, 0.50), "p95_ms": _percentile(ordered, 0.95),
            "p99_ms": _percentile(ordered, 0.99),
            "mean_ms": round(statistics.fmean(ordered), 1) if ordered else None}


class Requests:
    """The bodies a session draws from: Dash callback requests, as the browser sends them."""

    def __init__(self, url: str, deps: list[dict], rng: random.Random):
        as_of = demo_as_of().isoformat()
        levels = bench.drill_states(url, demo_as_of(), rng)
        with make_session_factory(make_engine(url))() as s:
            rounds = round_names(s)
        self.drill = [{"as_of": as_of}] + [st for states in levels.values() for st in states]
        self.rounds, self.as_of, self.deps = rounds, as_of, deps
        self.ledger_rows = max(1, bench._rect_count(url))

    def body(self, kind: str, rng: random.Random) -> dict:
        root = {"as_of": self.as_of}
        if kind == "drilldown":
            return bench.grid_body(self.deps, "drilldown", rng.choice(self.drill))
        if kind == "overview":
            state = {**root, "round": rng.choice(self.rounds)}
            return bench.overview_body(self.deps, state, "zh")
        if kind == "ledger_page":
            table = rng.choice(("rectifications", "pledges"))
            start = rng.randrange(0, max(1, self.ledger_rows - 100)) if table == "rectifications" else 0
            return bench.grid_body(self.deps, table, root, start=start)
        if kind == "reporting":
            return bench.grid_body(self.deps, "reporting", root)
        # An export of one system's rectification ledger (a whole ledger per click would be an unusual user).
        system = rng.choice([st for st in self.drill if "system" in st] or [root])
        return bench.export_body(self.deps, "rectifications", {**root, **({"system": system["system"]}
                                                                          if "system" in system else {})})


def _failed(resp: requests.Response) -> str | None:
    """Why an answer is an error, or None. A callback that failed answers 200 with the page's error alert."""
    if resp.status_code not in (200, 204):
        return f"HTTP {resp.status_code}"
    if resp.status_code == 200 and '"shell-error"' in resp.text[:2000]:
        return "callback error alert"
    return None


def _session_loop(session: requests.Session, base: str, pool: Requests, seed: int, until: float,
                  budget: threading.Semaphore, out: dict) -> None:
    rng = random.Random(seed)
    kinds = [k for k, weight in MIX.items() for _ in range(weight)]
    url = f"{base}/_dash-update-component"
    while time.monotonic() < until and budget.acquire(blocking=False):
        kind = rng.choice(kinds)
        body = pool.body(kind, rng)
        start = time.perf_counter()
        try:
            resp = session.post(url, json=body, timeout=TIMEOUT_S)
            why = _failed(resp)
        except requests.RequestException as exc:
            why = exc.__class__.__name__
        elapsed = (time.perf_counter() - start) * 1000
        with out["lock"]:
            out["times"][kind].append(elapsed)
            if not why and resp.status_code == 204:  # "no update": the body asked for nothing real
                out["no_update"][kind] += 1
            if why:
                out["errors"].append(f"{kind}: {why}")


def _watch_memory(process: psutil.Process, stop: threading.Event, samples: list[float]) -> None:
    while not stop.wait(0.5):
        try:
            samples.append(process.memory_info().rss / 2**20)
        except psutil.Error:
            return


def load_engine(url: str, engine_name: str, sessions: int, seconds: float) -> dict:
    """One engine: prepare the small demo, start `python app.py` on 127.0.0.1, run the sessions."""
    user, password, _ = bench.prepare(url, "small")
    port = h.free_port()
    env = {**os.environ, "PYTHONPATH": str(h.ROOT), "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(16)}
    server = h.start_server(["app.py", "--host", "127.0.0.1", "--port", str(port)], env, port, "/healthz")
    base = f"http://127.0.0.1:{port}"
    try:
        clients = [h.login(base, user, password) for _ in range(sessions)]
        pool = Requests(url, h.dependencies(clients[0], base), random.Random(2012))
        process = psutil.Process(server.pid)
        rss_start = process.memory_info().rss / 2**20
        out = {"lock": threading.Lock(), "times": defaultdict(list), "errors": [], "no_update": defaultdict(int)}
        samples: list[float] = []
        stop = threading.Event()
        watcher = threading.Thread(target=_watch_memory, args=(process, stop, samples), daemon=True)
        watcher.start()
        budget = threading.Semaphore(MAX_REQUESTS)
        started = time.monotonic()
        threads = [threading.Thread(target=_session_loop, args=(c, base, pool, i, started + seconds, budget, out))
                   for i, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        stop.set()
        rss_end = process.memory_info().rss / 2**20
    finally:
        h.stop_server(server)
    everything = [x for times in out["times"].values() for x in times]
    return {"engine": engine_name, "sessions": sessions, "seconds": round(elapsed, 1),
            **_summary(everything), "requests_per_s": round(len(everything) / elapsed, 1),
            "errors": len(out["errors"]), "error_samples": sorted(set(out["errors"]))[:10],
            "no_update_answers": dict(out["no_update"]),
            "by_kind": {k: _summary(v) for k, v in sorted(out["times"].items())},
            "server_rss_mb": {"start": round(rss_start, 1), "peak": round(max(samples + [rss_end]), 1),
                              "end": round(rss_end, 1)}}


def run_load(sessions: int = 20, seconds: float = 60, engine: str = "both", out: str | None = None) -> int:
    if not 1 <= sessions <= MAX_SESSIONS or not 0 < seconds <= MAX_SECONDS:
        raise SystemExit(f"--sessions 1..{MAX_SESSIONS}, --seconds up to {MAX_SECONDS}")
    load_before = [round(x, 1) for x in os.getloadavg()]  # the machine is shared: say how busy it was
    runs = []
    if engine in ("sqlite", "both"):
        runs.append(load_engine(bench.sqlite_url("small", "load"), "sqlite", sessions, seconds))
    if engine in ("postgresql", "both"):
        pg = bench.postgres_url("small", "load")
        if pg:
            runs.append(load_engine(pg, "postgresql", sessions, seconds))
    report = {"measured_at": datetime.now().isoformat(timespec="seconds"), "cpus": os.cpu_count(),
              "load_average_before": load_before,
              "runs": runs}
    text = json.dumps(report, ensure_ascii=False, indent=2)
    if out:
        Path(out).write_text(text, encoding="utf-8")
    print(text)
    return 0 if all(r["errors"] == 0 for r in runs) else 1
