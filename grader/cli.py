"""Thin argument parsing over the commands; the only place errors become exit codes."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

from grader.assignment import AssignmentError
from grader.classroom import outputs
from grader.errors import ACCEPT_UNCONFINED_VARIABLE, GraderError

EXIT_MISUSE = 2
EXIT_INTERRUPTED = 130  # what a shell reports for Ctrl-C
# Third-party modules the commands import (pyproject.toml's dependencies, by import name).
DEPENDENCIES = {"numpy", "pytest", "pytest_timeout", "nbformat", "nbconvert", "IPython", "pyseccomp", "jsonschema"}


class OneLineParser(argparse.ArgumentParser):
    """argparse whose misuse message is one line (no usage block), exit status 2, as every other misuse."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_MISUSE, f"error: {message} (see: {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m grader", description="Grade Jupyter notebooks of the ch04 course.")
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade one notebook and print a report")
    grade.add_argument("notebook", type=Path)
    grade.add_argument(
        "--assignment",
        help="assignment id; wins over the notebook's metadata (default: its name and metadata, which must agree)",
    )
    grade.add_argument("--unit", action="append", help="grade only this unit (repeatable)")
    grade.add_argument("--json", type=Path, metavar="FILE", help="write the JSON report here")
    grade.add_argument("--markdown", type=Path, metavar="FILE", help="write the Markdown report here")
    grade.add_argument(
        "--lang", choices=["ko", "en", "both"], help="feedback language (default: notebook, then locale)"
    )
    grade.add_argument("--public-only", action="store_true", help="run only the public suite (what students see)")
    grade.add_argument("--seed", type=int, help="seed for the hidden suite's grading-time inputs (default: random)")
    grade.add_argument("--gradescope", type=Path, metavar="FILE", help="write Gradescope's results.json here")
    _accept_unconfined_option(grade)

    publish = commands.add_parser("publish", help="write the student notebook from the instructor's")
    publish.add_argument("--assignment", help="assignment id (default: the checkout's only one)")
    publish.add_argument(
        "--check", action="store_true", help="only check that the committed student notebook is current"
    )
    publish.add_argument("--out", type=Path, metavar="DIR", help="write a whole student repository into DIR")
    publish.add_argument(
        "--gradescope",
        type=Path,
        metavar="ZIP",
        help="write Gradescope's autograder zip for the assignment (setup.sh, run_autograder, what grading needs)",
    )
    publish.add_argument(
        "--force",
        action="store_true",
        help="with --out: write into DIR even if it is not empty and was not written by publish (an edited "
        "notebook there is still kept)",
    )

    batch = commands.add_parser("batch", help="grade every student's notebook into a results folder with a gradebook")
    batch.add_argument("submissions", type=Path, help="a folder of <student>.ipynb files or <student>/ folders")
    batch.add_argument("--out", type=Path, required=True, metavar="DIR", help="results folder (resumed if present)")
    batch.add_argument("--assignment", help="assignment id (default: the checkout's only one)")
    batch.add_argument("--unit", action="append", help="grade only this unit (repeatable)")
    batch.add_argument("--public-only", action="store_true", help="run only the public suite")
    batch.add_argument("--seed", type=int, help="hidden-suite seed (default: kept from an earlier run, else random)")
    batch.add_argument("--jobs", type=int, help="grading processes (default: 2, or 1 on one core)")
    batch.add_argument("--force", action="store_true", help="grade again what an earlier run finished")
    batch.add_argument("--shard", metavar="I/N", help="grade only shard I of N (a stable hash of the student id)")
    batch.add_argument("--lang", choices=["ko", "en", "both"], default="both", help="feedback language")
    _accept_unconfined_option(batch)

    merge = commands.add_parser("merge", help="join batch shards into one results folder and gradebook")
    merge.add_argument("shards", type=Path, nargs="+", metavar="SHARD_DIR")
    merge.add_argument("--out", type=Path, required=True, metavar="DIR")

    report = commands.add_parser(
        "report", help="class report for course staff: a self-contained HTML page and a Markdown summary"
    )
    report.add_argument("results", type=Path, metavar="RESULTS_DIR", help="the --out folder of a batch")
    report.add_argument("--out", type=Path, metavar="DIR", help="where to write them (default: RESULTS_DIR)")
    report.add_argument("--similarity", action="store_true", help="add similar submissions (reads the notebooks)")

    similarity = commands.add_parser("similarity", help="pairs of submissions whose code is alike, per unit, ranked")
    similarity.add_argument("results", type=Path, metavar="RESULTS_DIR", help="the --out folder of a batch")
    similarity.add_argument("--unit", action="append", help="only this unit (repeatable)")
    similarity.add_argument(
        "--submissions", type=Path, metavar="DIR", help="the batch's SUBMISSIONS_DIR, if its notebooks have moved"
    )
    similarity.add_argument("--top", type=int, default=10, help="pairs shown per unit (default: 10)")

    ci = commands.add_parser("ci", help="the commands GitHub Actions workflows call").add_subparsers(
        dest="ci_command", required=True
    )
    feedback = ci.add_parser("feedback", help="student repo: public tests, job summary, artifact, check status")
    feedback.add_argument("--assignment", help="assignment id (default: the checkout's only one)")
    feedback.add_argument("--notebook", type=Path, help="default: assignments/<assignment>.ipynb")
    feedback.add_argument("--out", type=Path, default=Path("grader-feedback"), help="the artifact folder")
    _accept_unconfined_option(feedback)
    comment = ci.add_parser("comment", help="workflow_run: keep one feedback comment on the pull request updated")
    comment.add_argument("--artifact", type=Path, required=True, help="the downloaded (untrusted) artifact folder")
    regrade = ci.add_parser("regrade", help="private grading repo: fetch every roster repository, grade, notify")
    regrade.add_argument(
        "--roster",
        type=Path,
        required=True,
        help="CSV: student,repository[,url][,ref][,extension], or GitHub Classroom's export (with --classroom-repos)",
    )
    regrade.add_argument(
        "--classroom-repos",
        metavar="OWNER/PREFIX",
        help="a GitHub Classroom roster's repositories: OWNER/PREFIX-<github_username>",
    )
    regrade.add_argument(
        "--deadline",
        metavar="TIME",
        help="ISO time with its offset (2026-12-14T23:59+09:00): choose each submission by the late policy",
    )
    regrade.add_argument(
        "--late",
        metavar="POLICY",
        help="with --deadline: cutoff (default: the last push before the deadline), none, per-day:P:C or "
        "per-hour:P:C (P%% off per started day or hour late, at most C%%)",
    )
    regrade.add_argument("--out", type=Path, required=True, metavar="DIR")
    regrade.add_argument("--assignment", help="assignment id (default: the checkout's only one)")
    regrade.add_argument("--stage", choices=["fetch", "grade", "notify", "all"], default="all")
    regrade.add_argument("--notify", action="store_true", help="with --stage all: post each student's result")
    regrade.add_argument("--unit", action="append", help="grade only this unit (repeatable)")
    regrade.add_argument("--seed", type=int)
    regrade.add_argument("--jobs", type=int)
    _accept_unconfined_option(regrade)

    export = commands.add_parser("export", help="Gradescope results.json, or a Canvas / Moodle gradebook CSV")
    export.add_argument("format", choices=["gradescope", "canvas", "moodle"])
    export.add_argument("source", type=Path, help="a JSON report (gradescope) or a batch results folder")
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    export.add_argument("--roster", type=Path, help="CSV: student,name,canvas_id,sis_user_id,section,email,idnumber")
    export.add_argument("--name", help="the LMS assignment column's name (default: the graded assignment's id)")

    gradescope = commands.add_parser(
        "gradescope", help="Gradescope's run_autograder: grade the one notebook of the assignment in a submission"
    )
    gradescope.add_argument("submission", type=Path, help="the submission folder (/autograder/submission)")
    gradescope.add_argument("--results", type=Path, required=True, metavar="FILE", help="results.json to write")
    gradescope.add_argument("--assignment", help="assignment id (default: the checkout's only one)")
    gradescope.add_argument("--lang", choices=["ko", "en", "both"], help="feedback language (default: notebook)")
    _accept_unconfined_option(gradescope)

    new = commands.add_parser("new", help="scaffold an assignment that grades at once (rubric, notebook, suites)")
    new.add_argument("id", help="the new assignment's id, e.g. ch06_learning")
    mutants = commands.add_parser("mutants", help="grade the mutant catalogue and the correct styles; print a table")
    mutants.add_argument(
        "--assignment",
        action="append",
        help="this assignment's catalogue (repeatable; default: every course package with one)",
    )
    mutants.add_argument("--only", action="append", metavar="ID", help="grade only this variant (repeatable)")
    mutants.add_argument("--processes", type=int, default=2, help="grading processes (default: 2)")
    mutants.add_argument("--seed", type=int, help="hidden-suite seed (default: the catalogue's fixed seed)")
    mutants.add_argument("--all-units", action="store_true", help="also grade units outside the catalogue (slower)")
    mutants.add_argument("--lang", choices=["ko", "en", "both"], default="en", help="language of the descriptions")

    audit = commands.add_parser("audit", help="mutate the solution's units automatically and grade each mutant")
    audit.add_argument("assignment", help="assignment id")
    audit.add_argument("--unit", action="append", help="audit only this unit (repeatable)")
    audit.add_argument("--json", type=Path, metavar="FILE", help="write the findings as JSON here")
    audit.add_argument("--processes", type=int, default=2, help="grading processes (default: 2)")
    audit.add_argument("--seed", type=int, help="hidden-suite seed (default: the audit's fixed seed)")
    return parser


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
        import resource  # noqa: F401  the sandbox's limits; POSIX only
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


def _accept_unconfined_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--accept-unconfined",
        action="store_true",
        help="grade even where no kernel layer keeps student code from the kit or from root "
        "(the grader refuses otherwise; see SECURITY.md)",
    )


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    problem = _platform_problem()
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_MISUSE
    options = _parser().parse_args(argv)
    if (
        options.command in ("publish", "batch", "ci", "gradescope")
        and hasattr(options, "assignment")
        and not options.assignment
    ):
        from grader.assignment import only_assignment

        try:
            options.assignment = only_assignment()
        except AssignmentError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_MISUSE
    if getattr(options, "accept_unconfined", False):
        os.environ[ACCEPT_UNCONFINED_VARIABLE] = "1"  # inherited by batch processes and workers' graders
    try:
        if options.command in ("batch", "ci", "mutants", "audit"):
            _terminate_on_sigterm()
        if options.command in ("grade", "gradescope"):
            return _grade(options) if options.command == "grade" else _gradescope(options)
        if options.command == "publish":
            return _publish(options)
        if options.command in ("batch", "merge"):
            return _batch(options) if options.command == "batch" else _merge(options)
        if options.command in ("ci", "export"):
            return _ci(options) if options.command == "ci" else _export(options)
        if options.command == "mutants":
            return _mutants(options)
        if options.command == "audit":
            from grader.audit import run_audit

            return run_audit(options)
        if options.command == "new":
            from grader.authoring import run_new

            return run_new(options)
        if options.command in ("report", "similarity"):
            return _report(options) if options.command == "report" else _similarity(options)
    except (AssignmentError, GraderError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_MISUSE
    except ModuleNotFoundError as error:  # run by a Python without the kit's dependencies (outside .venv)
        if (error.name or "").split(".")[0] not in DEPENDENCIES:
            raise
        print(outside_the_venv(error.name), file=sys.stderr)
        return EXIT_MISUSE
    except KeyboardInterrupt:
        print(
            "interrupted: finished results are kept; run the same command again to resume / "
            "중단됨: 끝난 결과는 남아 있으니 같은 명령을 다시 실행하면 이어서 채점합니다",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    return EXIT_MISUSE


def _grade(options: argparse.Namespace) -> int:
    from grader.pipeline import report as render
    from grader.pipeline.grade import choose_lang, grade_notebook
    from grader.progress import ProgressLine

    if not options.notebook.is_file():
        what = "is a folder" if options.notebook.is_dir() else "does not exist"
        print(f"error: {options.notebook} {what} (give the path of a .ipynb file)", file=sys.stderr)
        return EXIT_MISUSE
    lang = choose_lang(options.lang, options.notebook)
    with ProgressLine(sys.stderr, lang) as progress:  # shown only on a terminal, after a second
        result = grade_notebook(
            options.notebook,
            assignment_id=options.assignment,
            units=options.unit,
            lang=lang,
            suites=("public",) if options.public_only else None,
            grading_seed=options.seed,
            progress=progress.update,
        )
    if options.json:
        outputs.write_text(options.json, render.render_json(result))
    if options.markdown:
        outputs.write_text(options.markdown, render.render_markdown(result))
    if options.gradescope:
        import json

        from grader.classroom.exports import gradescope_results, sandbox_warnings

        data = gradescope_results(render.to_json_data(result))
        for warning in sandbox_warnings(render.to_json_data(result)):  # stderr too: Gradescope logs keep it
            print(warning, file=sys.stderr)
        outputs.write_text(options.gradescope, json.dumps(data, ensure_ascii=False, indent=2))
    sys.stdout.write(render.render_text(result))
    return 0


def _gradescope(options: argparse.Namespace) -> int:
    from grader.classroom.gradescope import autograde

    if not options.submission.is_dir():
        raise GraderError(f"{options.submission} is not a folder: give Gradescope's submission folder")
    return autograde(
        options.submission,
        options.results,
        assignment_id=options.assignment,
        stdout=sys.stdout,
        stderr=sys.stderr,
        lang=options.lang,
    )


def _publish(options: argparse.Namespace) -> int:
    from grader.assignment import load_assignment
    from grader.classroom.publish import publish_notebook, stale_message

    assignment = load_assignment(options.assignment)
    if options.gradescope:
        from grader.classroom.gradescope_zip import build_autograder_zip

        print(f"wrote {build_autograder_zip(assignment.id, options.gradescope)} (Gradescope autograder)")
        return 0
    if options.out:
        from grader.classroom.publish import PublishError
        from grader.classroom.student_repo import publish_repository

        try:
            publish_repository(options.out, assignment.id, force=options.force)
        except PublishError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        print(f"wrote the student repository {options.out}")
        return 0
    if options.check:
        problem = stale_message(assignment)
        if problem:
            print(problem, file=sys.stderr)
            return 1
        print(f"{assignment.student_notebook} is up to date")
        return 0
    path = publish_notebook(assignment)
    print(f"wrote {path}")
    return 0


def _batch(options: argparse.Namespace) -> int:
    from grader.classroom.batch import parse_shard, run_batch
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
    print(f"wrote {summary.gradebook}")
    for path in summary.reports:
        print(f"wrote {path}")
    return 0


def _merge(options: argparse.Namespace) -> int:
    from grader.classroom.gradebook import GradebookError
    from grader.classroom.merge import merge_shards

    try:
        path = merge_shards(options.shards, options.out)
    except GradebookError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    from grader.classroom.class_report import write_report

    for report in write_report(options.out):  # the class report one run would have written
        print(f"wrote {report}")
    return 0


def _report(options: argparse.Namespace) -> int:
    from grader.classroom.class_report import write_report

    for path in write_report(options.results, out_dir=options.out, similarity=options.similarity):
        print(f"wrote {path}")
    return 0


def _similarity(options: argparse.Namespace) -> int:
    from grader.classroom.similarity import compare_class, render_text

    report = compare_class(options.results, units=options.unit, submissions=options.submissions)
    sys.stdout.write(render_text(report, top=options.top))
    return 0


def _ci(options: argparse.Namespace) -> int:
    from grader.classroom.ci import CIError
    from grader.classroom.github import GitHubError
    from grader.classroom.regrade import RegradeError

    try:
        if options.ci_command == "feedback":
            from grader.classroom.ci import feedback

            return feedback(assignment_id=options.assignment, out=options.out, notebook=options.notebook)
        if options.ci_command == "comment":
            from grader.classroom.ci import comment

            return comment(artifact=options.artifact)
        from grader.classroom.deadline import DeadlineError
        from grader.classroom.regrade import regrade, regrade_deadline

        try:
            deadline = regrade_deadline(options.deadline, options.late)
        except DeadlineError as error:
            raise GraderError(str(error)) from None
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
            deadline=deadline,
            classroom_repos=options.classroom_repos,
        )
        print(f"wrote {path}")
        return 0
    except (CIError, GitHubError, RegradeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _export(options: argparse.Namespace) -> int:
    import json

    from grader.classroom import exports

    if options.format == "gradescope":
        try:
            report = json.loads(options.source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise GraderError(
                f"{options.source} is not a readable JSON report ({type(error).__name__}): give the "
                "file `python -m grader grade NOTEBOOK --json FILE` wrote"
            ) from None
        text = json.dumps(exports.gradescope_results(report), ensure_ascii=False, indent=2)
        outputs.write_text(options.out, text)
        print(f"wrote {options.out}")
        return 0
    roster = exports.read_roster(options.roster)
    for warning in exports.export_warnings(options.source, roster):  # also refuses a missing or empty folder
        print(warning, file=sys.stderr)
    if options.name is None:  # the column is the graded assignment's id, as batch.json records it
        from grader.classroom.gradebook import read_batch

        batch = read_batch(options.source) or {}
        options.name = str(batch.get("assignment") or "grade")
    if options.format == "canvas":
        text = exports.canvas_csv(options.source, assignment_name=options.name, roster=roster)
    else:
        text = exports.moodle_csv(options.source, grade_column=options.name, roster=roster)
    outputs.write_text(options.out, text)
    print(f"wrote {options.out}")
    return 0


def _mutants(options: argparse.Namespace) -> int:
    """Exit 0 when, for every assignment graded, every mutant is caught in its own unit only and shows no hint
    but those its catalogue judged right, every style scores full marks and every do-nothing submission 0 in
    its unit, else 1."""
    from grader.mutants import run_catalogue
    from grader.mutants.table import render_table
    from grader.mutants.variants import with_catalogue

    chosen = options.assignment or with_catalogue()
    if not chosen:
        print("error: no course package has a mutant catalogue (courses/<id>/mutants/__init__.py)", file=sys.stderr)
        return EXIT_MISUSE
    holds = True
    for assignment_id in chosen:
        try:
            run = run_catalogue(
                assignment_id,
                only=options.only,
                processes=options.processes,
                seed=options.seed,
                all_units=options.all_units,
                lang=options.lang,
            )
        except KeyError as error:
            print(f"error: {error.args[0]} in {assignment_id}'s catalogue", file=sys.stderr)
            return EXIT_MISUSE
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
    return 0 if holds else 1
