"""A ch04 class as a TA meets it (issue 24): 20 submissions, a mistake in every unit, a renamed copy pair, the stub,
a truncated upload, an endless loop, a syntax error, Korean names, and folders per student.

Each student is written with what grading must say about them: per unit, the diagnosis (the hint's id, or the
engine's code such as ``grader.timeout``) that must be shown, or that the unit is right; ungradable students
must have no score at all. The expectations are written by reading each mistake, not copied from a run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.mutants.variants import build_notebook, load_catalogue
from grader.tests.classroom.class_batch import copied_and_renamed
from grader.tests.helpers import STUDENT, solution_notebook

ASSIGNMENT = "ch04_learning"
CEE, DIFF, GRAD, GD, NET, TRAIN = (
    "cross_entropy_error",
    "numerical_diff",
    "numerical_gradient",
    "gradient_descent",
    "TwoLayerNet",
    "train_neuralnet",
)
UNITS = (CEE, DIFF, GRAD, GD, NET, TRAIN)
RIGHT = "right"  # the unit earns full marks and shows no hint
STUB = "stub"  # the unit still raises the stub's NotImplementedError


@dataclass(frozen=True)
class Student:
    """One submission and what grading must say about it."""

    id: str
    path: str  # where it is written, relative to the submissions folder (a file or a folder's notebook)
    variant: str = ""  # the catalogue variant it is built from ("" = the instructor's code)
    expect: dict[str, tuple[str, ...]] = field(default_factory=dict)  # unit -> diagnoses it must show; others RIGHT
    ungradable: str = ""  # the reason code when the upload cannot be graded at all
    note: str = ""


def _mistake(unit: str, *diagnoses: str) -> dict[str, tuple[str, ...]]:
    return {unit: diagnoses}


# fmt: off
CLASS: tuple[Student, ...] = (
    Student("kim", "kim.ipynb", note="the book's code, full marks"),
    Student("홍길동", "홍길동.ipynb", note="the book's code, a Korean file name"),
    Student("park", "park/ch04_learning.ipynb", "flat_view_preallocated", note="a style of their own, in a folder"),
    Student("choi", "choi/ch04_learning.ipynb", note="park's numerical_gradient, renamed (the copy pair)"),
    Student("lee", "lee.ipynb", "cee_no_batch_mean", _mistake(CEE, "ch04_learning.cee_batch")),
    Student("이영희", "이영희.ipynb", "cee_no_delta", _mistake(CEE, "ch04_learning.cee_delta"), note="Korean name"),
    Student("jung", "jung.ipynb", "diff_forward", _mistake(DIFF, "ch04_learning.diff_forward")),
    Student("kang", "kang.ipynb", "grad_no_restore", _mistake(GRAD, "ch04_learning.grad_restore")),
    Student("김철수", "김철수/assignments/ch04_learning.ipynb", "gd_no_copy",
            _mistake(GD, "ch04_learning.gd_history", "ch04_learning.gd_history_before"), note="a Korean folder"),
    Student("yoon", "yoon.ipynb", "gd_ascent", _mistake(GD, "ch04_learning.gd_ascent", "ch04_learning.gd_step")),
    # train_neuralnet trains the student's own TwoLayerNet (by design): the same hint there, nothing about __init__
    Student("han", "han.ipynb", "net_db2_no_axis",
            _mistake(NET, "ch04_learning.net_bias_axis", "ch04_learning.net_backprop")
            | _mistake(TRAIN, "ch04_learning.net_bias_axis", "ch04_learning.net_backprop")),
    Student("seo", "seo.ipynb", "net_accuracy_no_axis", _mistake(NET, "ch04_learning.net_accuracy")),
    Student("shin", "shin.ipynb", "net_relu",
            _mistake(NET, "ch04_learning.net_predict", "ch04_learning.net_follows_predict",
                     "ch04_learning.net_numerical_follows_loss")),
    Student("loop", "loop.ipynb", "grad_no_iternext", _mistake(GRAD, "grader.timeout"),
            note="numerical_gradient without it.iternext(): an endless while"),
    Student("syntax", "syntax.ipynb", "diff_syntax_colon", _mistake(DIFF, "grader.syntax-error"),
            note="def numerical_diff(f, x) without its colon"),
    Student("typo", "typo.ipynb", "cee_misspelt", _mistake(CEE, "grader.misspelt-name")),
    Student("noreturn", "noreturn.ipynb", "gd_no_return", _mistake(GD, "grader.returned-none")),
    Student("helper", "helper.ipynb", "diff_helper_typo", _mistake(DIFF, "ch04_learning.global_name")),
    Student("twice", "twice.ipynb", "diff_defined_twice", _mistake(DIFF, "ch04_learning.diff_forward")),
    Student("stub", "stub.ipynb", expect={unit: (STUB,) for unit in UNITS}, note="the unedited published notebook"),
    Student("cut", "cut.ipynb", ungradable="truncated", note="an upload cut off half-way (invalid JSON)"),
)
# fmt: on
COPY_PAIR = ("choi", "park")


def write_class(folder: Path) -> list[Student]:
    """Every submission of the class into ``folder`` (which must not exist yet)."""
    folder.mkdir(parents=True)
    catalogue = {variant.id: variant for variant in load_catalogue(ASSIGNMENT).variants}
    for student in CLASS:
        path = folder / student.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if student.id == "stub":
            path.write_bytes(STUDENT.read_bytes())
        elif student.id == "cut":
            whole = nbformat.writes(build_notebook(catalogue["flat_view_preallocated"])).encode("utf-8")
            path.write_bytes(whole[: len(whole) // 2])
        elif student.id == "choi":
            notebook = build_notebook(catalogue["flat_view_preallocated"])
            for cell in notebook.cells:
                if cell.cell_type == "code" and "def numerical_gradient(" in cell.source:
                    cell.source = copied_and_renamed(cell.source)
            nbformat.write(notebook, path)
        else:
            notebook = build_notebook(catalogue[student.variant]) if student.variant else solution_notebook()
            nbformat.write(notebook, path)
    return list(CLASS)


def expected(student: Student, unit: str) -> tuple[str, ...]:
    """What grading must show for one student's unit: diagnoses, (RIGHT,) or (STUB,)."""
    return student.expect.get(unit, (RIGHT,))


def load_results(results: Path) -> dict[str, dict]:
    """student -> its result file (the batch's JSON)."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (results / "results").glob("*.json")}
