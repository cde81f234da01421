"""Test support shared by every feature (conftest.py's fixtures use it too): the database
under test, the officials' password, and counting rows."""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa

from portal.core.extensions import db as _db

# The PostgreSQL database to test on; SQLite when unset.
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
# The password of every official the `make_user` and `login_as` fixtures create.
PASSWORD = "correct horse battery staple"


def count_rows(model: Any) -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- Refusal codes, found in a feature's sources (portal.core.problems) -----------------


def _refusal_classes() -> set[str]:
    from portal.core.problems import Refusal

    found: set[str] = set()
    todo = [Refusal]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return found


def _enum_member(module: Any, node: Any) -> str | None:
    """The value of a dotted name such as workflow.ErrorCode.NOT_ALLOWED in `module`."""
    import ast
    from enum import Enum

    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    value = getattr(module, node.id, None)
    for part in reversed(parts):
        value = getattr(value, part, None)
    return str(value) if isinstance(value, Enum) else None


def _own_nodes(scope: Any, functions: tuple[type, ...]) -> Any:
    """The nodes of one function (or of the module), not of the functions nested in it."""
    import ast

    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, functions):
            todo.extend(ast.iter_child_nodes(node))


# The names the features give the Problems they fill (`problems.add("code", "field")`).
COLLECTORS = frozenset({"problems", "found", "report", "errors"})


def refusal_codes(package: str, last_argument: frozenset[str] = frozenset()) -> dict[str, str]:
    """code → module, for every machine code the package's sources refuse with.

    A code is the first argument of a call to `Refusal` or one of its subclasses, or of
    `<name>.add(…)` (a `Problems` being filled), or the last argument of the helpers named
    in `last_argument`: a string literal (also inside a conditional expression, or through
    a local variable assigned in the same function) or an enum member."""
    import ast
    import importlib
    import pkgutil
    from pathlib import Path

    root = importlib.import_module(package)
    names = [package] + [m.name for m in pkgutil.walk_packages(root.__path__, prefix=f"{package}.")]
    modules = [importlib.import_module(name) for name in names]
    classes = _refusal_classes()  # once every subclass is imported
    first = classes | {"add", "__init__"}
    found: dict[str, str] = {}
    for module in modules:
        path = Path(module.__file__ or "")
        if path.name == "messages.py":
            continue
        tree = ast.parse(path.read_text("utf-8"))

        def called(call: ast.Call) -> str:
            func = call.func
            if isinstance(func, ast.Name):
                return func.id if func.id in classes | last_argument else ""
            if not isinstance(func, ast.Attribute):
                return ""
            if func.attr == "add":  # problems.add(…), not seen.add(key)
                collector = isinstance(func.value, ast.Name) and func.value.id in COLLECTORS
                return "add" if collector else ""
            if func.attr == "__init__":  # super().__init__("code") in a subclass
                parent = func.value
                super_ = getattr(parent, "func", None)
                is_super = isinstance(parent, ast.Call) and getattr(super_, "id", "") == "super"
                literal = isinstance(call.args[0], ast.Constant)
                return "__init__" if is_super and literal else ""
            return func.attr

        def take(node: ast.AST, where: str = path.name, module: Any = module) -> None:
            if (member := _enum_member(module, node)) is not None:
                found[member] = where
                return
            for n in ast.walk(node):
                if isinstance(n, ast.Constant) and isinstance(n.value, str):
                    found[n.value] = where

        functions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
        for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, functions))]:
            own = list(_own_nodes(scope, functions))
            calls = [n for n in own if isinstance(n, ast.Call) and n.args]
            arguments = [
                c.args[0] if called(c) in first else c.args[-1]
                for c in calls
                if called(c) in first | last_argument
            ]
            variables = {a.id for a in arguments if isinstance(a, ast.Name)}
            for argument in arguments:
                if not isinstance(argument, ast.Name):
                    take(argument)
            for node in own:
                if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id in variables for t in node.targets
                ):
                    take(node.value)
    return found
