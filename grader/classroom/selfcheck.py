"""``from grader import check; check("cross_entropy_error")``: the public tests from inside the notebook.

It grades the notebook's file exactly as ``make check`` does (same extraction,
same sandboxed worker, same public suite), so the two never disagree; for the
same reason it sees the last *saved* version of the notebook, and says so.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.assignment import known_assignments
from grader.classroom import colab
from grader.errors import ACCEPT_UNCONFINED_VARIABLE, GraderError
from grader.pipeline.checks import Text
from grader.pipeline.grade import choose_lang, grade_notebook
from grader.pipeline.report import HINT, INTERNAL, PUBLIC_ONLY, TOTAL, fit_report, header, render_text, unit_view
from grader.pipeline.scoring import GradeReport

SAVE_FIRST = Text(
    "저장된 노트북 파일을 채점했습니다: 저장하지 않은 수정은 반영되지 않습니다 (먼저 Ctrl+S).",
    "Graded the saved notebook file: unsaved edits are not included (save first: Ctrl+S).",
)
SESSION_VARIABLE = "JPY_SESSION_NAME"  # Jupyter Server 2 gives each kernel its notebook's path
SESSION_API_SECONDS = 2.0
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
        return render_text(self.report) + "\n" + SAVE_FIRST.render(self.report.lang) + "\n"

    def _repr_html_(self) -> str:
        """One row per unit, left-aligned; under a failing unit its mistakes, each with one example and one hint."""
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
        internal = f"<p><b>{html.escape(INTERNAL.render(lang))}</b></p>" if report.internal_errors else ""
        return (
            f"<div style='{LEFT}'><p><b>{html.escape(header(report))}</b><br>{html.escape(TOTAL.render(lang))}: "
            f"<b>{total}</b>{public_only}</p><table style='border-collapse:collapse'>{''.join(rows)}</table>"
            f"{internal}{'<ul>' + notes + '</ul>' if notes else ''}"
            f"<p><small>{html.escape(SAVE_FIRST.render(lang))}</small></p></div>"
        )


def find_notebook(
    notebook: str | os.PathLike[str] | None = None, *, sessions: list[dict[str, Any]] | None = None
) -> Path:
    """The notebook to check: the argument, else the file of the Jupyter session this kernel runs in.

    Where Jupyter says which file that is (``JPY_SESSION_NAME``, ipykernel's ``__session__``, VS Code's
    ``__vsc_ipynb_file__``, or the server's session API for this kernel), that file; where it cannot tell,
    an error asking for ``check(notebook=...)``. Never a guess: a notebook with the usual name next to
    ``ch04_learning-Copy1.ipynb`` is not the one running.
    """
    if notebook is not None:
        path = Path(notebook).expanduser()
        if path.suffix == ".ipynb" and path.is_file():
            return path.resolve()
        here = _notebooks_here(Path.cwd())
        raise SelfCheckError(
            f"There is no notebook file {path}.{here.en}", ko=f"{path}: 그런 노트북 파일이 없습니다.{here.ko}"
        )
    if colab.running_in_colab():  # no file runs there: Colab's frontend gives the notebook itself
        return colab.current_notebook()
    names = _kernel_names()
    for name in names or session_api_paths(sessions):  # the server is asked only when the kernel knows nothing
        found = _resolve_session_path(name)
        if found is not None:
            return found
    reason = (
        Text(
            f"Jupyter에서 받은 노트북 {names[0]}을(를) 찾을 수 없습니다.",
            f"Jupyter's notebook {names[0]} is not there.",
        )
        if names
        else Text(
            "이 커널은 어느 노트북에서 실행 중인지 알려 주지 않습니다.",
            "This kernel does not say which notebook runs it.",
        )
    )
    here = _notebooks_here(Path.cwd())
    raise SelfCheckError(
        f"{reason.en} Name it: check(notebook='your_file.ipynb').{here.en}",
        ko=f"{reason.ko} check(notebook='파일 이름.ipynb')처럼 이름을 알려 주세요.{here.ko}",
    )


def _notebooks_here(folder: Path) -> Text:
    """The notebooks of the kernel's folder, to choose from (an empty text when there are none)."""
    names = ", ".join(sorted(p.name for p in folder.glob("*.ipynb"))[:10])
    return Text(f" (이 폴더의 노트북: {names})", f" (notebooks here: {names})") if names else Text("", "")


def _resolve_session_path(name: str) -> Path | None:
    """A session's path: absolute, or relative to the server's root; the kernel runs in the notebook's folder."""
    path = Path(name).expanduser()
    options = [path] if path.is_absolute() else [Path.cwd() / path, Path.cwd() / path.name]
    for option in options:
        if option.suffix == ".ipynb" and option.is_file():
            return option.resolve()
    return None


def _kernel_names() -> list[str]:
    """What this kernel was told about its notebook: ipykernel's ``__session__`` (from the server's
    ``JPY_SESSION_NAME``), VS Code's ``__vsc_ipynb_file__``, and the variable itself."""
    found = []
    try:
        from IPython import get_ipython  # deliberately here: present only where a kernel runs

        shell = get_ipython()
    except ImportError:
        shell = None
    namespace = getattr(shell, "user_ns", None) or {}
    for value in (namespace.get("__session__"), namespace.get("__vsc_ipynb_file__"), os.environ.get(SESSION_VARIABLE)):
        if isinstance(value, str) and value and value not in found:
            found.append(value)
    return found


def session_api_paths(sessions: list[dict[str, Any]] | None = None) -> list[str]:
    """The notebook of this kernel's session, from the session API of the Jupyter servers running here."""
    kernel = _kernel_id()
    if kernel is None:
        return []
    if sessions is None:
        sessions = _server_sessions()
    paths = []
    for session in sessions:
        if (session.get("kernel") or {}).get("id") == kernel and isinstance(session.get("path"), str):
            root = session.get("root_dir")
            paths.append(str(Path(root) / session["path"]) if isinstance(root, str) else session["path"])
    return paths


def _kernel_id() -> str | None:
    """This kernel's id, from its connection file's name (``kernel-<id>.json``)."""
    try:
        from ipykernel.connect import get_connection_file  # deliberately here: present only in an ipykernel

        name = Path(get_connection_file()).name
    except Exception:  # noqa: BLE001  not in an ipykernel, or an older one
        return None
    return name.removeprefix("kernel-").removesuffix(".json") if name.startswith("kernel-") else None


def _server_sessions() -> list[dict[str, Any]]:
    """Every session of every Jupyter server of this user (``/api/sessions``), each with its server's root."""
    try:
        # deliberately here: Jupyter's server is not a dependency of the kit (and ships no types)
        from jupyter_server.serverapp import list_running_servers  # type: ignore[import-not-found, unused-ignore]
    except ImportError:  # the kernel's environment has no Jupyter server (VS Code, a remote kernel)
        return []
    import urllib.request  # here: the solution's own `from grader import check` is imported by every grading

    sessions = []
    for server in list_running_servers():
        request = urllib.request.Request(
            server.get("url", "").rstrip("/") + "/api/sessions",
            headers={"Authorization": f"token {server.get('token', '')}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=SESSION_API_SECONDS) as response:  # the server's own URL
                listed = json.loads(response.read(1 << 20))
        except (OSError, ValueError):
            continue
        if not isinstance(listed, list):
            continue
        root = server.get("root_dir") or server.get("notebook_dir")
        sessions += [{**entry, "root_dir": root} for entry in listed if isinstance(entry, dict)]
    return sessions


def check(
    unit: str | None = None,
    *,
    notebook: str | os.PathLike[str] | None = None,
    lang: str | None = None,
    assignment: str | None = None,
) -> SelfCheck:
    """Run the public tests of ``unit`` (all units when None) on the saved notebook; show the result."""
    path = find_notebook(notebook)
    # The kernel that calls check() has already run this notebook's code unconfined: refusing adds nothing.
    os.environ.setdefault(ACCEPT_UNCONFINED_VARIABLE, "1")
    report = grade_notebook(
        path,
        assignment_id=assignment or _published_assignment(),
        units=[unit] if unit else None,
        suites=("public",),
        lang=choose_lang(lang, path),
    )
    return SelfCheck(report, path, path.stat().st_mtime)


def _published_assignment() -> str | None:
    """The assignment of a student repository (a checkout holding exactly one): configured by publishing it, so it
    wins over the notebook's metadata. In a checkout of several, None: the notebook's name and metadata decide."""
    known = known_assignments()
    return known[0] if len(known) == 1 else None
