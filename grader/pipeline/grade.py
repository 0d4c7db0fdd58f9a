"""One grading run, start to end: notebook -> extraction -> pytest with the grading plugin -> GradeReport."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NoReturn

from grader import sandbox
from grader.assignment import Assignment, AssignmentError, known_assignments, load_assignment
from grader.pipeline import deadline, reasons
from grader.pipeline.checks import Text
from grader.pipeline.collected import collected_suites
from grader.pipeline.extract import Extraction, extract_definitions
from grader.pipeline.inert import one_line
from grader.pipeline.ipython_syntax import import_ipython
from grader.pipeline.notebook import NotebookError, notebook_metadata, read_notebook
from grader.pipeline.outcomes import Ending, Outcome, Suite
from grader.pipeline.reference import (
    RecordedReference,
    Reference,
    ReferenceFailure,
    load_reference,
    substitute_source,
    use_course,
)
from grader.pipeline.scoring import GradeReport, TestResult, UnitScore
from grader.pipeline.session import GradingSession

LANGUAGES = ("ko", "en", "both")
# Reading and extracting one notebook, in the trusted process before any worker runs. The size bounds of
# grader.pipeline.notebook keep a real notebook far below this (bench/extraction.py: a few seconds per MiB of code).
TRUSTED_SECONDS = float(os.environ.get("GRADER_TRUSTED_SECONDS") or 30.0)  # set by the course staff, never a student
TOO_SLOW = Text(
    "{name} ({size}): 이 노트북을 읽고 코드를 골라내는 데 {seconds:g}초가 넘게 걸려 채점하지 않았습니다. 코드 셀이 "
    "너무 크거나 복잡합니다(아주 긴 줄, 수많은 ! 또는 % 줄). 과제와 상관없는 코드를 지우고 다시 제출하세요.",
    "{name} ({size}): reading this notebook and selecting its code took over {seconds:g} s, so it was not graded: its code cells are "
    "too large or too complex (very long lines, very many ! or % lines). Remove the code that is not part of the "
    "assignment and submit again.",
)
RECORDED_NOTE = Text(
    "이 저장소에는 정답 풀이가 없어 공개 테스트의 기대값은 과제를 배포할 때 기록된 값입니다. 한 단위가 부르는 다른 "
    "단위는 여기서는 여러분의 코드가 쓰이므로 실수 하나가 여러 단위에서 점수를 잃을 수 있습니다. 과목의 채점에서는 "
    "참조 구현으로 바뀝니다.",
    "This repository has no solutions: expected values are the answers recorded when the "
    "assignment was published. The other units a unit calls are your own code here, so one mistake can cost points "
    "in more than one unit; the course's grading substitutes the reference versions.",
)

INTERNAL = Text("채점기 내부 오류(학생 잘못이 아님)", "internal error in the grader")
NOT_RECORDED = Text("이 테스트의 결과가 기록되지 않았습니다.", "no result was recorded for this test")
# English first, in every language: the class report still finds these tests by this prefix until it reads
# the result's ``ending`` ("not-run") instead.
NOT_RUN = "the notebook could not be graded (see errors) / 노트북을 읽을 수 없어 채점하지 못했습니다(오류 참고)"


class Unreadable(str):
    """Why a notebook cannot be graded: the message in both languages (a str, as callers print it), the same
    message as :class:`Text` for a report in one language, and its reason code."""

    reason: str = reasons.UNKNOWN
    text: Text = Text("", "")

    @classmethod
    def of(cls, text: Text, reason: str) -> Unreadable:
        """The message, carrying one of grader.pipeline.reasons' codes."""
        unreadable = cls(text.render("both"))
        unreadable.reason, unreadable.text = reason, text
        return unreadable


def claimed_assignments(notebook_path: Path, notebook: object) -> tuple[object, list[str]]:
    """What a notebook says it is: its metadata ``grader.assignment`` (any value, None when absent) and the
    known ids its file name contains."""
    from_metadata = notebook_metadata(notebook, "assignment") if notebook is not None else None
    return from_metadata, [known for known in known_assignments() if known in notebook_path.stem]


