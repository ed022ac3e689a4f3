"""docs/configuration.md lists every environment variable the code reads, and nothing else.

The code side is found by reading the source, not by importing it: ``env_str/env_bool/env_int/
env_list("NAME", default)`` calls in config/settings.py, ``os.environ``/``os.getenv`` reads
anywhere in config/ and abiertos/ (tests aside), and ``${NAME:-default}`` in bin/run-dev.
The doc side is every table row whose first cell is a back-quoted upper-case name.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "config" / "settings.py"
DOC = ROOT / "docs" / "configuration.md"
RUN_DEV = ROOT / "bin" / "run-dev"
ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_list"}
NO_LITERAL = object()
ROW = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|([^|]*)\|")


def _literal(node: ast.expr | None) -> object:
    return node.value if isinstance(node, ast.Constant) else NO_LITERAL


def _is_os_environ(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _env_read(node: ast.AST, helpers: bool) -> tuple[ast.expr, ast.expr | None] | None:
    """(name expression, default expression) if the node reads an environment variable."""
    if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
        return node.slice, None
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    default = node.args[1] if len(node.args) > 1 else None
    if helpers and isinstance(func, ast.Name) and func.id in ENV_HELPERS:
        return node.args[0], default
    if isinstance(func, ast.Attribute):
        if func.attr in {"get", "setdefault"} and _is_os_environ(func.value):
            return node.args[0], default
        if func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os":
            return node.args[0], default
    return None


def _walk_outside_helpers(tree: ast.AST):
    """Every node, except inside the env_* helper definitions (they read a variable name)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef) and node.name in ENV_HELPERS:
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def code_env_reads() -> tuple[dict[str, object], list[str]]:
    """{name: literal default or NO_LITERAL}, plus reads whose name is not a literal."""
    found: dict[str, object] = {}
    problems: list[str] = []
    files = [*sorted((ROOT / "config").glob("*.py")), *sorted((ROOT / "abiertos").rglob("*.py"))]
    for path in files:
        if "tests" in path.parts or "migrations" in path.parts or path.name == "conftest.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _walk_outside_helpers(tree):
            read = _env_read(node, helpers=path == SETTINGS)
            if read is None:
                continue
            name, default = read
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno} reads a variable whose name is not a literal")
                continue
            found[name.value] = _literal(default)
    return found, problems


def run_dev_env_reads() -> set[str]:
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):-", RUN_DEV.read_text(encoding="utf-8")))


def documented() -> dict[str, str]:
    """{name: default cell} for every variable row of the doc."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line.strip())
        if match:
            rows[match.group(1)] = match.group(2).strip()
    return rows


def _as_doc_default(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "":
        return "(empty)"
    return str(value)


def test_configuration_doc_lists_exactly_the_variables_the_code_reads():
    code, problems = code_env_reads()
    expected = set(code) | run_dev_env_reads()
    doc = set(documented())
    assert not problems, "Read environment variables by literal name so they can be documented:\n" + "\n".join(problems)
    assert "DATABASE_URL" in code
    assert "PORT" in expected
    missing, stale = sorted(expected - doc), sorted(doc - expected)
    assert (missing, stale) == ([], []), (
        f"docs/configuration.md is out of sync with the code.\n"
        f"  Read by the code but not documented (add a table row): {missing}\n"
        f"  Documented but read nowhere (remove the row): {stale}"
    )


def test_configuration_doc_shows_the_literal_defaults():
    code, _ = code_env_reads()
    doc = documented()
    wrong = [
        f"  {name}: code says {_as_doc_default(default)!r}, doc says {doc[name]!r}"
        for name, default in sorted(code.items())
        if default is not NO_LITERAL and name in doc and doc[name].strip("`") != _as_doc_default(default)
    ]
    assert not wrong, "Defaults in docs/configuration.md differ from config/settings.py:\n" + "\n".join(wrong)
