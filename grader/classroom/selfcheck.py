"""``from grader import check; check("cross_entropy_error")``: the public tests from inside the notebook.

It grades the notebook's file exactly as ``make check`` does (same extraction,
same sandboxed worker, same public suite), so the two never disagree; for the
same reason it sees the last *saved* version of the notebook, and says so.
"""

from __future__ import annotations

import html
import os
import time
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ACCEPT_UNCONFINED_VARIABLE, GraderError
from grader.pipeline.scoring import GradeReport

SAVE_FIRST = (
    "저장된 노트북 파일을 채점했습니다: 저장하지 않은 수정은 반영되지 않습니다 (먼저 Ctrl+S). / "
    "Graded the saved notebook file: unsaved edits are not included (save first: Ctrl+S)."
)


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

        return render_text(self.report) + self._saved_line() + "\n"

    def _saved_line(self) -> str:
        return f"\n{SAVE_FIRST}\n  {self.notebook} — saved {time.strftime('%H:%M:%S', time.localtime(self.saved_at))}"

    def _repr_html_(self) -> str:
        """A table per unit and one row per failing test (the same texts as ``make check``)."""
        from grader.pipeline.report import fit_report

        report = fit_report(self.report)  # the same bounded, cleaned texts as the other outputs
        rows = []
        for unit in report.units:
            colour = "#1a7f37" if unit.score == unit.max_score else ("#cf222e" if unit.score == 0 else "#9a6700")
            rows.append(
                f"<tr><td><code>{html.escape(unit.name)}</code></td><td style='color:{colour}'>"
                f"<b>{unit.score:g} / {unit.max_score:g}</b></td><td>{unit.passed} / {len(unit.tests)}</td>"
                "<td></td></tr>"
            )
            for test in unit.tests:
                if test.outcome != "passed":
                    rows.append(
                        f"<tr><td></td><td>{html.escape(test.outcome)}</td><td>{html.escape(test.name)}</td>"
                        f"<td><pre style='white-space:pre-wrap;margin:0'>{html.escape(test.message)}</pre></td></tr>"
                    )
        notes = "".join(f"<li>{html.escape(text)}</li>" for text in report.errors + report.notes)
        internal = "<p><b>INTERNAL ERROR in the grader (not your fault)</b></p>" if report.internal_errors else ""
        return (
            f"<div><b>{html.escape(report.assignment)}: {report.score:g} / {report.max_score:g}"
            "</b> (공개 테스트 / public tests)<table><tr><th>unit / 단위</th><th>score / 점수</th>"
            f"<th>tests / 테스트</th><th>message</th></tr>{''.join(rows)}</table>{internal}"
            f"{'<ul>' + notes + '</ul>' if notes else ''}<p><small>{html.escape(self._saved_line())}</small></p></div>"
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
