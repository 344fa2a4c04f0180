"""The layers of the README's architecture run one way, checked on the import graph of the source.

Every import counts, also one inside a function, a relative one, or one that names a module as an attribute
of its package (`from data import queries`). Each module belongs to the layer of its folder; it may import
its own layer and the layers below, never one above, and no two modules may import each other, directly or
round a longer loop. There is no exceptions list: a back-import is fixed where it is, not allowed here.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top. An entry point (the app, the command line's `__main__`, the benchmark that drives them both)
# sits above everything it starts.
LAYERS = ["domain", "data", "services", "web", "layouts", "callbacks", "entry"]
FOLDER_LAYER = {"domain": "domain", "data": "data", "dashboard": "services", "web": "web",
                "layouts": "layouts", "callbacks": "callbacks", "bench": "entry", "app": "entry"}
# What each layer may import besides its own layer: layouts draw the screen from domain types and labels
# only, never from the database or the services.
MAY_IMPORT = {
    "domain": {"domain"},
    "data": {"domain", "data"},
    "services": {"domain", "data", "services"},
    "web": {"domain", "data", "services", "web"},
    "layouts": {"domain", "layouts"},
    "callbacks": {"domain", "data", "services", "web", "layouts", "callbacks"},
    "entry": set(LAYERS),
}
# Frameworks a layer must not touch: the domain is pure Python (numpy allowed), the layers under the web
# know nothing of Flask or Dash, and SQL stays in data/ and services.
FORBIDDEN = {
    "domain": {"dash", "flask", "flask_login", "sqlalchemy", "alembic", "plotly", "dash_ag_grid",
               "dash_bootstrap_components", "pandas", "werkzeug"},
    "data": {"dash", "flask", "flask_login", "plotly", "dash_ag_grid", "dash_bootstrap_components"},
    "services": {"dash", "flask_login", "dash_ag_grid", "dash_bootstrap_components"},
    "layouts": {"sqlalchemy", "flask", "flask_login"},
    "callbacks": {"sqlalchemy"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules() -> dict[str, Path]:
    paths = [ROOT / "app.py"] + [p for folder in FOLDER_LAYER if (ROOT / folder).is_dir()
                                 for p in (ROOT / folder).rglob("*.py")]
    # Generated alembic revisions are data, not code anyone imports.
    return {module_name(p): p for p in paths if "versions" not in p.parts}


MODULES = source_modules()


def layer_of(module: str) -> str:
    if module.split(".")[-1] == "__main__":
        return "entry"
    return FOLDER_LAYER[module.split(".")[0]]


def imports_of(module: str) -> tuple[set[str], set[str]]:
    """(project modules, top-level third-party packages) that `module` imports anywhere in its source."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    project, external = set(), set()

    def add(name: str) -> None:
        if name in MODULES:
            project.add(name)
        elif name.split(".")[0] in FOLDER_LAYER:
            # `import data.queries.x` style or a name inside a module: the longest module prefix.
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name:
                project.add(name)
        else:
            external.add(name.split(".")[0])

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            submodules = [f"{source}.{a.name}" for a in node.names if f"{source}.{a.name}" in MODULES]
            if submodules:
                project.update(submodules)
            if len(submodules) < len(node.names):
                add(source)
    project.discard(module)
    return project, external


GRAPH = {m: imports_of(m) for m in MODULES}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_its_own_layer_and_the_ones_below(module):
    layer = layer_of(module)
    project, external = GRAPH[module]
    upward = sorted(n for n in project if layer_of(n) not in MAY_IMPORT[layer])
    assert not upward, f"{module} ({layer}) imports {upward} from a layer it may not use"
    frameworks = sorted(external & FORBIDDEN.get(layer, set()))
    assert not frameworks, f"{module} ({layer}) imports {frameworks}"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each one a loop of imports."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def package_edges(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph without the edge from a package's __init__ to its own submodules (that is how a package
    re-exports, not a loop), so `data.importers` may gather names its submodules define."""
    return {m: {n for n in deps if not (MODULES[m].name == "__init__.py" and n.startswith(m + "."))}
            for m, deps in graph.items()}


def test_no_module_imports_itself_round_a_loop():
    loops = cycles(package_edges({m: project for m, (project, _) in GRAPH.items()}))
    assert not loops, f"import cycles: {loops}"


def test_the_checker_sees_a_back_import_and_a_loop():
    """The test above would catch the faults it is there for: an upward edge and a two-module loop."""
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert "data" not in MAY_IMPORT["domain"] and "services" not in MAY_IMPORT["data"]
    assert layer_of("dashboard.reports") == "services" and layer_of("dashboard.__main__") == "entry"
    project, _ = imports_of("dashboard.reports")
    assert "data.queries" in project  # `from data import queries as q` names the module, not the package
