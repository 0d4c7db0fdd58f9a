"""Kit -> a ready student repository: an ordered list of small steps, then an audit for leaks.

The repository holds the student notebook, the public suite with the reference's
answers to it recorded (``expected.npz``), the grader package, a public-only
rubric, a Makefile, a bilingual README and the feedback workflows. It never holds
``solutions/``, ``tests_hidden/``, hidden rubric entries or anything derived from
them: :func:`audit_student_repo` checks that before :func:`publish_repository`
returns.

Over the kit's 400 lines (about 410): one ordered list of small steps on one ``StudentRepo``, each a few lines,
and the leak audit that must stay beside the steps it checks.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from grader.assignment import KIT_ROOT, Assignment, load_assignment
from grader.classroom.publish import BEGIN, END, INSTRUCTOR_TAG, PublishError, render_student_notebook
from grader.pipeline.extract import extract_definitions
from grader.pipeline.grade import grade_notebook
from grader.pipeline.notebook import read_notebook
from grader.pipeline.reference import (
    RecordedReference,
    given_source,
    load_recorded_reference,
    load_solution_reference,
    recording_path,
    save_recording,
)
from grader.pipeline.scoring import GradeReport

TEMPLATE_DIR = KIT_ROOT / "templates" / "student-repo"
PACKAGE_SKIP = {"tests", "mutants", "__pycache__"}  # the kit's tests and mutants hold instructor code
AUDIT_SKIP = {".git", ".venv", "__pycache__"}
PUBLIC_SUITE_SUFFIXES = {".py"}
MIN_LEAK_LINE = 24  # solution lines at least this long (stripped) must not appear in the repository
RECORDING_SEED, CHECK_SEED = 1, 2
# What publish --out leaves in the repository: which assignment, and the notebook as written. A second publish
# into the folder finds it: the same assignment may be refreshed, and a notebook that differs was edited.
MARKER = ".grader-published.json"


def _say(text: str) -> None:
    print(text, file=sys.stderr)


@dataclass(frozen=True)
class StudentRepo:
    """Where a repository is being written, and for which assignment."""

    out: Path
    assignment: Assignment
    force: bool = False  # write into a non-empty folder this command did not write
    say: Callable[[str], None] = field(default=_say)  # what the instructor must know (a notebook kept)


def check_destination(repo: StudentRepo) -> None:
    """Refuse to write into the kit itself or into any folder that holds instructor material."""
    out = repo.out.resolve()
    if out == KIT_ROOT.resolve() or KIT_ROOT.resolve().is_relative_to(out):
        raise PublishError(
            f"--out {repo.out} is the kit's own checkout (or holds it); choose a new folder",
            ko=f"--out {repo.out}은(는) 키트 자신의 체크아웃(또는 그것을 담은 폴더)입니다: 새 폴더를 고르세요",
        )
    for forbidden in ("solutions", "tests_hidden"):
        if (out / forbidden).exists():
            raise PublishError(
                f"{out / forbidden} exists: a student repository must never hold it; use a new folder",
                ko=f"{out / forbidden}이(가) 있습니다: 학생 저장소에는 절대 없어야 하니 새 폴더를 쓰세요",
            )
    if not out.is_dir() or not any(out.iterdir()) or repo.force:
        return
    published = _published(repo)
    if published is None:
        raise PublishError(
            f"{out} is not empty and was not written by publish --out: choose a new folder, or pass --force to "
            "write into it anyway",
            ko=f"{out} 폴더가 비어 있지 않고 publish --out이 만든 폴더도 아닙니다: 새 폴더를 고르거나 --force를 붙이세요",
        )
    if published.get("assignment") != repo.assignment.id:
        raise PublishError(
            f"{out} holds the student repository of {published.get('assignment')!r}, not {repo.assignment.id!r}: "
            "choose a new folder, or pass --force",
            ko=f"{out}에는 다른 과제의 저장소가 있습니다: 새 폴더를 고르거나 --force를 붙이세요",
        )


def _published(repo: StudentRepo) -> dict[str, Any] | None:
    """What the last publish --out into this folder recorded, or None."""
    try:
        data = json.loads((repo.out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_notebook(repo: StudentRepo) -> None:
    """The published stub notebook at ``assignments/<id>.ipynb``; one that was edited since is kept, and said so.

    A notebook that differs from what the last publish wrote is someone's work (a student's, in their
    repository): the new stub goes beside it as ``<id>.published.ipynb``, never over it, even with --force.
    """
    path = repo.out / "assignments" / f"{repo.assignment.id}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    stub = render_student_notebook(repo.assignment)
    if path.exists():
        written = (_published(repo) or {}).get("notebook_sha256")
        current = _digest(path.read_text(encoding="utf-8", errors="replace"))
        if current not in (written, _digest(stub)):
            beside = path.with_suffix(".published.ipynb")
            beside.write_text(stub, encoding="utf-8")
            repo.say(
                f"kept {path}: it was edited since it was published; the new stub is {beside} / 수정된 노트북 {path}은(는) "
                f"그대로 두고, 새로 만든 노트북은 {beside}에 썼습니다"
            )
            return
    path.write_text(stub, encoding="utf-8")


def write_marker(repo: StudentRepo) -> None:
    """Record the assignment and the notebook as published (the next publish --out reads it)."""
    notebook = repo.out / "assignments" / f"{repo.assignment.id}.ipynb"
    stub = render_student_notebook(repo.assignment)
    kept = notebook.exists() and notebook.read_text(encoding="utf-8", errors="replace") != stub
    previous = (_published(repo) or {}).get("notebook_sha256") if kept else None
    record = {"assignment": repo.assignment.id, "notebook_sha256": previous or _digest(stub)}
    (repo.out / MARKER).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def copy_public_suite(repo: StudentRepo) -> None:
    """The public test files (a fresh folder: files removed from the kit disappear here too)."""
    target = repo.out / "tests_public" / repo.assignment.id
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for source in sorted(repo.assignment.suite_dir("public").iterdir()):
        if source.is_file() and source.suffix in PUBLIC_SUITE_SUFFIXES:
            shutil.copyfile(source, target / source.name)


def copy_grader_package(repo: StudentRepo) -> None:
    """The grader package without the kit's own tests (they read solutions/)."""
    target = repo.out / "grader"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(KIT_ROOT / "grader", target, ignore=shutil.ignore_patterns(*PACKAGE_SKIP, "*.pyc"))


