"""`python -m dashboard import`: exit codes and `file:sheet:row:column: reason` lines (docs/cli.md)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, select

from data.models import ImportLog, Tally
from tests.importer_helpers import ROUND, base_file, csv_bytes

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["评议批次", "组织编码", "党员编号", "测评项目", "参评人员类别", "满意", "基本满意", "不满意"]


def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "dashboard", "import", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def counts(db: Path) -> tuple[int, int]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        result = (conn.execute(select(func.count()).select_from(Tally)).scalar_one(),
                  conn.execute(select(func.count()).select_from(ImportLog)).scalar_one())
    engine.dispose()
    return result


def test_cli_import_accepts_and_rejects(tmp_path):
    db = tmp_path / "cli.sqlite3"
    base = tmp_path / "基础.xlsx"
    base.write_bytes(base_file())
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([HEADER, [ROUND, "JT01", "", "总体评价", "服务对象", 8, 2, 0]], "gb18030"))

    dry = run(db, str(good), str(base), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert counts(db) == (0, 0)

    done = run(db, str(good), str(base))
    assert done.returncode == 0, done.stderr
    assert "good.csv：已导入" in done.stdout
    assert counts(db) == (1, 2)

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["说明：测评汇总"], HEADER,
                               [ROUND, "JT01", "", "总体评价", "党员", 1, 0, 0],
                               [ROUND, "XX", "", "总体评价", "服务对象", "-3", 0, 0]]))
    rejected = run(db, str(bad))
    assert rejected.returncode == 1
    assert rejected.stderr.splitlines() == [
        "bad.csv:bad:4:组织编码: 未知的组织编码（值：XX）",
        "bad.csv:bad:4:满意: 不能为负数（值：-3）",
    ]
    assert counts(db) == (1, 2)
