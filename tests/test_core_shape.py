"""The shape of the code base itself: test modules share helpers through support modules
(tests/<feature>_support.py, tests/faults/harness.py, tests/browser/browser_support.py),
never by importing one another or a conftest.py (which pytest loads itself)."""

from __future__ import annotations

import ast
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
