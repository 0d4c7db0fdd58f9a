"""Hidden test of Sigmoid: random arrays."""

import numpy as np

from courses.ch05_backprop.checks import mixed, rng_for
from courses.ch05_backprop.hints import SIGMOID_FORWARD, raised_hint, sigmoid_backward_hint
from grader.pipeline.generic import Steps, check_steps


def test_random(unit, grading_seed):
    """무작위 배열 / random arrays

    Real work: forward and backward with a random dout.
    """
    rng = rng_for(1504, grading_seed)
    x, dout = mixed(rng, (3, 3)), mixed(rng, (3, 3))
    steps = Steps("Sigmoid", var="sigmoid").call("forward", x).call("backward", dout)
    out = 1 / (1 + np.exp(-x))
    check_steps(
        unit,
        steps,
        raised=lambda error: raised_hint("Sigmoid", error.type, error.text),
        hint=lambda i, got, _: sigmoid_backward_hint(got[i], out, dout) if i else SIGMOID_FORWARD,
    )
