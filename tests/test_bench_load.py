"""`python -m dashboard bench --load` with tiny N and T: it logs in N sessions, sends a mix of real requests
to the app it started on 127.0.0.1, and reports requests, errors, percentiles and the server's memory."""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bench(tmp_path, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_DIR": str(tmp_path), "BENCH_TAG": uuid.uuid4().hex[:8]}
    return subprocess.run([sys.executable, "-m", "dashboard", "bench", "--load", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_a_tiny_load_run_reports_requests_errors_percentiles_and_memory(tmp_path):
    out = tmp_path / "load.json"
    done = _bench(tmp_path, "--sessions", "2", "--seconds", "3", "--engine", "sqlite", "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-2000:]
    (run,) = json.loads(out.read_text(encoding="utf-8"))["runs"]
    assert run["engine"] == "sqlite" and run["sessions"] == 2 and run["errors"] == 0
    assert run["requests"] > 2 and not run["no_update_answers"]  # real answers, not "nothing to update"
    assert 0 < run["p50_ms"] <= run["p95_ms"] <= run["p99_ms"]
    assert set(run["by_kind"]) <= {"drilldown", "overview", "ledger_page", "reporting", "export"}
    assert 0 < run["server_rss_mb"]["start"] <= run["server_rss_mb"]["peak"]


def test_the_load_is_bounded(tmp_path):
    for args in (["--sessions", "5000"], ["--seconds", "86400"], ["--sessions", "0"]):
        done = _bench(tmp_path, *args, "--engine", "sqlite")
        assert done.returncode != 0 and ("--sessions" in done.stderr or "--seconds" in done.stderr), done.stderr
