"""The layering rules of docs/architecture.md, checked so they stay true.

- no import cycle between our modules (module-level imports; lazy imports inside
  functions are how heavy libraries stay off the start-up path);
- SQL lives in followup_sync/store only;
- a module over ~400 lines says at its top why it is that long.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = [ROOT / "followup_sync", *sorted((ROOT / "providers").glob("followup_sync_*"))]


def modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in pkg.rglob("*.py"):
            parts = path.relative_to(pkg.parent).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                candidates = [target] + [f"{target}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                candidates = [a.name for a in node.names]
            else:
                continue  # `if TYPE_CHECKING:` blocks and function bodies do not count
            graph[name] |= {c for c in candidates if c in mods and c != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt, path + [nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


SQL = re.compile(r"\b(sqlite3\.connect|\.execute(many)?\(|PRAGMA |SELECT .* FROM )")


def test_sql_only_in_the_store():
    offenders = [
        str(path.relative_to(ROOT))
        for name, path in modules().items()
        if not name.startswith("followup_sync.store") and SQL.search(path.read_text())
    ]
    assert offenders == []


def test_long_modules_say_why():
    long = []
    for path in modules().values():
        text = path.read_text()
        if text.count("\n") > 450:
            doc = ast.get_docstring(ast.parse(text)) or ""
            if "Why one module" not in doc:
                long.append(str(path.relative_to(ROOT)))
    assert long == []


def test_every_package_is_in_the_distribution():
    """A package missing from pyproject.toml works in a checkout and breaks a real install."""
    import tomllib

    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(pkg.parent).parts)
        for pkg in PACKAGES
        for p in pkg.rglob("__init__.py")
    }
    assert found <= listed, sorted(found - listed)
