"""ch03_networks: the shipped weights and their hash, the stated accuracy, the notebooks, the hints, a student repository.

The promises every assignment shares are tested where they live, over every assignment: full marks and a zero
stub (test_grade_end_to_end.py), a current stub (test_publish.py), the mutant catalogue (test_mutants.py).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys

import nbformat
import numpy as np
import pytest

from courses.ch03_networks import checks, hints
from grader.assignment import KIT_ROOT, load_assignment
from grader.classroom.publish import INSTRUCTOR_TAG, render_student_notebook
from grader.classroom.student_repo import audit_student_repo

ID = "ch03_networks"
SOLUTION = KIT_ROOT / "solutions" / f"{ID}.ipynb"
STUB = KIT_ROOT / "assignments" / f"{ID}.ipynb"
WEIGHTS = KIT_ROOT / "data" / "ch03_networks" / "sample_weight.npz"
UNITS = ["step_function", "sigmoid", "relu", "softmax", "init_network", "forward", "predict", "accuracy"]
PUBLIC_MAX = 59  # the public points of the eight units in rubrics/ch03_networks.toml: 6+6+6+9+6+9+8+9
SHAPES = {"W1": (784, 50), "b1": (50,), "W2": (50, 100), "b2": (100,), "W3": (100, 10), "b3": (10,)}


def _code(notebook) -> str:
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x.astype(np.float64)))


# -- the weights ---------------------------------------------------------------------------------


def test_the_weights_hash_is_the_one_checked_where_they_are_loaded():
    digest = hashlib.sha256(WEIGHTS.read_bytes()).hexdigest()
    assert checks.WEIGHTS_SHA256 == digest
    stated = re.search(r'WEIGHTS_SHA256 = "([0-9a-f]{64})"', _code(nbformat.read(SOLUTION, as_version=4)))
    assert stated and stated.group(1) == digest


def test_the_weights_are_plain_arrays_of_the_books_shapes():
    with np.load(WEIGHTS, allow_pickle=False) as weights:
        assert sorted(weights.files) == sorted(SHAPES)
        for key, shape in SHAPES.items():
            assert weights[key].shape == shape and weights[key].dtype == np.float32, key
            assert np.isfinite(weights[key]).all() and np.ptp(weights[key]) > 0, key


def test_damaged_weights_are_refused(tmp_path, monkeypatch):
    damaged = bytearray(WEIGHTS.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    (tmp_path / "sample_weight.npz").write_bytes(bytes(damaged))
    monkeypatch.setattr(checks, "WEIGHTS", tmp_path / "sample_weight.npz")
    checks.sample_network.cache_clear()
    try:
        with pytest.raises(checks.CourseDataError, match="SHA-256"):
            checks.sample_network()
    finally:
        checks.sample_network.cache_clear()


def test_the_stated_reference_accuracy_is_what_the_weights_reach():
    """The notebook states 0.9300 on the 1,000 bundled test images; inference written here reaches it."""
    markdown = "\n".join(c.source for c in nbformat.read(SOLUTION, as_version=4).cells if c.cell_type == "markdown")
    stated = re.search(r"\*\*(0\.\d{4})\*\*", markdown)
    assert stated, "the notebook states its reference accuracy in bold"
    x, t = checks.mnist_test(slice(0, 1000))
    assert x.shape == (1000, 784) and t.shape == (1000,)
    w = checks.sample_network()
    hidden = _sigmoid(_sigmoid(x @ w["W1"] + w["b1"]) @ w["W2"] + w["b2"])
    reached = float(np.mean(np.argmax(hidden @ w["W3"] + w["b3"], axis=1) == t))
    assert reached == float(stated.group(1))
    assert reached >= 0.9


# -- the notebooks -------------------------------------------------------------------------------


def test_the_stub_states_every_contract_and_holds_no_solution():
    stub = nbformat.read(STUB, as_version=4)
    code = _code(stub)
    assert code.count("raise NotImplementedError") == len(UNITS)
    assert "BEGIN SOLUTION" not in code and "np.array(x > 0, dtype=int)" not in code
    assert "accuracy_cnt += np.sum(p == t[i:i+batch_size])" not in code
    assert "def identity_function(x):\n    return x" in code  # the given helper stays
    markdown = "\n".join(c.source for c in stub.cells if c.cell_type == "markdown")
    for unit in UNITS:
        assert re.search(rf"채점 대상 . / Graded unit .: `{unit}\(", markdown), unit
    for cell in stub.cells:
        assert INSTRUCTOR_TAG not in cell.metadata.get("tags", [])
    assert STUB.read_text(encoding="utf-8") == render_student_notebook(load_assignment(ID))


def test_the_books_forward_pass_gives_the_books_numbers():
    from grader.pipeline.reference import load_solution_reference
    from grader.untrusted.calls import Call

    reference = load_solution_reference(load_assignment(ID))
    network = reference.run(Call("init_network"))["result"]
    y = reference.run(Call("forward", (network, np.array([1.0, 0.5]))))["result"]
    assert np.allclose(y, [0.31682708, 0.69627909], rtol=0, atol=1e-8)  # the book's printed output
    big = reference.run(Call("softmax", (np.array([[1010.0, 1000.0, 990.0], [-1000.0, -1001.0, -1002.0]]),)))
    assert np.allclose(big["result"].sum(axis=1), 1.0) and np.isfinite(big["result"]).all()


@pytest.mark.timeout(300)
def test_solution_notebook_runs_offline_with_the_bundled_data_and_shipped_weights(monkeypatch, tmp_path):
    from nbclient import NotebookClient

    monkeypatch.setenv("MNIST_OFFLINE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    notebook = nbformat.read(SOLUTION, as_version=4)
    notebook.cells = [c for c in notebook.cells if "from grader import check" not in c.source]
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(SOLUTION.parent)}}
    )
    client.execute()
    printed = {c.id: "".join(o.get("text", "") for o in c.outputs) for c in notebook.cells if c.cell_type == "code"}
    assert "bundled subset" in printed["mnist-data"] and "(1000, 784) float32" in printed["mnist-data"]
    assert "Accuracy: 0.93\n" in printed["inference"] and "Accuracy (batch 100): 0.93\n" in printed["inference"]
    assert "instructor checks passed" in printed["instructor-checks"]


def test_make_grade_takes_the_assignment_from_the_notebook_name():
    def planned(*args: str) -> str:
        return subprocess.run(["make", "-n", "grade", *args], cwd=KIT_ROOT, capture_output=True, text=True).stdout

    assert "grade solutions/ch03_networks.ipynb --assignment ch03_networks" in planned(
        "NOTEBOOK=solutions/ch03_networks.ipynb"
    )
    assert "grade assignments/ch04_learning.ipynb --assignment ch04_learning" in planned()  # the default stays
    assert "--assignment ch04_learning" in planned("NOTEBOOK=elsewhere/kim.ipynb")
    assert "--assignment ch03_networks" in planned("NOTEBOOK=kim.ipynb", "ASSIGNMENT=ch03_networks")


# -- hints ---------------------------------------------------------------------------------------


def test_the_hints_name_the_chapter_3_mistakes():
    assert hints.raised_hint("step_function", "AttributeError", "module 'numpy' has no attribute 'int'.", None) is (
        hints.STEP_NP_INT
    )
    assert "int" in hints.STEP_NP_INT.ko and "use dtype=int" in hints.STEP_NP_INT.en
    truth = "The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()"
    assert hints.raised_hint("relu", "ValueError", truth, None) is hints.ARRAY_IF
    scalars = "only 0-dimensional arrays can be converted to Python scalars"  # math.exp on an array
    assert hints.raised_hint("sigmoid", "TypeError", scalars, None) is hints.SIGMOID_ARRAYS
    assert hints.step_hint(np.array([True, False]), hints.STEP_VALUES) is hints.STEP_BOOL
    x = np.array([[0.3, 2.9, 4.0], [1.0, 2.0, 3.0]])
    whole_batch = np.exp(x) / np.exp(x).sum()
    assert hints.softmax_hint(whole_batch, x) is hints.SOFTMAX_ROWS
    with np.errstate(over="ignore", invalid="ignore"):
        big = np.array([1010.0, 1000.0, 990.0])
        assert hints.softmax_hint(np.exp(big) / np.exp(big).sum(), big) is hints.SOFTMAX_OVERFLOW
        apart = np.array([[600.0, 590.0], [-600.0, -601.0]])
        shifted = np.exp(apart - apart.max())
        assert hints.softmax_hint(shifted / shifted.sum(axis=1, keepdims=True), apart) is hints.SOFTMAX_ROW_MAX
    assert hints.sigmoid_hint(np.array([np.nan, 0.5]), np.array([0.0, 0.5]), np.array([-1000.0, 0.0])) is (
        hints.SIGMOID_LARGE
    )
    expected = np.array([[1.5, -0.2], [2.0, 0.4]])
    assert hints.forward_hint(expected - [0.1, 0.2], expected) is hints.FORWARD_OUTPUT_BIAS
    assert hints.forward_hint(_sigmoid(expected), expected) is hints.FORWARD_OUTPUT
    correct = np.array([True, True, False, True, True, False, True])  # 5 / 7; batches of 3 leave the last row
    assert hints.accuracy_hint(5, 5 / 7, correct, 3) is hints.ACC_SHARE
    assert hints.accuracy_hint(4 / 7, 5 / 7, correct, 3) is hints.ACC_PARTIAL
    assert hints.accuracy_hint(4 / 6, 5 / 7, correct, 3) is hints.ACC_PARTIAL
    assert hints.accuracy_hint(1 / 7, 5 / 7, correct, 3) is hints.ACC_SHARE  # `=` for `+=`: the last batch only
    # Fewer rows than a batch: a 0 is what one argmax for the whole batch gives too, not a dropped batch (issue 24)
    assert hints.accuracy_hint(0.0, 4 / 5, correct[:5], 100, 0.0) is hints.ACC_COUNTING
    assert hints.accuracy_hint(0.0, 4 / 5, correct[:5], 100, 1 / 5) is hints.ACC_PARTIAL  # no batch ever ran
    assert (
        hints.accuracy_hint(1 / 7, 5 / 7, correct, 3, 1 / 7) is hints.ACC_COUNTING
    )  # `=` and a missing axis both give 1 / 7
    square = np.array([[1000.0, 0.0], [0.0, 2.0]])  # np.max(x, axis=1) without keepdims broadcasts on a square x
    with np.errstate(over="ignore", invalid="ignore"):
        shifted = np.exp(square - np.max(square, axis=1))
        assert hints.softmax_hint(shifted / shifted.sum(axis=1, keepdims=True), square) is hints.SOFTMAX_KEEPDIMS
    for text in [v for v in vars(hints).values() if isinstance(v, type(hints.ACC_SHARE))]:
        assert re.search("[가-힣]", text.ko) and not re.search("[가-힣]", text.en)


# -- a student repository ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The ch03 student repository, published by the command line (publishing grades in the process, which hardens it)."""
    out = tmp_path_factory.mktemp("student") / "repo"
    result = subprocess.run(
        [sys.executable, "-m", "grader", "publish", "--assignment", ID, "--out", str(out)],
        cwd=KIT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


def test_the_student_repository_holds_this_assignment_and_its_data_only(published):
    files = {p.relative_to(published).as_posix() for p in published.rglob("*") if p.is_file()}
    for path in [
        "assignments/ch03_networks.ipynb",
        "tests_public/ch03_networks/test_softmax.py",
        "tests_public/ch03_networks/expected.npz",
        "courses/ch03_networks/checks.py",
        "courses/ch03_networks/untrusted/__init__.py",
        "rubrics/ch03_networks.toml",
        "data/ch03_networks/sample_weight.npz",
        "dataset/mnist.py",
        "dataset/mnist_5k/t10k-images-idx3-ubyte.gz",
    ]:
        assert path in files, path
    assert not [f for f in files if "ch04" in f or f.startswith(("solutions/", "tests_hidden/"))]
    assert not [f for f in files if "/mutants/" in f]
    assert audit_student_repo(published, load_assignment(ID)) == []
    assert "ch04" not in (published / "README.md").read_text()


@pytest.mark.timeout(600)
def test_make_check_in_the_student_repository_scores_stub_zero_and_solution_full(published, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(published, repo)

    def make_check() -> tuple[float, float, str]:
        result = subprocess.run(
            ["make", "-s", "check", f"PY={sys.executable}"], cwd=repo, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        # the stub's metadata asks for Korean feedback (grader.lang), so the headings are Korean
        total = re.search(r"^\s+합계\s+([\d.]+) / ([\d.]+)", result.stdout, re.M)
        assert total and "내부 오류" not in result.stdout, result.stdout
        return float(total.group(1)), float(total.group(2)), result.stdout

    assert make_check()[:2] == (0, PUBLIC_MAX)
    stub = nbformat.read(repo / "assignments" / f"{ID}.ipynb", as_version=4)
    stub.cells += [
        nbformat.v4.new_code_cell(cell.source)
        for cell in nbformat.read(SOLUTION, as_version=4).cells
        if cell.cell_type == "code" and INSTRUCTOR_TAG not in cell.metadata.get("tags", [])
    ]
    nbformat.write(stub, repo / "assignments" / f"{ID}.ipynb")
    score, maximum, output = make_check()
    assert (score, maximum) == (PUBLIC_MAX, PUBLIC_MAX), output


def test_mistakes_md_describes_every_ch03_mutant_and_names_only_real_hints():
    from courses.ch03_networks.mutants.catalogue import MUTANTS
    from grader.pipeline.checks import Text

    text = (KIT_ROOT / "docs" / "MISTAKES.md").read_text(encoding="utf-8")
    section = text.split("## Chapter 3: ch03_networks", 1)[1]
    assert len(MUTANTS) >= 25
    assert [m.id for m in MUTANTS if f"`{m.id}`" not in section] == []
    known = {name for name, value in vars(hints).items() if isinstance(value, Text)}
    named = set(re.findall(r"`((?:STEP|ARRAY|SIGMOID|RELU|SOFTMAX|INIT|FORWARD|PREDICT|ACC)_[A-Z0-9_]+)`", section))
    assert len(named) >= 15 and named <= known, sorted(named - known)


# -- classroom commands --------------------------------------------------------------------------


def _cli(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=300, **options
    )


@pytest.mark.timeout(600)
def test_batch_export_and_ci_feedback_grade_ch03(tmp_path):
    """batch names the assignment; the gradebook has ch03's columns; the export's column is ch03_networks."""
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SOLUTION, subs / "kim.ipynb")
    shutil.copy(STUB, subs / "lee.ipynb")
    units = ["--unit", "softmax", "--unit", "accuracy"]
    without = _cli("batch", str(subs), "--out", str(tmp_path / "no"), *units)
    assert without.returncode == 2 and "ch03_networks" in without.stderr  # several assignments: name one
    result = _cli("batch", str(subs), "--assignment", ID, "--out", str(tmp_path / "out"), "--seed", "5", *units)
    assert result.returncode == 0, result.stderr
    rows = (tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8-sig").splitlines()  # a BOM for Excel
    assert rows[0] == "student,total,softmax,accuracy,status,reason,reason_text"
    assert sorted(rows[1:]) == ["kim,30,15,15,graded,,", "lee,0,0,0,graded,,"]
    exported = _cli("export", "canvas", str(tmp_path / "out"), "--out", str(tmp_path / "canvas.csv"))
    assert exported.returncode == 0, exported.stderr
    canvas = (tmp_path / "canvas.csv").read_text(encoding="utf-8-sig").splitlines()
    assert canvas[0].endswith(",ch03_networks") and "Points Possible" in canvas[1] and canvas[1].endswith(",30")

    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env["GITHUB_STEP_SUMMARY"] = str(tmp_path / "summary.md")
    feedback = _cli(
        "ci", "feedback", "--assignment", ID, "--notebook", str(STUB), "--out", str(tmp_path / "art"), env=env
    )
    assert feedback.returncode == 1, feedback.stderr  # public points lost: the check fails
    summary = (tmp_path / "summary.md").read_text()
    assert "ch03_networks" in summary and "`softmax`" in summary and "0 / 59" in summary


def test_the_self_check_grades_a_ch03_notebook(tmp_path):
    """`check("softmax")` on a ch03 notebook, in its own process as in a student's kernel (grading hardens the process)."""
    path = tmp_path / f"{ID}.ipynb"
    stub = nbformat.read(STUB, as_version=4)
    solution = nbformat.read(SOLUTION, as_version=4)
    softmax_cell = next(c.source for c in solution.cells if c.cell_type == "code" and "def softmax(x)" in c.source)
    stub.cells.append(nbformat.v4.new_code_cell(softmax_cell))
    nbformat.write(stub, path)
    script = (
        "import sys\nfrom grader import check\nresult = check('softmax', notebook=sys.argv[1])\n"
        "(unit,) = result.report.units\n"
        "print(result.report.assignment, result.report.suites, unit.name, unit.score, unit.max_score)\n"
        "print('<table' in result._repr_html_())\n"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script, str(path)], cwd=KIT_ROOT, capture_output=True, text=True, timeout=300
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[-2:] == ["ch03_networks ['public'] softmax 9.0 9.0", "True"], ran.stdout


def test_a_call_with_a_network_is_described_briefly():
    """A public failure shows the call: a network of 784-50-100-10 weights fits in a few lines, not in 100 kB."""
    from grader.untrusted.calls import Call

    x, _ = checks.mnist_test(slice(0, 50))
    text = Call("predict", (checks.sample_network(), x)).describe()
    assert len(text) < 1000, text  # printed in full, the weights alone are over 100,000 characters
    assert "'W1': array([[" in text and "shape=(784, 50), dtype=float32)" in text
    assert "shape=(50, 784), dtype=float32)" in text and text.count("...") >= 6  # cut as numpy cuts
    book = Call("forward", (checks.BOOK_NETWORK, np.array([1.0, 0.5]))).describe()
    assert "'b3': np.array([0.1, 0.2])" in book  # small arrays in full
