"""The catalogue's building blocks, bound to this course's instructor notebook."""

from __future__ import annotations

from functools import partial

from grader.assignment import KIT_ROOT
from grader.mutants import variants
from grader.mutants.variants import BROKEN, HARMLESS, MUTANT, NOTHING, STYLE, Define, Replace, Variant

SOLUTION = KIT_ROOT / "solutions" / "ch03_networks.ipynb"
mutant = partial(variants.mutant, solution=SOLUTION)
broken = partial(variants.broken, solution=SOLUTION)
nothing = partial(variants.nothing, solution=SOLUTION)
style = partial(variants.style, solution=SOLUTION)

STEP, SIGMOID, RELU, SOFTMAX = "step_function", "sigmoid", "relu", "softmax"
INIT, FORWARD, PREDICT, ACCURACY = "init_network", "forward", "predict", "accuracy"

__all__ = [
    "BROKEN",
    "ACCURACY",
    "FORWARD",
    "HARMLESS",
    "INIT",
    "MUTANT",
    "NOTHING",
    "PREDICT",
    "RELU",
    "SIGMOID",
    "SOFTMAX",
    "SOLUTION",
    "STEP",
    "STYLE",
    "Define",
    "Replace",
    "Variant",
    "broken",
    "mutant",
    "nothing",
    "style",
]
