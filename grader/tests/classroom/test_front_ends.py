"""The classroom front ends: one handler per command, submissions at the root of the imports, one way to grade and
write, and misuse errors in Korean and English."""

from __future__ import annotations

import argparse
import ast
import builtins
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader import cli
from grader.assignment import KIT_ROOT
from grader.classroom.grading import Outputs, write_outputs
from grader.classroom.publish import PublishError
from grader.cli_options import build_parser
from grader.errors import GraderError
from grader.pipeline.scoring import GradeReport

KIT = Path(__file__).resolve().parents[3]
FRONT_ENDS = [
    KIT / "grader" / "cli.py",
    KIT / "grader" / "assignment.py",
    # the class report's rendering (class_report.py, charts.py) is another change's: not listed here yet
    *sorted(p for p in (KIT / "grader" / "classroom").glob("*.py") if p.name not in ("class_report.py", "charts.py")),
    *sorted((KIT / "grader" / "mutants").glob("*.py")),
]


def command_names(parser: argparse.ArgumentParser) -> set[str]:
    """Every runnable command the parser accepts, ``ci`` ones as ``ci <name>``."""
    names = set()
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for name, sub in action.choices.items():
            if sub._subparsers is None:
                names.add(name)
            else:
                names |= {f"{name} {inner}" for inner in command_names(sub)}
    return names


def test_every_command_on_the_command_line_has_exactly_one_handler():
    assert command_names(build_parser()) == set(cli.COMMANDS)


def test_the_similarity_report_and_the_class_report_import_no_batch():
    """The cycle batch -> class_report -> similarity -> batch is gone: submissions are at the root."""
    script = (
        "import sys\nimport grader.classroom.similarity, grader.classroom.submissions\n"
        "print('grader.classroom.batch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=KIT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


def report_of(assignment: str) -> GradeReport:
    """A report with no unit: what the outputs do around the units is what these tests look at."""
    return GradeReport(assignment=assignment, notebook="n.ipynb", units=[])


def test_one_grading_writes_each_output_a_front_end_asks_for_framed_its_way(tmp_path):
    text = io.StringIO()
    to = Outputs(
        json=tmp_path / "report.json",
        gradescope=tmp_path / "results.json",
        text=text,
        json_fields={"feedback_only": True},
        preface=lambda report: f"graded {report.assignment}",
        gradescope_extra={"graded_file": "n.ipynb"},
    )
    write_outputs(report_of("ch03_networks"), to)
    assert json.loads((tmp_path / "report.json").read_text())["feedback_only"] is True
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["output"].startswith("graded ch03_networks\n")
    assert results["extra_data"]["graded_file"] == "n.ipynb"
    assert text.getvalue().startswith("graded ch03_networks\n")
    assert not (tmp_path / "report.md").exists()  # not asked for: not written


def test_gradescope_says_which_assignment_graded_it_in_both_languages(tmp_path):
    write_outputs(report_of("ch03_networks"), Outputs(gradescope=tmp_path / "results.json"))
    output = json.loads((tmp_path / "results.json").read_text())["output"]
    assert "ch03_networks" in output and "ch04" not in output
    assert "Graded by" in output and "채점" in output


def test_a_command_that_cannot_do_its_job_exits_1_and_misuse_exits_2(monkeypatch, capsys):
    def fails(options: argparse.Namespace) -> int:
        raise PublishError("stale", ko="낡음")

    def misused(options: argparse.Namespace) -> int:
        raise GraderError("bad", ko="잘못")

    monkeypatch.setitem(cli.COMMANDS, "merge", cli.Command(fails, failures=("grader.classroom.publish:PublishError",)))
    assert cli.main(["merge", "a", "--out", "b"]) == cli.EXIT_FAILED
    monkeypatch.setitem(
        cli.COMMANDS, "merge", cli.Command(misused, failures=("grader.classroom.publish:PublishError",))
    )
    assert cli.main(["merge", "a", "--out", "b"]) == cli.EXIT_MISUSE
    assert capsys.readouterr().err.splitlines() == ["error: stale / 낡음", "error: bad / 잘못"]


def raises_without_korean(path: Path) -> list[str]:
    """``raise SomethingError(...)`` calls of a GraderError subclass with no ``ko=``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if (
                name.endswith("Error")
                and not hasattr(builtins, name)
                and not any(k.arg == "ko" for k in node.exc.keywords)
            ):
                found.append(f"{path.name}:{node.lineno}: {name}")
    return found


def test_the_checker_finds_a_raise_without_korean(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('def f():\n    raise GradebookError("only English")\n    raise KeyError("builtin")\n')
    assert raises_without_korean(sample) == ["sample.py:2: GradebookError"]


@pytest.mark.parametrize("path", FRONT_ENDS, ids=lambda path: path.name)
def test_every_kit_error_of_the_front_ends_is_raised_in_korean_too(path):
    assert raises_without_korean(path) == []


def test_every_command_names_failure_types_that_exist():
    named = {name: cli.failure_types(command) for name, command in cli.COMMANDS.items()}
    assert all(issubclass(kind, GraderError) for kinds in named.values() for kind in kinds)
    assert len(named["ci regrade"]) == 3 and len(named["publish"]) == 1, named


def test_the_grade_command_does_not_import_the_other_commands_modules():
    """`grade` is what students and every batch process start: the GitHub client, regrades and exports are
    imported by the commands that use them."""
    probe = (
        "import sys; import grader.cli; "
        "print(sorted(m for m in ('grader.classroom.ci', 'grader.classroom.regrade', 'grader.classroom.exports', "
        "'urllib.request') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=KIT_ROOT)
    assert loaded.stdout.strip() == "[]", loaded.stdout
