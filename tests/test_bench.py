"""`python -m dashboard bench --scale small` completes and writes every key the performance issue names.
Timings are not asserted here (they belong to the benchmark's own report, not to a unit test)."""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import ON_CI, PG_ADMIN_URL

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("floor_p50_ms", "drilldown_p50_ms", "drilldown_p95_ms", "overview_p95_ms", "naive_drilldown_p50_ms",
        "rss_mb", "naive_rss_mb", "import_rows_per_s", "read_csv_rows_per_s", "export_10k_s", "engine",
        "bare_insert_rows_per_s")


def test_bench_small_writes_every_key_for_both_engines(tmp_path):
    tag = uuid.uuid4().hex[:8]
    out = tmp_path / "bench.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_DIR": str(tmp_path), "BENCH_TAG": tag,
           "BENCH_POSTGRES_URL": PG_ADMIN_URL}
    try:
        done = subprocess.run([sys.executable, "-m", "dashboard", "bench", "--scale", "small", "--out", str(out)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads(out.read_text(encoding="utf-8"))
        engines = [run["engine"] for run in report["runs"]]
        assert engines[0] == "sqlite" and (engines == ["sqlite", "postgresql"] or not ON_CI)
        for run in report["runs"]:
            missing = [k for k in KEYS if k not in run]
            assert not missing, f"{run['engine']} lacks {missing}"
            assert all(run[k] > 0 for k in KEYS if k != "engine"), run
            assert set(run["targets"]) and run["import_rows"] > 0
            # each page the router draws and its later parts, timed
            assert set(run["page_server_p50_ms"]) == {"/drill", "/redline", "/rectifications", "/pledges"}
            assert all(v["page"] > 0 and v["later"] > 0 for v in run["page_server_p50_ms"].values()), run
        assert {k: report[k] for k in KEYS} == {k: report["runs"][0][k] for k in KEYS}
    finally:
        try:
            admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "dashboard_bench_small_{tag}" WITH (FORCE)'))
            admin.dispose()
        except Exception:  # noqa: BLE001 - nothing to clean when PostgreSQL is absent
            pass
