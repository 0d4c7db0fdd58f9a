"""`make bench-profile`: where one warm grading's time goes, in the set-up this runs in.

Grades ``--class-size`` different notebooks (the mutant catalogue's styles and mistakes, as `make bench` does) one
after another in this one process, after one grading to warm it (the reference loaded, the suites collected, the
machine probed), as a batch's grading process does. Each part of the grading is timed exclusively (time inside a
nested part counts for that part only), so the parts add up to the wall time of a grading:

- reading the notebook and extracting its definitions (trusted);
- starting workers (an exec'd interpreter under bubblewrap, or a fork of the warm server) and waiting until one
  reports what confines it;
- loading the definitions in the workers, and the student's calls there (waiting for the worker);
- the reference's answers (computed in this process);
- pytest's run protocol with the checks (comparisons, hints) and the plugin's recording;
- stopping workers and removing their scratch folders; the rest (report assembly).

It also prints where the CPU goes, per grading: this process's (the trusted side's own work) and the whole
machine's (``/proc/stat``; the rest is the submission's sandbox and workers, and the kernel's work for them, so run
it on a quiet machine). The machine's CPU per grading bounds a class's rate: on N cores no batch grades faster than
N / that figure. Not a test: nothing is asserted; `make bench` has the targets.

    python bench/profile.py [--class-size 20] [--units core|all] [--pool auto|on|off]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench import CORE_UNITS, class_notebooks, describe_setup  # noqa: E402
from grader import sandbox  # noqa: E402
from grader.assignment import load_assignment  # noqa: E402
from grader.pipeline import collected, grade  # noqa: E402
from grader.pipeline import reference as reference_module  # noqa: E402
from grader.pipeline import session as session_module  # noqa: E402
from grader.pipeline.reference import load_reference  # noqa: E402

PARTS = {  # (owner, attribute) -> the part of a grading it is
    (grade, "read_and_extract"): "read notebook, extract definitions",
    (sandbox.Worker, "start"): "start workers (spawn)",
    (sandbox.Worker, "_await_ready"): "wait for a worker's confinement report",
    (sandbox.Worker, "load"): "load definitions in workers",
    (sandbox.Worker, "call"): "student calls (waiting on the worker)",
    (reference_module.Reference, "run"): "reference answers (here)",
    (collected.CollectedSuites, "run"): "pytest protocol, checks, recording",
    (session_module.GradingSession, "stop_workers"): "stop workers, remove scratch",
}
REST = "other (isolation check, report assembly)"


class Clock:
    """Exclusive time per part: a part's time excludes the parts called inside it."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self._stack: list[list[float | str]] = []  # [part, started, time spent in nested parts]

    def wrap(self, part: str, function: Callable) -> Callable:
        @functools.wraps(function)
        def timed(*args, **kwargs):
            self._stack.append([part, time.perf_counter(), 0.0])
            try:
                return function(*args, **kwargs)
            finally:
                name, started, nested = self._stack.pop()
                spent = time.perf_counter() - float(started)
                self.totals[str(name)] += spent - float(nested)
                if self._stack:
                    self._stack[-1][2] = float(self._stack[-1][2]) + spent

        return timed

    def take(self) -> dict[str, float]:
        totals, self.totals = dict(self.totals), defaultdict(float)
        return totals


def machine_cpu_seconds() -> float:
    """CPU seconds every core of this machine has been busy since boot (``/proc/stat``, all but idle and iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]  # user nice system idle iowait irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class-size", type=int, default=20)
    parser.add_argument("--units", choices=("core", "all"), default="core", help="core: the five units of make bench")
    parser.add_argument("--pool", choices=("auto", "on", "off"), default="auto")
    options = parser.parse_args()
    setup = describe_setup(options.pool)
    for key, value in setup.items():
        print(f"{key}: {value}")
    clock = Clock()
    for (owner, attribute), part in PARTS.items():
        setattr(owner, attribute, clock.wrap(part, getattr(owner, attribute)))
    units = CORE_UNITS if options.units == "core" else None
    reference = load_reference(load_assignment("ch04_learning"))
    with tempfile.TemporaryDirectory() as folder:
        notebooks = class_notebooks(Path(folder), options.class_size)
        grade.grade_notebook(notebooks[0], assignment_id="ch04_learning", units=units, reference=reference)
        clock.take()
        walls, cpus, machine_cpus, parts = [], [], [], defaultdict(list)
        for notebook in notebooks:
            wall, cpu, machine = time.perf_counter(), time.process_time(), machine_cpu_seconds()
            grade.grade_notebook(notebook, assignment_id="ch04_learning", units=units, reference=reference)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            machine_cpus.append(machine_cpu_seconds() - machine)
            taken = clock.take()
            taken[REST] = walls[-1] - sum(taken.values())
            for part in [*PARTS.values(), REST]:
                parts[part].append(taken.get(part, 0.0))
    wall = statistics.mean(walls)
    print(
        f"\n{len(notebooks)} gradings ({options.units} units), warm, one process: mean {wall:.3f} s wall, "
        f"median {statistics.median(walls):.3f} s"
    )
    machine_cpu, own_cpu = statistics.mean(machine_cpus), statistics.mean(cpus)
    cores = os.cpu_count() or 1
    print(
        f"CPU per grading: the whole machine {machine_cpu:.3f} s, of which this process {own_cpu:.3f} s and the "
        f"rest (sandbox, workers, the kernel's work for them) {machine_cpu - own_cpu:.3f} s; so no batch grades more "
        f"than {cores / machine_cpu:.1f} submissions/s on this machine's {cores} cores"
    )
    print("\n| part | ms per grading (mean) | share |\n|---|---:|---:|")
    for part, values in sorted(parts.items(), key=lambda item: -statistics.mean(item[1])):
        mean = statistics.mean(values)
        print(f"| {part} | {mean * 1000:.0f} | {mean / wall:.0%} |")


if __name__ == "__main__":
    main()
