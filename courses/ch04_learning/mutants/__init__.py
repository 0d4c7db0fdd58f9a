"""The ch04 catalogue for ``make mutants``: realistic mistakes, correct styles, do-nothing submissions.

Never readable by a worker: the correct styles are working units.
"""

from __future__ import annotations

from courses.ch04_learning.mutants.base import SOLUTION
from courses.ch04_learning.mutants.broken import BROKEN
from courses.ch04_learning.mutants.catalogue import MUTANTS
from courses.ch04_learning.mutants.nothing import NOTHING
from courses.ch04_learning.mutants.styles import STYLES
from grader.mutants.variants import Catalogue

CATALOGUE = Catalogue(
    assignment="ch04_learning",
    solution=SOLUTION,
    variants=tuple(MUTANTS + BROKEN + STYLES + NOTHING),
    # The units the catalogue covers (docs/CONTRACT.md's five). Grading only these keeps a run near a minute.
    units=("cross_entropy_error", "numerical_diff", "numerical_gradient", "gradient_descent", "TwoLayerNet"),
    seed=20240604,
    # train_neuralnet trains the student's TwoLayerNet (see its rubric section).
    builds_on_student={"train_neuralnet": ("TwoLayerNet",)},
    short_names={
        "cross_entropy_error": "CEE",
        "numerical_diff": "diff",
        "numerical_gradient": "grad",
        "gradient_descent": "GD",
        "TwoLayerNet": "Net",
        "train_neuralnet": "train",
    },
)
