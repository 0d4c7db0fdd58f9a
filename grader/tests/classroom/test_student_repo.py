"""A published student repository: what it holds, what it never holds, and its own `make check`."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.assignment import load_assignment
from grader.classroom.publish import INSTRUCTOR_TAG
from grader.classroom.student_repo import audit_student_repo, publish_repository, recorded_reference_of
from grader.pipeline.reference import ReferenceFailure
from grader.tests.helpers import grader_command, solution_notebook
from grader.untrusted.calls import Call

PUBLIC_MAX = 55


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """One student repository for the module, committed to git as an instructor would."""
    out = publish_repository(tmp_path_factory.mktemp("student") / "repo", "ch04_learning")
    git = ["git", "-c", "user.name=kit", "-c", "user.email=kit@example.invalid"]
    subprocess.run(["git", "init", "-q", str(out)], check=True)
    subprocess.run([*git, "-C", str(out), "add", "."], check=True)
    subprocess.run([*git, "-C", str(out), "commit", "-qm", "publish"], check=True)
    return out


@pytest.fixture(scope="module")
def clone(published, tmp_path_factory) -> Path:
    """A student's fresh clone of the published repository."""
    target = tmp_path_factory.mktemp("clone") / "repo"
    subprocess.run(["git", "clone", "-q", str(published), str(target)], check=True)
    return target


