"""`make bench-isolation`: what the kernel layers cost, grading the instructor notebook with and without them.

Not a test. Grades solutions/ch04_learning.ipynb RUNS times with every layer this machine
has, and RUNS times with seccomp, the uid drop and bubblewrap turned off through
GRADER_UNSAFE_DISABLE_LAYERS=kernel (the switch exists for this measurement only), in
alternating order so drift in the machine's load hits both alike. Prints the medians and
their difference, for whole command-line runs (what a TA waits for), for gradings in one
process (no interpreter start-up; closer to a batch regrade), and for the five core units
alone (their many short calls show the per-worker cost best; the training test's seconds of
arithmetic do not depend on isolation).

    python bench/isolation.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import sandbox  # noqa: E402
from grader.assignment import load_assignment  # noqa: E402
from grader.pipeline.grade import grade_notebook  # noqa: E402
from grader.pipeline.reference import load_reference  # noqa: E402
from grader.tests.helpers import grader_command  # noqa: E402

SOLUTION = ROOT / "solutions" / "ch04_learning.ipynb"
CORE_UNITS = ["cross_entropy_error", "numerical_diff", "numerical_gradient", "gradient_descent", "TwoLayerNet"]
MODES = {"full isolation": "", "kernel layers off": "kernel"}


def command_line_seconds(disabled: str, out: Path) -> float:
    """Wall time of one ``python -m grader grade`` of the instructor notebook."""
    env = dict(os.environ, **{sandbox.DISABLE_VARIABLE: disabled, sandbox.ACCEPT_UNCONFINED_VARIABLE: "1"})
    command = grader_command("grade", str(SOLUTION), "--assignment", "ch04_learning", "--json", str(out))
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def in_process_seconds(disabled: str, reference, units: list[str] | None = None) -> float:
    """Wall time of one grade_notebook() call in this process."""
    os.environ[sandbox.DISABLE_VARIABLE] = disabled
    os.environ[sandbox.ACCEPT_UNCONFINED_VARIABLE] = "1"  # a measurement, not a grading
    try:
        started = time.perf_counter()
        report = grade_notebook(SOLUTION, assignment_id="ch04_learning", reference=reference, units=units)
        elapsed = time.perf_counter() - started
    finally:
        os.environ.pop(sandbox.DISABLE_VARIABLE, None)
    if report.internal_errors or report.score != report.max_score:
        raise SystemExit(f"the instructor notebook did not score full marks: {report.internal_errors}")
    return elapsed


def measure(runs: int) -> dict[str, dict[str, list[float]]]:
    """Times per way of running and per mode, the modes alternating run by run."""
    ways = {
        "command line, whole notebook": lambda disabled: command_line_seconds(disabled, out),
        "in one process, whole notebook": lambda disabled: in_process_seconds(disabled, reference),
        f"in one process, the {len(CORE_UNITS)} core units (no training)": lambda disabled: in_process_seconds(
            disabled, reference, CORE_UNITS
        ),
    }
    times: dict[str, dict[str, list[float]]] = {way: {} for way in ways}
    reference = load_reference(load_assignment("ch04_learning"))
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "r.json"
        for action in ways.values():  # warm-up: first imports, caches, probes
            for disabled in MODES.values():
                action(disabled)
        for run in range(runs):
            order = list(MODES.items()) if run % 2 == 0 else list(reversed(MODES.items()))
            for way, action in ways.items():
                for mode, disabled in order:
                    times[way].setdefault(mode, []).append(action(disabled))
    return times


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per mode (at least 5)")
    options = parser.parse_args()
    if options.runs < 5:
        parser.error("--runs must be at least 5")
    isolation = sandbox.detect_isolation()
    print(f"layers here: {', '.join(isolation.layers())}")
    for layer, why in isolation.missing.items():
        print(f"  missing {layer}: {why}")
    print(f"cores: {os.cpu_count()}, load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    times = measure(options.runs)
    for way, modes in times.items():
        medians = {mode: statistics.median(values) for mode, values in modes.items()}
        print(f"{way} (median of {options.runs}):")
        for mode, median in medians.items():
            spread = ", ".join(f"{value:.2f}" for value in modes[mode])
            print(f"  {mode:<18} {median:6.2f} s   [{spread}]")
        difference = medians["full isolation"] - medians["kernel layers off"]
        print(f"  {'isolation costs':<18} {difference:+6.2f} s per submission\n")


if __name__ == "__main__":
    main()
