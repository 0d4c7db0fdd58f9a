"""``python -m grader new ID``: write an assignment that grades at once (rubric, solution notebook, two suites).

The solution scores full marks and its published stub 0 as soon as it is written: ``make publish ASSIGNMENT=ID``
then ``make grade NOTEBOOK=solutions/ID.ipynb``. The suites use the engine's generic checks only
(:mod:`grader.pipeline.generic`), so no course package is needed until the instructor wants hints or mutants.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from grader.assignment import KIT_ROOT
from grader.authoring import templates
from grader.classroom.publish import BEGIN, END
from grader.errors import GraderError

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")


class ScaffoldError(GraderError):
    """The assignment cannot be scaffolded here (a bad id, or files that already exist)."""


def planned_files(assignment_id: str, root: Path) -> dict[Path, str]:
    """Every file ``new`` writes, with its text."""
    title = f"{assignment_id}: 새 과제 / a new assignment"
    fill = {"id": assignment_id, "title": title, "unit": templates.UNIT}
    unit = templates.UNIT
    return {
        root / "rubrics" / f"{assignment_id}.toml": templates.RUBRIC.format(**fill),
        root / "solutions" / f"{assignment_id}.ipynb": solution_notebook(assignment_id, title),
        root / "tests_public" / assignment_id / f"test_{unit}.py": templates.PUBLIC_TEST,
        root / "tests_hidden" / assignment_id / f"test_{unit}.py": templates.HIDDEN_TEST,
    }


def solution_notebook(assignment_id: str, title: str) -> str:
    """The instructor notebook: Korean and English text, one example unit in a solution region, a demo."""
    import nbformat

    v4: Any = nbformat.v4  # nbformat has no type hints
    cells = [
        v4.new_markdown_cell(templates.INTRO.format(id=assignment_id, title=title)),
        v4.new_code_cell("import numpy as np"),
        v4.new_markdown_cell(templates.UNIT_TEXT.format()),
        v4.new_code_cell(templates.UNIT_CODE.format(begin=BEGIN, end=END)),
        v4.new_code_cell(templates.DEMO_CODE),
    ]
    for number, cell in enumerate(cells):
        cell.id = f"cell-{number}"  # fixed ids: scaffolding twice writes the same bytes
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata = {
        "grader": {"assignment": assignment_id, "lang": "ko"},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    writes: Any = nbformat.writes
    return str(writes(notebook)) + "\n"


def scaffold(assignment_id: str, root: Path = KIT_ROOT) -> list[Path]:
    """Write the new assignment's files under ``root``; refuse a bad id or any file that exists."""
    if not ID_PATTERN.fullmatch(assignment_id):
        raise ScaffoldError(
            f"{assignment_id!r} is not an assignment id: use lower-case letters, digits and _ (e.g. ch06_learning)",
            ko=f"{assignment_id!r}은(는) 과제 id가 될 수 없습니다: 영문 소문자, 숫자, _ 를 쓰세요 (예: ch06_learning)",
        )
    files = planned_files(assignment_id, root)
    existing = [path for path in files if path.exists()]
    existing += [path for path in (root / "tests_public" / assignment_id, root / "tests_hidden" / assignment_id)
                 if path.exists()]  # fmt: skip
    if existing:
        shown = ", ".join(str(path.relative_to(root)) for path in existing)
        raise ScaffoldError(
            f"{assignment_id} already exists here ({shown}); choose another id or remove those files first",
            ko=f"{assignment_id}이(가) 이미 있습니다 ({shown}). 다른 id를 고르거나 그 파일을 먼저 지우세요.",
        )
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


def run_new(options: argparse.Namespace) -> int:
    """The ``new`` command: scaffold, then say what to do next (in Korean and English)."""
    root = Path(getattr(options, "root", None) or KIT_ROOT)
    written = scaffold(options.id, root)
    for path in written:
        print(f"wrote {path.relative_to(root)}")
    print(
        f"다음 / next: python -m grader publish --assignment {options.id}  &&  "
        f"python -m grader grade solutions/{options.id}.ipynb --assignment {options.id}",
        file=sys.stdout,
    )
    return 0
