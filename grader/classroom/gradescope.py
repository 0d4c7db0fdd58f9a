"""Gradescope's ``run_autograder``: grade exactly one notebook of the assignment, and say which file it was.

A submission may hold several notebooks (a copy, a scratch file). The one graded is the only
notebook there, else the only one of the assignment (its file name, or its metadata when the name
names no assignment). Anything else is not guessed: results.json says which files were found,
grades none, and asks for one. Whatever the notebook says, it is graded as the configured
assignment (``--assignment``); a notebook that cannot be read gets no score, only the reason.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TextIO

from grader.classroom import outputs
from grader.errors import GraderError
from grader.pipeline import reasons

CHECKPOINTS = ".ipynb_checkpoints"
NONE_FOUND = "No .ipynb notebook was submitted. / 노트북(.ipynb)이 제출되지 않았습니다."
SEVERAL = (
    "{count}개의 노트북을 찾았지만 이 과제의 노트북이 하나가 아니어서 아무것도 채점하지 않았습니다: {files}. 과제 노트북 하나만 "
    "제출하세요. / Found {count} notebooks and not exactly one of this assignment, so none was graded: {files}. "
    "Submit only the assignment's notebook."
)
GRADED = "채점한 파일 / Graded file: {name} (저장 / saved {saved})"
NOT_GRADED_FILE = "제출한 파일 / Submitted file: {name} (저장 / saved {saved})"  # read, but not a notebook to grade


class SubmissionError(GraderError):
    """Not exactly one notebook of the assignment in a submission; ``found`` lists what is there."""

    def __init__(self, message: str, found: list[str], reason: str) -> None:
        super().__init__(message)
        self.found = found
        self.reason = reason  # a grader.pipeline.reasons code


def find_submission(folder: Path, assignment_id: str) -> Path:
    """The notebook to grade in ``folder``, or SubmissionError naming every notebook found."""
    from grader.pipeline.notebook import NotebookError, read_notebook

    notebooks = sorted(p for p in folder.rglob("*.ipynb") if CHECKPOINTS not in p.parts and p.is_file())
    names = [str(p.relative_to(folder)) for p in notebooks]
    if len(notebooks) == 1:
        return notebooks[0]
    if not notebooks:
        raise SubmissionError(NONE_FOUND, names, reasons.NO_NOTEBOOK)
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
    raise SubmissionError(SEVERAL.format(count=len(names), files=", ".join(names)), names, reasons.SEVERAL_NOTEBOOKS)


def is_of_assignment(path: Path, notebook, assignment_id: str) -> bool:
    """Whether a notebook says it is this assignment's: its file name, else (a name naming none) its metadata.
    This only picks a file among several; the one picked is graded as ``assignment_id`` whatever it says."""
    from grader.pipeline.grade import claimed_assignments

    from_metadata, from_name = claimed_assignments(path, notebook)
    return from_name == [assignment_id] or (not from_name and from_metadata == assignment_id)


def graded_line(path: Path, folder: Path | None = None, *, graded: bool = True) -> str:
    """Which file was graded (or read and found ungradable) and when it was saved: the first thing a student reads."""
    name = str(path.relative_to(folder)) if folder is not None and path.is_relative_to(folder) else path.name
    saved = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(path.stat().st_mtime))
    return (GRADED if graded else NOT_GRADED_FILE).format(name=name, saved=saved)


def ungraded_results(error: SubmissionError) -> dict:
    """results.json for a submission that was not graded: the reason and the files found, no score earned."""
    from grader.classroom.exports import not_graded_results

    return not_graded_results(error.reason, str(error), {"notebooks_found": error.found})


def autograde(
    submission: Path, results: Path, *, assignment_id: str, stdout: TextIO, stderr: TextIO, lang: str | None = None
) -> int:
    """Grade the submission's notebook into Gradescope's results.json; exit status 0 when results.json says why."""
    from grader.classroom.exports import gradescope_results, sandbox_warnings
    from grader.pipeline import report as render
    from grader.pipeline.grade import choose_lang, grade_notebook

    try:
        notebook = find_submission(submission, assignment_id)
    except SubmissionError as error:
        outputs.write_text(results, json.dumps(ungraded_results(error), ensure_ascii=False, indent=2))
        stderr.write(f"run_autograder: nothing graded: {error}\n")
        return 0
    report = grade_notebook(notebook, assignment_id=assignment_id, lang=choose_lang(lang, notebook))
    data = render.to_json_data(report)
    gradescope = gradescope_results(data)
    line = graded_line(notebook, submission, graded=not report.ungradable)
    gradescope["output"] = f"{line}\n{gradescope['output']}"
    gradescope.setdefault("extra_data", {})["graded_file"] = str(notebook.relative_to(submission))
    for warning in sandbox_warnings(data):  # stderr: Gradescope shows its logs to staff only
        stderr.write(warning + "\n")
    outputs.write_text(results, json.dumps(gradescope, ensure_ascii=False, indent=2))
    stdout.write(line + "\n" + render.render_text(report))
    return 0
