"""`make bench`: how fast grading is, against executing the whole notebook as other graders do.

Prints medians of repeated runs measured in this one run (the machine is shared and noisy:
compare ratios, not absolute seconds). Not a test: nothing here asserts a target.

    python bench/bench.py [--runs 5] [--class-size 100] [--training-class-size 20] [--baseline-size 10]

Targets (issue "grading at the speed of the machine"): one cold submission of the five core units at most
3x the import floor of the kit's own dependencies; a class on 2 processes at least 10 submissions/s without
training and 2/s with it; at most 300 MB per process. Each line says met, or missed and by how much.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.assignment import load_assignment  # noqa: E402
from grader.pipeline.grade import grade_notebook  # noqa: E402
from grader.pipeline.reference import load_reference  # noqa: E402
from grader.sandbox import detect_isolation  # noqa: E402
from grader.tests.helpers import grader_command  # noqa: E402

SOLUTION = ROOT / "solutions" / "ch04_learning.ipynb"
CORE_UNITS = ["cross_entropy_error", "numerical_diff", "numerical_gradient", "gradient_descent", "TwoLayerNet"]
TARGETS = {"cold_over_floor": 3.0, "rate": 10.0, "rate_training": 2.0, "memory_mb": 300.0}
IMPORT_FLOOR = "import numpy, pytest, nbformat, pytest_timeout"  # what any grading process must import
POOLS = ("on", "off")  # GRADER_WORKER_POOL: workers forked from the warm server, or exec'd (bubblewrap if any)


def median_time(action, runs: int) -> float:
    """Median wall time of ``runs`` calls of ``action``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def class_notebooks(directory: Path, size: int) -> list[Path]:
    """``size`` submissions: correct styles and mutants when the catalogue exists, else the solution."""
    variants = _variants()
    paths = []
    for index in range(size):
        name, notebook = variants[index % len(variants)]
        path = directory / f"student{index:03d}" / "ch04_learning.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(notebook, str(path))
        paths.append(path)
    return paths


def _variants() -> list[tuple[str, object]]:
    from grader.mutants import all_variants
    from grader.mutants.variants import build_notebook, load_catalogue

    return [(variant.id, build_notebook(variant)) for variant in all_variants(load_catalogue("ch04_learning"))]


def verdict(value: float, target: float, *, at_most: bool) -> str:
    """'met', or 'missed by N%' (how far the value is from its target)."""
    met = value <= target if at_most else value >= target
    if met:
        return "met"
    return f"missed by {abs(value - target) / target:.0%}"


def import_floor(runs: int) -> float:
    """A new interpreter that only imports the kit's dependencies: no grader can start faster."""
    command = [sys.executable, "-I", "-c", IMPORT_FLOOR]
    return median_time(lambda: subprocess.run(command, cwd=ROOT, capture_output=True, check=True), runs)


def pool_environment(pool: str) -> dict[str, str]:
    """This process's environment with workers forked from the warm server ("on") or exec'd ("off")."""
    return dict(os.environ, GRADER_WORKER_POOL=pool)


def cold_single(runs: int, pool: str) -> float:
    """A new process per grading: `python -m grader grade`, isolation included."""
    command = grader_command("grade", str(SOLUTION), *[a for u in CORE_UNITS for a in ("--unit", u)])
    env = pool_environment(pool)
    return median_time(lambda: subprocess.run(command, cwd=ROOT, capture_output=True, check=True, env=env), runs)


def training_single(runs: int) -> float:
    """The training unit alone, cold: it trains a 784-50-10 net, so it is reported apart."""
    command = grader_command("grade", str(SOLUTION), "--unit", "train_neuralnet")
    return median_time(lambda: subprocess.run(command, cwd=ROOT, capture_output=True, check=True), runs)


def warm_single(runs: int, units: list[str], pool: str) -> float:
    """Inside a running process that already loaded the reference (what a batch does)."""
    os.environ["GRADER_WORKER_POOL"] = pool
    assignment = load_assignment("ch04_learning")
    reference = load_reference(assignment)
    grade_notebook(SOLUTION, reference=reference, units=units, grading_seed=1)
    return median_time(lambda: grade_notebook(SOLUTION, reference=reference, units=units, grading_seed=1), runs)


def class_run(notebooks: list[Path], processes: int, units: list[str], pool: str) -> dict:
    """Grade exactly ``notebooks`` with `python -m grader batch` on ``processes`` processes."""
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as linked:
        submissions = Path(linked)  # their folder may hold more notebooks than this class (the training class)
        for notebook in notebooks:
            (submissions / notebook.parent.name).symlink_to(notebook.parent)
        command = grader_command(
            "batch",
            "--assignment",
            "ch04_learning",
            str(submissions),
            "--out",
            out,
            "--jobs",
            str(processes),
            "--force",
            *[a for u in units for a in ("--unit", u)],
        )
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True, env=pool_environment(pool))
        wall = time.perf_counter() - start
    # ru_maxrss of reaped descendants: the largest single process (batch processes and sandboxed workers).
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall": wall, "rate": len(notebooks) / wall, "peak_mb": peak}