def guess_assignment(notebook_path: Path, notebook: object) -> str:
    """The assignment when nobody configured one: the file name and the metadata must agree (either alone is
    enough). Otherwise AssignmentError, one line in Korean and English, saying to pass --assignment."""
    from_metadata, from_name = claimed_assignments(notebook_path, notebook)
    shown = one_line(repr(from_metadata), 80)  # the notebook's own text: bounded, on one line
    name = notebook_path.name
    if len(from_name) > 1:
        why = f"its file name names {len(from_name)} assignments ({', '.join(from_name)})"
        return _cannot_guess(name, why, "파일 이름에 과제가 여럿")
    if from_metadata is not None and from_name and from_metadata != from_name[0]:
        why = f"its file name says {from_name[0]} but its metadata grader.assignment says {shown}"
        return _cannot_guess(name, why, "파일 이름과 메타데이터가 서로 다른 과제")
    if from_name:
        return from_name[0]
    if isinstance(from_metadata, str) and from_metadata in known_assignments():
        return from_metadata
    if from_metadata is not None:
        why = f"its metadata grader.assignment says {shown}, not a known assignment"
        return _cannot_guess(name, why, "메타데이터의 과제를 모름")
    return _cannot_guess(name, "neither its file name nor its metadata names an assignment", "과제 이름이 없음")


def _cannot_guess(name: str, why: str, korean: str) -> NoReturn:
    known, name = ", ".join(known_assignments()), one_line(name, 200)
    raise AssignmentError(
        f"Cannot tell which assignment {name} is: {why}; pass --assignment ID ({known})",
        ko=f"{name}: 어느 과제인지 정할 수 없습니다({korean}). --assignment ID로 과제를 지정하세요({known}).",
    )


def metadata_disagrees(configured: str, notebook: object) -> Text | None:
    """A notebook problem when the metadata names another assignment than the one course staff configured."""
    from_metadata = notebook_metadata(notebook, "assignment") if notebook is not None else None
    if from_metadata is None or from_metadata == configured:
        return None
    shown = one_line(repr(from_metadata), 80)
    return Text(
        f"노트북 메타데이터(grader.assignment)는 {shown} 과제라고 하지만 이 채점에 지정된 과제 {configured}(으)로 "
        f"채점했습니다. 다른 과제의 노트북을 제출했다면 맞는 노트북을 다시 제출하세요.",
        f"The notebook's metadata "
        f"(grader.assignment) says {shown}, but it was graded as {configured}, the assignment this grading is set "
        "up for. If you submitted another assignment's notebook, submit the right one.",
    )


def _worker_start(isolation: sandbox.Isolation, run: sandbox.RunState) -> str:
    """How this submission's workers were started: "fork-server", "fork-in-sandbox" or "exec".

    Under bubblewrap a submission whose sandbox could not be started (or whose server died) had its workers
    exec'd, each in a sandbox of its own; the report says so rather than what the machine would normally do.
    """
    if not isolation.fork_server:
        return "exec"
    if not isolation.namespaces:
        return "fork-server"
    return "exec" if run.sandbox_unavailable else "fork-in-sandbox"


