"""Hidden test of Relu: random tensors with exact zeros."""

from courses.ch05_backprop.checks import mixed, rng_for
from courses.ch05_backprop.hints import RELU_MASK, RELU_MAXIMUM, raised_hint
from grader.pipeline.generic import Steps, check_steps


def test_random(unit, grading_seed):
    """무작위 3차원 배열 / random 3-D arrays

    Real work: forward and the masked backward of any shape.
    """
    rng = rng_for(1503, grading_seed)
    x, dout = mixed(rng, (2, 3, 4), zeros=3), mixed(rng, (2, 3, 4))
    steps = Steps("Relu", var="relu").call("forward", x).call("backward", dout)
    check_steps(unit, steps, hint=lambda i, *_: RELU_MASK if i else RELU_MAXIMUM,
                raised=lambda error: raised_hint("Relu", error.type, error.text))  # fmt: skip
