"""Gradescope's ``run_autograder``: grade exactly one notebook of the assignment, and say which file it was.

Which notebook is graded is :func:`grader.classroom.submissions.find_submission`'s rule. Whatever the
notebook says, it is graded as the configured assignment (``--assignment``); a notebook that cannot be
read gets no score, only the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from grader.classroom import outputs
from grader.classroom.exports import not_graded_results
from grader.classroom.grading import Outputs, grade_and_write
from grader.classroom.submissions import SubmissionError, find_submission, graded_line


def ungraded_results(error: SubmissionError) -> dict[str, object]:
    """results.json for a submission that was not graded: the reason and the files found, no score earned."""
    return not_graded_results(error.reason, str(error), {"notebooks_found": error.found})


def autograde(
    submission: Path, results: Path, *, assignment_id: str, stdout: TextIO, stderr: TextIO, lang: str | None = None
) -> int:
    """Grade the submission's notebook into Gradescope's results.json; exit status 0 when results.json says why."""
    try:
        notebook = find_submission(submission, assignment_id)
    except SubmissionError as error:
        outputs.write_text(results, json.dumps(ungraded_results(error), ensure_ascii=False, indent=2))
        stderr.write(f"run_autograder: nothing graded / 채점하지 않음: {error}\n")
        return 0
    to = Outputs(
        gradescope=results,
        text=stdout,
        warnings=stderr,  # stderr: Gradescope shows its logs to staff only
        preface=lambda report: graded_line(notebook, submission, graded=not report.ungradable),
        gradescope_extra={"graded_file": str(notebook.relative_to(submission))},
    )
    grade_and_write(notebook, to, assignment_id=assignment_id, lang=lang)
    return 0
