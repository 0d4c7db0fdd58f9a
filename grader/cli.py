"""The command line: options (:mod:`grader.cli_options`), one handler per command in :data:`COMMANDS`, and the
only place errors become exit statuses (:func:`main`).

Exit statuses: 0 when the command did its job (a grading finished, whatever the score); 1 when it ran and could
not (the errors a command lists as its ``failures``: a stale notebook, shards that do not belong together, GitHub
refusing a request; or a check that fails); 2 for misuse (every other :class:`~grader.errors.GraderError`, bad
options, the wrong Python or platform, a machine that cannot confine student code); 130 when interrupted.

The handlers of commands that grade, draw or compare import their modules inside themselves. That is deliberate,
for start-up: those modules load numpy, pytest, nbformat, matplotlib or copydetect, and ``ci comment``,
``export``, ``merge`` and ``--help`` must start with the standard library only (``ci comment`` runs
in a workflow without the kit's dependencies; ``grader/tests/classroom/test_ci.py`` checks it).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from grader.assignment import load_assignment, only_assignment
from grader.cli_options import EXIT_MISUSE, build_parser
from grader.errors import ACCEPT_UNCONFINED_VARIABLE, GraderError

EXIT_FAILED = 1  # the command ran and could not do its job
EXIT_INTERRUPTED = 130  # what a shell reports for Ctrl-C
# Third-party modules the commands import (pyproject.toml's dependencies, by import name).
DEPENDENCIES = {"numpy", "pytest", "pytest_timeout", "nbformat", "nbconvert", "IPython", "pyseccomp", "jsonschema"}
INTERRUPTED = (
    "interrupted: finished results are kept; run the same command again to resume / "
    "중단됨: 끝난 결과는 남아 있으니 같은 명령을 다시 실행하면 이어서 채점합니다"
)


def outside_the_venv(module: str | None) -> str:
    """One line for a Python that lacks the kit's dependencies: which Python, and the one to use instead."""
    return (
        f"error: {sys.executable} has no {module} (the kit's dependencies live in its virtual environment): run "
        ".venv/bin/python -m grader ... or make grade / make check (they set up .venv first) / 이 파이썬에는 "
        f"{module}이(가) 없습니다. .venv/bin/python -m grader ... 또는 make check를 쓰세요."
    )


def _platform_problem() -> str | None:
    """Why the grader cannot run on this platform (one line), or None."""
    try:
        import resource  # noqa: F401  the sandbox's limits; POSIX only: an import that may fail, so here
    except ImportError:
        return (
            "error: the grader runs on Linux only (Windows has no `resource` module); on Windows use WSL "
            "(wsl --install, then run the same commands inside Ubuntu) / 이 채점기는 Linux에서만 동작합니다. "
            "Windows에서는 WSL을 사용하세요."
        )
    return None


