"""The direction of dependencies of DESIGN.md, checked on the source (imports anywhere in a module)."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE = {"dashboard/metrics.py", "dashboard/rules.py", "dashboard/scope.py"}
PROJECT = ("dashboard", "data", "layouts", "callbacks", "app")
FRAMEWORKS = ("dash", "flask", "flask_login", "sqlalchemy", "alembic", "plotly", "dash_ag_grid",
              "dash_bootstrap_components")


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("rel", sorted(PURE))
def test_pure_modules_import_nothing_of_the_project_or_frameworks(rel):
    bad = {n for n in imports_of(ROOT / rel)
           if top(n) in FRAMEWORKS or (top(n) in PROJECT and n not in ("dashboard.rules",))}
    assert not bad, f"{rel} must stay pure, imports {bad}"


def test_data_never_imports_reports_layouts_or_callbacks():
    for path in modules("data"):
        bad = {n for n in imports_of(path) if top(n) in ("layouts", "callbacks", "app")
               or n.startswith("dashboard.reports") or n.startswith("dashboard.ledger_reports")
               or n.startswith("dashboard.exports")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_layouts_never_touch_the_database():
    for path in modules("layouts"):
        bad = {n for n in imports_of(path) if top(n) in ("data", "sqlalchemy", "callbacks")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_dashboard_core_has_no_dash():
    for path in modules("dashboard"):
        bad = {n for n in imports_of(path) if top(n) in ("dash", "dash_ag_grid", "dash_bootstrap_components",
                                                          "layouts", "callbacks")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_callbacks_hold_no_sql():
    for path in modules("callbacks"):
        bad = {n for n in imports_of(path) if top(n) == "sqlalchemy"}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}; SQL belongs in data/"
