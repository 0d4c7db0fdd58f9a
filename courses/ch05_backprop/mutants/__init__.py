"""The ch05 catalogue for ``make mutants``: realistic mistakes, correct styles, do-nothing submissions.

Never readable by a worker: the correct styles are working units.
"""

from __future__ import annotations

from courses.ch05_backprop.mutants.base import SOLUTION
from courses.ch05_backprop.mutants.broken import BROKEN
from courses.ch05_backprop.mutants.catalogue import MUTANTS
from courses.ch05_backprop.mutants.nothing import NOTHING
from courses.ch05_backprop.mutants.styles import STYLES
from grader.mutants.variants import Catalogue

CATALOGUE = Catalogue(
    assignment="ch05_backprop",
    solution=SOLUTION,
    variants=tuple(MUTANTS + BROKEN + STYLES + NOTHING),
    # The seven units of layers and the network; train_neuralnet is graded for do-nothing networks (below) and with
    # --all-units, as in chapter 4: a network mistake is charged there too, by design.
    units=("MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "TwoLayerNet"),
    seed=20241205,
    # train_neuralnet trains the student's TwoLayerNet (built from the reference layers).
    builds_on_student={"train_neuralnet": ("TwoLayerNet",)},
    short_names={
        "MulLayer": "mul",
        "AddLayer": "add",
        "Relu": "relu",
        "Sigmoid": "sigm",
        "Affine": "aff",
        "SoftmaxWithLoss": "swl",
        "TwoLayerNet": "net",
        "train_neuralnet": "train",
    },
)