def _terminate_on_sigterm() -> None:
    """SIGTERM ends a long command like Ctrl-C does, so that a batch stops its processes before it exits."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


# -- the handlers: each turns options into one call of its command's function --------------------


def _grade(options: argparse.Namespace) -> int:
    from grader.classroom.grading import Outputs, grade_and_write  # lazy: numpy, pytest (see the module docstring)

    if not options.notebook.is_file():
        what, korean = ("is a folder", "폴더입니다") if options.notebook.is_dir() else ("does not exist", "없습니다")
        raise GraderError(
            f"{options.notebook} {what} (give the path of a .ipynb file)",
            ko=f"{options.notebook}: {korean}. .ipynb 파일의 경로를 주세요",
        )
    to = Outputs(
        json=options.json,
        markdown=options.markdown,
        gradescope=options.gradescope,
        text=sys.stdout,
        warnings=sys.stderr if options.gradescope else None,  # Gradescope's logs keep them; the text has them too
    )
    grade_and_write(
        options.notebook,
        to,
        assignment_id=options.assignment,
        lang=options.lang,
        units=options.unit,
        suites=("public",) if options.public_only else None,
        seed=options.seed,
        progress=sys.stderr,  # shown only on a terminal, after a second
    )
    return 0


def _gradescope(options: argparse.Namespace) -> int:
    from grader.classroom.gradescope import autograde  # lazy: numpy, pytest

    if not options.submission.is_dir():
        raise GraderError(
            f"{options.submission} is not a folder: give Gradescope's submission folder",
            ko=f"{options.submission}은(는) 폴더가 아닙니다: Gradescope의 제출물 폴더를 주세요",
        )
    return autograde(
        options.submission,
        options.results,
        assignment_id=options.assignment,
        stdout=sys.stdout,
        stderr=sys.stderr,
        lang=options.lang,
    )


def _publish(options: argparse.Namespace) -> int:
    from grader.classroom import publish
    from grader.classroom.gradescope_zip import build_autograder_zip

    assignment = load_assignment(options.assignment)
    if options.gradescope:
        path = build_autograder_zip(assignment.id, options.gradescope)
        print(f"wrote {path} (Gradescope autograder) / 만듦")
        return 0
    if options.out:
        from grader.classroom.student_repo import publish_repository  # lazy: grades its recording (numpy)

        publish_repository(options.out, assignment.id, force=options.force)
        print(f"wrote the student repository {options.out} / 학생 저장소를 만듦")
        return 0
    if options.check:
        problem = publish.stale_message(assignment)
        if problem:
            print(problem, file=sys.stderr)
            return EXIT_FAILED
        print(f"{assignment.student_notebook} is up to date / 최신입니다")
        return 0
    _wrote([publish.publish_notebook(assignment)])
    return 0


def _batch(options: argparse.Namespace) -> int:
    from grader.classroom.batch import parse_shard, run_batch  # lazy: numpy, pytest
    from grader.sandbox import require_confinement

    require_confinement()  # once, before any process starts: a refusal is one message, not one per student
    summary = run_batch(
        options.submissions,
        options.out,
        assignment_id=options.assignment,
        units=options.unit,
        suites=("public",) if options.public_only else None,
        seed=options.seed,
        jobs=options.jobs,
        force=options.force,
        shard=parse_shard(options.shard) if options.shard else None,
        lang=options.lang,
        progress=sys.stderr,
    )
    _wrote([summary.gradebook, *summary.reports])
    return 0


def _merge(options: argparse.Namespace) -> int:
    from grader.classroom.class_report import write_report  # lazy: matplotlib
    from grader.classroom.merge import merge_shards

    _wrote([merge_shards(options.shards, options.out)])
    _wrote(write_report(options.out))  # the class report one run would have written
    return 0


def _report(options: argparse.Namespace) -> int:
    from grader.classroom.class_report import write_report  # lazy: matplotlib
    from grader.classroom.similarity import compare_class  # lazy: numpy, pytest, copydetect

    similar = compare_class(options.results) if options.similarity else None
    _wrote(write_report(options.results, out_dir=options.out, similar=similar))
    return 0


def _similarity(options: argparse.Namespace) -> int:
    from grader.classroom.similarity import compare_class, render_text  # lazy: numpy, pytest, copydetect

    report = compare_class(options.results, units=options.unit, submissions=options.submissions)
    sys.stdout.write(render_text(report, top=options.top))
    return 0


def _ci_feedback(options: argparse.Namespace) -> int:
    from grader.classroom import ci

    return ci.feedback(assignment_id=options.assignment, out=options.out, notebook=options.notebook)


def _ci_comment(options: argparse.Namespace) -> int:
    from grader.classroom import ci

    return ci.comment(artifact=options.artifact)


def _ci_regrade(options: argparse.Namespace) -> int:
    from grader.classroom.regrade import regrade, regrade_deadline

    path = regrade(
        roster=options.roster,
        out=options.out,
        assignment_id=options.assignment,
        stage=options.stage,
        notify=options.notify,
        units=options.unit,
        seed=options.seed,
        jobs=options.jobs,
        progress=sys.stderr,
        deadline=regrade_deadline(options.deadline, options.late),
        classroom_repos=options.classroom_repos,
    )
    _wrote([path])
    return 0


def _export(options: argparse.Namespace) -> int:
    from grader.classroom import exports, gradebook, outputs

    if options.format == "gradescope":
        try:
            report = json.loads(options.source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise GraderError(
                f"{options.source} is not a readable JSON report ({type(error).__name__}): give the "
                "file `python -m grader grade NOTEBOOK --json FILE` wrote",
                ko=f"{options.source}은(는) 읽을 수 있는 JSON 보고서가 아닙니다: "
                "`python -m grader grade NOTEBOOK --json FILE`이 쓴 파일을 주세요",
            ) from None
        outputs.write_text(options.out, json.dumps(exports.gradescope_results(report), ensure_ascii=False, indent=2))
        _wrote([options.out])
        return 0
    roster = exports.read_roster(options.roster)
    for warning in exports.export_warnings(options.source, roster):  # also refuses a missing or empty folder
        print(warning, file=sys.stderr)
    # the column is the graded assignment's id, as batch.json records it
    name = options.name or str((gradebook.read_batch(options.source) or {}).get("assignment") or "grade")
    if options.format == "canvas":
        text = exports.canvas_csv(options.source, assignment_name=name, roster=roster)
    else:
        text = exports.moodle_csv(options.source, grade_column=name, roster=roster)
    outputs.write_text(options.out, text)
    _wrote([options.out])
    return 0


def _mutants(options: argparse.Namespace) -> int:
    """Exit 0 when, for every assignment graded, every mutant is caught in its own unit only and shows no hint
    but those its catalogue judged right, every style scores full marks and every do-nothing submission 0 in
    its unit, else 1."""
    from grader.mutants import run_catalogue  # lazy: numpy, pytest, nbformat
    from grader.mutants.table import render_table
    from grader.mutants.variants import with_catalogue

    chosen = options.assignment or with_catalogue()
    if not chosen:
        raise GraderError(
            "no course package has a mutant catalogue (courses/<id>/mutants/__init__.py)",
            ko="변이 카탈로그가 있는 과목 패키지가 없습니다 (courses/<id>/mutants/__init__.py)",
        )
    holds = True
    for assignment_id in chosen:
        run = run_catalogue(
            assignment_id,
            only=options.only,
            processes=options.processes,
            seed=options.seed,
            all_units=options.all_units,
            lang=options.lang,
        )
        if len(chosen) > 1:
            sys.stdout.write(f"== {assignment_id}\n\n")
        sys.stdout.write(
            render_table(
                run.results,
                run.summary,
                lang=options.lang,
                processes=options.processes,
                seed=run.seed,
                short_names=run.catalogue.short_names,
            )
        )
        holds = holds and run.holds
    return 0 if holds else EXIT_FAILED


def _new(options: argparse.Namespace) -> int:
    from grader.authoring import run_new  # lazy: only the scaffold's templates

    return run_new(options)


def _audit(options: argparse.Namespace) -> int:
    from grader.audit import run_audit  # lazy: numpy, pytest, nbformat

    return run_audit(options)


def _wrote(paths: Sequence[object]) -> None:
    """``wrote PATH``, one line per file a command wrote (what scripts and workflows read back from the log)."""
    for path in paths:
        if path is not None:
            print(f"wrote {path} / 만듦")


# -- dispatch ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """How one command runs: its handler, the errors that mean it could not do its job (exit 1, not misuse),
    whether ``--assignment`` defaults to the checkout's only one, and whether SIGTERM stops it like Ctrl-C."""

    run: Callable[[argparse.Namespace], int]
    # "module:Error" names, imported only when an error is raised: each command imports its own modules when it
    # runs, so that `grade` does not pay for the GitHub client, regrades and exports (about 30 ms a start).
    failures: tuple[str, ...] = ()
    only_assignment: bool = False
    stoppable: bool = False  # a long command with processes of its own: SIGTERM stops them before it exits


