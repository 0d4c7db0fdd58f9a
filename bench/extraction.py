"""`make bench-extraction`: seconds per MB of extraction for growing cells of several shapes.

Extraction (``grader.pipeline.extract.extract_definitions``) runs in the trusted process before any
time limit, so its cost must grow linearly with a cell's size: the seconds per MB printed
for one shape should stay about flat as the cell grows. Prints medians of repeated runs;
asserts nothing (the machine is shared and noisy).

    python bench/extraction.py [--runs 3] [--sizes 16,64,256,1024] [--shapes constants,magics,...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.pipeline.deadline import time_limit  # noqa: E402
from grader.pipeline.extract import extract_definitions  # noqa: E402
from grader.tests.helpers import notebook_from_cells  # noqa: E402

KIB = 1024


def constants(size: int) -> str:
    """Plain constant assignments, each kept (the case that re-split the cell per constant)."""
    return _repeat(size, lambda i: f"c{i} = {i} * 2 + 1\n")


def magics(size: int) -> str:
    """``!shell`` and ``%magic`` lines (the case that re-tokenised the cell per line)."""
    return _repeat(size, lambda i: f"!echo {i}\n" if i % 2 else f"%time x{i} = {i}\n")


def defs(size: int) -> str:
    """Small function definitions."""
    return _repeat(size, lambda i: f"def f{i}(x, y=1):\n    return x * {i} + y\n\n")


def mixed(size: int) -> str:
    """Definitions, constants, magics, shell lines and loops interleaved, as a real notebook has them."""

    def block(i):
        return (
            f"import numpy as np\nh{i} = 1e-4\n!ls\n%matplotlib inline\ndef g{i}(x):\n"
            f"    return x + h{i}\nfor _ in range(3):\n    print(g{i}(1))\n"
        )

    return _repeat(size, block)


def long_lines(size: int) -> str:
    """Few very long lines: one list constant of many numbers per 64 KiB."""
    per_line = 64 * KIB
    return _repeat(size, lambda i: f"row{i} = [" + ", ".join(str(n) for n in range(per_line // 8)) + "]\n")


SHAPES = {"constants": constants, "magics": magics, "defs": defs, "mixed": mixed, "long-lines": long_lines}


def _repeat(size: int, piece) -> str:
    parts, total, index = [], 0, 0
    while total < size:
        text = piece(index)
        parts.append(text)
        total += len(text)
        index += 1
    return "".join(parts)


def seconds(source: str, runs: int) -> float:
    """Median wall time of extracting a notebook whose one code cell is ``source``."""
    notebook = notebook_from_cells([source])
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        extract_definitions(notebook)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="16,64,256,1024", help="cell sizes in KiB, comma-separated")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--stop-after", type=float, default=60.0, help="skip larger sizes of a shape after this")
    options = parser.parse_args()
    sizes = [int(part) for part in options.sizes.split(",")]
    print(f"extraction: median of {options.runs} runs; seconds per MB should stay flat as the cell grows")
    print(f"{'shape':<12}" + "".join(f"{size:>10} KiB" for size in sizes))
    for name in options.shapes.split(","):
        row = f"{name:<12}"
        for size in sizes:
            source = SHAPES[name](size * KIB)
            took = seconds(source, options.runs)
            row += f"{took / (len(source.encode()) / 2**20):>9.2f} s/MB"
            if took > options.stop_after:
                row += "".join(f"{'(skipped)':>14}" for _ in sizes[sizes.index(size) + 1 :])
                break
        print(row)
    print(f"deadline timer (grader.pipeline.deadline.time_limit) set and cleared: {deadline_cost() * 1e6:.1f} µs")
    return 0


def deadline_cost(rounds: int = 20_000) -> float:
    """Median seconds of entering and leaving the trusted side's SIGALRM deadline once."""
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            with time_limit(30.0):
                pass
        samples.append((time.perf_counter() - start) / rounds)
    return statistics.median(samples)


if __name__ == "__main__":
    sys.exit(main())