def copy_course_package(repo: StudentRepo) -> None:
    """This assignment's course package (checks, hints, test functions), without its mutant catalogue."""
    parts = repo.assignment.package.split(".")
    target_root = repo.out / parts[0]
    shutil.rmtree(target_root, ignore_errors=True)
    source = KIT_ROOT.joinpath(*parts)
    shutil.copytree(source, repo.out.joinpath(*parts), ignore=shutil.ignore_patterns(*PACKAGE_SKIP, "*.pyc"))
    for depth in range(1, len(parts)):  # the packages above it: their __init__.py only
        marker = KIT_ROOT.joinpath(*parts[:depth], "__init__.py")
        if marker.is_file():
            shutil.copyfile(marker, repo.out.joinpath(*parts[:depth], "__init__.py"))


def copy_data(repo: StudentRepo) -> None:
    """The files and folders the rubric's ``data`` declares (for ch04: MNIST and its loader), at the same paths."""
    for item in repo.assignment.data:
        source, target = repo.assignment.root / item, repo.out / item
        if not source.exists():
            raise PublishError(
                f"{repo.assignment.rubric_path.name} declares data {item!r}, which is not in {repo.assignment.root}; "
                "restore it (git checkout) or remove it from [assignment] data",
                ko=f"{repo.assignment.rubric_path.name}의 data {item!r}이(가) {repo.assignment.root}에 없습니다: "
                "되살리거나(git checkout) [assignment] data에서 빼세요",
            )
        if source.is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def write_public_rubric(repo: StudentRepo) -> None:
    """``rubrics/<id>.toml`` with the assignment table and only the public points of every unit."""
    data = tomllib.loads(repo.assignment.rubric_path.read_text(encoding="utf-8"))
    meta = data.get("assignment", {})
    lines = [
        f"# The public part of the {repo.assignment.id} rubric, written by `python -m grader publish --out`.",
        "# Your grade also counts hidden tests, graded by the course.",
        "",
        "[assignment]",
        f"title = {_toml_string(str(meta.get('title', repo.assignment.id)))}",
        f"given = [{', '.join(_toml_string(str(name)) for name in meta.get('given', []))}]",
        f"package = {_toml_string(repo.assignment.package)}",
        f"data = [{', '.join(_toml_string(item) for item in repo.assignment.data)}]",
    ]
    for unit in repo.assignment.units:
        lines += [
            "",
            f"[units.{unit.name}]",
            f"uses = [{', '.join(_toml_string(u) for u in unit.uses)}]",
            f"[units.{unit.name}.public]",
        ]
        lines += [f"{test} = {points:g}" for test, points in unit.points.get("public", {}).items()]
    path = repo.out / "rubrics" / f"{repo.assignment.id}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_recording(repo: StudentRepo) -> None:
    """Record the reference's answers to the public suite, then prove the recording grades the solution fully."""
    assignment = repo.assignment
    reference = load_solution_reference(assignment)
    report = grade_notebook(
        assignment.solution_notebook,
        assignment_id=assignment.id,
        suites=("public",),
        reference=reference,
        grading_seed=RECORDING_SEED,
    )
    _require_full_marks(report, "the instructor's solution on the public suite")
    published = extract_definitions(read_notebook(repo.out / "assignments" / f"{assignment.id}.ipynb"))
    path = recording_path(load_assignment(assignment.id, root=repo.out))
    save_recording(path, reference._answers, given_source(published, assignment.given), assignment.id)
    recorded = load_recorded_reference(load_assignment(assignment.id, root=repo.out))
    report = grade_notebook(
        assignment.solution_notebook,
        assignment_id=assignment.id,
        suites=("public",),
        reference=recorded,
        grading_seed=CHECK_SEED,
    )
    _require_full_marks(report, f"the instructor's solution against the recorded answers in {path.name}")


