"""A realistic class, graded once per session: the book's code, other correct styles, a copied-and-renamed pair,
catalogue mistakes (two students with the same one), the stub, a Korean name, and submissions that cannot be
graded in full. Shared by the class report and similarity tests."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from courses.ch04_learning.mutants import styles
from grader.mutants.variants import build_notebook, load_catalogue
from grader.tests.helpers import STUDENT, solution_cell_source, solution_notebook

UNITS = ["cross_entropy_error", "numerical_diff", "numerical_gradient", "gradient_descent"]
MUTANTS = {  # student -> catalogue mistake
    "m-delta-1": "cee_no_delta",
    "m-delta-2": "cee_no_delta",
    "m-batch": "cee_no_batch_mean",
    "m-forward": "diff_forward",
    "m-restore": "grad_no_restore",
    "m-ascent": "gd_ascent",
}
# student -> the reason code and a word of the detail found; a notebook that cannot be read is not graded either
UNGRADABLE = {
    "no-notebook": ("no-notebook", "no .ipynb"),
    "two-notebooks": ("several-notebooks", "several notebooks"),
    "not-json": ("not-json", "JSON"),
}


@dataclass(frozen=True)
class GradedClass:
    """Where the class was written and graded, and who is what."""

    submissions: Path
    results: Path
    students: list[str]
    batch_stderr: str


def copied_and_renamed(source: str) -> str:
    """What a student does to hide a copy: every local renamed, the comment reworded, spacing changed."""
    for old, new in (("flat_x", "xs"), ("flat_grad", "gs"), ("keep", "old"), ("f_plus", "a"), ("f_minus", "b")):
        source = re.sub(rf"\b{old}\b", new, source)
    source = re.sub(r"\bgrad\b", "result", source)
    return source.replace("# 같은 메모리를 보는 1차원 뷰 / a 1-D view of the same memory", "# 뷰").replace(" = ", "=")


def book_renamed() -> str:
    """The book's numerical_gradient with other names and a comment of the student's own."""
    source = solution_cell_source("numerical_gradient")
    start = source.index("def numerical_gradient")
    book = source[start : source.index("\ndef ", start + 1) if "\ndef " in source[start + 1 :] else len(source)]
    for old, new in (("tmp_val", "saved"), ("fxh1", "up"), ("fxh2", "down"), ("grad", "g")):
        book = re.sub(rf"\b{old}\b", new, book)
    return "# 교재 코드를 따라 썼습니다\n" + book


def write_class(folder: Path) -> list[str]:
    """Every submission of the class into ``folder``; returns the student ids."""
    folder.mkdir(parents=True)

    def solution_plus(*cells: str):
        notebook = solution_notebook()
        notebook.cells += [nbformat.v4.new_code_cell(cell) for cell in cells]
        return notebook

    notebooks = {
        "kim": solution_notebook(),  # the book's code
        "lee": solution_plus(book_renamed()),  # the book's code, renamed
        "홍길동": solution_notebook(),
        "park": solution_plus(styles._FLAT_VIEW_GRAD),  # a style of their own
        "choi": solution_plus(copied_and_renamed(styles._FLAT_VIEW_GRAD)),  # park's, renamed
        "jung": solution_plus(styles._NDINDEX_GRAD),  # another style of their own
        "stub": nbformat.read(STUDENT, as_version=4),
        "syntax": solution_plus("def broken(:\n    pass"),  # one cell lost: partly graded
    }
    catalogue = {variant.id: variant for variant in load_catalogue("ch04_learning").variants}
    notebooks |= {student: build_notebook(catalogue[mistake]) for student, mistake in MUTANTS.items()}
    for student, notebook in notebooks.items():
        nbformat.write(notebook, folder / f"{student}.ipynb")
    (folder / "not-json.ipynb").write_text("{ this is not a notebook")
    (folder / "no-notebook").mkdir()
    (folder / "no-notebook" / "notes.txt").write_text("forgot it")
    (folder / "two-notebooks").mkdir()
    for name in ("a.ipynb", "b.ipynb"):
        nbformat.write(solution_notebook(), folder / "two-notebooks" / name)
    return sorted([*notebooks, *UNGRADABLE])


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory) -> GradedClass:
    """The class graded by ``python -m grader batch`` (public and hidden suites), which also writes the report."""
    root = tmp_path_factory.mktemp("class")
    students = write_class(root / "submissions")
    command = [sys.executable, "-m", "grader", "batch", "--assignment", "ch04_learning", str(root / "submissions")]
    command += ["--out", str(root / "results")]
    for unit in UNITS:
        command += ["--unit", unit]
    done = subprocess.run([*command, "--seed", "11"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return GradedClass(root / "submissions", root / "results", students, done.stderr)
