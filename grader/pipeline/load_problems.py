"""Definition-time problems a worker reported (an import that failed, a definition that raised), as report lines.

Every field of a worker's load report is the worker's, so each is checked and cut. A worker holding
reference code may not be quoted at all: for it only which snippet (found in the trusted extraction by its
cell and line) and a built-in exception's name are told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from grader.pipeline.checks import Text
from grader.pipeline.extract import Extraction
from grader.pipeline.guarded import exception_name
from grader.pipeline.inert import one_line

T = TypeVar("T")
LOAD_PROBLEMS_SHOWN = 20  # definition and import problems listed per submission


def _problem_text(where: Text, names: str, raised: str, *, is_import: bool, lang: str) -> str:
    """One problem's line: where, which names, and what was raised."""
    if is_import:
        text = Text(
            f"{where.ko}: {names} 가져오기(import)를 건너뜀: {raised}",
            f"{where.en}: import of {names} skipped: {raised}",
        )
    else:
        text = Text(f"{where.ko}: {names} 정의 실패: {raised}", f"{where.en}: defining {names} failed: {raised}")
    return text.render(lang)


def _where(extraction: Extraction, cell: int, line: object) -> Text:
    """The cell as Jupyter labels it and the line, in both languages."""
    return Text(
        f"{extraction.cell_label(cell, 'ko')}, {line}번째 줄", f"{extraction.cell_label(cell, 'en')}, line {line}"
    )


def _field(problem: dict[str, Any], key: str, kind: type[T], default: T) -> T:
    """``problem[key]`` when it is exactly of ``kind``, else ``default``: a worker's report may hold anything."""
    value = problem.get(key)
    return value if type(value) is kind else default


def _position(problem: dict[str, Any]) -> tuple[int, int] | None:
    """The (cell, line) a problem names, when both are integers."""
    cell, line = problem.get("cell"), problem.get("line")
    return (cell, line) if type(cell) is int and type(line) is int else None


def _listed(report: object) -> list[object]:
    problems = report.get("problems") if type(report) is dict else None
    return problems if type(problems) is list else []


@dataclass
class LoadProblems:
    """The lines of one grading run's load problems, each listed once, at most :data:`LOAD_PROBLEMS_SHOWN`."""

    extraction: Extraction
    lang: str
    lines: list[str] = field(default_factory=list)
    _at: set[tuple[object, object]] = field(default_factory=set)  # (cell, line) of problems listed

    def record(self, report: object) -> None:
        """A worker's load report, quoted (bounded and on one line each field)."""
        for problem in _listed(report):
            if len(self.lines) >= LOAD_PROBLEMS_SHOWN or type(problem) is not dict:
                break
            cell, line = problem.get("cell"), one_line(problem.get("line"), 12)
            if type(cell) is int:
                where = _where(self.extraction, cell, line)
            else:
                where = Text(f"셀 {one_line(cell, 12)}, {line}번째 줄", f"cell {one_line(cell, 12)}, line {line}")
            error = _field(problem, "error", dict, {})
            names = _field(problem, "names", list, [])
            names_text = one_line(", ".join(map(str, names[:10])), 200)
            raised = f"{one_line(error.get('type'), 100)}: {one_line(error.get('message'), 500)}"
            text = _problem_text(where, names_text, raised, is_import=problem.get("kind") == "import", lang=self.lang)
            if text not in self.lines:
                self.lines.append(text)
            self._at.add((cell, problem.get("line")))

    def record_guarded(self, report: object) -> None:
        """A load report from a worker holding reference code: never the worker's text."""
        snippets = {(snippet.cell, snippet.line): snippet for snippet in self.extraction.snippets}
        for problem in _listed(report):
            if len(self.lines) >= LOAD_PROBLEMS_SHOWN or type(problem) is not dict:
                break
            position = _position(problem)
            snippet = snippets.get(position) if position is not None else None
            error = _field(problem, "error", dict, {})
            if snippet is None:
                continue
            kind = error.get("type")
            raised = exception_name(kind if type(kind) is str else "")
            if (snippet.cell, snippet.line) not in self._at:  # an unguarded worker said it in full
                self._at.add((snippet.cell, snippet.line))
                where = _where(self.extraction, snippet.cell, snippet.line)
                names = ", ".join(snippet.names[:10])
                self.lines.append(
                    _problem_text(where, names, raised, is_import=snippet.kind == "import", lang=self.lang)
                )
