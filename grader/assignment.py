"""An assignment: its notebooks, suites, units and the rubric instructors edit (``rubrics/<id>.toml``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError

KIT_ROOT = Path(__file__).resolve().parent.parent
COURSES = "courses"  # the folder (and package) of course packages: courses/<assignment id>/
SUITES = ("public", "hidden")


class AssignmentError(GraderError):
    """The assignment or its rubric is unknown or inconsistent; the message says where."""


@dataclass(frozen=True)
class Unit:
    """A graded unit, the trusted units it calls, and its tests' points per suite."""

    name: str
    uses: tuple[str, ...]
    points: dict[str, dict[str, float]]  # suite -> test function name -> points

    def max_score(self, suites: tuple[str, ...]) -> float:
        """The unit's maximum over the given suites."""
        return float(sum(sum(self.points.get(suite, {}).values()) for suite in suites))


@dataclass(frozen=True)
class Assignment:
    """Everything the grader needs to know about one assignment."""

    id: str
    root: Path
    title: str
    given: tuple[str, ...]
    units: tuple[Unit, ...]
    rubric_path: Path
    package: str = ""  # the course package (``courses.<id>``): checks, hints, test functions, mutants
    data: tuple[str, ...] = ()  # kit-relative files and folders the notebook reads; a student repository ships them

    @property
    def course_code(self) -> Path:
        """The course package's ``untrusted/`` folder: the only part of the course a worker loads and sees."""
        return self.root.joinpath(*self.package.split(".")) / "untrusted"

    @property
    def student_notebook(self) -> Path:
        """The published stub notebook students fill in."""
        return self.root / "assignments" / f"{self.id}.ipynb"

    @property
    def solution_notebook(self) -> Path:
        """The instructor's notebook with solution regions."""
        return self.root / "solutions" / f"{self.id}.ipynb"

    def suite_dir(self, suite: str) -> Path:
        """The folder of one suite's test files."""
        return self.root / f"tests_{suite}" / self.id

    def available_suites(self) -> tuple[str, ...]:
        """The suites this checkout has (a student repository has no hidden suite)."""
        return tuple(suite for suite in SUITES if self.suite_dir(suite).is_dir())

    def unit(self, name: str) -> Unit:
        """The unit called ``name``; ``TwoLayerNet.predict`` finds ``TwoLayerNet``."""
        for unit in self.units:
            if unit.name == name.split(".", 1)[0]:
                return unit
        known = ", ".join(u.name for u in self.units)
        raise AssignmentError(
            f"{self.id} has no unit {name!r}; its units are {known}",
            ko=f"{self.id}에는 {name!r} 단원이 없습니다 (단원: {known})",
        )

    def hidden_dirs(self) -> list[Path]:
        """Folders a worker must never read."""
        return [self.root / "solutions", self.root / "tests_hidden", self.root / "rubrics"]


def load_assignment(assignment_id: str, root: Path = KIT_ROOT) -> Assignment:
    """Read ``rubrics/<id>.toml`` and check it."""
    path = root / "rubrics" / f"{assignment_id}.toml"
    if not path.is_file():
        known = sorted(p.stem for p in (root / "rubrics").glob("*.toml"))
        listed = ", ".join(known) or "none"
        raise AssignmentError(
            f"unknown assignment {assignment_id!r} (no {path}); known: {listed}",
            ko=f"모르는 과제입니다: {assignment_id!r} ({path} 없음). 있는 과제: {listed}",
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise AssignmentError(f"{path}: {error}", ko=f"{path}: TOML 문법 오류입니다 (위치는 영어 설명 참고)") from None
    units = []
    for name, table in data.get("units", {}).items():
        points = {suite: {test: float(value) for test, value in table.get(suite, {}).items()} for suite in SUITES}
        for suite, tests in points.items():
            bad = [test for test, value in tests.items() if value < 0]
            if bad:
                named = ", ".join(bad)
                raise AssignmentError(
                    f"{path}: negative points for {name}.{suite}: {named}",
                    ko=f"{path}: {name}.{suite}의 점수가 음수입니다: {named}",
                )
        units.append(Unit(name=name, uses=tuple(table.get("uses", [])), points=points))
    meta = data.get("assignment", {})
    return Assignment(
        id=assignment_id,
        root=root,
        title=str(meta.get("title", assignment_id)),
        given=tuple(meta.get("given", [])),
        units=tuple(units),
        rubric_path=path,
        package=str(meta.get("package", f"{COURSES}.{assignment_id}")),
        data=_data_paths(meta.get("data", []), root, path),
    )


def _data_paths(declared: object, root: Path, rubric: Path) -> tuple[str, ...]:
    """The rubric's ``data`` list: paths inside the kit (a student repository copies them as they are)."""
    if not isinstance(declared, list) or not all(isinstance(item, str) for item in declared):
        raise AssignmentError(
            f'{rubric}: [assignment] data must be a list of paths, e.g. data = ["dataset"]',
            ko=f'{rubric}: [assignment] data는 경로의 목록이어야 합니다 (예: data = ["dataset"])',
        )
    paths = []
    for item in declared:
        relative = Path(item)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise AssignmentError(
                f"{rubric}: data path {item!r} must be relative to the kit, without '..'",
                ko=f"{rubric}: data 경로 {item!r}는 키트 기준의 상대 경로여야 하며 '..'을 쓸 수 없습니다",
            )
        paths.append(relative.as_posix())  # whether it exists matters when publishing (a grading copy may lack it)
    return tuple(paths)


def only_assignment(root: Path = KIT_ROOT) -> str:
    """The assignment when the checkout has exactly one; otherwise an error listing them (pass --assignment)."""
    known = known_assignments(root)
    if len(known) == 1:
        return known[0]
    listed = ", ".join(known) or "none"
    raise AssignmentError(
        f"this checkout has {len(known)} assignments ({listed}): pass --assignment ID (or ASSIGNMENT=ID to make)",
        ko=f"이 체크아웃에는 과제가 {len(known)}개 있습니다({listed}): --assignment ID(make에는 ASSIGNMENT=ID)로 고르세요",
    )


def known_assignments(root: Path = KIT_ROOT) -> list[str]:
    """Ids of every assignment with a rubric in this checkout."""
    return sorted(p.stem for p in (root / "rubrics").glob("*.toml"))
