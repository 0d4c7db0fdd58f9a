"""`make fuzz`: every parser of untrusted bytes in the trusted process, fed over 100,000 inputs.

For each target of ``grader/tests/fuzz_targets.py``: Hypothesis draws ``--examples`` inputs
from the target's strategy (notebooks of every shape, generated Python, protocol bytes, ...),
then, for byte-level targets, a direct loop mutates the kit's files and hostile fixtures
(``--mutations`` inputs; much faster per input). Every input must end in a result or the
module's own error; anything else is a crash, counted and shown (first few per target).
Prints inputs, inputs/s and crashes per target; exits 1 when anything crashed.

    python bench/fuzz.py [--examples 5000] [--mutations 20000] [--targets notebook,protocol] [--seed 0]
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from grader.tests import fuzz_targets  # noqa: E402

SHOWN = 3  # crashes printed per target


class Tally:
    """Inputs run and crashes seen for one target."""

    def __init__(self) -> None:
        self.inputs, self.crashes, self.shown = 0, 0, []

    def run(self, target, value) -> None:
        """One input; a crash is recorded, never raised (Hypothesis keeps generating)."""
        self.inputs += 1
        try:
            target(value)
        except Exception:  # noqa: BLE001  that is what we count
            self.crashes += 1
            if len(self.shown) < SHOWN:
                self.shown.append(f"input {value!r:.300}\n{traceback.format_exc(limit=6)}")


def hypothesis_inputs(target, strategy, examples: int, seed: int, tally: Tally) -> None:
    """``examples`` inputs drawn by Hypothesis (no shrinking: crashes are counted, not minimised)."""

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(value) -> None:
        tally.run(target, value)

    run._hypothesis_internal_use_seed = seed  # reproducible runs with --seed
    run()


def mutation_inputs(target, seeds: list[bytes], count: int, seed: int, tally: Tally) -> None:
    """``count`` byte-level mutations of the seeds, chained a few deep."""
    rng = random.Random(seed)
    current = list(seeds)
    for index in range(count):
        data = fuzz_targets.mutate(rng.choice(current), rng)
        tally.run(target, data)
        if index % 7 == 0:
            current.append(data)
            if len(current) > 200:
                current.pop(len(seeds))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="Hypothesis inputs per target")
    parser.add_argument("--mutations", type=int, default=20000, help="mutated seeds per byte-level target")
    parser.add_argument("--targets", default=",".join(fuzz_targets.STRATEGIES))
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    logging.disable(logging.CRITICAL)  # nbformat logs every invalid notebook it reads
    warnings.simplefilter("ignore")
    total_inputs = total_crashes = 0
    print(f"{'target':<16}{'inputs':>10}{'inputs/s':>10}{'crashes':>9}")
    for name in options.targets.split(","):
        target, strategy = fuzz_targets.STRATEGIES[name]
        tally = Tally()
        started = time.perf_counter()
        hypothesis_inputs(target, strategy, options.examples, options.seed, tally)
        if name in fuzz_targets.SEEDS:
            mutation_inputs(target, list(fuzz_targets.SEEDS[name]()), options.mutations, options.seed, tally)
        elapsed = time.perf_counter() - started
        print(f"{name:<16}{tally.inputs:>10}{tally.inputs / elapsed:>10.0f}{tally.crashes:>9}", flush=True)
        for shown in tally.shown:
            print("  crash: " + shown.replace("\n", "\n    "))
        total_inputs += tally.inputs
        total_crashes += tally.crashes
    print(f"{'total':<16}{total_inputs:>10}{'':>10}{total_crashes:>9}")
    return 1 if total_crashes else 0


if __name__ == "__main__":
    sys.exit(main())
