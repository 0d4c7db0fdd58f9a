"""A course's deadline and late policy, as plain data: when work is due, which commit counts, what lateness costs.

No I/O here. The regrade (:mod:`grader.classroom.regrade`) finds each student's commits and their times;
this module decides which one is the submission and how many percent its score loses:

- ``none``: no late penalty; the branch as it is when the regrade fetches it is graded, its time recorded;
- ``cutoff``: the last push before the deadline (with the student's extension) is the submission; anything
  pushed later is not looked at;
- ``per-day:P:C`` / ``per-hour:P:C``: the branch as fetched is graded; pushed after the deadline it loses
  P percent of its score per started day (hour) late, at most C percent (C = 100: nothing after C/P units).

Times are GitHub's own push times where the regrade can read them (the repository's activity), and the
commit's date otherwise, which the student's clock sets: every result says which (``evidence``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from grader.errors import GraderError

KINDS = ("none", "cutoff", "per-day", "per-hour")
_UNIT_SECONDS = {"per-day": 86_400, "per-hour": 3_600}
_EXTENSION = re.compile(r"^\+(\d+(?:\.\d+)?)([hd])$")


class DeadlineError(GraderError, ValueError):
    """A deadline, policy or extension that cannot be read; the message shows the form expected. A misuse of the
    command line (exit status 2) or, from a roster's extension, one student's fetch problem."""


@dataclass(frozen=True)
class LatePolicy:
    """What lateness costs: ``kind`` of KINDS; ``percent`` per started unit late, at most ``cap`` percent."""

    kind: str = "none"
    percent: float = 0.0
    cap: float = 0.0

    @property
    def grades_last_push_before_deadline(self) -> bool:
        """True when only what was pushed before the deadline is looked at."""
        return self.kind == "cutoff"

    def penalty(self, late_seconds: float) -> float:
        """Percent of the score lost for being ``late_seconds`` late (0 when on time)."""
        if late_seconds <= 0 or self.kind not in _UNIT_SECONDS:
            return 0.0
        units = math.ceil(late_seconds / _UNIT_SECONDS[self.kind])
        return min(units * self.percent, self.cap)

    def describe(self) -> str:
        """The policy in Korean and English, for the class report, the gradebook and the student README."""
        if self.kind == "none":
            return (
                "감점 없음: 재채점 때의 브랜치를 채점 / no late penalty: the branch as the regrade finds it is graded"
            )
        if self.kind == "cutoff":
            return (
                "마감 전 마지막 푸시만 채점 (늦은 푸시는 보지 않음) / hard cutoff: the last push before the deadline "
                "is graded, later pushes are not looked at"
            )
        unit_ko, unit_en = ("일", "day") if self.kind == "per-day" else ("시간", "hour")
        return (
            f"늦은 {unit_ko}마다 {self.percent:g}% 감점, 최대 {self.cap:g}% / {self.percent:g}% off per started "
            f"{unit_en} late, at most {self.cap:g}%"
        )


def parse_policy(text: str) -> LatePolicy:
    """``none``, ``cutoff``, ``per-day:P:C`` or ``per-hour:P:C`` (P percent per unit, at most C percent)."""
    kind, *numbers = (part.strip() for part in text.strip().split(":"))
    if kind not in KINDS:
        raise DeadlineError(
            f"late policy {text!r}: expected none, cutoff, per-day:P:C or per-hour:P:C",
            ko=f"지각 규칙 {text!r}: none, cutoff, per-day:P:C, per-hour:P:C 중 하나여야 합니다",
        )
    if kind in ("none", "cutoff"):
        if numbers:
            raise DeadlineError(
                f"late policy {text!r}: {kind} takes no numbers",
                ko=f"지각 규칙 {text!r}: {kind}에는 숫자를 붙이지 않습니다",
            )
        return LatePolicy(kind)
    try:
        percent, cap = (float(n) for n in numbers)
    except ValueError:
        raise DeadlineError(
            f"late policy {text!r}: expected {kind}:P:C, e.g. {kind}:10:50",
            ko=f"지각 규칙 {text!r}: {kind}:P:C 꼴이어야 합니다 (예: {kind}:10:50)",
        ) from None
    if not (0 < percent <= 100 and 0 < cap <= 100):
        raise DeadlineError(
            f"late policy {text!r}: P and C are percentages between 0 and 100",
            ko=f"지각 규칙 {text!r}: P와 C는 0보다 크고 100 이하인 백분율입니다",
        )
    return LatePolicy(kind, percent, cap)


def parse_time(text: str, what: str = "deadline") -> datetime:
    """An ISO 8601 time with its UTC offset (``2026-12-14T23:59:00+09:00``); a time without one is refused."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise DeadlineError(
            f"{what} {text!r}: expected an ISO time with its offset, e.g. 2026-12-14T23:59+09:00",
            ko=f"{what} {text!r}: UTC 오프셋이 있는 ISO 시각이어야 합니다 (예: 2026-12-14T23:59+09:00)",
        ) from None
    if moment.tzinfo is None:
        raise DeadlineError(
            f"{what} {text!r} has no UTC offset: write it, e.g. 2026-12-14T23:59+09:00 (KST)",
            ko=f"{what} {text!r}에 UTC 오프셋이 없습니다: 2026-12-14T23:59+09:00 (KST)처럼 쓰세요",
        )
    return moment


def due_for(deadline: datetime, extension: str) -> datetime:
    """The deadline of one student: the course's, or their extension (``+48h``, ``+2d`` or an ISO time)."""
    extension = extension.strip()
    if not extension:
        return deadline
    if match := _EXTENSION.match(extension):
        amount, unit = float(match[1]), match[2]
        return deadline + timedelta(hours=amount if unit == "h" else 24 * amount)
    moment = parse_time(extension, "extension")
    if moment < deadline:
        raise DeadlineError(
            f"extension {extension!r} is before the course's deadline {deadline.isoformat()}",
            ko=f"연장 기한 {extension!r}이(가) 과목의 마감 {deadline.isoformat()}보다 이릅니다",
        )
    return moment


@dataclass(frozen=True)
class Push:
    """A state of the student's branch: the commit it pointed to, from when, and how that time is known."""

    commit: str
    at: datetime
    evidence: str  # "push": GitHub's record of the push; "commit-date": the commit's own date (the student's clock)


def submission(pushes: list[Push], due: datetime, policy: LatePolicy) -> Push | None:
    """The push that is the submission: the last before ``due`` (cutoff), else the last of all; None if none."""
    ordered = sorted(pushes, key=lambda push: push.at)
    if policy.grades_last_push_before_deadline:
        ordered = [push for push in ordered if push.at <= due]
    return ordered[-1] if ordered else None


def late_record(push: Push, due: datetime, policy: LatePolicy) -> dict[str, Any]:
    """What the results and the gradebook keep about one submission's time (plain JSON data)."""
    late_seconds = max((push.at - due).total_seconds(), 0.0)
    return {
        "commit": push.commit,
        "submitted_at": push.at.isoformat(),
        "evidence": push.evidence,
        "due": due.isoformat(),
        "late_seconds": late_seconds,
        "penalty_percent": policy.penalty(late_seconds),
        "policy": policy.kind,
    }


def penalised(score: float, penalty_percent: float) -> float:
    """The score after the late penalty, rounded as the report rounds sums."""
    return round(score * (1 - penalty_percent / 100), 6)
