"""`make bench-shard`: a shard's fixed cost and per-submission rate, and the shard size for a class in a time.

A shard of ``templates/batch-matrix/.github/workflows/regrade-sharded.yml`` is one fresh runner: it makes a
virtual environment and installs the kit (no pip cache: a new runner has none), then grades its students with
every unit (training included) on its cores. This measures, here, in the set-up this runs in (as root the
workflow's ``sudo``), the two numbers the shard size follows from:

- the fixed cost F: ``python -m venv`` + ``pip install --no-cache-dir -e .`` in a fresh copy of the checkout,
  plus the batch of a single submission (start-up and first grading, the verified copy checked or made);
- the rate r: submissions per second of a batch of ``--class-size`` students on ``--jobs`` processes, the same
  fresh install, all units.

A class of C students in W seconds on N shards needs F + (C / N) / r ≤ W, so N ≥ C / (r (W − F)). Not measured
here: the runner's queueing and checkout (a few seconds to a minute on GitHub) and the merge job; ``--margin``
(default 1.5) covers them and a runner slower than this machine.

    python bench/shard.py [--class-size 24] [--jobs 2] [--students 2000] [--minutes 10] [--margin 1.5]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench import class_notebooks, load_average  # noqa: E402


def timed(command: list[str], cwd: Path) -> float:
    """Seconds ``command`` took; its output is shown only when it fails."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - start


def fresh_checkout(dest: Path) -> Path:
    """What actions/checkout leaves: the committed tree of HEAD, without .venv or caches."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], capture_output=True, check=True).stdout
    dest.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def batch(python: Path, kit: Path, notebooks: list[Path], jobs: int, out: Path) -> float:
    """Seconds for `grader batch` on exactly ``notebooks`` (linked into one folder), every unit."""
    submissions = out.parent / f"{out.name}-submissions"
    submissions.mkdir()
    for notebook in notebooks:
        (submissions / notebook.parent.name).symlink_to(notebook.parent)
    command = [str(python), "-m", "grader", "batch", "--assignment", "ch04_learning", str(submissions)]
    # --shard 1/1, as a shard of the workflow runs: no class report (that is the merge job's, with the staff extra)
    return timed([*command, "--out", str(out), "--jobs", str(jobs), "--force", "--shard", "1/1"], kit)


def main() -> None:
    """Measure F and r, then print the arithmetic for the requested class and time."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--class-size", type=int, default=24)
    parser.add_argument("--jobs", type=int, default=2, help="processes per shard (a private repo's runner: 2 cores)")
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--margin", type=float, default=1.5)
    options = parser.parse_args()
    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores; {'root' if os.geteuid() == 0 else 'not root'}; "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}; load {load_average()}; command: python bench/shard.py "
        f"--class-size {options.class_size} --jobs {options.jobs}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-shard-") as scratch:
        folder = Path(scratch)
        os.chmod(folder, 0o755)
        kit = fresh_checkout(folder / "checkout")
        venv = timed([sys.executable, "-m", "venv", ".venv"], kit)
        python = kit / ".venv" / "bin" / "python"
        install = timed([str(python), "-m", "pip", "install", "--quiet", "--no-cache-dir", "-e", "."], kit)
        print(f"set-up: venv {venv:.1f} s, pip install -e . (no cache) {install:.1f} s", flush=True)
        notebooks = class_notebooks(folder / "class", options.class_size + 1)
        first = batch(python, kit, notebooks[:1], options.jobs, folder / "first")
        print(f"first grading: a batch of 1 submission, every unit: {first:.1f} s", flush=True)
        whole = batch(python, kit, notebooks[1:], options.jobs, folder / "class-out")
        rate = options.class_size / whole
        print(
            f"rate: {options.class_size} submissions, every unit, {options.jobs} processes: {whole:.1f} s, "
            f"{rate:.2f}/s",
            flush=True,
        )
    fixed = venv + install + first
    budget = options.minutes * 60
    needed = options.students / (rate * (budget / options.margin - fixed))
    shards = math.ceil(needed) if budget / options.margin > fixed else None
    print(f"fixed cost per shard F = {venv:.1f} + {install:.1f} + {first:.1f} = {fixed:.0f} s; rate r = {rate:.2f}/s")
    if shards is None:
        print(f"F alone exceeds {budget:.0f} s / {options.margin:g}: no shard size fits")
        return
    print(
        f"N ≥ C / (r × (W / margin − F)) = {options.students} / ({rate:.2f} × ({budget:.0f} / {options.margin:g} − "
        f"{fixed:.0f})) = {needed:.1f} → {shards} shards of ≤ {math.ceil(options.students / shards)} students; "
        f"each takes about {fixed + options.students / shards / rate:.0f} s here"
    )


if __name__ == "__main__":
    main()
