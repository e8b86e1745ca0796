"""The suite runs in a fresh clone: ../shared is read only inside conformance tests, never while collecting."""

from __future__ import annotations

import ast

from tests.fixtures import REPO

TESTS = REPO / "tests"
SHARED_NAMES = {"shared_path", "SHARED"}


def reads_at_collection(tree: ast.Module) -> list[int]:
    """Lines where ../shared is reached outside a function body: at import, in a decorator, or in a default."""
    found: list[int] = []

    def visit(node: ast.AST, in_body: bool) -> None:
        if isinstance(node, ast.Name) and node.id in SHARED_NAMES and not in_body:
            found.append(node.lineno)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            # Decorators (parametrize) and defaults run at import; the body runs only when called.
            outside = [*getattr(node, "decorator_list", []), *node.args.defaults, *node.args.kw_defaults]
            for child in outside:
                if child is not None:
                    visit(child, in_body)
            body = node.body if isinstance(node.body, list) else [node.body]
            for child in body:
                visit(child, True)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, in_body)

    visit(tree, False)
    return found


def test_no_test_module_reads_the_shared_folder_while_it_is_collected() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if path.name == "fixtures.py":
            continue
        lines = reads_at_collection(ast.parse(path.read_text(encoding="utf-8")))
        offenders += [f"{path.relative_to(REPO)}:{line}" for line in lines]
    assert offenders == [], "read ../shared inside the test, through shared_path (a fresh clone has none)"


def test_the_check_sees_reads_at_import_in_decorators_and_defaults_but_not_in_bodies() -> None:
    source = """
DATA = shared_path("a")
@pytest.mark.parametrize("p", sorted(SHARED.iterdir()))
def test_one(p, q=shared_path("b")):
    shared_path("fine, at run time")
CALLBACK = lambda: shared_path("fine, when called")
"""
    assert reads_at_collection(ast.parse(source)) == [2, 3, 4]


def test_no_test_code_names_a_path_of_one_machine() -> None:
    machine = "/" + "work/"  # split, so this file does not name it either
    named = [str(p.relative_to(REPO)) for p in sorted(TESTS.rglob("*.py")) if machine in p.read_text(encoding="utf-8")]
    assert named == []
