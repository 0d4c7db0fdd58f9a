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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from grader.assignment import Assignment
from grader.pipeline.checks import Text
from grader.pipeline.extract import Extraction, extract_definitions
from grader.pipeline.notebook import read_notebook
from grader.untrusted import calls, protocol
from grader.untrusted.worker import load_definitions

RECORDING_NAME = "expected.npz"
RECORDING_FORMAT = "grader-recording/1"
# Recordings published before the engine was made course-neutral carry their first course's prefix; the
# content is the same format, so student repositories published then keep working.
EARLIER_FORMATS = ("ch04-grader-recording/1",)
MAX_RECORDING_BYTES = 64 * 1024 * 1024
_META_KEY = "__meta__"
_GIVEN_KEY = "__given__"
ASK_INSTRUCTOR = Text(
    "여러분의 잘못이 아닙니다. 강사에게 새 저장소를 요청하세요.",
    "this is not your fault; ask your instructor for an updated repository",
)


class ReferenceFailure(Exception):
    """The reference solution itself failed: a bug in the kit or the course's files, never the student's fault.

    Like every message of the kit it carries English and Korean apart; ``str()`` joins them (``en / ko``).
    """

    def __init__(self, en: str, *, ko: str) -> None:
        super().__init__(en)
        self.en, self.ko = en, ko

    def __str__(self) -> str:
        return f"{self.en} / {self.ko}"


def _asking(en: str, ko: str) -> ReferenceFailure:
    """A failure of the recorded answers a student repository holds: the student can only ask for new ones."""
    return ReferenceFailure(f"{en}; {ASK_INSTRUCTOR.en}", ko=f"{ko}. {ASK_INSTRUCTOR.ko}")


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
    if type(value) is tuple or type(value) is list:
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
    namespace: dict[str, Any]
    _answers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def run(self, call: calls.Call) -> dict[str, Any]:
        """The reference's observations for ``call``; a private copy each time."""
        key = call_key(call)
        if key not in self._answers:
            try:
                self._answers[key] = calls.execute(self.namespace, call)
            except Exception as error:
                raise ReferenceFailure(
                    f"the reference solution failed on {call.describe()}: {error!r}",
                    ko=f"참조 풀이가 {call.describe()}에서 실패했습니다: {error!r}",
                ) from error
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
            f"imported ({error}); check [assignment] package",
            ko=f"{assignment.rubric_path}: 과목 패키지 {assignment.package!r}을(를) 가져올(import) 수 없습니다. "
            "[assignment] package를 확인하세요.",
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
        raise ReferenceFailure(
            f"{assignment.solution_notebook}: {'; '.join(error.en for error in extraction.errors)}",
            ko=f"{assignment.solution_notebook}: 풀이 노트북을 읽을 수 없습니다(위의 오류). 풀이 노트북을 고치세요.",
        )
    namespace, problems = load_definitions([s.to_data() for s in extraction.snippets])
    if problems:
        raise ReferenceFailure(
            f"{assignment.solution_notebook}: {problems}",
            ko=f"{assignment.solution_notebook}: 풀이 노트북의 정의가 실패했습니다(위의 오류). 풀이 노트북을 고치세요.",
        )
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


def save_recording(path: Path, answers: dict[str, dict[str, Any]], given: str, assignment_id: str) -> None:
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


def _entry_bytes(archive: Mapping[str, object], name: str) -> bytes:
    array = archive[name]
    if type(array) is not np.ndarray or array.dtype != np.uint8 or array.ndim != 1:
        raise ReferenceFailure(
            f"recorded answers: entry {name} is malformed", ko=f"기록된 답: 항목 {name}의 형식이 잘못되었습니다"
        )
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

    def run(self, call: calls.Call) -> dict[str, Any]:
        """The recorded observations for ``call``; a call nobody recorded is an internal error."""
        blob = self.answers.get(call_key(call))
        if blob is None:
            raise _asking(
                f"no recorded answer for {call.describe()} in {self.path.name}",
                f"{self.path.name}에 {call.describe()}의 기록된 답이 없습니다",
            )
        try:
            observations = protocol.decode(blob)
        except protocol.ProtocolError as error:
            raise _asking(f"{self.path.name} is damaged ({error})", f"{self.path.name}이(가) 손상되었습니다") from None
        if type(observations) is not dict:
            raise _asking(
                f"{self.path.name} is damaged (an answer is not a dict)", f"{self.path.name}이(가) 손상되었습니다"
            )
        return observations


def load_recorded_reference(assignment: Assignment) -> RecordedReference:
    """Read ``tests_public/<id>/expected.npz`` (``allow_pickle=False``); ReferenceFailure if absent or bad."""
    path = recording_path(assignment)
    if not path.is_file():
        raise _asking(
            f"this checkout has neither {assignment.solution_notebook.name} in solutions/ nor the recorded answers "
            f"{path}",
            f"이 저장소에는 solutions/의 {assignment.solution_notebook.name}도, 기록된 답 {path}도 없습니다",
        )
    if path.stat().st_size > MAX_RECORDING_BYTES:
        raise _asking(f"{path} is too large to be a recording", f"{path}은(는) 기록된 답이라기에 너무 큽니다")
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(_entry_bytes(archive, _META_KEY).decode())
            given = _entry_bytes(archive, _GIVEN_KEY).decode()
            answers = {name: _entry_bytes(archive, name) for name in archive.files if not name.startswith("__")}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise _asking(f"{path} cannot be read ({error})", f"{path}을(를) 읽을 수 없습니다") from None
    if meta.get("format") not in (RECORDING_FORMAT, *EARLIER_FORMATS) or meta.get("assignment") != assignment.id:
        recorded = f"{meta.get('assignment')!r}, {meta.get('format')!r}"
        raise _asking(
            f"{path} was recorded for {meta.get('assignment')!r} in format {meta.get('format')!r}",
            f"{path}은(는) 다른 과제나 형식으로 기록되었습니다({recorded})",
        )
    extraction = extract_definitions({"cells": [{"cell_type": "code", "source": given}]})
    return RecordedReference(extraction, answers, path)