ON_GITHUB = (
    "grader.classroom.ci:CIError",
    "grader.classroom.github:GitHubError",
    "grader.classroom.roster:RegradeError",
)
COMMANDS: dict[str, Command] = {
    "grade": Command(_grade),
    "gradescope": Command(_gradescope, only_assignment=True),
    "publish": Command(_publish, failures=("grader.classroom.publish:PublishError",), only_assignment=True),
    "batch": Command(_batch, only_assignment=True, stoppable=True),
    "merge": Command(_merge, failures=("grader.classroom.gradebook:GradebookError",)),
    "report": Command(_report),
    "similarity": Command(_similarity),
    "ci feedback": Command(_ci_feedback, failures=ON_GITHUB, only_assignment=True, stoppable=True),
    "ci comment": Command(_ci_comment, failures=ON_GITHUB, stoppable=True),
    "ci regrade": Command(_ci_regrade, failures=ON_GITHUB, only_assignment=True, stoppable=True),
    "export": Command(_export),
    "mutants": Command(_mutants, stoppable=True),
    "new": Command(_new),
    "audit": Command(_audit, stoppable=True),
}


def failure_types(command: Command) -> tuple[type[GraderError], ...]:
    """The command's failure types (exit 1: it ran and could not do its job), imported now."""
    import importlib

    found = []
    for name in command.failures:
        module, _, attribute = name.partition(":")
        found.append(getattr(importlib.import_module(module), attribute))
    return tuple(found)


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    problem = _platform_problem()
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_MISUSE
    options = build_parser().parse_args(argv)
    name = f"ci {options.ci_command}" if options.command == "ci" else str(options.command)
    command = COMMANDS[name]
    try:
        if command.only_assignment and not options.assignment:
            options.assignment = only_assignment()
        if getattr(options, "accept_unconfined", False):
            os.environ[ACCEPT_UNCONFINED_VARIABLE] = "1"  # inherited by batch processes and workers' graders
        if command.stoppable:
            _terminate_on_sigterm()
        return command.run(options)
    except GraderError as error:  # AssignmentError, StudentIdError, UnconfinedRefused, DeadlineError, ...
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED if isinstance(error, failure_types(command)) else EXIT_MISUSE
    except ModuleNotFoundError as error:  # run by a Python without the kit's dependencies (outside .venv)
        if (error.name or "").split(".")[0] not in DEPENDENCIES:
            raise
        print(outside_the_venv(error.name), file=sys.stderr)
        return EXIT_MISUSE
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED


__all__ = ["COMMANDS", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_MISUSE", "main"]
