"""The catalogue's building blocks, bound to this course's instructor notebook."""

from __future__ import annotations

from functools import partial

from grader.assignment import KIT_ROOT
from grader.mutants import variants
from grader.mutants.variants import BROKEN, HARMLESS, MUTANT, NOTHING, STYLE, Define, Replace, Variant

SOLUTION = KIT_ROOT / "solutions" / "ch05_backprop.ipynb"
mutant = partial(variants.mutant, solution=SOLUTION)
broken = partial(variants.broken, solution=SOLUTION)
nothing = partial(variants.nothing, solution=SOLUTION)
style = partial(variants.style, solution=SOLUTION)

MUL, ADD, RELU, SIGMOID, AFFINE, SWL = "MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss"
NET, TRAIN = "TwoLayerNet", "train_neuralnet"

__all__ = [
    "ADD", "AFFINE", "BROKEN", "HARMLESS", "MUL", "MUTANT", "NET", "NOTHING", "RELU", "SIGMOID", "SOLUTION", "STYLE",
    "SWL", "TRAIN", "Define", "Replace", "Variant", "broken", "mutant", "nothing", "style",
]  # fmt: skip
