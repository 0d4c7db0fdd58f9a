"""A unit of the instructor notebook -> its mutants: each one change, written into the cell's own source.

The change is made twice: on a copy of the cell's syntax tree (what the mutant must be), and as text (the
changed node's span replaced by ``ast.unparse`` of the new node, in parentheses if precedence needs them).
The text is kept only when it parses to exactly that tree, so comments, the docstring and every other line
stay as the instructor wrote them and the diff shows one change; if no splice matches, the whole definition
is written by ``ast.unparse``. Only code inside the unit's ``### BEGIN/END SOLUTION`` regions is mutated (what
a student writes); a cell without regions is mutated whole.
"""

from __future__ import annotations

import ast
import copy
import difflib
import re
from dataclasses import dataclass
from typing import Any, cast

from grader.audit.operators import ALL, OPERATORS, Change, InsertBefore, Operator, Replace, first_statement

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
_LINES = re.compile(r"[^\n]*\n|[^\n]+\Z")


@dataclass(frozen=True)
class UnitCode:
    """Where a unit is defined: the code cell (its index among all cells), its source, and the lines to mutate."""

    unit: str
    cell: int
    source: str
    regions: tuple[tuple[int, int], ...]  # 1-based inclusive line ranges of solution code in the cell


@dataclass(frozen=True)
class Mutant:
    """One mutant of one unit: a deterministic id, what changed, and the whole cell's new source."""

    id: str
    unit: str
    operator: str
    detail: str
    line: int  # line of the change inside the unit's definition (1 = its def or class line)
    cell_source: str
    diff: str  # unified diff of the unit's source, solution -> mutant


@dataclass
class Generated:
    """A unit's mutants, and the changes dropped before grading (with why)."""

    mutants: list[Mutant]
    noops: list[str]  # descriptions of changes that leave the syntax tree as it was (syntactic no-ops)
    unwritable: int = 0  # changes no source could express (none expected; counted to be honest)


def find_unit(notebook: Any, unit: str) -> UnitCode | None:
    """The first code cell defining ``unit`` at top level (as the catalogue's edits find it), else None."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        if any(isinstance(n, ast.FunctionDef | ast.ClassDef) and n.name == unit for n in tree.body):
            return UnitCode(unit, index, cell.source, solution_regions(cell.source))
    return None


def solution_regions(source: str) -> tuple[tuple[int, int], ...]:
    """Line ranges between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the whole cell when it has none)."""
    lines = source.split("\n")
    regions, start = [], None
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if text == BEGIN:
            start = number + 1
        elif text == END and start is not None:
            regions.append((start, number - 1))
            start = None
    return tuple(regions) or ((1, len(lines)),)


def generate(code: UnitCode, operators: tuple[Operator, ...] = ALL) -> Generated:
    """Every mutant the operators make of the unit's solution code, sorted by place, with deterministic ids."""
    tree = ast.parse(code.source)
    index = _unit_index(tree, code.unit)
    definition = tree.body[index]
    original = ast.dump(definition)
    nodes = list(ast.walk(definition))
    parents = {id(child): node for node in nodes for child in ast.iter_child_nodes(node)}
    found: list[tuple[int, int, int, Change, int]] = []
    for position, node in enumerate(nodes):
        anchor = node
        if isinstance(node, ast.FunctionDef):
            try:
                anchor = first_statement(node)
            except StopIteration:
                continue
        if not _inside(anchor, code.regions):
            continue
        for order, operator in enumerate(operators):
            for change in operator(node, parents.get(id(node))):
                line = cast(ast.stmt, anchor).lineno
                found.append((line, _column(code.source, anchor), order, change, position))
    found.sort(key=lambda item: item[:3])
    generated, seen, counts = Generated([], []), {original}, dict[str, int]()
    for line, column, _, change, position in found:
        mutated_tree = _applied(tree, index, position, change)
        dump = ast.dump(mutated_tree.body[index])
        where = f"line {line - definition.lineno + 1}: {change.detail}"
        if dump == original:
            generated.noops.append(where)
            continue
        if dump in seen:
            continue  # the same mutant reached by another operator (e.g. a statement deleted twice over)
        seen.add(dump)
        source = _written(code.source, tree, index, nodes[position], change, mutated_tree)
        if source is None:
            generated.unwritable += 1
            continue
        base = f"{code.unit}-{change.operator}-{line - definition.lineno + 1}.{column}"
        counts[base] = counts.get(base, 0) + 1
        generated.mutants.append(
            Mutant(
                id=f"{base}-{counts[base]}",
                unit=code.unit,
                operator=change.operator,
                detail=change.detail,
                line=line - definition.lineno + 1,
                cell_source=source,
                diff=unit_diff(code.source, source, code.unit, f"{base}-{counts[base]}"),
            )
        )
    return generated


