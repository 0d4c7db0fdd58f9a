"""A progress line while one grading runs (stderr, terminal only), and every misuse one line with exit status 2."""

from __future__ import annotations

import io
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.assignment import KIT_ROOT
from grader.progress import DELAY_VARIABLE, ProgressLine
from grader.tests.helpers import SOLUTION, STUDENT


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_appears_after_the_delay_says_how_far_grading_is_and_is_erased_at_the_end():
    stream = Terminal()
    with ProgressLine(stream, "en", delay=0.05) as progress:
        progress.update(3, 7, "numerical_diff")
        time.sleep(0.4)
    text = stream.getvalue()
    assert "grading… · 3/7 tests · numerical_diff" in text
    assert text.endswith("\r\x1b[K")  # the report that follows starts on a clean line


def test_a_quick_grading_or_a_stream_that_is_not_a_terminal_shows_nothing():
    quick, pipe = Terminal(), io.StringIO()
    with ProgressLine(quick, "en", delay=5.0):
        pass
    with ProgressLine(pipe, "ko", delay=0.0) as progress:
        progress.update(1, 2, "TwoLayerNet")
        time.sleep(0.2)
    assert quick.getvalue() == "" and pipe.getvalue() == ""


def grade_on_a_terminal(*args: str) -> tuple[bytes, str]:
    """stderr on a pseudo-terminal (as in a shell), stdout on a pipe; returns (terminal bytes, stdout)."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "grader", "grade", *args],
        stdout=subprocess.PIPE,
        stderr=slave,
        cwd=KIT_ROOT,
        env={**os.environ, DELAY_VARIABLE: "0"},  # the line at once: how long a grading takes must not matter
    )
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif process.poll() is not None:
            break
    os.close(master)
    stdout = process.stdout.read().decode()
    assert process.wait(timeout=600) == 0
    return seen, stdout


def test_a_grading_shows_the_line_on_the_terminal_and_never_in_the_report():
    seen, stdout = grade_on_a_terminal(str(SOLUTION), "--unit", "TwoLayerNet", "--lang", "en", "--seed", "1")
    assert b"grading\xe2\x80\xa6" in seen and seen.endswith(b"\r\x1b[K")
    assert "grading…" not in stdout and "TwoLayerNet" in stdout
    piped = subprocess.run(
        [sys.executable, "-m", "grader", "grade", str(SOLUTION), "--unit", "numerical_diff", "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert piped.returncode == 0 and "grading" not in piped.stderr  # a log or a pipe gets no line


def one_line_misuse(args: list[str], **options) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, **options)
    assert done.returncode == 2, (args, done.stdout, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("error: ")
    return done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["export", "gradescope", "gradebook.csv"],
        ["export", "gradescope", "{folder}/gradebook.csv", "--out", "{folder}/results.json"],
        ["export", "canvas", "{folder}/missing", "--out", "{folder}/canvas.csv"],
        ["grade"],
        ["grade", "{folder}"],
        ["grade", str(STUDENT), "--lang", "fr"],
        ["grade", str(STUDENT), "--seed", "seven"],
        ["batch", "{folder}/missing", "--out", "{folder}/results"],
        ["gradescope", "{folder}/missing", "--results", "{folder}/results.json"],
        ["no-such-command"],
        ["ci", "no-such-command"],
    ],
    ids=lambda args: " ".join(args[:3]),
)
def test_every_misuse_is_one_line_and_exit_status_2(tmp_path, args):
    (tmp_path / "gradebook.csv").write_text("student,total\nalice,10\n", encoding="utf-8")
    command = [sys.executable, "-m", "grader", *[arg.format(folder=tmp_path) for arg in args]]
    one_line_misuse(command, cwd=tmp_path)


def test_a_python_without_the_kits_dependencies_says_to_use_the_venv(tmp_path):
    # -S: no site-packages, as the system's python3 run in the kit's folder instead of .venv/bin/python
    message = one_line_misuse([sys.executable, "-S", "-m", "grader", "grade", str(STUDENT)], cwd=KIT_ROOT)
    assert ".venv/bin/python -m grader" in message and sys.executable in message


@pytest.mark.parametrize("version", ["3.10", "3.9", "3.8"])
def test_a_python_older_than_3_11_says_which_python_to_use(version):
    candidates = [str(p) for p in Path.home().glob(f".pyenv/versions/{version}.*/bin/python")]
    candidates += [found] if (found := shutil.which(f"python{version}")) else []
    python = next(
        (c for c in candidates if subprocess.run([c, "-c", "pass"], capture_output=True).returncode == 0), None
    )
    if python is None:  # a pyenv shim without that version installed fails: not a Python
        pytest.skip(f"no Python {version} on this machine")
    message = one_line_misuse([python, "-m", "grader", "grade", str(STUDENT)], cwd=KIT_ROOT)
    assert "Python >= 3.11" in message and ".venv/bin/python" in message
