"""``from grader import check; check("cross_entropy_error")``: the public tests from inside the notebook.

It grades the notebook's file exactly as ``make check`` does (same extraction,
same sandboxed worker, same public suite), so the two never disagree; for the
same reason it sees the last *saved* version of the notebook, and says so.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ACCEPT_UNCONFINED_VARIABLE, GraderError
from grader.pipeline.checks import Text
from grader.pipeline.scoring import GradeReport

SAVE_FIRST = Text(
    "저장된 노트북 파일을 채점했습니다: 저장하지 않은 수정은 반영되지 않습니다 (먼저 Ctrl+S).",
    "Graded the saved notebook file: unsaved edits are not included (save first: Ctrl+S).",
)
LEFT = "text-align:left;vertical-align:top"  # Jupyter's stylesheet right-aligns table cells
COLOURS = {"full": "#1a7f37", "none": "#cf222e", "some": "#9a6700"}


class SelfCheckError(GraderError):
    """The running notebook's file cannot be found; the message says how to name it."""


@dataclass
class SelfCheck:
    """The result of one self-check: HTML in Jupyter, text in a terminal."""

    report: GradeReport
    notebook: Path
    saved_at: float

    def __repr__(self) -> str:
        from grader.pipeline.report import render_text

        return render_text(self.report) + "\n" + SAVE_FIRST.render(self.report.lang) + "\n"

    def _repr_html_(self) -> str:
        """One row per unit, left-aligned; under a failing unit its mistakes, each with one example and one hint."""
        from grader.pipeline.report import HINT, PUBLIC_ONLY, TOTAL, fit_report, header, unit_view

        report = fit_report(self.report)  # the same bounded, cleaned texts as the other outputs
        lang, rows = report.lang, []
        for view in map(unit_view, report.units):
            unit = view.unit
            colour = COLOURS["full" if unit.score == unit.max_score else ("none" if unit.score == 0 else "some")]
            rows.append(
                f"<tr><td style='{LEFT}'><code>{html.escape(unit.name)}</code></td>"
                f"<td style='{LEFT};color:{colour};white-space:nowrap'><b>{unit.score:g} / {unit.max_score:g}</b></td>"
                f"<td style='{LEFT}'>{html.escape(view.status_text(lang))}</td></tr>"
            )
            mistakes = "".join(
                f"<li>{html.escape(group.names(lang))}<pre style='white-space:pre-wrap;margin:0.2em 0'>"
                f"{html.escape(chr(10).join(group.body()))}</pre>"
                + (f"<b>{html.escape(HINT.render(lang))}</b>: {html.escape(group.hint)}" if group.hint else "")
                + "</li>"
                for group in view.groups
            )
            if mistakes:
                rows.append(f"<tr><td colspan='3' style='{LEFT}'><ul style='margin:0'>{mistakes}</ul></td></tr>")
        total = f"{report.score:g} / {report.max_score:g}"
        public_only = "" if "hidden" in report.suites else f" — {html.escape(PUBLIC_ONLY.render(lang))}"
        notes = "".join(f"<li>{html.escape(text)}</li>" for text in report.errors + report.notes)
        internal = "<p><b>INTERNAL ERROR in the grader (not your fault)</b></p>" if report.internal_errors else ""
        return (
            f"<div style='{LEFT}'><p><b>{html.escape(header(report))}</b><br>{html.escape(TOTAL.render(lang))}: "
            f"<b>{total}</b>{public_only}</p><table style='border-collapse:collapse'>{''.join(rows)}</table>"
            f"{internal}{'<ul>' + notes + '</ul>' if notes else ''}"
            f"<p><small>{html.escape(SAVE_FIRST.render(lang))}</small></p></div>"
        )


def find_notebook(notebook: str | os.PathLike | None = None) -> Path:
    """The notebook to check: the argument, else the running Jupyter session's file (``__session__``)."""
    candidates = [notebook] if notebook is not None else [_session_name(), os.environ.get("JPY_SESSION_NAME")]
    if notebook is None:  # a kernel started without a session name (nbclient, some IDEs): the usual file name
        from grader.assignment import known_assignments

        candidates += [f"{assignment_id}.ipynb" for assignment_id in known_assignments()]
    for candidate in filter(None, candidates):
        path = Path(candidate).expanduser()
        for option in (path, Path.cwd() / path):
            if option.suffix == ".ipynb" and option.is_file():
                return option.resolve()
    raise SelfCheckError(
        "노트북 파일을 찾을 수 없습니다. check(notebook='ch04_learning.ipynb')처럼 이름을 알려 주세요. / "
        "Cannot tell which notebook is running; name it: check(notebook='ch04_learning.ipynb')."
    )


def _session_name() -> str | None:
    """ipykernel puts the notebook's path in the user namespace as ``__session__``."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    value = shell.user_ns.get("__session__") if shell is not None else None
    return value if isinstance(value, str) else None


def check(
    unit: str | None = None,
    *,
    notebook: str | os.PathLike | None = None,
    lang: str | None = None,
    assignment: str | None = None,
) -> SelfCheck:
    """Run the public tests of ``unit`` (all units when None) on the saved notebook; show the result."""
    from grader.pipeline.grade import grade_notebook, notebook_language

    path = find_notebook(notebook)
    # The kernel that calls check() has already run this notebook's code unconfined: refusing adds nothing.
    os.environ.setdefault(ACCEPT_UNCONFINED_VARIABLE, "1")
    report = grade_notebook(
        path,
        assignment_id=assignment,
        units=[unit] if unit else None,
        suites=("public",),
        lang=lang or notebook_language(path) or "both",
    )
    return SelfCheck(report, path, path.stat().st_mtime)
