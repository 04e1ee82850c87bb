"""The house rules of DESIGN.md, checked on the source: pages never reach storage, core and storage
never import Streamlit, storage never imports core, and core's modules and capability packages
import one way (no cycle, not even one hidden by an import inside a function)."""
from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _sources(folder: str) -> list[pathlib.Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: pathlib.Path) -> set[str]:
    """Every module this file imports, at any depth of the file (functions included)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            for alias in node.names:                      # from core.session import board
                candidate = f"{node.module}.{alias.name}"
                if (ROOT / (candidate.replace(".", "/") + ".py")).exists() \
                        or (ROOT / candidate.replace(".", "/") / "__init__.py").exists():
                    out.add(candidate)
    return out


def _top(name: str) -> str:
    return name.split(".")[0]


def test_pages_and_the_entry_never_import_storage():
    offenders = {str(p.relative_to(ROOT)): sorted(i for i in _imports(p) if _top(i) == "storage")
                 for p in [ROOT / "app.py", *_sources("app_pages")]}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_core_and_storage_never_import_streamlit():
    offenders = {str(p.relative_to(ROOT)): sorted(i for i in _imports(p) if _top(i) == "streamlit")
                 for p in [*_sources("core"), *_sources("storage")]}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_storage_imports_only_the_error_types_of_core():
    """Storage raises ``core.errors.StorageUnavailable`` (so pages speak of it in the user's
    language); apart from that leaf of error types it knows nothing of core, ui or pages."""
    offenders = {str(p.relative_to(ROOT)): sorted(i for i in _imports(p) if _top(i) in ("core", "ui", "app_pages")
                                                  and i != "core.errors")
                 for p in _sources("storage")}
    assert {k: v for k, v in offenders.items() if v} == {}
    leaf = _imports(ROOT / "core" / "errors.py")
    assert {i for i in leaf if _top(i) in ("core", "storage", "ui", "app_pages")} == set()


def test_core_never_imports_ui_or_pages():
    offenders = {str(p.relative_to(ROOT)): sorted(i for i in _imports(p) if _top(i) in ("ui", "app_pages"))
                 for p in _sources("core")}
    assert {k: v for k, v in offenders.items() if v} == {}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as a list of nodes, or None (iterative depth-first search)."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return path[path.index(child):] + [child]
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(sorted(graph.get(child, ())))))
                path.append(child)
    return None


def _core_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in _sources("core")}
    return {name: {i for i in _imports(path) if i in modules and i != name and not name.startswith(i + ".")
                   and not (name == "core" or i == "core")}
            for name, path in modules.items()}


def test_core_modules_import_one_way():
    assert _cycle(_core_graph()) is None


def _package(module: str) -> str:
    """core.session.board -> core.session; core.entities (top level) -> core.entities."""
    parts = module.split(".")
    return ".".join(parts[:2])


def test_core_packages_import_one_way():
    packages: dict[str, set[str]] = {}
    for module, imported in _core_graph().items():
        mine = _package(module)
        packages.setdefault(mine, set()).update(_package(i) for i in imported if _package(i) != mine)
    assert _cycle(packages) is None


def test_the_cycle_finder_finds_cycles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None
