"""Variants of the instructor notebook: a mutant (one realistic mistake) or a correct style, built from small edits.

A variant is data: a list of edits applied to the instructor notebook. ``Replace``
swaps one exact piece of text in the cell (or the method) that defines a name;
``Define`` replaces that whole cell. An edit whose text is not found exactly once
raises :class:`VariantError`, so a change to the instructor notebook that stales
the catalogue fails the kit's tests instead of silently grading the solution.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import nbformat

from grader.assignment import AssignmentError, known_assignments, load_assignment
from grader.errors import GraderError

MUTANT, STYLE, HARMLESS, NOTHING, BROKEN = "mutant", "style", "harmless", "nothing", "broken"
BREAKS = (MUTANT, BROKEN)  # the kinds that must lose points in their unit and nowhere else


class VariantError(GraderError):
    """A variant does not apply to the instructor notebook; the message says which edit and why."""


@dataclass(frozen=True)
class Replace:
    """In the code defining ``name`` (``"f"``, or ``"Class.method"`` for one method), replace ``old`` once by ``new``."""

    name: str
    old: str
    new: str


@dataclass(frozen=True)
class Define:
    """Replace the whole code cell that defines ``name`` by ``source``."""

    name: str
    source: str


Edit = Replace | Define


@dataclass(frozen=True)
class Variant:
    """One variant of the instructor notebook and what grading it must show."""

    id: str  # short, unique, e.g. "diff_forward"
    kind: str  # MUTANT (must lose points in ``unit`` only), STYLE or HARMLESS (must score full marks),
    # NOTHING (a do-nothing submission of ``unit``: must earn 0 there and lose nothing elsewhere),
    # BROKEN (a notebook that does not run as written: a mutant whose message is the engine's, not a course's)
    unit: str | None  # the graded unit a mutant breaks or a do-nothing entry fakes; None for styles
    ko: str  # one line in Korean: what the student wrote
    en: str  # the same in English
    edits: tuple[Edit, ...]
    seen: str = ""  # where the mistake comes from: a seed file, docs/MISTAKES.md, a TA note
    solution: Path | None = None  # the instructor notebook the edits apply to (set by the course's helpers)
    hints: tuple[str, ...] = ()  # the diagnosis ids its unit's failing tests may show (a human's judgement of
    # which hints send the student to this mistake); empty: no hint is honest, so none may be shown

    def describe(self, lang: str = "both") -> str:
        """The one-line description in ``ko``, ``en`` or both."""
        return {"ko": self.ko, "en": self.en}.get(lang, f"{self.ko} / {self.en}")


def mutant(
    id: str,
    unit: str,
    ko: str,
    en: str,
    *edits: Edit,
    seen: str = "",
    solution: Path | None = None,
    hints: tuple[str, ...] = (),
) -> Variant:
    """A realistic mistake in ``unit``, and the hints that would send its author to it."""
    return Variant(id, MUTANT, unit, ko, en, tuple(edits), seen, solution, hints)


def broken(
    id: str, unit: str, ko: str, en: str, *edits: Edit, hints: tuple[str, ...], solution: Path | None = None
) -> Variant:
    """A notebook broken in ``unit`` (a syntax error, a misspelt name, an endless loop), and the message codes it
    must give: its diagnosis is the engine's, so every one names the fact, never a course's guess."""
    return Variant(id, BROKEN, unit, ko, en, tuple(edits), "broken-notebook kinds (issue 24)", solution, hints)


def nothing(id: str, unit: str, ko: str, en: str, *edits: Edit, solution: Path | None = None) -> Variant:
    """A submission of ``unit`` that computes nothing (a constant, the input echoed, zeros of the right shape)."""
    return Variant(id, NOTHING, unit, ko, en, tuple(edits), solution=solution)


def style(id: str, ko: str, en: str, *edits: Edit, kind: str = STYLE, solution: Path | None = None) -> Variant:
    """A correct solution written another way (or a change to ungraded code)."""
    return Variant(id, kind, None, ko, en, tuple(edits), solution=solution)


def with_hints(variants: list[Variant], judged: dict[str, tuple[object, ...]]) -> list[Variant]:
    """Each variant with the hints a human judged right for it (``Text`` constants with ids, or ids).

    Every variant must be judged (an empty tuple: no hint is honest) and every judgement must name a
    variant, so a mutant added without a judgement, or a judgement left behind by a removed one, fails.
    """
    ids = [variant.id for variant in variants]
    unjudged, stale = sorted(set(ids) - set(judged)), sorted(set(judged) - set(ids))
    if unjudged or stale:
        raise VariantError(
            f"hints not judged for {unjudged or '-'}; judged but no such variant: {stale or '-'}",
            ko=f"힌트 판정이 없는 변이: {unjudged or '-'}; 판정은 있지만 없는 변이: {stale or '-'}",
        )
    return [replace(variant, hints=tuple(_hint_id(hint) for hint in judged[variant.id])) for variant in variants]


def _hint_id(hint: object) -> str:
    hint_id = hint if isinstance(hint, str) else getattr(hint, "id", "")
    if not hint_id:
        raise VariantError(
            f"{hint!r} has no id: name it with name_hints, or give the id",
            ko=f"{hint!r}에 id가 없습니다: name_hints로 이름을 붙이거나 id를 주세요",
        )
    return hint_id


@dataclass(frozen=True)
class Catalogue:
    """One course's catalogue: its variants and what grading them must show (``courses/<id>/mutants``)."""

    assignment: str
    solution: Path  # the instructor notebook every variant edits
    variants: tuple[Variant, ...]
    units: tuple[str, ...]  # the units the catalogue covers (graded by default)
    seed: int  # the hidden suite's seed: a run is reproducible
    builds_on_student: dict[str, tuple[str, ...]] = field(default_factory=dict)  # unit -> units whose student
    # code it runs by design (a mistake there is charged to both)
    short_names: dict[str, str] = field(default_factory=dict)  # unit -> a table column heading


