"""The ch03 catalogue for ``make mutants``: realistic mistakes, correct styles, do-nothing submissions.

Never readable by a worker: the correct styles are working units.
"""

from __future__ import annotations

from courses.ch03_networks.mutants.base import SOLUTION
from courses.ch03_networks.mutants.broken import BROKEN
from courses.ch03_networks.mutants.catalogue import MUTANTS
from courses.ch03_networks.mutants.nothing import NOTHING
from courses.ch03_networks.mutants.styles import STYLES
from grader.mutants.variants import Catalogue

CATALOGUE = Catalogue(
    assignment="ch03_networks",
    solution=SOLUTION,
    variants=tuple(MUTANTS + BROKEN + STYLES + NOTHING),
    units=("step_function", "sigmoid", "relu", "softmax", "init_network", "forward", "predict", "accuracy"),
    seed=20240318,
    short_names={
        "step_function": "step",
        "sigmoid": "sigm",
        "relu": "relu",
        "softmax": "smax",
        "init_network": "init",
        "forward": "fwd",
        "predict": "pred",
        "accuracy": "acc",
    },
)
