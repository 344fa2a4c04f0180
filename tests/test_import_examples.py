"""`python -m dashboard templates --out DIR`: an example file per import template (docs/import-templates.md),
each of which passes `import --dry-run` against the demo database."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from python_calamine import CalamineWorkbook

from data.importers.templates import TEMPLATE_LIST

ROOT = Path(__file__).resolve().parent.parent


def run(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_every_example_file_passes_a_dry_run_against_the_demo(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert run(url, "demo").returncode == 0
    written = run(url, "templates", "--out", str(tmp_path / "examples"))
    assert written.returncode == 0, written.stderr
    files = [Path(line) for line in written.stdout.splitlines()]
    assert [f.stem for f in files] == [t.name for t in TEMPLATE_LIST]
    for template, path in zip(TEMPLATE_LIST, files):
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(template.name).to_python()
        header = [str(h).rstrip("*") for h in rows[0]]
        assert header[:len(template.columns)] == [c.label for c in template.columns]
        assert len(rows) >= 2, f"{path.name}: no example rows"
        for row in rows[1:]:  # every required cell filled in, as a user would copy it
            assert all(str(row[header.index(c.label)]).strip() for c in template.required), (path.name, row)
    checked = run(url, "import", *map(str, files), "--dry-run")
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == ""
    assert sorted(line.split("：")[0] for line in checked.stdout.splitlines()) == sorted(f.name for f in files)
    assert all("校验通过（试运行，未写入）" in line for line in checked.stdout.splitlines())
