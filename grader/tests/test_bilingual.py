"""Every text a student or a TA reads comes in Korean and English: a walk over every message source of the kit.

The sources, found in the source code rather than listed by hand, so a new one is covered the day it is written:

- the kit's errors: every ``raise`` of a ``GraderError`` subclass (the CLI prints them to the person running it)
  passes ``ko=`` or a Korean literal;
- bilingual texts: every ``Text(ko, en)`` built in ``grader/`` and ``courses/`` has Hangul first and English second;
- lines printed to stderr for the person running a command, when they hold a literal, hold Korean;
- the closed code tables (``(ko, en)`` per code) of the modules that keep one.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    path
    for package in ("grader", "courses")
    for path in (ROOT / package).rglob("*.py")
    if "tests" not in path.relative_to(ROOT).parts
)
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]{2}")
ERROR_ROOTS = {"GraderError"}
PREFIX = re.compile(r"^\s*(error|warning):\s*")  # the CLI's "error: {bilingual error}" adds no English of its own


@dataclass(frozen=True)
class Finding:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def literal_text(node: ast.AST) -> str:
    """The literal characters of a str expression (constants, f-string parts, concatenations), '' when none.

    A name, an attribute or a call is someone else's text (checked where it is written), so it gives ''.
    """
    if not isinstance(node, ast.Constant | ast.JoinedStr | ast.BinOp):
        return ""
    parts = (part.value for part in ast.walk(node) if isinstance(part, ast.Constant) and isinstance(part.value, str))
    return " ".join(parts).strip()


def error_classes(trees: dict[str, ast.Module]) -> set[str]:
    """Names of every class that derives, through any chain of classes in these trees, from GraderError."""
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {
                    base.id if isinstance(base, ast.Name) else base.attr
                    for base in node.bases
                    if isinstance(base, ast.Name | ast.Attribute)
                }
    found = set(ERROR_ROOTS)
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return found
        found |= more


def called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def findings_in(name: str, tree: ast.Module, errors: set[str]) -> list[Finding]:
    found = []
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and called_name(node.exc) in errors:
            call = node.exc
            korean = any(keyword.arg == "ko" for keyword in call.keywords) or any(
                HANGUL.search(literal_text(argument)) for argument in call.args
            )
            if not korean:
                found.append(Finding(where, f"{called_name(call)} raised without Korean (pass ko=)"))
        elif isinstance(node, ast.Call) and called_name(node) == "Text" and len(node.args) >= 2:
            korean, english = (literal_text(argument) for argument in node.args[:2])
            if LATIN.search(korean) and not HANGUL.search(korean):
                found.append(Finding(where, f"Text's Korean part is English: {korean[:60]!r}"))
            if HANGUL.search(english):
                found.append(Finding(where, f"Text's English part has Korean: {english[:60]!r}"))
        elif isinstance(node, ast.Call) and called_name(node) == "print":
            to_stderr = any(
                keyword.arg == "file" and isinstance(keyword.value, ast.Attribute) and keyword.value.attr == "stderr"
                for keyword in node.keywords
            )
            text = PREFIX.sub("", " ".join(literal_text(argument) for argument in node.args))
            if to_stderr and LATIN.search(text) and not HANGUL.search(text):
                found.append(Finding(where, f"printed to stderr in English only: {text[:60]!r}"))
    return found


def walk(sources: dict[str, str]) -> list[Finding]:
    trees = {name: ast.parse(text) for name, text in sources.items()}
    errors = error_classes(trees)
    return [finding for name, tree in trees.items() for finding in findings_in(name, tree, errors)]


def test_every_message_source_of_the_kit_has_korean():
    sources = {str(path.relative_to(ROOT)): path.read_text(encoding="utf-8") for path in SOURCES}
    findings = walk(sources)
    assert not findings, "\n".join(map(str, findings))


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("class E(GraderError): pass\nraise E('no such unit')", "raised without Korean"),
        ("class A(GraderError): pass\nclass B(A): pass\nraise B(f'{x} missing')", "raised without Korean"),
        ("Text('softmax is wrong', 'softmax is wrong')", "Korean part is English"),
        ("Text('소프트맥스가 틀렸습니다', '소프트맥스 is wrong')", "English part has Korean"),
        ("import sys\nprint('the notebook could not be graded', file=sys.stderr)", "English only"),
    ],
)
def test_the_walk_finds_an_english_only_message(snippet, expected):
    findings = walk({"snippet.py": snippet})
    assert len(findings) == 1 and expected in findings[0].what, findings


@pytest.mark.parametrize(
    "snippet",
    [
        "class E(GraderError): pass\nraise E('no such unit', ko='그런 단위가 없습니다')",
        "class E(GraderError): pass\nraise E('no such unit / 그런 단위가 없습니다')",
        "Text('소프트맥스가 틀렸습니다', 'softmax is wrong')",
        "Text(sentence.ko + '.', sentence.en + '.')",
        "import sys\nprint('interrupted / 중단됨', file=sys.stderr)\nprint(str(error), file=sys.stderr)",
        "raise ValueError('internal, never shown')",
    ],
)
def test_the_walk_accepts_bilingual_messages(snippet):
    assert walk({"snippet.py": snippet}) == []


# Modules that keep a closed set of codes with a (Korean, English) text per code.
CODE_TABLES = [("grader.pipeline.reasons", "TEXTS")]


@pytest.mark.parametrize(("module", "table"), CODE_TABLES)
def test_every_code_has_korean_and_english_text(module, table):
    texts = getattr(importlib.import_module(module), table)
    assert texts
    for code, (korean, english) in texts.items():
        assert HANGUL.search(korean) and not HANGUL.search(english) and LATIN.search(english), code
