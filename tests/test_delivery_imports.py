"""The delivery modules import one another without a cycle, function-level imports included:
the worker learns the message kinds from `portal.delivery.kinds`, not from the service that
wakes it through the queue."""

from __future__ import annotations

import ast
from pathlib import Path

DELIVERY = Path(__file__).resolve().parents[1] / "portal" / "delivery"
PACKAGE = "portal.delivery"


def imports_of(source: str) -> set[str]:
    """The `portal.delivery` modules `source` imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith(PACKAGE + ".")}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == PACKAGE:
                found |= {f"{PACKAGE}.{a.name}" for a in node.names}
            elif node.module.startswith(PACKAGE + "."):
                found.add(node.module)
    return found


def graph() -> dict[str, set[str]]:
    modules = {f"{PACKAGE}.{p.stem}": p for p in DELIVERY.glob("*.py") if p.stem != "__init__"}
    return {
        name: imports_of(path.read_text("utf-8")) & set(modules) for name, path in modules.items()
    }


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(edges.get(node, ())):
            if nxt == path[0]:
                found.append([*path, nxt])
            elif nxt not in path and nxt > path[0]:  # each cycle once, from its least module
                visit(nxt, [*path, nxt])

    for start in sorted(edges):
        visit(start, [start])
    return found


def test_the_cycle_finder_sees_function_level_imports():
    source = "def f():\n    from portal.delivery import queue\n"
    assert imports_of(source) == {"portal.delivery.queue"}
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_delivery_module_imports_itself_back():
    edges = graph()
    assert "portal.delivery.kinds" in edges["portal.delivery.worker"]
    assert "portal.delivery.service" not in edges["portal.delivery.worker"]
    assert cycles(edges) == []
