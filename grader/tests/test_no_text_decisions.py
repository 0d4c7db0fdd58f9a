"""No code path of the kit decides on a message's text: codes and types decide, text is rendered last.

The walker parses every module of ``grader/`` (not its tests) and fails on a comparison, an ``in``, a
``startswith``/``endswith``/``find`` or a regular expression applied to the text of an exception or a
report: ``str(error)``/``repr(error)``/an f-string of a name bound by ``except ... as``, ``excinfo.value``,
``.args``, ``.message``, ``.longrepr``, ``.longreprtext``, captured output of a test report,
``traceback.format_exc()``, and names assigned from any of these. isolate reports a verdict code apart from
its human message; so does every failure here (``grader.pipeline.outcomes``, ``grader.pipeline.reasons``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import pytest

from grader.assignment import KIT_ROOT

GRADER = KIT_ROOT / "grader"
# Attributes that hold an exception's or a report's words.
TEXT_ATTRIBUTES = {"args", "message", "msg", "longrepr", "longreprtext", "capstdout", "capstderr", "caplog"}
TEXT_CALLS = {"str", "repr", "format"}  # applied to an exception: its words
TRACEBACK_CALLS = {"format_exc", "format_exception", "format_exception_only", "format_tb"}
STRING_TESTS = {"startswith", "endswith", "find", "rfind", "index", "rindex", "count", "__contains__"}
REGEX_CALLS = {"match", "search", "fullmatch", "findall", "finditer", "split", "sub", "subn"}

# Decisions on text that are allowed, as (module, function): none since issue 23. An entry that no longer
# matches anything fails test_every_allowance_is_still_needed: delete it then.
ALLOWED: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Finding:
    """One decision on text: where, and the source of the offending expression."""

    module: str
    function: str
    line: int
    source: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line} in {self.function}: {self.source}"


class _Walker(ast.NodeVisitor):
    """Finds decisions on text in one module, function by function."""

    def __init__(self, module: str, source: str) -> None:
        self.module, self.source = module, source
        self.findings: list[Finding] = []
        self.scopes: list[tuple[str, set[str], set[str]]] = [("<module>", set(), set())]  # (name, errors, texts)

    # -- scopes and taint --------------------------------------------------------------------
    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer = self.scopes[-1][0]
        name = node.name if outer == "<module>" else f"{outer}.{node.name}"
        arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        errors = {argument.arg for argument in arguments if _is_exception_annotation(argument.annotation)}
        self.scopes.append((name, errors, set()))
        self.generic_visit(node)
        self.scopes.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scopes.append((node.name, set(), set()))
        self.generic_visit(node)
        self.scopes.pop()

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.scopes[-1][1].add(node.name)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        names = [target.id for target in node.targets if isinstance(target, ast.Name)]
        if self.is_text(node.value):
            self.scopes[-1][2].update(names)
        value = node.value.body if isinstance(node.value, ast.IfExp) else node.value
        if self._is_error(value):
            self.scopes[-1][1].update(names)
        self.generic_visit(node)

    def _is_error(self, node: ast.expr) -> bool:
        """An exception object: a name bound by ``except ... as``, a parameter typed as an exception,
        ``excinfo.value`` (pytest's), or a name assigned from one of these."""
        if isinstance(node, ast.Name):
            return node.id in self.scopes[-1][1]
        if isinstance(node, ast.Attribute) and node.attr == "value":
            holder = node.value
            name = (
                holder.id if isinstance(holder, ast.Name) else holder.attr if isinstance(holder, ast.Attribute) else ""
            )
            return "excinfo" in name
        return False

    def is_text(self, node: ast.expr) -> bool:
        """Is this expression the words of an exception or a report?"""
        if isinstance(node, ast.Name):
            return node.id in self.scopes[-1][2]
        if isinstance(node, ast.Attribute):
            return node.attr in TEXT_ATTRIBUTES
        if isinstance(node, ast.Subscript):
            return self.is_text(node.value)
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name) and function.id in TEXT_CALLS:
                return any(self._is_error(argument) or self.is_text(argument) for argument in node.args)
            if isinstance(function, ast.Name) and function.id == "getattr" and len(node.args) >= 2:
                name = node.args[1]
                return isinstance(name, ast.Constant) and name.value in TEXT_ATTRIBUTES
            if isinstance(function, ast.Attribute) and function.attr == "get" and node.args:
                key = node.args[0]  # a report read back as data: its "message" is words, not a code
                return isinstance(key, ast.Constant) and key.value in TEXT_ATTRIBUTES
            if isinstance(function, ast.Attribute) and function.attr in TRACEBACK_CALLS:
                return True
            if isinstance(function, ast.Attribute) and function.attr in ("lower", "upper", "strip", "casefold"):
                return self.is_text(function.value)
            return False
        if isinstance(node, ast.BoolOp):  # `text or ""`
            return any(self.is_text(value) for value in node.values)
        if isinstance(node, ast.JoinedStr):
            return any(
                isinstance(part, ast.FormattedValue) and (self._is_error(part.value) or self.is_text(part.value))
                for part in node.values
            )
        return False

    # -- decisions ---------------------------------------------------------------------------
    def _found(self, node: ast.AST) -> None:
        segment = ast.get_source_segment(self.source, node) or ast.dump(node)
        self.findings.append(Finding(self.module, self.scopes[-1][0], getattr(node, "lineno", 0), segment))

    def visit_Compare(self, node: ast.Compare) -> None:
        if any(self.is_text(operand) for operand in [node.left, *node.comparators]):
            self._found(node)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        if isinstance(function, ast.Attribute):
            if function.attr in STRING_TESTS and self.is_text(function.value):
                self._found(node)
            elif function.attr in REGEX_CALLS and any(self.is_text(argument) for argument in node.args):
                self._found(node)
        self.generic_visit(node)


