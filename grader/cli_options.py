"""The command line's options: one argparse parser per command, with its help texts (:mod:`grader.cli` runs them).

Kept apart from the commands so that the options read top to bottom like a table of contents, and so that
``python -m grader --help`` imports nothing beyond the standard library.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

EXIT_MISUSE = 2  # argparse's own misuse status, and every other misuse's


class OneLineParser(argparse.ArgumentParser):
    """argparse whose misuse message is one line (no usage block), exit status 2, as every other misuse."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_MISUSE, f"error: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Every command and its options."""
    parser = OneLineParser(
        prog="python -m grader",
        description="Grade the Jupyter notebooks of a course's assignments (rubrics/<id>.toml). / 과제 노트북 자동 채점.",
    )
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

    new = commands.add_parser("new", help="scaffold an assignment that grades at once (rubric, notebook, suites)")
    new.add_argument("id", help="the new assignment's id, e.g. ch06_learning")

    audit = commands.add_parser("audit", help="mutate the solution's units automatically and grade each mutant")
    audit.add_argument("assignment", help="assignment id")
    audit.add_argument("--unit", action="append", help="audit only this unit (repeatable)")
    audit.add_argument("--json", type=Path, metavar="FILE", help="write the findings as JSON here")
    audit.add_argument("--processes", type=int, default=2, help="grading processes (default: 2)")
    audit.add_argument("--seed", type=int, help="hidden-suite seed (default: the audit's fixed seed)")
    return parser


def _accept_unconfined_option(command: argparse.ArgumentParser) -> None:
    """--accept-unconfined, the same on every command that grades."""
    command.add_argument(
        "--accept-unconfined",
        action="store_true",
        help="grade even where no kernel layer keeps student code from the kit or from root "
        "(the grader refuses otherwise; see SECURITY.md)",
    )
