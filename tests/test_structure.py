"""The shape of the code, held by tests beside import-linter's layers (.importlinter): no two files
import each other, even through others, and an import inside a function says why it is there."""
from __future__ import annotations

import ast
from pathlib import Path

import grimp

PORTAL = Path(__file__).resolve().parent.parent / "portal"


def _loops(graph) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module: each is an import loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    loops: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return loops


def test_no_file_imports_itself_through_others():
    graph = grimp.build_graph("portal", exclude_type_checking_imports=True)
    assert _loops(graph) == []


def _function_imports_without_reason() -> list[str]:
    missing = []
    for path in sorted(PORTAL.rglob("*.py")):
        source = path.read_text()
        lines = source.splitlines()
        for function in ast.walk(ast.parse(source)):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            explained = "imported here" in (ast.get_docstring(function) or "").lower()
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and not explained:
                    if "#" not in lines[node.lineno - 1] and "#" not in lines[node.lineno - 2]:
                        missing.append(f"{path.relative_to(PORTAL.parent)}:{node.lineno} {ast.unparse(node)}")
    return missing


def test_an_import_inside_a_function_says_why():
    assert _function_imports_without_reason() == []
