"""`make bench`: how fast grading is in the set-up this runs in, against executing the whole notebook.

Prints the set-up first (user, bubblewrap, how workers start, the interpreter and where workers find it, cores,
date), then medians of repeated runs measured in this one run, in the default ``auto`` mode of
``GRADER_WORKER_POOL`` (``--pool on|off`` forces one, and every line then says it is forced), then each target
of issue 26, met or missed by how much. Not a test: nothing here asserts a target. ``bench/setups.py`` runs
this once per supported set-up the machine can host (``make bench``).

    python bench/bench.py [--runs 5] [--class-size 100] [--training-class-size 20] [--baseline-size 10]
                          [--pool auto|on|off] [--json FILE]

Targets: a class on 2 processes at least 10 submissions/s without training and 2/s with it; one cold
submission of the five core units at most 3x the import floor of the kit's own dependencies measured in the
same run; at most 300 MB per process; the class rate also as a ratio to nbclient measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
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
from grader.sandbox import Isolation, detect_isolation  # noqa: E402
from grader.tests.helpers import grader_command  # noqa: E402

SOLUTION = ROOT / "solutions" / "ch04_learning.ipynb"
CORE_UNITS = ["cross_entropy_error", "numerical_diff", "numerical_gradient", "gradient_descent", "TwoLayerNet"]
TARGETS = {"cold_over_floor": 3.0, "rate": 10.0, "rate_training": 2.0, "memory_mb": 300.0}
IMPORT_FLOOR = "import numpy, pytest, nbformat, pytest_timeout"  # what any grading process must import
# Run by a small parent so that its ru_maxrss is the grading processes' own: Linux carries a process's peak
# across exec, so a batch started straight from this (large) process would "peak" at this process's size.
PEAK_OF_CHILDREN = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
    "stderr=subprocess.PIPE).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
)


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
    """This process's environment in the default mode ("auto": GRADER_WORKER_POOL unset), or forced on/off."""
    env = {key: value for key, value in os.environ.items() if key != "GRADER_WORKER_POOL"}
    return env if pool == "auto" else dict(env, GRADER_WORKER_POOL=pool)


def cold_single(runs: int, pool: str) -> float:
    """A new process per grading: `python -m grader grade`, isolation included."""
    command = grader_command("grade", str(SOLUTION), *[a for u in CORE_UNITS for a in ("--unit", u)])
    env = pool_environment(pool)
    return median_time(lambda: subprocess.run(command, cwd=ROOT, capture_output=True, check=True, env=env), runs)


def training_single(runs: int, pool: str) -> float:
    """The training unit alone, cold: it trains a 784-50-10 net, so it is reported apart."""
    command = grader_command("grade", str(SOLUTION), "--unit", "train_neuralnet")
    env = pool_environment(pool)
    return median_time(lambda: subprocess.run(command, cwd=ROOT, capture_output=True, check=True, env=env), runs)


def warm_single(runs: int, units: list[str], pool: str) -> float:
    """Inside a running process that already loaded the reference (what a batch does)."""
    environment = pool_environment(pool)  # read before clearing: it is this environment less the pool variable
    os.environ.clear()
    os.environ.update(environment)
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
        done = subprocess.run(
            [sys.executable, "-c", PEAK_OF_CHILDREN, *command],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env=pool_environment(pool),
        )
        wall = time.perf_counter() - start
    # ru_maxrss of the small parent's reaped descendants: the largest single process (batch processes, fork
    # servers, sandboxed workers), in KiB.
    peak_kib, code = (int(word) for word in done.stdout.split()[-2:])
    if code != 0:
        raise SystemExit(f"the batch failed ({code}): {done.stderr[-2000:]}")
    return {"wall": wall, "rate": len(notebooks) / wall, "peak_mb": peak_kib / 1024}


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


def _worker_start(isolation: Isolation) -> str:
    if not isolation.fork_server:
        return "exec'd, one new interpreter each"
    if isolation.namespaces:
        return "forked inside each submission's own bubblewrap sandbox"
    return "forked from the warm server"


