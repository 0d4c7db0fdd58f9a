"""One pytest session per grading process (grader/pipeline/collected.py): the suites are collected once, and
nothing one submission's run leaves behind (fixtures, recorded properties, a run cut short) reaches the next."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.tests.helpers import kit_without_assignments

ID = "demo_unit"

# Appended to the scaffolded public suite: a session fixture each submission must get fresh, a property
# recorded per run, and a line written each time pytest imports the module.
PROBES = '''

import os
from pathlib import Path

import pytest

with open(os.environ["IMPORT_LOG"], "a") as log:
    log.write("imported\\n")


@pytest.fixture(scope="session")
def once_per_submission():
    state = {}
    yield state
    state["torn down"] = True


def test_fresh_session_fixture(unit, once_per_submission, record_property, request):
    """세션 픽스처 / a session fixture, fresh for each submission"""
    assert once_per_submission == {}, once_per_submission
    once_per_submission["used"] = True
    record_property("properties_before", len(request.node.user_properties))
    check_call(unit, Call("sum_squares_error", (np.array([1.0, 0.0]), np.array([0.0, 1.0]))))
'''

# Grades in one process: solution, stub, solution; then a run that fails outside pytest's protocol (its item
# list is broken after the first item), then the solution again.
SCRIPT = """
import json, os
from pathlib import Path
from grader.pipeline import collected
from grader.pipeline.grade import grade_notebook

def graded(path):
    report = grade_notebook(Path(path), assignment_id="demo_unit", lang="en")
    fresh = [t for t in report.units[0].tests if t.name == "fresh_session_fixture"]
    return {
        "score": report.score, "max": report.max_score, "internal": len(report.internal_errors),
        "properties": [t.details for t in fresh], "sessions": len(collected._kept),
    }

runs = [graded(p) for p in ("solutions/demo_unit.ipynb", "assignments/demo_unit.ipynb", "solutions/demo_unit.ipynb")]
imports = Path(os.environ["IMPORT_LOG"]).read_text().count("imported")
kept = next(iter(collected._kept.values()))
select = kept.plugin.select
kept.plugin.select = lambda items: select(items)[:1] + [None]
cut = graded("solutions/demo_unit.ipynb")
kept.plugin.select = select
runs += [imports, cut, kept.broken]
runs.append(graded("solutions/demo_unit.ipynb"))
runs.append(any(session is kept for session in collected._kept.values()))
print(json.dumps(runs))
"""


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    """A copy of the grader with one scaffolded assignment whose public suite carries the probes."""
    root = kit_without_assignments(tmp_path / "kit")
    made = subprocess.run([sys.executable, "-m", "grader", "new", ID], cwd=root, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert subprocess.run([sys.executable, "-m", "grader", "publish", "--assignment", ID], cwd=root).returncode == 0
    suite = root / "tests_public" / ID / "test_sum_squares_error.py"
    suite.write_text(suite.read_text() + PROBES)
    rubric = root / "rubrics" / f"{ID}.toml"
    rubric.write_text(rubric.read_text().replace("test_batch = ", "test_fresh_session_fixture = 1\ntest_batch = ", 1))
    return root


@pytest.mark.timeout(600)
def test_one_process_collects_once_and_each_submission_starts_clean(kit, tmp_path):
    log = tmp_path / "imports.log"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=kit,
        capture_output=True,
        text=True,
        timeout=540,
        env={"PATH": "/usr/bin:/bin", "IMPORT_LOG": str(log), "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    first, stub, again, imports, cut, broken, after, reused = json.loads(result.stdout.splitlines()[-1])
    assert first["internal"] == 0 and first["score"] == first["max"] > 0
    assert stub["score"] == 0.0 and stub["max"] == first["max"]
    assert again == first, "the second grading of the same notebook is the first's: no fixture carried over"
    assert first["properties"] == [{"properties_before": 0}], "a recorded property is the run's own, not every run's"
    assert first["sessions"] == 1
    assert imports == 1, "the suite was imported once for three gradings"
    assert cut["internal"] == 1 and cut["score"] < first["max"], "a run cut short is an internal error, not a score"
    assert broken and not reused, "a session whose run ended outside pytest's protocol is not used again"
    assert after == first, "the next grading collects afresh and grades the same"


@pytest.mark.timeout(300)
def test_a_suite_that_cannot_be_collected_is_an_internal_error_and_no_score(kit, tmp_path):
    hidden = kit / "tests_hidden" / ID / "test_sum_squares_error.py"
    hidden.write_text(hidden.read_text() + "\nthis line is not python\n")
    out = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "grader", "grade", f"solutions/{ID}.ipynb", "--assignment", ID, "--json", str(out)],
        cwd=kit,
        capture_output=True,
        text=True,
        timeout=240,
        env={"PATH": "/usr/bin:/bin", "IMPORT_LOG": str(tmp_path / "imports.log"), "HOME": str(tmp_path)},
    )
    report = json.loads(out.read_text())
    assert result.returncode == 0, result.stderr  # grading finished (CONTRACT.md), marked by its internal error
    assert any(
        "could not be collected" in error and "test_sum_squares_error.py" in error
        for error in report["internal_errors"]
    )
    assert report["score"] == 0.0
    assert {test["outcome"] for unit in report["functions"] for test in unit["tests"]} == {"missing"}
    # Every grading in one process says the same: the second one too (not "a run inside another one").
    twice = (
        "import json; from pathlib import Path; from grader.pipeline.grade import grade_notebook; "
        "print(json.dumps([grade_notebook(Path('solutions/demo_unit.ipynb'), assignment_id='demo_unit')"
        ".internal_errors for _ in range(2)]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", twice],
        cwd=kit,
        capture_output=True,
        text=True,
        timeout=240,
        env={"PATH": "/usr/bin:/bin", "IMPORT_LOG": str(tmp_path / "imports.log"), "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    first, second = json.loads(result.stdout.splitlines()[-1])
    assert len(first) == len(second) == 1 and all("could not be collected" in e for e in first + second), second


def test_collection_walks_no_folder_outside_the_course(tmp_path):
    """pytest collects every folder from its confcutdir down to the suites; left at the kit's ini folder, a course
    elsewhere had / and /tmp walked, and a file there the grader's user may not stat (a stranger's symlink in /tmp)
    failed the collection of every submission. Every collector must be inside the course's root."""
    from grader.assignment import load_assignment
    from grader.pipeline.collected import CollectedSuites
    from grader.tests.hostile import make_kit_snapshot

    assignment = load_assignment("ch04_learning", make_kit_snapshot(tmp_path / "course"))  # not where the kit is
    suites = CollectedSuites(assignment, assignment.available_suites())
    try:
        assert suites.items and suites.collection_errors == []
        walked = {Path(node.path) for item in suites.items for node in item.listchain()[1:]}
        assert {path for path in walked if not path.is_relative_to(assignment.root)} == set()
    finally:
        suites.close()