def _require_full_marks(report: GradeReport, what: str) -> None:
    if report.internal_errors or report.score != report.max_score:
        failing = [
            f"{u.name}.{t.name}: {t.message[:200]}" for u in report.units for t in u.tests if t.outcome != "passed"
        ]
        raise PublishError(
            f"{what} scored {report.score:g} / {report.max_score:g}; fix this before publishing: "
            + "; ".join(report.internal_errors[:3] + failing[:5]),
            ko=f"{what}의 점수가 {report.score:g} / {report.max_score:g}입니다: 배포하기 전에 고치세요",
        )


def write_project_files(repo: StudentRepo) -> None:
    """README, Makefile, pyproject.toml, .gitignore and the workflows, from ``templates/student-repo``."""
    # The template stays valid TOML (ruff reads it as a project file): lists are filled in whole.
    values = {
        "@ASSIGNMENT@": repo.assignment.id,
        "@TITLE@": repo.assignment.title,
        "dependencies = []  # @DEPENDENCIES@: the kit's runtime dependencies, filled in when publishing": f"dependencies = [\n{_dependencies()}\n]",
        "packages = []  # @PACKAGES@: the grader's packages and this assignment's course package, filled in "
        "when publishing": f"packages = {_packages(repo.out)}",
        "@PUBLIC_MAX@": f"{_public_max(repo.assignment):g}",
        "@FIRST_UNIT@": repo.assignment.units[0].name,
    }
    for source in sorted(TEMPLATE_DIR.rglob("*")):
        if not source.is_file():
            continue
        relative = source.relative_to(TEMPLATE_DIR)
        target = repo.out / str(relative).replace("dot-", ".", 1)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        target.write_text(text, encoding="utf-8")


