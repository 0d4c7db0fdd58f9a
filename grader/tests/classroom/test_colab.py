"""check() in Google Colab, rehearsed with a stand-in for Colab's own module: the notebook comes from Colab's
frontend (no file runs there), is written beside the kernel and graded like any other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat

from grader.assignment import KIT_ROOT
from grader.tests.helpers import solution_notebook

# google.colab._message as Colab has it: blocking_request("get_ipynb") answers {"ipynb": <the notebook>}.
STAND_IN = """
import json, os
def blocking_request(request_type, request="", timeout_sec=5, parent=None):
    assert request_type == "get_ipynb", request_type
    if os.environ.get("COLAB_STAND_IN_FAILS"):
        raise TimeoutError("the browser tab did not answer")
    with open(os.environ["COLAB_STAND_IN_NOTEBOOK"], encoding="utf-8") as stream:
        return {"ipynb": json.load(stream)}
"""


def colab_kernel(tmp_path: Path, notebook, code: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` as a Colab kernel would: google.colab importable, the working folder not the kit."""
    package = tmp_path / "stand-in" / "google" / "colab"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "_message.py").write_text(STAND_IN)
    source = tmp_path / "frontend.ipynb"  # what the browser holds; the kernel never sees this path
    nbformat.write(notebook, source)
    content = tmp_path / "content"
    content.mkdir()
    variables = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(package.parent.parent), str(KIT_ROOT)]),
        "COLAB_STAND_IN_NOTEBOOK": str(source),
        **env,
    }
    variables.pop("JPY_SESSION_NAME", None)
    script = "import google.colab\nfrom grader import check\n" + code
    return subprocess.run(
        [sys.executable, "-c", script], cwd=content, env=variables, capture_output=True, text=True, timeout=300
    )


def test_check_in_colab_grades_the_notebook_colab_gives(tmp_path):
    notebook = solution_notebook()
    notebook.metadata["grader"] = {"assignment": "ch04_learning", "lang": "en"}
    result = colab_kernel(tmp_path, notebook, 'report = check("numerical_diff")\nprint(report)')
    assert result.returncode == 0, result.stderr[-2000:]
    assert "numerical_diff" in result.stdout and "10 / 10" not in result.stdout  # public tests only
    assert "5 / 5" in result.stdout, result.stdout[-1500:]
    written = tmp_path / "content" / "ch04_learning.ipynb"
    assert json.loads(written.read_text(encoding="utf-8"))["metadata"]["grader"]["assignment"] == "ch04_learning"


def test_when_colab_does_not_answer_check_says_what_to_do(tmp_path):
    result = colab_kernel(tmp_path, solution_notebook(), "check()", COLAB_STAND_IN_FAILS="1")
    assert result.returncode == 1
    assert "Colab did not give the notebook" in result.stderr and "check(notebook=" in result.stderr
    assert "노트북을 주지 않았습니다" in result.stderr
