"""Which notebook of a submission is graded: a class's folder of submissions (batch, similarity) and one
Gradescope submission folder.

Both rules live here, at the root of the classroom commands, so that the batch, the similarity report
and Gradescope read the same notebook a student meant, and so that no command has to import another
command to find it.

A class's folder holds ``<student>.ipynb`` files and ``<student>/`` folders; a folder's notebook is
``<assignment>.ipynb`` (at its top or in ``assignments/``), else its only notebook. A Gradescope
submission's notebook is its only notebook, else the only one of the assignment (its file name, or its
metadata when the name names no assignment). Anything else is not guessed: the submission is
ungradable with a reason code of :mod:`grader.pipeline.reasons`.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace
from pathlib import Path

from grader.assignment import AssignmentError
from grader.classroom import students
from grader.errors import GraderError
from grader.pipeline import reasons
from grader.pipeline.grade import claimed_assignments
from grader.pipeline.notebook import NotebookError, read_notebook

CHECKPOINTS = ".ipynb_checkpoints"
NONE_FOUND_EN = "No .ipynb notebook was submitted."
NONE_FOUND_KO = "노트북(.ipynb)이 제출되지 않았습니다."
SEVERAL_EN = (
    "Found {count} notebooks and not exactly one of this assignment, so none was graded: {files}. "
    "Submit only the assignment's notebook."
)
SEVERAL_KO = (
    "{count}개의 노트북을 찾았지만 이 과제의 노트북이 하나가 아니어서 아무것도 채점하지 않았습니다: {files}. 과제 노트북 하나만 "
    "제출하세요."
)
GRADED = "채점한 파일 / Graded file: {name} (저장 / saved {saved})"
NOT_GRADED_FILE = "제출한 파일 / Submitted file: {name} (저장 / saved {saved})"  # read, but not a notebook to grade


@dataclass(frozen=True)
class Submission:
    """One student's notebook in a class's folder, or why there is none to grade."""

    student: str
    notebook: Path | None
    problem: str = ""  # why there is no notebook, in English and Korean
    path: Path | None = None  # the file or folder of SUBMISSIONS_DIR it came from
    reason: str = ""  # a grader.pipeline.reasons code when there is no notebook to grade


class SubmissionError(GraderError):
    """Not exactly one notebook of the assignment in a submission; ``found`` lists what is there."""

    def __init__(self, en: str, found: list[str], reason: str, *, ko: str = "") -> None:
        super().__init__(en, ko=ko)
        self.found = found
        self.reason = reason  # a grader.pipeline.reasons code


# -- a class's folder ----------------------------------------------------------------------------


def find_submissions(directory: Path, assignment_id: str) -> list[Submission]:
    """``<student>.ipynb`` files and ``<student>/`` folders holding one notebook, in id order.

    Every id must follow the rule of :mod:`grader.classroom.students`, and no two entries may claim one id
    (``alice.ipynb`` and ``alice/`` would overwrite each other's result): StudentIdError names them all.
    """
    if not directory.is_dir():
        raise AssignmentError(
            f"{directory} is not a folder of submissions", ko=f"{directory}은(는) 제출물 폴더가 아닙니다"
        )
    found: dict[str, Submission] = {}
    problems = []
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            submission = Submission(entry.stem, entry)
        elif entry.is_dir():
            submission = _folder_submission(entry, assignment_id)
        else:
            continue
        student = students.normalise(submission.student)
        if not students.is_valid(student):
            problems.append(f"{entry}: {submission.student!r} is not a valid student id ({students.RULE})")
        elif student in found:
            problems.append(f"{found[student].path} and {entry} are both student {student}: keep one")
        else:
            found[student] = replace(submission, student=student, path=entry)
    if problems:
        raise students.StudentIdError(
            f"{len(problems)} problem(s) with the submissions' names, nothing graded: " + "; ".join(problems),
            ko=f"제출물 이름에 문제가 {len(problems)}개 있어 아무것도 채점하지 않았습니다 (위의 영어 설명 참고)",
        )
    return [found[student] for student in sorted(found)]


def _folder_submission(folder: Path, assignment_id: str) -> Submission:
    for preferred in (folder / f"{assignment_id}.ipynb", folder / "assignments" / f"{assignment_id}.ipynb"):
        if preferred.is_file():
            return Submission(folder.name, preferred)
    notebooks = sorted(p for p in folder.rglob("*.ipynb") if CHECKPOINTS not in p.parts)
    if len(notebooks) == 1:
        return Submission(folder.name, notebooks[0])
    if not notebooks:
        problem = f"no .ipynb notebook in {folder.name}/ / {folder.name}/에 .ipynb 노트북이 없습니다"
        return Submission(folder.name, None, problem, reason=reasons.NO_NOTEBOOK)
    names = ", ".join(str(p.relative_to(folder)) for p in notebooks[:5])
    return Submission(
        folder.name,
        None,
        f"several notebooks in {folder.name}/ ({names}); name one {assignment_id}.ipynb / {folder.name}/에 "
        f"노트북이 여럿입니다({names}): 하나의 이름을 {assignment_id}.ipynb로 하세요",
        reason=reasons.SEVERAL_NOTEBOOKS,
    )


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes: which notebook a result was graded from."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- one Gradescope submission -------------------------------------------------------------------


def find_submission(folder: Path, assignment_id: str) -> Path:
    """The notebook to grade in ``folder``, or SubmissionError naming every notebook found."""
    notebooks = sorted(p for p in folder.rglob("*.ipynb") if CHECKPOINTS not in p.parts and p.is_file())
    names = [str(p.relative_to(folder)) for p in notebooks]
    if len(notebooks) == 1:
        return notebooks[0]
    if not notebooks:
        raise SubmissionError(NONE_FOUND_EN, names, reasons.NO_NOTEBOOK, ko=NONE_FOUND_KO)
    ours = []
    for path in notebooks:
        try:
            notebook = read_notebook(path)
        except (NotebookError, OSError):
            notebook = None
        if is_of_assignment(path, notebook, assignment_id):
            ours.append(path)
    if len(ours) == 1:
        return ours[0]
    count, files = len(names), ", ".join(names)
    raise SubmissionError(
        SEVERAL_EN.format(count=count, files=files),
        names,
        reasons.SEVERAL_NOTEBOOKS,
        ko=SEVERAL_KO.format(count=count, files=files),
    )


def is_of_assignment(path: Path, notebook: object, assignment_id: str) -> bool:
    """Whether a notebook says it is this assignment's: its file name, else (a name naming none) its metadata.
    This only picks a file among several; the one picked is graded as ``assignment_id`` whatever it says."""
    from_metadata, from_name = claimed_assignments(path, notebook)
    return from_name == [assignment_id] or (not from_name and from_metadata == assignment_id)


def graded_line(path: Path, folder: Path | None = None, *, graded: bool = True) -> str:
    """Which file was graded (or read and found ungradable) and when it was saved: the first thing a student reads."""
    name = str(path.relative_to(folder)) if folder is not None and path.is_relative_to(folder) else path.name
    saved = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(path.stat().st_mtime))
    return (GRADED if graded else NOT_GRADED_FILE).format(name=name, saved=saved)