def grade_notebook(
    notebook_path: Path,
    *,
    assignment_id: str | None = None,
    units: list[str] | None = None,
    lang: str = "both",
    suites: tuple[str, ...] | None = None,
    limits: sandbox.Limits | None = None,
    grading_seed: int | None = None,
    reference: Reference | RecordedReference | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> GradeReport:
    """Grade one notebook. Raises AssignmentError only for misuse (unknown assignment or unit).

    ``progress`` is told (tests done, tests in all, unit) after every test.
    """
    notebook, extraction, unreadable = read_and_extract(notebook_path)
    # Configured (--assignment: batch, ci, regrade, Gradescope, a student repository's make) wins over anything
    # the notebook says; only when nobody configured one is it guessed, and then name and metadata must agree.
    disagreement = metadata_disagrees(assignment_id, notebook) if assignment_id else None
    assignment = load_assignment(assignment_id or guess_assignment(notebook_path, notebook))
    selected = _select_units(assignment, units)
    suites = suites or assignment.available_suites()
    sandbox.require_confinement()  # before anything of the student's is read further, let alone run
    if unreadable is not None:
        report = _report_without_running(assignment, notebook_path, selected, suites, lang, [unreadable.text])
        report.ungradable = unreadable.reason
        return report
    assert extraction is not None  # read_and_extract gives an extraction or why there is none
    try:
        report = _run_suites(
            assignment, notebook_path, extraction, selected, suites, lang, limits, grading_seed, reference, progress
        )
        report.errors[:0] = (
            [disagreement.render(lang)] if disagreement else []
        )  # first: it may explain every other problem
        return report
    except ReferenceFailure as error:  # no reference answers here: never a wrong score, an internal error
        report = _report_without_running(assignment, notebook_path, selected, suites, lang, extraction.errors)
        report.internal_errors.append(str(error))
        return report
    except Exception:  # noqa: BLE001  a bug in the kit: still write a report, marked loudly
        report = _report_without_running(assignment, notebook_path, selected, suites, lang, extraction.errors)
        report.internal_errors.append(INTERNAL.render(lang) + ":\n" + traceback.format_exc(limit=8))
        return report


def read_and_extract(
    notebook_path: Path, seconds: float | None = None
) -> tuple[object, Extraction | None, Unreadable | None]:
    """(notebook, extraction, None), or what could be read and why grading cannot go on, within ``seconds``."""
    seconds = TRUSTED_SECONDS if seconds is None else seconds
    notebook = None
    import_readers()
    try:
        with deadline.time_limit(seconds):
            notebook = read_notebook(notebook_path)
            return notebook, extract_definitions(notebook), None
    except NotebookError as error:
        return None, None, Unreadable.of(Text(error.ko or error.en, error.en), error.reason)
    except deadline.DeadlineExceeded:
        size = f"{notebook_path.stat().st_size / 2**20:.2f} MiB"
        facts = {"name": notebook_path.name, "size": size, "seconds": seconds}
        message = Text(TOO_SLOW.ko.format(**facts), TOO_SLOW.en.format(**facts))
        return notebook, None, Unreadable.of(message, reasons.TOO_SLOW)


def import_readers() -> None:
    """Import what reads a notebook (nbformat, IPython's transformer) outside the trusted time limit: a first
    import the deadline interrupts stays half-done in ``sys.modules`` and breaks every later notebook."""
    import nbformat  # noqa: F401

    import_ipython()


def _select_units(assignment: Assignment, units: list[str] | None) -> tuple[str, ...]:
    if not units:
        return tuple(unit.name for unit in assignment.units)
    return tuple(dict.fromkeys(assignment.unit(name).name for name in units))


def _run_suites(
    assignment: Assignment,
    notebook_path: Path,
    extraction: Extraction,
    selected: tuple[str, ...],
    suites: tuple[str, ...],
    lang: str,
    limits: sandbox.Limits | None,
    grading_seed: int | None,
    reference: Reference | RecordedReference | None,
    progress: Callable[[int, int, str], None] | None = None,
) -> GradeReport:
    use_course(assignment)  # a reference passed in (batch, mutants) was loaded for the same course
    reference = reference or load_reference(assignment)
    isolation = sandbox.detect_isolation()
    sandbox.warm_up(isolation)
    session = GradingSession(
        assignment=assignment,
        extraction=extraction,
        reference=reference,
        substitutes={unit.name: _substitutes(assignment, reference, unit.name) for unit in assignment.units},
        units=selected,
        limits=limits or sandbox.Limits(),
        isolation=isolation,
        lang=lang,
        suites=tuple(suites),
        progress=progress,
    )
    if grading_seed is not None:
        session.grading_seed = grading_seed
    collected_suites(assignment, tuple(suites)).run(session)
    report = _assemble(assignment, notebook_path, selected, suites, lang, session.results)
    report.errors = [error.render(lang) for error in extraction.errors] + session.load_problems
    report.notes += [note.render(lang) for note in extraction.notes]
    report.isolation = isolation.layers()
    report.isolation_missing = dict(isolation.missing)
    report.workers = _worker_start(isolation, session.run_state)
    for gap in sandbox.unprotected(isolation):  # only reached when accepted (--accept-unconfined)
        report.isolation_missing.setdefault("confinement", f"{gap} (accepted with --accept-unconfined)")
    report.internal_errors = session.internal_errors
    if isinstance(reference, RecordedReference):
        report.notes.append(RECORDED_NOTE.render(lang))
    return report


def _substitutes(assignment: Assignment, reference: Reference | RecordedReference, unit: str) -> tuple[str, list[str]]:
    """Trusted versions of the given helpers and of the other units this unit calls."""
    names = set(assignment.given) | set(assignment.unit(unit).uses)
    names.discard(unit)
    return substitute_source(reference.extraction, names)


def _assemble(
    assignment: Assignment,
    notebook_path: Path,
    selected: tuple[str, ...],
    suites: tuple[str, ...],
    lang: str,
    results: list[TestResult],
) -> GradeReport:
    units = [UnitScore(name, [r for r in results if r.unit == name]) for name in selected]
    for unit_score in units:
        _add_uncollected(assignment, unit_score, suites, lang)
    try:
        saved_at = notebook_path.stat().st_mtime
    except OSError:
        saved_at = None
    staff = "hidden" in assignment.available_suites()  # a student repository never holds the hidden suite
    return GradeReport(
        assignment.id, str(notebook_path), units, suites=list(suites), lang=lang, staff=staff, saved_at=saved_at
    )


def _add_uncollected(assignment: Assignment, unit_score: UnitScore, suites: tuple[str, ...], lang: str) -> None:
    """Rubric tests that produced no result count as missing: every expected case needs a result."""
    seen = {(r.suite, r.name.split("[", 1)[0]) for r in unit_score.tests}
    for suite in suites:
        for function, points in assignment.unit(unit_score.name).points.get(suite, {}).items():
            if (suite, function.removeprefix("test_")) not in seen:
                unit_score.tests.append(
                    TestResult(
                        unit=unit_score.name,
                        name=function.removeprefix("test_"),
                        suite=Suite(suite),
                        outcome=Outcome.MISSING,
                        score=0.0,
                        max_score=points,
                        message=NOT_RECORDED.render(lang),
                        ending=Ending.NOT_RECORDED,
                    )
                )


def _report_without_running(
    assignment: Assignment,
    notebook_path: Path,
    selected: tuple[str, ...],
    suites: tuple[str, ...],
    lang: str,
    errors: list[Text],
) -> GradeReport:
    report = _assemble(assignment, notebook_path, selected, suites, lang, [])
    for unit_score in report.units:
        for test in unit_score.tests:
            test.outcome, test.message, test.ending = Outcome.ERROR, NOT_RUN, Ending.NOT_RUN
    report.errors = [error.render(lang) for error in errors]
    return report


def choose_lang(explicit: str | None, notebook_path: Path | None, env: Mapping[str, str] | None = None) -> str:
    """The feedback language, chosen the same way everywhere (``grade``, ``make check``, CI, ``check()``):
    the one asked for, else the notebook's metadata ``grader.lang``, else the locale, else both."""
    if explicit in LANGUAGES:
        return explicit
    from_notebook = notebook_language(notebook_path) if notebook_path is not None else None
    return from_notebook or locale_language(os.environ if env is None else env)


def locale_language(env: Mapping[str, str]) -> str:
    """Korean or English from the locale (``LC_ALL``, ``LANG``, then Python's own); both when it says neither."""
    import locale

    for value in (env.get("LC_ALL"), env.get("LANG"), locale.getlocale()[0]):
        if value and value.lower().startswith("ko"):
            return "ko"
        if value and value.lower().startswith("en"):
            return "en"
    return "both"


def notebook_language(notebook_path: Path) -> str | None:
    """The feedback language a notebook's metadata asks for (``grader.lang``), if any."""
    import_readers()
    try:
        with deadline.time_limit(TRUSTED_SECONDS):
            lang = notebook_metadata(read_notebook(notebook_path), "lang")
    except (NotebookError, OSError, deadline.DeadlineExceeded):
        return None
    return lang if lang in LANGUAGES else None
