"""What a worker can see: only Python, numpy and the untrusted package, and no working unit anywhere in it."""

from __future__ import annotations

import ast
import contextlib
import json
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from grader import sandbox
from grader.assignment import load_assignment
from grader.pipeline.grade import grade_notebook
from grader.pipeline.notebook import read_notebook
from grader.sandbox import runtime
from grader.tests.helpers import notebook_from_cells, write_notebook
from grader.untrusted import confine

UNTRUSTED = Path(confine.__file__).resolve().parent
KIT = sandbox.KIT_ROOT
ALLOWED_IMPORTS = {"numpy", "pyseccomp", "grader.untrusted"}
# Prints, as JSON, every file under the kit and site-packages that the worker can open (run with the hook off).
WALK = """
import json, os, sys
def _walk_view():
    from grader.untrusted import confine
    view = [str(path) for path in confine.python_view()] + list(ALLOWED)
    inside = lambda path: any(path == root or path.startswith(root.rstrip("/") + "/") for root in view)
    import sysconfig
    outside, seen = [], 0
    own = [sysconfig.get_path(name) for name in ("purelib", "platlib", "stdlib")]  # the worker's own Python
    for root in [*(ROOTS), *own]:
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d not in ("__pycache__",)]
            for name in names:
                path = os.path.join(folder, name)
                try:
                    os.close(os.open(path, os.O_RDONLY))
                except OSError:
                    continue
                seen += 1
                if not inside(path):
                    outside.append(path)
    print(json.dumps({"outside": outside[:50], "outside_count": len(outside), "readable": seen}))
_walk_view()
"""


def trusted_imports(path: Path) -> list[str]:
    """Parsed, not grepped: the imports of a module that are not the standard library, numpy or the package."""
    offending = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"grader.{alias.name}" for alias in node.names] if node.module == "grader" else [node.module]
        elif isinstance(node, ast.ImportFrom):
            offending.append("a relative import")
        for name in names:
            top = name.split(".")[0]
            if name.startswith("grader.untrusted") or top in ALLOWED_IMPORTS or top in sys.stdlib_module_names:
                continue
            offending.append(name)
    return offending


def test_the_untrusted_package_imports_nothing_of_the_trusted_side():
    """Nothing the worker imports reaches the reference, the rubric, the tests or scoring."""
    offending = {path.name: trusted_imports(path) for path in sorted(UNTRUSTED.glob("*.py"))}
    assert {name: found for name, found in offending.items() if found} == {}


def test_the_boundary_check_catches_a_trusted_import(tmp_path):
    """The check above can fail: imports of the reference, scoring or the grader package are reported."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import os\nfrom grader.pipeline.reference import load_reference\nimport grader.pipeline.scoring\n"
        "from grader import sandbox\nfrom grader.untrusted import calls\n"
    )
    assert trusted_imports(bad) == ["grader.pipeline.reference", "grader.pipeline.scoring", "grader.sandbox"]


def _view_probe_isolation() -> sandbox.Isolation:
    return replace(sandbox.detect_isolation(), audit_hook=False)  # the kernel layers alone must hold


@pytest.mark.needs("landlock", "private-filesystem")
def test_a_worker_can_read_only_its_view_of_the_kit_and_site_packages():
    """A real worker walks the kit and site-packages: what it can open is the untrusted package and numpy."""
    _walk_the_view(_view_probe_isolation())


@pytest.mark.needs("landlock")
def test_a_forked_worker_can_read_only_its_view_too(monkeypatch):
    """The same walk by a worker forked from the warm server, where Landlock alone keeps the view."""
    monkeypatch.setenv(sandbox.POOL_VARIABLE, "on")
    isolation = _view_probe_isolation()
    assert isolation.fork_server and not isolation.private_filesystem
    _walk_the_view(isolation)


def _walk_the_view(isolation: sandbox.Isolation) -> None:
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    roots = [str(KIT), str(site), *map(str, isolation.runtime.code), *map(str, isolation.runtime.roots)]
    allowed = [*isolation.runtime.code, *sandbox.SYSTEM_READABLE]
    worker = sandbox.Worker(sandbox.Limits(), isolation, [], course_code=load_assignment("ch04_learning").course_code)
    try:
        source = WALK.replace("(ROOTS)", repr(tuple(roots))).replace("ALLOWED", repr(tuple(map(str, allowed))))
        worker.load([{"cell": 1, "line": 1, "kind": "def", "names": ["_walk_view"], "source": source}], "", [])
        seen = json.loads(worker.take_output().strip().splitlines()[-1])
    finally:
        worker.stop()
    outside = seen["outside"]
    assert seen["outside_count"] == 0, (
        f"a worker can read {seen['outside_count']} files outside its view: {outside[:5]}"
    )
    assert seen["readable"] > 100, "the walk saw nothing: the probe proves nothing"


def _unit_sources(text: str, unit: str) -> list[str]:
    """Every definition of ``unit`` in a text, also inside strings and notebook JSON (as an attacker would look)."""
    text = text.replace("\\n", "\n").replace('\\"', '"')
    lines = text.splitlines()
    found = []
    pattern = re.compile(rf"^(\s*)[\"']*(def|class) {re.escape(unit)}\b")
    for start, line in enumerate(lines):
        match = pattern.match(line)
        if not match:
            continue
        indent = len(match.group(1))
        block = [line[indent:].lstrip("\"'")]
        for following in lines[start + 1 : start + 120]:
            if following.strip() and len(following) - len(following.lstrip(" ")) <= indent:
                break
            block.append(following[indent:].rstrip('",'))
        found.append("\n".join(block))
    return found


def _parsed_definitions(text: str, unit: str) -> list[str]:
    """Definitions of ``unit`` in text that parses as Python (a module, a notebook cell)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    return [
        ast.get_source_segment(text, node) or ""
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == unit
    ]


