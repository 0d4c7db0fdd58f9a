"""The trusted side's reference: the instructor's solution, run in the grading process.

The reference is read from ``solutions/<id>.ipynb`` with the same extraction the
students' notebooks go through, executed once per process, and asked the same
:class:`~grader.calls.Call` the student's code gets. It also supplies the
trusted substitutes a worker puts in place of the student's other units.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field

from grader import calls, protocol
from grader.assignment import Assignment
from grader.extract import Extraction, extract_definitions
from grader.notebook import read_notebook
from grader.worker import load_definitions


class ReferenceFailure(Exception):
    """The reference solution itself failed: a bug in the kit, never the student's fault."""


def call_key(call: calls.Call) -> str:
    """A stable key for a call: the hash of its plain-data encoding."""
    return hashlib.sha256(protocol.encode(call.to_data())).hexdigest()


@dataclass
class Reference:
    """The instructor's definitions, and answers to calls (memoised: inputs are plain data)."""

    extraction: Extraction
    namespace: dict
    _answers: dict[str, dict] = field(default_factory=dict)

    def run(self, call: calls.Call) -> dict:
        """The reference's observations for ``call``; a private copy each time."""
        key = call_key(call)
        if key not in self._answers:
            try:
                self._answers[key] = calls.execute(self.namespace, call)
            except Exception as error:
                raise ReferenceFailure(f"the reference solution failed on {call.describe()}: {error!r}") from error
        return copy.deepcopy(self._answers[key])


def load_reference(assignment: Assignment) -> Reference:
    """Extract and run the instructor notebook's definitions in this (trusted) process."""
    extraction = extract_definitions(read_notebook(assignment.solution_notebook))
    if extraction.errors:
        raise ReferenceFailure(f"{assignment.solution_notebook}: {'; '.join(extraction.errors)}")
    namespace, problems = load_definitions([s.to_data() for s in extraction.snippets])
    if problems:
        raise ReferenceFailure(f"{assignment.solution_notebook}: {problems}")
    return Reference(extraction, namespace)


def substitute_source(extraction: Extraction, names: set[str]) -> tuple[str, list[str]]:
    """Source defining ``names`` (with the notebook's imports), and which of them it defines."""
    parts = [s.source for s in extraction.snippets if s.kind == "import"]
    found = []
    for snippet in extraction.snippets:
        if snippet.kind in ("def", "class") and set(snippet.names) & names:
            parts.append(snippet.source)
            found += [n for n in snippet.names if n in names and n not in found]
    return "\n".join(parts), sorted(found)