def baseline(notebooks: list[Path]) -> float:
    """Median per-notebook time of executing it in a Jupyter kernel (nbclient), then testing it there."""
    from nbclient import NotebookClient

    checks = nbformat.v4.new_code_cell(_baseline_checks())
    times = []
    for path in notebooks:
        notebook = nbformat.read(str(path), as_version=4)
        notebook.cells.append(checks)
        start = time.perf_counter()
        try:
            NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True).execute()
        finally:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def _baseline_checks() -> str:
    """Public-test-like asserts run inside the kernel, as nbgrader/otter tests do."""
    return """
import numpy as _np
_rng = _np.random.default_rng(0)
_y = _rng.dirichlet(_np.ones(10), 8); _t = _np.eye(10)[_rng.integers(0, 10, 8)]
_checks = []
for _name, _call in [
    ("cee", lambda: cross_entropy_error(_y, _t)),
    ("diff", lambda: numerical_diff(lambda x: _np.sin(100 * x), 0.3)),
    ("grad", lambda: numerical_gradient(lambda x: _np.sum(_np.sin(10 * x)), _rng.uniform(-1, 1, (2, 3)))),
    ("gd", lambda: gradient_descent(lambda x: _np.sum(x ** 2), _np.array([-3.0, 4.0]), lr=0.1, step_num=100)),
    ("net", lambda: TwoLayerNet(5, 4, 3).gradient(_rng.normal(size=(4, 5)), _np.eye(3)[[0, 1, 2, 0]])),
]:
    try:
        _call(); _checks.append(True)
    except Exception:
        _checks.append(False)
"""


def main() -> None:
    """Measure and print every figure with its target."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--class-size", type=int, default=100)
    parser.add_argument("--training-class-size", type=int, default=20)
    parser.add_argument("--baseline-size", type=int, default=10)
    options = parser.parse_args()
    print(
        f"machine: {platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()} · "
        f"{time.strftime('%Y-%m-%d')} · command: python bench/bench.py --runs {options.runs} "
        f"--class-size {options.class_size} --training-class-size {options.training_class_size}"
    )
    default = "off" if detect_isolation().namespaces else "on"  # what GRADER_WORKER_POOL=auto does here
    print(
        f"workers by default here: {'exec (bubblewrap is in use)' if default == 'off' else 'forked (no bubblewrap)'}; "
        "each figure below is given with workers forked from the warm server (pool on) and exec'd (pool off)"
    )
    floor = import_floor(options.runs)
    target = TARGETS["cold_over_floor"]
    print(f"import floor (python -I -c '{IMPORT_FLOOR}'): {floor:.2f} s")
    for pool in POOLS:
        cold = cold_single(options.runs, pool)
        print(
            f"[pool {pool}] one submission, cold (new process), five core units, isolation on: {cold:.2f} s = "
            f"{cold / floor:.1f}x the floor (target ≤ {target:g}x: {verdict(cold / floor, target, at_most=True)})"
        )
    for pool in POOLS:
        print(
            f"[pool {pool}] one submission, warm (inside a batch): {warm_single(options.runs, CORE_UNITS, pool):.2f} s"
        )
    training = training_single(max(3, options.runs // 2))
    print(f"training unit alone (train_neuralnet), cold: {training:.2f} s (reported apart)")
    with tempfile.TemporaryDirectory() as tmp:
        notebooks = class_notebooks(Path(tmp), options.class_size)
        memory, rates = 0.0, {}
        for pool in POOLS:
            whole = class_run(notebooks, 2, CORE_UNITS, pool)
            memory, rates[pool] = max(memory, whole["peak_mb"]), whole
            print(
                f"[pool {pool}] class of {len(notebooks)} on 2 processes, without training: {whole['wall']:.1f} s, "
                f"{whole['rate']:.2f} submissions/s (target ≥ {TARGETS['rate']:g}: "
                f"{verdict(whole['rate'], TARGETS['rate'], at_most=False)})"
            )
        for pool in POOLS:
            trained = class_run(notebooks[: options.training_class_size], 2, [*CORE_UNITS, "train_neuralnet"], pool)
            memory = max(memory, trained["peak_mb"])
            print(
                f"[pool {pool}] class of {options.training_class_size} on 2 processes, with training: "
                f"{trained['wall']:.1f} s, {trained['rate']:.2f} submissions/s (target ≥ {TARGETS['rate_training']:g}: "
                f"{verdict(trained['rate'], TARGETS['rate_training'], at_most=False)})"
            )
        print(
            f"peak memory of one process (batch processes and workers): {memory:.0f} MB "
            f"(target ≤ {TARGETS['memory_mb']:.0f}: {verdict(memory, TARGETS['memory_mb'], at_most=True)})"
        )
        base = baseline(notebooks[: options.baseline_size])
        print(
            f"baseline, nbclient whole-notebook execution + tests: {base:.2f} s per notebook (median of "
            f"{options.baseline_size})"
        )
        for pool in POOLS:
            ours = rates[pool]["wall"] / len(notebooks) * 2  # per submission per process, like the baseline's kernel
            print(f"[pool {pool}] the class as a ratio, baseline / ours per submission and core: {base / ours:.1f}x")


if __name__ == "__main__":
    main()
