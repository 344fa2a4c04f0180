"""No function or method of the product code runs over 80 lines (docs/… standards; generated migrations
excepted): a longer one is split by meaning."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("app.py", "domain", "data", "dashboard", "web", "layouts", "callbacks", "bench")
GENERATED = ROOT / "data" / "migrations" / "versions"
LIMIT = 80


def _product_files() -> list[Path]:
    files = []
    for name in PRODUCT:
        path = ROOT / name
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return [f for f in files if GENERATED not in f.parents]


def long_functions(files: list[Path], limit: int = LIMIT) -> list[str]:
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append(f"{path.name if tmp_root(path) else path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    return found


def tmp_root(path: Path) -> bool:
    return ROOT not in path.parents


def test_no_function_over_80_lines():
    assert long_functions(_product_files()) == []


def test_the_check_sees_long_functions_and_methods(tmp_path):
    def body(lines: int, indent: str) -> str:
        return "".join(f"{indent}x{i} = {i}\n" for i in range(lines))
    # an 80-line function passes; an 81-line method does not
    code = "def fits():\n" + body(79, "    ") + "\n\nclass C:\n    def too_long(self):\n" + body(80, "        ")
    (tmp_path / "sample.py").write_text(code, encoding="utf-8")
    assert long_functions([tmp_path / "sample.py"]) == ["sample.py:84 too_long (81 lines)"]
    files = _product_files()
    assert any(f.name == "app.py" for f in files) and any("data" in f.parts for f in files)
    assert all(GENERATED not in f.parents for f in files)