def load_catalogue(assignment_id: str) -> Catalogue:
    """The catalogue of an assignment's course package (``<package>.mutants.CATALOGUE``)."""
    assignment = load_assignment(assignment_id)
    try:
        catalogue = importlib.import_module(f"{assignment.package}.mutants").CATALOGUE
    except (ImportError, AttributeError) as error:
        where = f"{assignment.package.replace('.', '/')}/mutants/__init__.py"
        raise AssignmentError(
            f"{assignment.package} has no mutant catalogue ({error}): add {where} with CATALOGUE",
            ko=f"{assignment.package}에 변이 카탈로그가 없습니다: {where}에 CATALOGUE를 두세요",
        ) from None
    if not isinstance(catalogue, Catalogue):
        raise AssignmentError(
            f"{assignment.package}.mutants.CATALOGUE is a {type(catalogue).__name__}, not a Catalogue",
            ko=f"{assignment.package}.mutants.CATALOGUE가 Catalogue가 아닙니다",
        )
    return catalogue


def with_catalogue() -> list[str]:
    """The assignments whose course package has a mutant catalogue."""
    found = []
    for assignment_id in known_assignments():
        package = load_assignment(assignment_id).package
        if importlib.util.find_spec(f"{package}.mutants") is not None:
            found.append(assignment_id)
    return found


Notebook = Any  # nbformat's NotebookNode: nbformat annotates none of it


def solution_notebook(path: Path) -> Notebook:
    """An instructor notebook as a node (a fresh copy each time)."""
    return nbformat.read(str(path), as_version=4)


def build_notebook(variant: Variant, base: Notebook | None = None) -> Notebook:
    """The variant's instructor notebook (or ``base``) with its edits applied, in order."""
    if base is not None:
        notebook = base
    elif variant.solution is not None:
        notebook = solution_notebook(variant.solution)
    else:
        raise VariantError(
            f"{variant.id}: no instructor notebook to edit (build it with the course's helpers)",
            ko=f"{variant.id}: 고칠 교수자 노트북이 없습니다 (과목의 도우미 함수로 만드세요)",
        )
    for edit in variant.edits:
        cell = _defining_cell(notebook, edit.name.split(".", 1)[0], variant.id)
        if isinstance(edit, Define):
            cell.source = edit.source.strip("\n") + "\n"
        else:
            cell.source = _replace_once(cell.source, edit, variant.id)
    return notebook


def _defining_cell(notebook: Notebook, name: str, variant_id: str) -> Any:
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        if any(getattr(node, "name", None) == name for node in tree.body):
            return cell
    raise VariantError(
        f"{variant_id}: no code cell of the instructor notebook defines {name!r}",
        ko=f"{variant_id}: 교수자 노트북의 어느 코드 셀도 {name!r}을(를) 정의하지 않습니다",
    )


def _replace_once(source: str, edit: Replace, variant_id: str) -> str:
    start, end = _span(source, edit.name, variant_id)
    region = source[start:end]
    count = region.count(edit.old)
    if count != 1:
        raise VariantError(
            f"{variant_id}: {edit.old!r} occurs {count} times in {edit.name}, expected exactly once",
            ko=f"{variant_id}: {edit.old!r}이(가) {edit.name}에 {count}번 나옵니다 (정확히 한 번이어야 합니다)",
        )
    return source[:start] + region.replace(edit.old, edit.new) + source[end:]


def _span(source: str, name: str, variant_id: str) -> tuple[int, int]:
    """Character offsets of the whole cell, or of one method for ``Class.method``."""
    if "." not in name:
        return 0, len(source)
    cls, method = name.split(".", 1)
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == method:
                    lines = source.splitlines(keepends=True)
                    start = sum(len(line) for line in lines[: item.lineno - 1])
                    end = sum(len(line) for line in lines[: item.end_lineno])
                    return start, end
    raise VariantError(
        f"{variant_id}: {name} is not defined in its cell",
        ko=f"{variant_id}: {name}이(가) 그 셀에 정의되어 있지 않습니다",
    )
