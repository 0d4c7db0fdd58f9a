"""The trusted side's reference: the instructor's solution, run in the grading process.

The reference is read from ``solutions/<id>.ipynb`` with the same extraction the
students' notebooks go through, executed once per process, and asked the same
:class:`~grader.untrusted.calls.Call` the student's code gets. It also supplies the
trusted substitutes a worker puts in place of the student's other units.

A published student repository has no ``solutions/``: there the reference is a
:class:`RecordedReference` that answers the public suite's calls from
``tests_public/<id>/expected.npz``, recorded when the repository was published.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np

from grader.assignment import Assignment
from grader.pipeline.extract import Extraction, extract_definitions
from grader.pipeline.notebook import read_notebook
from grader.untrusted import calls, protocol
from grader.untrusted.worker import load_definitions

RECORDING_NAME = "expected.npz"
RECORDING_FORMAT = "ch04-grader-recording/1"
MAX_RECORDING_BYTES = 64 * 1024 * 1024
_META_KEY = "__meta__"
_GIVEN_KEY = "__given__"
ASK_INSTRUCTOR = "this is not your fault; ask your instructor for an updated repository (강사에게 문의하세요)"


class ReferenceFailure(Exception):
    """The reference solution itself failed: a bug in the kit, never the student's fault."""


def call_key(call: calls.Call) -> str:
    """A stable key for a call: the hash of a canonical form of its plain data.

    Arrays count by dtype, shape and bytes (not by ``.npy`` headers), so a recording made
    with one NumPy version is found again with another.
    """
    text = json.dumps(_canonical(call.to_data()), separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(value: object) -> object:
    if type(value) is np.ndarray or isinstance(value, np.generic):
        array = np.ascontiguousarray(value)
        digest = hashlib.sha256(array.astype(array.dtype.newbyteorder("<")).tobytes()).hexdigest()
        return [
            "ndarray" if type(value) is np.ndarray else "scalar",
            array.dtype.kind,
            array.dtype.itemsize,
            list(array.shape),
            digest,
        ]
    if type(value) is float:
        return ["float", repr(value)]
    if type(value) in (tuple, list):
        return [type(value).__name__, [_canonical(item) for item in value]]
    if type(value) is dict:
        return ["dict", [[str(key), _canonical(item)] for key, item in value.items()]]
    if type(value) is protocol.FunctionRef:
        return ["function", value.name]
    if value is None or type(value) in (bool, int, str):
        return value
    return ["other", type(value).__name__, repr(value)]


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


def use_course(assignment: Assignment) -> None:
    """Install the assignment's course library (its test functions and procedures) on the trusted side."""
    import importlib

    from grader.assignment import AssignmentError
    from grader.untrusted import library

    if not assignment.course_code.parent.is_dir():  # no course package: the engine's generic procedures only
        library.install(ModuleType(assignment.package or "no_course"))
        return
    try:
        library.install(importlib.import_module(f"{assignment.package}.untrusted"))
    except ImportError as error:
        raise AssignmentError(
            f"{assignment.rubric_path}: its course package {assignment.package!r} cannot be "
            f"imported ({error}); check [assignment] package"
        ) from None


def load_reference(assignment: Assignment) -> Reference | RecordedReference:
    """The instructor's solution where this checkout has it, else the answers recorded at publishing."""
    use_course(assignment)
    if not assignment.solution_notebook.is_file():
        return load_recorded_reference(assignment)
    return load_solution_reference(assignment)


def load_solution_reference(assignment: Assignment) -> Reference:
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


# -- recorded answers (student repositories) ---------------------------------------------------


def recording_path(assignment: Assignment) -> Path:
    """Where a student repository keeps the reference's answers to the public suite."""
    return assignment.suite_dir("public") / RECORDING_NAME


def given_source(extraction: Extraction, given: tuple[str, ...]) -> str:
    """The imports and the given helpers' definitions only (never a graded unit)."""
    parts = [s.source for s in extraction.snippets if s.kind == "import"]
    parts += [s.source for s in extraction.snippets if s.kind in ("def", "class") and set(s.names) <= set(given)]
    return "\n".join(parts)


def save_recording(path: Path, answers: dict[str, dict], given: str, assignment_id: str) -> None:
    """Write recorded answers: one protocol-encoded entry per call key, plus the given helpers' source."""
    entries = {key: np.frombuffer(protocol.encode(answers[key]), dtype=np.uint8) for key in sorted(answers)}
    meta = {"format": RECORDING_FORMAT, "assignment": assignment_id, "calls": len(answers)}
    entries[_META_KEY] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
    entries[_GIVEN_KEY] = np.frombuffer(given.encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:  # fixed dates: reproducible bytes
        for name, array in entries.items():
            data = io.BytesIO()
            np.save(data, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data.getvalue())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def _entry_bytes(archive, name: str) -> bytes:
    array = archive[name]
    if type(array) is not np.ndarray or array.dtype != np.uint8 or array.ndim != 1:
        raise ReferenceFailure(f"recorded answers: entry {name} is malformed")
    return array.tobytes()


@dataclass
class RecordedReference:
    """Answers recorded from the instructor's solution when the repository was published.

    ``extraction`` holds only the given helpers (from the published notebook), so the
    workers substitute those; the graded units a unit calls are the student's own here.
    """

    extraction: Extraction
    answers: dict[str, bytes]
    path: Path

    def run(self, call: calls.Call) -> dict:
        """The recorded observations for ``call``; a call nobody recorded is an internal error."""
        blob = self.answers.get(call_key(call))
        if blob is None:
            raise ReferenceFailure(f"no recorded answer for {call.describe()} in {self.path.name}; {ASK_INSTRUCTOR}")
        try:
            return protocol.decode(blob)
        except protocol.ProtocolError as error:
            raise ReferenceFailure(f"{self.path.name} is damaged ({error}); {ASK_INSTRUCTOR}") from None


def load_recorded_reference(assignment: Assignment) -> RecordedReference:
    """Read ``tests_public/<id>/expected.npz`` (``allow_pickle=False``); ReferenceFailure if absent or bad."""
    path = recording_path(assignment)
    if not path.is_file():
        raise ReferenceFailure(
            f"this checkout has neither {assignment.solution_notebook.name} in solutions/ nor "
            f"the recorded answers {path}; {ASK_INSTRUCTOR}"
        )
    if path.stat().st_size > MAX_RECORDING_BYTES:
        raise ReferenceFailure(f"{path} is too large to be a recording; {ASK_INSTRUCTOR}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(_entry_bytes(archive, _META_KEY).decode())
            given = _entry_bytes(archive, _GIVEN_KEY).decode()
            answers = {name: _entry_bytes(archive, name) for name in archive.files if not name.startswith("__")}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise ReferenceFailure(f"{path} cannot be read ({error}); {ASK_INSTRUCTOR}") from None
    if meta.get("format") != RECORDING_FORMAT or meta.get("assignment") != assignment.id:
        raise ReferenceFailure(
            f"{path} was recorded for {meta.get('assignment')!r} in format {meta.get('format')!r}; {ASK_INSTRUCTOR}"
        )
    extraction = extract_definitions({"cells": [{"cell_type": "code", "source": given}]})
    return RecordedReference(extraction, answers, path)
