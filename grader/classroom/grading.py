"""Grade one notebook and write its outputs: the one path of ``grade``, ``gradescope`` and ``ci feedback``.

Each front end used to grade and write in its own way; now each says only where its outputs go
and how it frames them (:class:`Outputs`), and :func:`grade_and_write` does the rest in one order:
choose the language, grade (with the progress line on a terminal), then the JSON report, the
Markdown, Gradescope's ``results.json``, the protection layers the grading lacked, the text report.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from grader.classroom import outputs
from grader.classroom.exports import gradescope_results, sandbox_warnings
from grader.pipeline import report as render
from grader.pipeline.grade import choose_lang, grade_notebook
from grader.pipeline.scoring import GradeReport
from grader.progress import ProgressLine


@dataclass(frozen=True)
class Outputs:
    """Where one grading's outputs go, and how a front end frames them; an output without a place is not made."""

    json: Path | None = None  # the JSON report (docs/CONTRACT.md, section 3)
    markdown: Path | None = None  # a Markdown rendering (a pull-request comment, a job summary)
    gradescope: Path | None = None  # Gradescope's results.json
    text: TextIO | None = None  # the human-readable report (standard output)
    warnings: TextIO | None = None  # one line per protection layer the grading lacked (standard error: logs keep it)
    json_fields: Mapping[str, object] = field(default_factory=dict)  # added to the JSON report (ci: feedback_only)
    markdown_view: Callable[[GradeReport], str] = render.render_markdown
    text_view: Callable[[GradeReport], str] = render.render_text
    preface: Callable[[GradeReport], str] | None = None  # a first line of Gradescope's output and of the text
    gradescope_extra: Mapping[str, object] = field(default_factory=dict)  # added to results.json's extra_data


def grade_and_write(
    notebook: Path,
    to: Outputs,
    *,
    assignment_id: str | None,
    lang: str | None = None,
    units: list[str] | None = None,
    suites: tuple[str, ...] | None = None,
    seed: int | None = None,
    env: Mapping[str, str] | None = None,
    progress: TextIO | None = None,
) -> GradeReport:
    """Grade ``notebook`` (language: ``lang``, else the notebook's, else the locale's) and write ``to``'s outputs.

    ``progress``: the stream of the progress line (shown only on a terminal, after a second).
    """
    chosen = choose_lang(lang, notebook, dict(env) if env is not None else None)
    with ProgressLine(progress, chosen) if progress is not None else contextlib.nullcontext() as line:
        report = grade_notebook(
            notebook,
            assignment_id=assignment_id,
            units=units,
            lang=chosen,
            suites=suites,
            grading_seed=seed,
            progress=line.update if line is not None else None,
        )
    write_outputs(report, to)
    return report


def write_outputs(report: GradeReport, to: Outputs) -> None:
    """Every output ``to`` asks for, each from the report's data (nothing reads another output back)."""
    data = render.to_json_data(report)
    preface = to.preface(report) if to.preface is not None else ""
    if to.json is not None:
        outputs.write_text(to.json, json.dumps(data | dict(to.json_fields), ensure_ascii=False, indent=2) + "\n")
    if to.markdown is not None:
        outputs.write_text(to.markdown, to.markdown_view(report))
    if to.gradescope is not None:
        results = gradescope_results(data)
        if preface:
            results["output"] = f"{preface}\n{results['output']}"
        if to.gradescope_extra:
            results.setdefault("extra_data", {}).update(to.gradescope_extra)
        outputs.write_text(to.gradescope, json.dumps(results, ensure_ascii=False, indent=2))
    if to.warnings is not None:
        for warning in sandbox_warnings(data):
            to.warnings.write(warning + "\n")
    if to.text is not None:
        to.text.write((preface + "\n" if preface else "") + to.text_view(report))
        to.text.flush()