def make_check(repo: Path) -> tuple[str, float, float]:
    """Run the repository's own `make check` with this interpreter; (output, score, maximum)."""
    result = subprocess.run(
        ["make", "-s", "check", f"PY={sys.executable}"], cwd=repo, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    # the stub's metadata asks for Korean feedback (grader.lang), so the total's heading is Korean
    match = re.search(r"^\s+합계\s+([\d.]+) / ([\d.]+)", result.stdout, re.M)
    assert match, result.stdout
    return result.stdout, float(match.group(1)), float(match.group(2))


def test_repository_has_everything_a_student_needs(published):
    for path in [
        "assignments/ch04_learning.ipynb",
        "tests_public/ch04_learning/test_numerical_diff.py",
        "tests_public/ch04_learning/expected.npz",
        "grader/cli.py",
        "courses/ch04_learning/checks.py",
        "dataset/mnist.py",
        "dataset/mnist_5k/train-images-idx3-ubyte.gz",
        "dataset/NOTICE.md",
        "Makefile",
        "pyproject.toml",
        "README.md",
        ".gitignore",
        ".github/workflows/autograde.yml",
        ".github/workflows/feedback-comment.yml",
        "rubrics/ch04_learning.toml",
    ]:
        assert (published / path).is_file(), path
    readme = (published / "README.md").read_text()
    assert "make check" in readme and "from grader import check" in readme
    assert "스스로 점검" in readme and "How to submit" in readme and "feedback" in readme
    assert "@" + "ASSIGNMENT@" not in readme + (published / "Makefile").read_text()


def test_repository_never_holds_instructor_material(published):
    assert not (published / "solutions").exists() and not (published / "tests_hidden").exists()
    assert not (published / "grader" / "tests").exists() and not (published / "grader" / "mutants").exists()
    rubric = load_assignment("ch04_learning", root=published)
    assert all(unit.points["hidden"] == {} for unit in rubric.units)
    assert sum(unit.max_score(("public",)) for unit in rubric.units) == PUBLIC_MAX
    assert rubric.available_suites() == ("public",)
    assert audit_student_repo(published, load_assignment("ch04_learning")) == []


def test_audit_catches_a_planted_solution_line(published, tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(published, copy, ignore=shutil.ignore_patterns(".git"))
    instructor = "\n".join(c.source for c in solution_notebook().cells if c.cell_type == "code")
    line = next(x.strip() for x in instructor.splitlines() if "np.arange(batch_size), t]" in x)
    (copy / "grader" / "notes.py").write_text(f"# {line}\n")
    assert any(
        "instructor-only code" in problem for problem in audit_student_repo(copy, load_assignment("ch04_learning"))
    )


def test_recording_answers_public_calls_and_refuses_unknown_ones(published):
    recorded = recorded_reference_of(published, "ch04_learning")
    assert {n for s in recorded.extraction.snippets for n in s.names} >= {"sigmoid", "sigmoid_grad", "softmax"}
    assert "cross_entropy_error" not in recorded.extraction.names  # the stub is never a substitute
    with pytest.raises(ReferenceFailure, match="ask your instructor"):
        recorded.run(Call("numerical_diff", (1.0, 2.0)))


def test_make_check_in_a_fresh_clone_scores_stub_zero_and_solution_full(clone):
    output, score, maximum = make_check(clone)
    assert (score, maximum) == (0, PUBLIC_MAX)
    assert "이 저장소에는 정답 풀이가 없어" in output  # graded by the clone's own grader, not the kit's (in Korean)
    assert "채점기 내부 오류" not in output and "INTERNAL ERROR" not in output
    stub = nbformat.read(clone / "assignments" / "ch04_learning.ipynb", as_version=4)
    stub.cells += [
        nbformat.v4.new_code_cell(cell.source)
        for cell in solution_notebook().cells
        if cell.cell_type == "code" and INSTRUCTOR_TAG not in cell.metadata.get("tags", [])
    ]
    nbformat.write(stub, clone / "assignments" / "ch04_learning.ipynb")
    output, score, maximum = make_check(clone)
    assert (score, maximum) == (PUBLIC_MAX, PUBLIC_MAX), output
    assert "채점기 내부 오류" not in output and "INTERNAL ERROR" not in output


def test_missing_recording_is_an_internal_error_not_a_score(published, tmp_path):
    copy = tmp_path / "repo"
    shutil.copytree(published, copy, ignore=shutil.ignore_patterns(".git"))
    (copy / "tests_public" / "ch04_learning" / "expected.npz").unlink()
    result = subprocess.run(
        grader_command("grade", "assignments/ch04_learning.ipynb", "--public-only", "--json", "r.json"),
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "채점기 내부 오류" in result.stdout and "ask your instructor" in result.stdout  # the heading in Korean
    report = (copy / "r.json").read_text()
    assert '"outcome": "passed"' not in report and "expected.npz" in report


def test_publishing_into_the_kit_or_a_folder_with_solutions_is_refused(tmp_path):
    from grader.assignment import KIT_ROOT
    from grader.classroom.publish import PublishError

    with pytest.raises(PublishError, match="kit's own checkout"):
        publish_repository(KIT_ROOT, "ch04_learning")
    (tmp_path / "solutions").mkdir()
    with pytest.raises(PublishError, match="never hold"):
        publish_repository(tmp_path, "ch04_learning")


def test_repository_ships_only_the_data_its_rubric_declares(tmp_path):
    from dataclasses import replace

    from grader.classroom.student_repo import StudentRepo, copy_data

    ch04 = load_assignment("ch04_learning")
    assert ch04.data == ("dataset",)
    bare = StudentRepo(tmp_path / "bare", replace(ch04, data=()))
    bare.out.mkdir()
    copy_data(bare)
    assert list(bare.out.iterdir()) == []  # an assignment that declares nothing gets no MNIST
    one_file = StudentRepo(tmp_path / "file", replace(ch04, data=("dataset/NOTICE.md",)))
    one_file.out.mkdir()
    copy_data(one_file)
    shipped = sorted(p.relative_to(one_file.out).as_posix() for p in one_file.out.rglob("*") if p.is_file())
    assert shipped == ["dataset/NOTICE.md"]


@pytest.mark.parametrize(
    ("declared", "complaint"),
    [
        ('"dataset"', "must be a list"),
        ('["../etc"]', "without '..'"),
        ('["/etc"]', "relative"),
    ],
)
def test_rubric_data_must_name_paths_inside_the_kit(tmp_path, declared, complaint):
    from grader.assignment import AssignmentError

    (tmp_path / "rubrics").mkdir()
    (tmp_path / "rubrics" / "demo.toml").write_text(f"[assignment]\ndata = {declared}\n", encoding="utf-8")
    with pytest.raises(AssignmentError, match=complaint):
        load_assignment("demo", root=tmp_path)


def test_publishing_data_that_is_missing_says_what_to_do(tmp_path):
    from dataclasses import replace

    from grader.classroom.publish import PublishError
    from grader.classroom.student_repo import StudentRepo, copy_data

    repo = StudentRepo(tmp_path / "out", replace(load_assignment("ch04_learning"), data=("dataset/not-there",)))
    repo.out.mkdir()
    with pytest.raises(PublishError, match="not-there.*restore it"):
        copy_data(repo)


def test_a_unit_failing_because_of_the_students_own_other_unit_says_so(published, tmp_path):
    """In a student repository TwoLayerNet.loss runs the student's own cross_entropy_error: with that one wrong, the
    loss tests fail too, and their hint names cross_entropy_error (fix it first), not a guess about loss itself."""
    from courses.ch04_learning.mutants.catalogue import MUTANTS
    from grader.mutants.variants import build_notebook
    from grader.pipeline.grade import grade_notebook
    from grader.tests.helpers import write_notebook

    mutant = next(m for m in MUTANTS if m.id == "cee_no_batch_mean")
    path = write_notebook(build_notebook(mutant), tmp_path / "ch04_learning.ipynb")
    recorded = recorded_reference_of(published, "ch04_learning")
    report = grade_notebook(
        path,
        assignment_id="ch04_learning",
        units=["cross_entropy_error", "TwoLayerNet"],
        suites=("public",),
        reference=recorded,
        lang="en",
    )
    tests = {(t.unit, t.name): t for u in report.units for t in u.tests}
    assert tests[("cross_entropy_error", "one_hot_batch")].outcome == "failed"
    loss = tests[("TwoLayerNet", "loss")]
    assert loss.outcome == "failed" and loss.diagnosis == "grader.uses-failing-unit"
    assert "TwoLayerNet uses your cross_entropy_error, which fails its own tests" in loss.message
    assert tests[("TwoLayerNet", "predict")].outcome == "passed"  # predict does not use it: no blame there
    alone = grade_notebook(
        path, assignment_id="ch04_learning", units=["TwoLayerNet"], suites=("public",), reference=recorded
    )
    # graded alone, cross_entropy_error's own tests did not run: nothing is said about it
    assert not [t for u in alone.units for t in u.tests if t.diagnosis == "grader.uses-failing-unit"]


def test_a_students_first_setup_shows_its_steps_and_no_tool_banners(clone):
    """`make setup` in a fresh clone: three numbered steps and 'ready', not pip's or setuptools' chatter."""
    import os

    result = subprocess.run(
        ["make", "-s", "setup", f"PYTHON={sys.executable}"],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    shown = result.stdout + result.stderr
    assert all(step in shown for step in ("1/3", "2/3", "3/3", "ready / 준비됨")), shown
    assert "Editable installation" not in shown and "BuildBackendWarning" not in shown and "!!" not in shown, shown
    assert (clone / ".venv" / ".installed").exists()
