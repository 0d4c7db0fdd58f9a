"""What the student's side of a call can end in, as exceptions a test (and a course's checks) can catch.

Course code imports these from here (``courses/<id>/checks.py``, ``training.py``); the plugin raises them
from a worker's reply. Their fields are bounded and cleaned where they are built: everything in them came
from the worker or the notebook. A worker that failed raises :class:`grader.sandbox.WorkerFailure` instead.
"""

from __future__ import annotations

from grader.pipeline.checks import Text
from grader.pipeline.engine_hints import MISSPELT, SYNTAX_ERROR
from grader.pipeline.extract import Extraction
from grader.pipeline.inert import clean, one_line
from grader.untrusted.calls import Call

RAISED_TEXT_LIMIT = 1000  # an exception's message
FRAMES_SHOWN = 8  # frames of an exception's "where", each one line


class StudentRaised(Exception):
    """The student's code raised an exception during a call."""

    def __init__(self, call: Call, raised: dict[str, object]) -> None:
        self.call = call
        self.type = one_line(raised.get("type", "Exception"), 100)
        super().__init__(self.type)
        self.text = clean(raised.get("message", ""), RAISED_TEXT_LIMIT)
        where = raised.get("where")
        self.where = [one_line(w, 200) for w in where[:FRAMES_SHOWN]] if type(where) is list else []
        self.hint: Text | None = None  # set by a test that knows what this kind of exception usually means

    @property
    def not_implemented(self) -> bool:
        """The stub's NotImplementedError is still there: no mistake, nothing written yet."""
        return self.type == "NotImplementedError"


class StudentMissing(Exception):
    """The student's notebook does not define what the call needs."""

    def __init__(self, name: str, close: str | None, syntax_error: tuple[Text, int] | None = None) -> None:
        super().__init__(name)
        self.name = name
        # A name whose own cell does not parse is not misspelt: a look-alike (the book's numerical_diff_bad)
        # would send the student to the wrong cell, so the SyntaxError's cell and line are told instead.
        self.close = None if syntax_error else close
        self.syntax_error = syntax_error  # (the cell as Jupyter labels it, the line of its SyntaxError)
        self.hint: Text | None = SYNTAX_ERROR if syntax_error else (MISSPELT if self.close else None)


def student_missing(name: str, extraction: Extraction) -> StudentMissing:
    """Why ``name`` is missing, from the notebook alone: its cell's SyntaxError, a close name, or nothing."""
    found = extraction.syntax_error_defining(name)
    if found is None:
        return StudentMissing(name, extraction.close_name(name))
    number, line = found
    label = Text(extraction.cell_label(number, "ko"), extraction.cell_label(number, "en"))
    return StudentMissing(name, None, (label, line))
