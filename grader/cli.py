"""Thin argument parsing over the commands; the only place errors become exit codes."""

from __future__ import annotations

import argparse
import locale
import os
import sys
from pathlib import Path

from grader.assignment import AssignmentError

EXIT_MISUSE = 2


def _default_lang() -> str:
    """Korean or English from the locale; both when it says neither."""
    for value in (os.environ.get("LC_ALL"), os.environ.get("LANG"), locale.getlocale()[0]):
        if value and value.lower().startswith("ko"):
            return "ko"
        if value and value.lower().startswith("en"):
            return "en"
    return "both"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m grader", description="Grade Jupyter notebooks of the ch04 course.")
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade one notebook and print a report")
    grade.add_argument("notebook", type=Path)
    grade.add_argument("--assignment", help="assignment id (default: from the notebook's metadata or name)")
    grade.add_argument("--unit", action="append", help="grade only this unit (repeatable)")
    grade.add_argument("--json", type=Path, metavar="FILE", help="write the JSON report here")
    grade.add_argument("--markdown", type=Path, metavar="FILE", help="write the Markdown report here")
    grade.add_argument(
        "--lang", choices=["ko", "en", "both"], help="feedback language (default: notebook, then locale)"
    )
    grade.add_argument("--public-only", action="store_true", help="run only the public suite (what students see)")
    grade.add_argument("--seed", type=int, help="seed for the hidden suite's grading-time inputs (default: random)")

    publish = commands.add_parser("publish", help="write the student notebook from the instructor's")
    publish.add_argument("--assignment", default="ch04_learning")
    publish.add_argument(
        "--check", action="store_true", help="only check that the committed student notebook is current"
    )
    publish.add_argument("--out", type=Path, metavar="DIR", help="write a whole student repository into DIR")

    batch = commands.add_parser("batch", help="grade every student's notebook into a results folder with a gradebook")
    batch.add_argument("submissions", type=Path, help="a folder of <student>.ipynb files or <student>/ folders")
    batch.add_argument("--out", type=Path, required=True, metavar="DIR", help="results folder (resumed if present)")
    batch.add_argument("--assignment", default="ch04_learning")
    batch.add_argument("--unit", action="append", help="grade only this unit (repeatable)")
    batch.add_argument("--public-only", action="store_true", help="run only the public suite")
    batch.add_argument("--seed", type=int, help="hidden-suite seed (default: kept from an earlier run, else random)")
    batch.add_argument("--jobs", type=int, help="grading processes (default: 2, or 1 on one core)")
    batch.add_argument("--force", action="store_true", help="grade again what an earlier run finished")
    batch.add_argument("--shard", metavar="I/N", help="grade only shard I of N (a stable hash of the student id)")
    batch.add_argument("--lang", choices=["ko", "en", "both"], default="both", help="feedback language")

    merge = commands.add_parser("merge", help="join batch shards into one results folder and gradebook")
    merge.add_argument("shards", type=Path, nargs="+", metavar="SHARD_DIR")
    merge.add_argument("--out", type=Path, required=True, metavar="DIR")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    options = _parser().parse_args(argv)
    try:
        if options.command == "grade":
            return _grade(options)
        if options.command == "publish":
            return _publish(options)
        if options.command in ("batch", "merge"):
            return _batch(options) if options.command == "batch" else _merge(options)
    except AssignmentError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_MISUSE
    return EXIT_MISUSE


def _grade(options: argparse.Namespace) -> int:
    from grader import report as render
    from grader.grade import grade_notebook, notebook_language

    if not options.notebook.is_file():
        print(f"error: {options.notebook} does not exist (give the path of a .ipynb file)", file=sys.stderr)
        return EXIT_MISUSE
    lang = options.lang or notebook_language(options.notebook) or _default_lang()
    result = grade_notebook(
        options.notebook,
        assignment_id=options.assignment,
        units=options.unit,
        lang=lang,
        suites=("public",) if options.public_only else None,
        grading_seed=options.seed,
    )
    if options.json:
        options.json.write_text(render.render_json(result), encoding="utf-8")
    if options.markdown:
        options.markdown.write_text(render.render_markdown(result), encoding="utf-8")
    sys.stdout.write(render.render_text(result))
    return 0


def _publish(options: argparse.Namespace) -> int:
    from grader.assignment import load_assignment
    from grader.publish import publish_notebook, stale_message

    assignment = load_assignment(options.assignment)
    if options.out:
        from grader.publish import PublishError
        from grader.student_repo import publish_repository

        try:
            publish_repository(options.out, assignment.id)
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
    from grader.batch import parse_shard, run_batch

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
    return 0


def _merge(options: argparse.Namespace) -> int:
    from grader.gradebook import GradebookError
    from grader.merge import merge_shards

    try:
        path = merge_shards(options.shards, options.out)
    except GradebookError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0