def describe(mutant: Mutant, lang: str = "both") -> str:
    """One line: the operator's name in the language asked for, then what changed."""
    ko, en = OPERATORS[mutant.operator]
    name = {"ko": ko, "en": en}.get(lang, f"{ko} / {en}")
    return f"{name}: {mutant.detail} (line {mutant.line})"


def _unit_index(tree: ast.Module, unit: str) -> int:
    for index, node in enumerate(tree.body):
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == unit:
            return index
    raise LookupError(unit)


def _inside(node: ast.AST, regions: tuple[tuple[int, int], ...]) -> bool:
    start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
    if start is None or end is None:
        return False  # operators and contexts have no place of their own: their parent node is mutated
    return any(first <= start and end <= last for first, last in regions)


def _applied(tree: ast.Module, index: int, position: int, change: Change) -> ast.Module:
    """A copy of the cell's tree with the change made at the node in ``position`` (``ast.walk`` order)."""
    mutated = copy.deepcopy(tree)
    target = list(ast.walk(mutated.body[index]))[position]
    new = copy.deepcopy(change.action.new)
    for parent in ast.walk(mutated):
        for field, value in ast.iter_fields(parent):
            if isinstance(value, list) and any(item is target for item in value):
                at = next(i for i, item in enumerate(value) if item is target)
                if isinstance(change.action, InsertBefore):
                    assert isinstance(target, ast.FunctionDef)
                    body = target.body
                    body.insert(body.index(first_statement(target)), cast(ast.stmt, new))
                else:
                    value[at] = new
                return mutated
            if value is target:
                if isinstance(change.action, InsertBefore):
                    raise AssertionError("a statement to insert before is always in a list")
                setattr(parent, field, new)
                return mutated
    raise LookupError("the node to change is not in the tree")


def _written(
    source: str, tree: ast.Module, index: int, node: ast.AST, change: Change, mutated: ast.Module
) -> str | None:
    """The cell's source with the change spliced in, checked to parse to ``mutated``; else None."""
    wanted = ast.dump(mutated)
    candidates: list[str] = []
    if isinstance(change.action, InsertBefore):
        assert isinstance(node, ast.FunctionDef)
        anchor = first_statement(node)
        start = _offset(source, anchor.lineno, anchor.col_offset)
        indent = source[start - _column(source, anchor) : start]
        candidates.append(source[:start] + ast.unparse(change.action.new) + "\n" + indent + source[start:])
    elif isinstance(change.action, Replace):
        start = _offset(source, node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = _offset(source, node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        text = ast.unparse(change.action.new)
        candidates += [source[:start] + text + source[end:], source[:start] + "(" + text + ")" + source[end:]]
    definition = tree.body[index]
    start = _offset(source, _first_line(definition), 0)
    end = _offset(source, definition.end_lineno or definition.lineno, definition.end_col_offset or 0)
    candidates.append(source[:start] + ast.unparse(mutated.body[index]) + source[end:])  # comments are lost
    for candidate in candidates:
        try:
            if ast.dump(ast.parse(candidate)) == wanted:
                return candidate
        except SyntaxError:
            continue
    return None


def _first_line(definition: ast.stmt) -> int:
    decorators = getattr(definition, "decorator_list", [])
    return int(min([definition.lineno, *(d.lineno for d in decorators)]))


def _offset(source: str, line: int, byte_column: int) -> int:
    """Character offset of (line, UTF-8 byte column) as ``ast`` counts them."""
    lines = _LINES.findall(source)
    before = sum(len(text) for text in lines[: line - 1])
    current = lines[line - 1] if line - 1 < len(lines) else ""
    return before + len(current.encode("utf-8")[:byte_column].decode("utf-8", errors="ignore"))


def _column(source: str, node: ast.AST) -> int:
    """The node's column in characters (``ast`` gives UTF-8 bytes; a Korean comment above must not shift ids)."""
    line = _LINES.findall(source)[node.lineno - 1]  # type: ignore[attr-defined]
    return len(line.encode("utf-8")[: node.col_offset].decode("utf-8", errors="ignore"))  # type: ignore[attr-defined]


def unit_source(cell_source: str, unit: str) -> str:
    """The lines of the unit's definition in a cell (decorators included)."""
    tree = ast.parse(cell_source)
    definition = tree.body[_unit_index(tree, unit)]
    lines = _LINES.findall(cell_source)
    return "".join(lines[_first_line(definition) - 1 : definition.end_lineno])


def unit_diff(before: str, after: str, unit: str, mutant_id: str) -> str:
    """Unified diff of the unit's source, solution -> mutant (one line of context)."""
    old = unit_source(before, unit).splitlines(keepends=True)
    new = unit_source(after, unit).splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, f"{unit} (solution)", f"{unit} ({mutant_id})", n=1)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