def describe_setup(pool: str) -> dict[str, str]:
    """The set-up these figures belong to, as the kit itself sees it (what `auto` does here)."""
    environment = pool_environment(pool)  # read before clearing: it is this environment less the pool variable
    os.environ.clear()
    os.environ.update(environment)
    isolation = detect_isolation()
    runtime = isolation.runtime
    bwrap = shutil.which("bwrap")
    if runtime.copied_to is not None:
        reach = f"workers run a verified copy in {runtime.copied_to} (this one is out of their reach)"
    elif isolation.namespaces:
        reach = "workers run it inside bubblewrap's private filesystem"
    else:
        reach = "workers run it directly"
    commit = subprocess.run(
        ["git", "-c", "safe.directory=*", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    )
    return {
        "user": "root" if os.geteuid() == 0 else f"{_user_name()} (uid {os.geteuid()}, not root)",
        "bubblewrap": (f"installed ({bwrap}), in use" if isolation.namespaces else f"installed ({bwrap}), not in use")
        if bwrap
        else "not installed (or not on PATH)",
        "workers": _worker_start(isolation)
        + (f" (GRADER_WORKER_POOL={pool}: forced, not the default)" if pool != "auto" else " (auto, the default)"),
        "interpreter": f"{sys.executable} (Python {platform.python_version()}); {reach}",
        "layers": ", ".join(isolation.layers()),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "commit": commit.stdout.strip() or "unknown",
        "load": load_average(),
    }


def load_average() -> str:
    """The machine's 1-minute load average: on a shared machine it says how far to trust the seconds below."""
    return f"{os.getloadavg()[0]:.1f}"


def _user_name() -> str:
    import pwd

    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return "?"


def targets(figures: dict[str, float]) -> list[tuple[str, str]]:
    """Each target of issue 26 with the figure measured here: (what, 'value: met' or 'value: missed by N%')."""
    cold_ratio = figures["cold"] / figures["floor"]
    return [
        (
            f"class without training ≥ {TARGETS['rate']:g} submissions/s",
            f"{figures['rate']:.2f}/s: {verdict(figures['rate'], TARGETS['rate'], at_most=False)}",
        ),
        (
            f"class with training ≥ {TARGETS['rate_training']:g} submissions/s",
            f"{figures['rate_training']:.2f}/s: "
            f"{verdict(figures['rate_training'], TARGETS['rate_training'], at_most=False)}",
        ),
        (
            f"one cold submission ≤ {TARGETS['cold_over_floor']:g}× the import floor",
            f"{figures['cold']:.2f} s = {cold_ratio:.1f}× {figures['floor']:.2f} s: "
            f"{verdict(cold_ratio, TARGETS['cold_over_floor'], at_most=True)}",
        ),
        (
            f"peak memory per process ≤ {TARGETS['memory_mb']:g} MB",
            f"{figures['peak_mb']:.0f} MB: {verdict(figures['peak_mb'], TARGETS['memory_mb'], at_most=True)}",
        ),
        (
            "class rate as a ratio to nbclient (same run, 2 kernels)",
            f"{figures['rate'] / figures['nbclient_rate']:.1f}× ({figures['nbclient_rate']:.2f}/s)",
        ),
    ]


def main() -> None:
    """Measure and print the set-up, every figure, and every target met or missed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--class-size", type=int, default=100)
    parser.add_argument("--training-class-size", type=int, default=20)
    parser.add_argument("--baseline-size", type=int, default=10)
    parser.add_argument("--pool", choices=("auto", "on", "off"), default="auto", help="auto (the default) unless told")
    parser.add_argument("--json", type=Path, help="also write the set-up and the figures here")
    options = parser.parse_args()
    pool = options.pool
    command = (
        f"python bench/bench.py --runs {options.runs} --class-size {options.class_size} "
        f"--training-class-size {options.training_class_size} --baseline-size {options.baseline_size}"
        + (f" --pool {pool}" if pool != "auto" else "")
    )
    setup = describe_setup(pool)
    for key, value in setup.items():
        print(f"{key + ':':<13}{value}", flush=True)
    print(f"{'command:':<13}{command}", flush=True)
    figures: dict[str, float] = {}
    figures["floor"] = import_floor(options.runs)
    print(f"import floor (python -I -c '{IMPORT_FLOOR}'): {figures['floor']:.2f} s", flush=True)
    figures["cold"] = cold_single(options.runs, pool)
    print(f"one submission, cold (new process), five core units: {figures['cold']:.2f} s", flush=True)
    figures["warm"] = warm_single(options.runs, CORE_UNITS, pool)
    print(f"one submission, warm (inside a batch process): {figures['warm']:.2f} s", flush=True)
    figures["training_cold"] = training_single(max(1, (options.runs + 1) // 2), pool)
    print(f"training unit alone (train_neuralnet), cold: {figures['training_cold']:.2f} s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        notebooks = class_notebooks(Path(tmp), max(options.class_size, options.training_class_size))
        whole = class_run(notebooks[: options.class_size], 2, CORE_UNITS, pool)
        figures["rate"], figures["class_wall"] = whole["rate"], whole["wall"]
        print(
            f"class of {options.class_size} on 2 processes, without training: {whole['wall']:.1f} s, "
            f"{whole['rate']:.2f} submissions/s, peak {whole['peak_mb']:.0f} MB",
            flush=True,
        )
        trained = class_run(notebooks[: options.training_class_size], 2, [*CORE_UNITS, "train_neuralnet"], pool)
        figures["rate_training"], figures["training_wall"] = trained["rate"], trained["wall"]
        print(
            f"class of {options.training_class_size} on 2 processes, with training: {trained['wall']:.1f} s, "
            f"{trained['rate']:.2f} submissions/s, peak {trained['peak_mb']:.0f} MB",
            flush=True,
        )
        figures["peak_mb"] = max(whole["peak_mb"], trained["peak_mb"])
        figures["nbclient"] = baseline(notebooks[: options.baseline_size])
        figures["nbclient_rate"] = 2 / figures["nbclient"]  # two kernels side by side, as generous as can be
        print(
            f"baseline, nbclient executes the notebook in a Jupyter kernel, then tests it: {figures['nbclient']:.2f} s "
            f"per notebook (median of {options.baseline_size}), {figures['nbclient_rate']:.2f}/s on 2 kernels",
            flush=True,
        )
    setup["load"] += f" at the start, {load_average()} at the end"
    print(f"load average: {setup['load']} (2 cores: above 2, other work shares them)")
    print("targets (issue 26):")
    rows = targets(figures)
    for what, outcome in rows:
        print(f"  {what}: {outcome}")
    if options.json:
        options.json.write_text(
            json.dumps({"setup": setup, "command": command, "figures": figures, "targets": rows}, indent=1),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
