"""The shape of the code base itself: test modules share helpers through support modules
(tests/<feature>_support.py, tests/faults/harness.py, tests/browser/browser_support.py),
never by importing one another or a conftest.py (which pytest loads itself)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _is_test_module(name: str) -> bool:
    return name.startswith("test_") or name == "conftest"


def _names_test_module(dotted: str) -> bool:
    return any(_is_test_module(part) for part in dotted.split("."))


def imports_of_test_modules(source: str) -> list[str]:
    """The test modules (`test_*` or `conftest`, at any depth, absolute or relative) that
    `source` imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if _names_test_module(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            if _names_test_module(base):
                found.append(base)
            else:
                joint = base if base.endswith(".") else base + "."
                found += [joint + a.name for a in node.names if _is_test_module(a.name)]
    return found


def test_the_import_check_recognises_every_spelling():
    source = "\n".join(
        [
            "from tests.test_notices_pages import make_notice",
            "import tests.test_enforcement_cases",
            "from tests import test_reports_web",
            "from .test_faults_workers import log_in",
            "from . import test_faults_workers",
            "from browser.test_browser_pages import PAGE_TYPES",
            "from tests.conftest import PASSWORD",
            "from .conftest import log_in",
            "def f():",
            "    from tests.test_reports_web import _finish",
        ]
    )
    assert imports_of_test_modules(source) == [
        "tests.test_notices_pages",
        "tests.test_enforcement_cases",
        "tests.test_reports_web",
        ".test_faults_workers",
        ".test_faults_workers",
        "browser.test_browser_pages",
        "tests.conftest",
        ".conftest",
        "tests.test_reports_web",
    ]
    allowed = "from tests.reports_support import submit_report\nfrom .harness import Citizen\n"
    allowed += "import pytest\nfrom . import harness\nfrom tests.core_support import PASSWORD\n"
    assert imports_of_test_modules(allowed) == []


def test_no_file_under_tests_imports_a_test_module():
    offenders = {}
    for path in sorted(TESTS.rglob("*.py")):
        if "vendor" in path.relative_to(TESTS).parts:
            continue
        found = imports_of_test_modules(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(TESTS.parent))] = found
    assert offenders == {}, "move shared helpers into the feature's tests/<feature>_support.py"


# --- The import graph of portal/ ----------------------------------------------------------

PORTAL = TESTS.parent / "portal"
# Pure cores: no Flask, no database, no Babel — testable and reusable as plain Python. Only
# they may pass 500 lines (README "Layout"; the issue that split enforcement).
PURE_CORES = {
    "portal.water.evaluate",
    "portal.enforcement.draw",
    "portal.reports.workflow",
    "portal.reports.stats",
    "portal.alerts.cap",
    "portal.core.problems",
}
LONG_PURE_CORES = {"portal.water.evaluate", "portal.enforcement.draw", "portal.reports.workflow"}
FRAMEWORKS = ("flask", "flask_babel", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "jinja2")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PORTAL.rglob("*.py"):
        parts = list(path.relative_to(PORTAL.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def import_graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(module → the portal modules it imports, module → the outside packages it imports),
    counting imports at any depth (a function-level import still binds the two modules).
    `from pkg import sub` imports the submodule `pkg.sub`, not the package's own code."""
    modules = _modules()
    inside: dict[str, set[str]] = {name: set() for name in modules}
    outside: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package[: len(package) - node.level + 1]
                    base = ".".join([*parent, base]).strip(".")
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]  # fmt: skip
            else:
                continue
            for target in targets:
                if target in modules:
                    if target != name:
                        inside[name].add(target)
                elif not target.startswith("portal"):
                    outside[name].add(target.split(".")[0])
    return inside, outside


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected group of modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle_and_only_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_no_module_of_portal_takes_part_in_an_import_cycle():
    inside, _ = import_graph()
    assert cycles(inside) == []


def _feature(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in {"core", "extensions", "config", "translations"}:
        return None
    return parts[1] if (PORTAL / parts[1]).is_dir() else None


def test_core_and_the_extensions_import_no_feature():
    inside, _ = import_graph()
    upward = {
        module: sorted(t for t in targets if _feature(t))
        for module, targets in inside.items()
        if module.startswith(("portal.core", "portal.extensions"))
    }
    assert {m: t for m, t in upward.items() if t} == {}


def test_pure_cores_reach_no_framework_even_through_what_they_import():
    inside, outside = import_graph()
    for core in sorted(PURE_CORES):
        seen, todo = set(), [core]
        while todo:
            module = todo.pop()
            if module not in seen:
                seen.add(module)
                todo += inside[module]
        reached = {m: sorted(outside[m] & set(FRAMEWORKS)) for m in seen}
        assert {m: f for m, f in reached.items() if f} == {}, core


def test_no_module_is_over_500_lines_but_the_long_pure_cores():
    long = {
        name: lines
        for name, path in _modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert set(long) <= LONG_PURE_CORES, long


# --- Templates ------------------------------------------------------------------------------

TEMPLATES = TESTS.parent / "templates"


def test_pages_get_their_feature_stylesheet_from_the_feature_layout():
    """A page extends `templates/<feature>/_layout.html` (or `<feature>/admin/_layout.html`)
    to get its stylesheet, so no page forgets it and none links it twice."""
    linking = sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "static_url('css/" in path.read_text(encoding="utf-8")
        and path.name not in {"_layout.html", "base.html"}
    )
    assert linking == ["alerts/_head.html"]  # the warnings banner's style, while one is in force


def test_closed_value_sets_are_str_enums_not_literals():
    """One way to declare a closed set of values (states, kinds, stages …): a StrEnum, which
    compares equal to the stored string and lists its members for forms, checks and the
    OpenAPI document; `typing.Literal` sets would be a second way."""
    literal = sorted(
        name
        for name, path in _modules().items()
        if re.search(r"\bLiteral\[", path.read_text(encoding="utf-8"))
    )
    assert literal == []
