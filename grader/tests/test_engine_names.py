"""The engine (grader/ outside the kit's own tests) names no assignment, unit, given helper or course function.

Parsed, not grepped: identifiers, attribute names, imports and string constants (docstrings may
use a unit as an example; code may not depend on one). A second assignment is added as files:
a course package, a rubric, notebooks and suites.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from grader.assignment import KIT_ROOT, known_assignments, load_assignment

ENGINE = KIT_ROOT / "grader"


def course_names() -> set[str]:
    """Every assignment id, unit, given helper and course function/procedure name, and course package."""
    names: set[str] = set()
    for assignment_id in known_assignments():
        assignment = load_assignment(assignment_id)
        names |= {assignment.id, assignment.package, *assignment.given, *(unit.name for unit in assignment.units)}
        library = importlib.import_module(f"{assignment.package}.untrusted")
        names |= set(getattr(library, "FUNCTIONS", {})) | set(getattr(library, "PROCEDURES", {}))
    return names


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def named_in(source: str, names: set[str]) -> list[str]:
    """``line: name`` for every course name the code of ``source`` depends on."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        words: list[str] = []
        if isinstance(node, ast.Name):
            words = [node.id]
        elif isinstance(node, ast.Attribute):
            words = [node.attr]
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            words = [node.name]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] + ([node.module] if getattr(node, "module", None) else [])
            words = [part for module in modules for part in (module, *module.split("."))]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            words = [node.value, *node.value.replace("/", " ").replace(".", " ").replace(",", " ").split()]
        hits = sorted({word for word in words if word in names or word.startswith("courses.")})
        found += [f"{getattr(node, 'lineno', '?')}: {hit}" for hit in hits]
    return found


def engine_files() -> list[Path]:
    return sorted(path for path in ENGINE.rglob("*.py") if "tests" not in path.relative_to(ENGINE).parts)


def test_the_engine_names_no_assignment_unit_or_course_function():
    names = course_names()
    assert {"ch04_learning", "numerical_gradient", "function_2"} <= names  # the check knows what to look for
    offending = {
        str(path.relative_to(KIT_ROOT)): hits
        for path in engine_files()
        if (hits := named_in(path.read_text(encoding="utf-8"), names))
    }
    assert offending == {}, offending


def test_the_check_catches_a_default_assignment_and_a_unit_name():
    source = '"""Docstrings may say numerical_gradient."""\nDEFAULT = "ch04_learning"\nUNITS = ("TwoLayerNet",)\n'
    source += "from courses.ch04_learning.checks import check_diff\n"
    hits = named_in(source, {"ch04_learning", "TwoLayerNet", "numerical_gradient"})
    assert {hit.split(": ", 1)[1] for hit in hits} == {"ch04_learning", "TwoLayerNet", "courses.ch04_learning.checks"}
    assert not any(hit.startswith("1:") for hit in hits), "the docstring is documentation, not a dependency"
