"""The regrade's roster: who is graded and from which repository, read from a CSV and checked line by line.

Either the kit's own ``student,repository[,url][,ref][,extension]`` rows or GitHub Classroom's roster export
(``identifier, github_username, …``) with ``--classroom-repos OWNER/PREFIX``. Every id, repository name and
extension is checked here, before anything is fetched, and a wrong line is named in Korean and English.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grader.classroom import deadline as deadlines
from grader.classroom import students
from grader.errors import GraderError

_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


class RegradeError(GraderError):
    """The roster or a stage's input is wrong; the message names the line or file."""


@dataclass(frozen=True)
class RosterEntry:
    """One student: id, GitHub repository (owner/name), and optionally where to clone from, which ref, and
    an extension of the deadline (``+48h``, ``+2d`` or an ISO time). An empty repository: a GitHub Classroom
    student who has not accepted the assignment (recorded as not graded)."""

    student: str
    repository: str
    url: str = ""
    ref: str = ""
    extension: str = ""


# GitHub Classroom's roster export: identifier, github_username, github_id, name.
CLASSROOM_COLUMNS = {"identifier", "github_username"}
NOT_ACCEPTED = "no GitHub account is linked to this student in the Classroom roster (the assignment was not accepted)"
NOT_ACCEPTED_KO = "Classroom 명단에서 이 학생에게 연결된 GitHub 계정이 없습니다 (과제를 수락하지 않음)"


def read_roster(path: Path, classroom_repos: str | None = None) -> list[RosterEntry]:
    """``student,repository[,url][,ref][,extension]`` rows, or GitHub Classroom's export with
    ``classroom_repos`` = ``owner/prefix`` (its repositories are ``owner/prefix-<github_username>``);
    every id and name checked."""
    try:
        return _roster_entries(path, classroom_repos)
    except (UnicodeDecodeError, csv.Error) as error:  # found by fuzzing: bytes that are not UTF-8, a huge field
        raise RegradeError(
            f"{path}: not a UTF-8 CSV roster ({type(error).__name__}: {str(error)[:200]})",
            ko=f"{path}: UTF-8 CSV 명단이 아닙니다",
        ) from None


def _roster_entries(path: Path, classroom_repos: str | None) -> list[RosterEntry]:
    entries, seen = [], set()
    with open(path, newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream)
        classroom = CLASSROOM_COLUMNS <= set(reader.fieldnames or ())
        if classroom and not classroom_repos:
            raise RegradeError(
                f"{path} is a GitHub Classroom roster: pass --classroom-repos OWNER/PREFIX (its repositories are "
                "named PREFIX-<github_username>, e.g. --classroom-repos dl-course/ch04-learning)",
                ko=f"{path}은(는) GitHub Classroom 명단입니다: --classroom-repos OWNER/PREFIX를 주세요 (저장소 이름은 "
                "PREFIX-<github_username>)",
            )
        for line, row in enumerate(reader, start=2):
            where = f"{path}:{line}"
            student, repository = _classroom_row(row, classroom_repos, where) if classroom else _plain_row(row)
            try:
                student = students.checked(student, where)
            except students.StudentIdError as error:
                raise RegradeError(error.en, ko=error.ko) from None
            if repository and not _REPOSITORY.match(repository):
                raise RegradeError(
                    f"{where}: repository {repository!r} must be owner/name",
                    ko=f"{where}: 저장소 {repository!r}는 owner/name 꼴이어야 합니다",
                )
            if not repository and not classroom:
                raise RegradeError(
                    f"{where}: repository is empty; write owner/name",
                    ko=f"{where}: 저장소가 비어 있습니다: owner/name을 쓰세요",
                )
            if student in seen:
                raise RegradeError(
                    f"{where}: student {student} is listed twice", ko=f"{where}: 학생 {student}이(가) 두 번 나옵니다"
                )
            seen.add(student)
            extension = (row.get("extension") or "").strip()
            if extension:
                try:
                    deadlines.due_for(datetime(2000, 1, 1, tzinfo=UTC), extension)  # its form; the date comes later
                except deadlines.DeadlineError as error:
                    raise RegradeError(f"{where}: {error.en}", ko=f"{where}: {error.ko}") from None
            url, ref = (row.get("url") or "").strip(), (row.get("ref") or "").strip()
            entries.append(RosterEntry(student, repository, url, ref, extension))
    return entries


def _plain_row(row: dict[str, Any]) -> tuple[str, str]:
    return (row.get("student") or "").strip(), (row.get("repository") or "").strip()


def _classroom_row(row: dict[str, Any], classroom_repos: str | None, where: str) -> tuple[str, str]:
    """(student id, repository) of a Classroom export row: the identifier when it is a valid id, else the
    GitHub username; no repository when no account is linked yet."""
    owner, _, prefix = (classroom_repos or "").partition("/")
    if not owner or not prefix:
        raise RegradeError(
            f"--classroom-repos {classroom_repos!r}: expected OWNER/PREFIX, e.g. dl-course/ch04-learning",
            ko=f"--classroom-repos {classroom_repos!r}: OWNER/PREFIX 꼴이어야 합니다 (예: dl-course/ch04-learning)",
        )
    identifier, username = (row.get("identifier") or "").strip(), (row.get("github_username") or "").strip()
    student = identifier if students.is_valid(students.normalise(identifier)) else username
    if not student:
        raise RegradeError(
            f"{where}: neither identifier nor github_username is a student id ({students.RULE})",
            ko=f"{where}: identifier도 github_username도 학생 id가 아닙니다 ({students.RULE_KO})",
        )
    return student, f"{owner}/{prefix}-{username}" if username else ""