def _harvest(paths: list[Path], units: list[str]) -> dict[str, list[str]]:
    harvested: dict[str, list[str]] = {unit: [] for unit in units}
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if path.suffix not in (".py", ".ipynb", ".md", ".txt", ".toml"):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            pieces = [text]
            if path.suffix == ".ipynb":
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    pieces = ["".join(cell["source"]) for cell in json.loads(text)["cells"]]
            for piece in pieces:
                for unit in units:
                    harvested[unit] += _parsed_definitions(piece, unit) + _unit_sources(piece, unit)
    return harvested


def _public_scores(sources: list[str], unit: str, tmp_path: Path) -> list[float]:
    scores = []
    for index, source in enumerate(list(dict.fromkeys(sources))[:12]):
        notebook = tmp_path / f"{unit}-{index}.ipynb"
        write_notebook(notebook_from_cells(["import numpy as np", source]), notebook)
        report = grade_notebook(notebook, assignment_id="ch04_learning", units=[unit], suites=("public",))
        scores.append(report.score)
    return scores


def weakest_view() -> list[Path]:
    """Every kit file a worker could read in the weakest configuration the grader accepts (the uid drop alone,
    hidden folders closed): all of the checkout but the hidden folders, .git and the virtual environment."""
    hidden = sandbox.default_hidden()
    return [
        path
        for path in KIT.rglob("*")
        if path.is_file()
        and not {".venv", ".git"} & set(path.parts)
        and not any(folder == path or folder in path.parents for folder in hidden)
    ]


def test_no_file_a_worker_can_read_holds_a_working_unit(tmp_path):
    """Every definition of a graded unit anywhere a worker could read scores 0 on the public suite."""
    assignment = load_assignment("ch04_learning")
    units = [unit.name for unit in assignment.units]
    harvested = _harvest([*runtime.direct().code, assignment.course_code, *weakest_view()], units)
    for unit, sources in harvested.items():
        assert all(score == 0 for score in _public_scores(sources, unit, tmp_path)), f"working {unit} in the view"


def test_the_harvester_finds_working_units_where_they_are(tmp_path):
    """The check above can fail: in the solutions (outside the view) it finds a numerical_diff that passes."""
    solution = KIT / "solutions" / "ch04_learning.ipynb"
    read_notebook(solution)  # a real notebook
    sources = _harvest([solution], ["numerical_diff"])["numerical_diff"]
    assert sources and max(_public_scores(sources, "numerical_diff", tmp_path)) > 0
