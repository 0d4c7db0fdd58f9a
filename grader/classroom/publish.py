"""Instructor notebook -> student notebook: an ordered list of small steps, each with one job."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.assignment import Assignment
from grader.errors import GraderError

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
INSTRUCTOR_TAG = "instructor-only"
_DEFINITION = re.compile(r"^(\s*)(?:def|class)\s+([A-Za-z_]\w*)")
Notebook = Any  # nbformat's NotebookNode: nbformat annotates none of it


class PublishError(GraderError):
    """The instructor notebook's markers are inconsistent; the message names the cell and line."""


def drop_instructor_cells(notebook: Notebook, units: tuple[str, ...]) -> None:
    """Remove cells tagged ``instructor-only``."""
    notebook.cells = [c for c in notebook.cells if INSTRUCTOR_TAG not in c.get("metadata", {}).get("tags", [])]


def stub_solution_regions(notebook: Notebook, units: tuple[str, ...]) -> None:
    """Replace each BEGIN/END SOLUTION region by a bilingual ``raise NotImplementedError``."""
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code" and BEGIN in cell.source:
            cell.source = _stub_source(cell.source, number)


def _stub_source(source: str, cell_number: int) -> str:
    lines, out, region_start = source.splitlines(), list[str](), None
    for index, line in enumerate(lines):
        marker = line.strip()
        if marker == BEGIN:
            if region_start is not None:
                raise PublishError(
                    f"cell {cell_number}, line {index + 1}: BEGIN SOLUTION inside another region",
                    ko=f"셀 {cell_number}, {index + 1}행: BEGIN SOLUTION이 다른 영역 안에 있습니다",
                )
            region_start = index
            indent = line[: len(line) - len(line.lstrip())]
            name = _enclosing_name(lines[:index], len(indent))
            out += [
                f"{indent}# 여기에 코드를 작성하세요 / YOUR CODE HERE",
                f'{indent}raise NotImplementedError("{name}을(를) 구현하세요 / implement {name}")',
            ]
        elif marker == END:
            if region_start is None:
                raise PublishError(
                    f"cell {cell_number}, line {index + 1}: END SOLUTION without BEGIN",
                    ko=f"셀 {cell_number}, {index + 1}행: BEGIN 없는 END SOLUTION입니다",
                )
            region_start = None
        elif region_start is None:
            out.append(line)
    if region_start is not None:
        raise PublishError(
            f"cell {cell_number}, line {region_start + 1}: BEGIN SOLUTION is never ended",
            ko=f"셀 {cell_number}, {region_start + 1}행: BEGIN SOLUTION이 끝나지 않습니다",
        )
    return "\n".join(out)


def _enclosing_name(lines_above: list[str], indent: int) -> str:
    """``function`` or ``Class.method`` around a marker at this indentation."""
    names: list[str] = []
    for line in reversed(lines_above):
        match = _DEFINITION.match(line)
        if match and len(match.group(1)) < indent:
            names.insert(0, match.group(2))
            indent = len(match.group(1))
    return ".".join(names) or "this function"


def clear_outputs(notebook: Notebook, units: tuple[str, ...]) -> None:
    """Clear outputs and execution counts with nbconvert's own preprocessor."""
    from nbconvert.preprocessors import ClearOutputPreprocessor  # deliberately lazy: the CLI starts without nbconvert

    ClearOutputPreprocessor().preprocess(notebook, {})


def mark_as_student_copy(notebook: Notebook, units: tuple[str, ...]) -> None:
    """Record in the metadata that this is the published student notebook."""
    notebook.metadata.setdefault("grader", {})["role"] = "student"


SELF_CHECK_TAG = "self-check"
# Jupyter's own tag (classic notebook, JupyterLab, nbclient): Run All goes on past such a cell when it raises.
DEMO_TAG = "raises-exception"


def _defined_at_top(source: str) -> set[str]:
    """Names a cell defines with a top-level ``def`` or ``class``."""
    return {match[2] for line in source.splitlines() if (match := _DEFINITION.match(line)) and not match[1]}


def add_unit_checks(notebook: Notebook, units: tuple[str, ...]) -> None:
    """Right after the cell that defines each graded unit, a cell that checks that unit alone (as otter-grader's
    ``grader.check("q1")``): Run All reaches every check, and each unit's feedback sits next to it."""
    import nbformat  # deliberately lazy: the CLI imports this module and starts with the standard library only

    cells = []
    for cell in notebook.cells:
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        for unit in sorted(_defined_at_top(cell.source) & set(units), key=units.index):
            check = nbformat.v4.new_code_cell(
                f'from grader import check  # 자가 점검: 저장한 뒤 실행 / self-check: save first\ncheck("{unit}")'
            )
            check.id = f"check-{unit}"[:64]  # fixed, so that publishing twice writes the same file
            check.metadata["tags"] = [SELF_CHECK_TAG, DEMO_TAG]
            cells.append(check)
    notebook.cells = cells


def tag_demo_cells(notebook: Notebook, units: tuple[str, ...]) -> None:
    """Every code cell may raise while the units are unfinished: a demo calls a stub (NotImplementedError), a
    plot reads what that demo did not make (NameError), a unit's cell may not parse, a check may not know its
    notebook. Each is tagged ``raises-exception``, so that Run All still shows the error there and goes on to
    every later check."""
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "code" and DEMO_TAG not in tags:
            cell.metadata["tags"] = [*tags, DEMO_TAG]


# NB: instructor cells go first, so a region inside an instructor-only cell needs no valid markers.
STEPS: tuple[Callable[[Notebook, tuple[str, ...]], None], ...] = (
    drop_instructor_cells,
    stub_solution_regions,
    clear_outputs,
    mark_as_student_copy,
    tag_demo_cells,
    add_unit_checks,
)


def render_student_notebook(assignment: Assignment) -> str:
    """The student notebook's exact text, built from the instructor notebook."""
    import nbformat  # deliberately lazy: the CLI imports this module and starts with the standard library only

    notebook = nbformat.read(assignment.solution_notebook, as_version=4)
    units = tuple(unit.name for unit in assignment.units)
    for step in STEPS:
        step(notebook, units)
    return str(nbformat.writes(notebook)) + "\n"


def publish_notebook(assignment: Assignment, out: Path | None = None) -> Path:
    """Write the student notebook (``assignments/<id>.ipynb`` unless ``out`` is given)."""
    path = out or assignment.student_notebook
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_student_notebook(assignment), encoding="utf-8")
    return path


def stale_message(assignment: Assignment) -> str | None:
    """Why the committed student notebook differs from a fresh publish, or None."""
    path = assignment.student_notebook
    if not path.is_file():
        return f"{path} is missing: run `make publish` / {path}이(가) 없습니다: `make publish`를 실행하세요"
    if path.read_text(encoding="utf-8") != render_student_notebook(assignment):
        return (
            f"{path} is stale: the instructor notebook changed; run `make publish` and commit the result / "
            f"{path}이(가) 낡았습니다: 교수자 노트북이 바뀌었으니 `make publish`를 실행하고 결과를 커밋하세요"
        )
    return None
