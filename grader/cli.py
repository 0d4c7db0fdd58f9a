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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    options = _parser().parse_args(argv)
    try:
        if options.command == "grade":
            return _grade(options)
        if options.command == "publish":
            return _publish(options)
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