def _dependencies() -> str:
    """The kit's runtime dependencies, as TOML list items."""
    project = tomllib.loads((KIT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return "\n".join(f"    {_toml_string(dependency)}," for dependency in project["dependencies"])


def _packages(out: Path) -> str:
    """Every Python package copied into the repository (folders with an __init__.py), as a TOML list."""
    names = sorted(
        ".".join(init.parent.relative_to(out).parts)
        for init in out.rglob("__init__.py")
        if init.parent.relative_to(out).parts[0] in ("grader", "courses")
    )
    return "[" + ", ".join(_toml_string(name) for name in names) + "]"


def _public_max(assignment: Assignment) -> float:
    return sum(unit.max_score(("public",)) for unit in assignment.units)


# NB: the notebook comes before the recording, whose given helpers are read from it; the audit comes last.
STEPS = (
    check_destination,
    write_notebook,
    copy_public_suite,
    copy_grader_package,
    copy_course_package,
    copy_data,
    write_public_rubric,
    write_recording,
    write_project_files,
    write_marker,
)


def publish_repository(
    out: Path, assignment_id: str, *, force: bool = False, say: Callable[[str], None] = _say
) -> Path:
    """Write a student repository into ``out`` and audit it; returns ``out``.

    ``out`` must be new, empty, or a repository this command wrote for the same assignment (``force`` lifts
    that); a student's edited notebook there is never overwritten.
    """
    repo = StudentRepo(out, load_assignment(assignment_id), force, say)
    repo.out.mkdir(parents=True, exist_ok=True)
    for step in STEPS:
        step(repo)
    problems = audit_student_repo(out, repo.assignment)
    if problems:
        raise PublishError(
            f"the repository in {out} would leak instructor material: " + "; ".join(problems),
            ko=f"{out}의 저장소가 교수자 자료를 드러냅니다: 위의 항목을 빼세요",
        )
    return out


def audit_student_repo(out: Path, assignment: Assignment) -> list[str]:
    """What in ``out`` comes from solutions/, tests_hidden/ or hidden rubric entries (empty: nothing)."""
    problems = [f"{name}/ exists" for name in ("solutions", "tests_hidden") if (out / name).exists()]
    secret_lines = _solution_lines(assignment) | _hidden_suite_lines(assignment)
    hidden_tests = {test for unit in assignment.units for test in unit.points.get("hidden", {})}
    public_tests = {test for unit in assignment.units for test in unit.points.get("public", {})}
    hidden_only = hidden_tests - public_tests
    for path in sorted(p for p in out.rglob("*") if p.is_file() and not AUDIT_SKIP & set(p.relative_to(out).parts)):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary: the recording holds only public answers, checked by construction
        relative = path.relative_to(out)
        if any(line.strip() in (BEGIN, END) for line in text.splitlines()):
            problems.append(f"{relative} contains a solution marker")
        leaked = sorted(line for line in secret_lines if line in text)
        if leaked:
            problems.append(f"{relative} contains instructor-only code: {leaked[0]!r}")
        if relative.parts[0] == "rubrics" and any(f"{test} =" in text for test in hidden_only):
            problems.append(f"{relative} lists hidden tests")
        if relative.parts[0] == "rubrics" and ".hidden]" in text:
            problems.append(f"{relative} has a hidden table")
    return problems


def _solution_lines(assignment: Assignment) -> set[str]:
    """Distinctive lines inside the instructor notebook's solution regions and instructor-only cells."""
    notebook = nbformat.read(assignment.solution_notebook, as_version=4)
    student = render_student_notebook(assignment) + _public_text(assignment)
    lines: set[str] = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        instructor = INSTRUCTOR_TAG in cell.get("metadata", {}).get("tags", [])
        inside = False
        for line in cell.source.splitlines():
            marker = line.strip()
            inside = (inside or marker == BEGIN) and marker != END
            if (inside or instructor) and len(marker) >= MIN_LEAK_LINE and marker not in student:
                lines.add(marker)
    return lines


def _hidden_suite_lines(assignment: Assignment) -> set[str]:
    """Distinctive lines of the hidden suite that the public suite does not share."""
    hidden_dir = assignment.suite_dir("hidden")
    if not hidden_dir.is_dir():
        return set()
    public = _public_text(assignment)
    lines = set()
    for path in hidden_dir.glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            marker = line.strip()
            if len(marker) >= MIN_LEAK_LINE and marker not in public:
                lines.add(marker)
    return lines


def _public_text(assignment: Assignment) -> str:
    """What students may see anyway: the public suite and the course's hints (shown on failures)."""
    course = assignment.root.joinpath(*assignment.package.split("."))
    shipped = [path for path in course.rglob("*.py") if "mutants" not in path.relative_to(course).parts]
    files = sorted(assignment.suite_dir("public").glob("*.py")) + sorted(shipped)
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def recorded_reference_of(out: Path, assignment_id: str) -> RecordedReference:
    """The recorded reference of a published repository (for tests and for instructors checking one)."""
    return load_recorded_reference(load_assignment(assignment_id, root=out))