def _is_exception_annotation(annotation: ast.expr | None) -> bool:
    """``error: BaseException``, ``failure: WorkerFailure | None``: a parameter that holds an exception."""
    if annotation is None:
        return False
    text = ast.unparse(annotation)
    return any(word in text for word in ("Exception", "Error", "Failure", "Raised", "Missing", "Timeout"))


def text_decisions(source: str, module: str = "<snippet>") -> list[Finding]:
    """Every decision on an exception's or a report's text in ``source``."""
    walker = _Walker(module, source)
    walker.visit(ast.parse(source))
    return walker.findings


def kit_findings() -> list[Finding]:
    """The findings in every module of ``grader/`` outside its tests."""
    findings = []
    for path in sorted(GRADER.rglob("*.py")):
        relative = path.relative_to(KIT_ROOT).as_posix()
        if relative.startswith("grader/tests/"):
            continue
        findings += text_decisions(path.read_text(encoding="utf-8"), relative)
    return findings


def test_no_module_of_the_kit_decides_on_a_message_text():
    found = [f for f in kit_findings() if (f.module, f.function) not in ALLOWED]
    assert not found, "decide on a type or a code, never on a message's words:\n" + "\n".join(map(str, found))


def test_every_allowance_is_still_needed():
    present = {(f.module, f.function) for f in kit_findings()}
    stale = sorted(ALLOWED - present)
    assert not stale, f"these no longer decide on text: remove them from ALLOWED: {stale}"


def test_nothing_is_allowed_in_the_pipeline():
    assert not [entry for entry in ALLOWED if entry[0].startswith("grader/pipeline/")]


OFFENDING = {
    "pytest-timeout's text": """
def classify(excinfo):
    return excinfo.typename == "Failed" and "Timeout" in str(excinfo.value)
""",
    "pytest-timeout's text, as plugin.py had it": """
def classify(self, call):
    error = call.excinfo.value if call.excinfo is not None else None
    return not (call.excinfo.typename == "Failed" and "Timeout" in str(error))
""",
    "a typed parameter": """
def f(failure: WorkerFailure) -> bool:
    return str(failure).endswith("ran out of time")
""",
    "a report read back": """
def f(test: dict) -> bool:
    return str(test.get("message") or "").startswith("the notebook could not be graded")
""",
    "an except clause's message": """
def load():
    try:
        run()
    except OSError as error:
        if str(error).startswith("No such file"):
            return None
""",
    "a name holding the text": """
def f():
    try:
        run()
    except ValueError as problem:
        text = f"{problem}"
        return "shape" in text
""",
    "args": """
def f(error):
    return error.args[0] == "budget"
""",
    "a regular expression on a report": """
import re
def f(report):
    return re.search(r"Timeout", report.longreprtext)
""",
    "a traceback": """
import traceback
def f():
    return "MemoryError" in traceback.format_exc()
""",
}


@pytest.mark.parametrize("name", sorted(OFFENDING))
def test_the_walker_finds_each_kind_of_decision_on_text(name):
    assert len(text_decisions(OFFENDING[name])) == 1, name


def test_the_walker_leaves_codes_types_and_rendering_alone():
    clean = """
def f(error, excinfo, key):
    if isinstance(error, TimeoutError) or error.kind == "timeout":
        return f"{error}: see the report"
    message = str(error)
    shown = message + " (cut)"
    return str(key).startswith("reference_") and excinfo.typename in ("Skipped", "XFailed")
"""
    assert text_decisions(clean) == []
