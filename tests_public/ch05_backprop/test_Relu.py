"""Public tests of Relu: forward zeroes x <= 0 and keeps the mask, backward uses that mask."""

from courses.ch05_backprop.checks import mixed, rng_for
from courses.ch05_backprop.hints import RELU_MASK, RELU_MAXIMUM, raised_hint
from grader.pipeline.generic import Steps, check_steps


def _raised(error):
    return raised_hint("Relu", error.type, error.text)


def test_forward(unit):
    """forward: 음수와 0은 0, 양수는 그대로 / negatives and 0 become 0, positives stay

    Real work: the element-wise ReLU of a matrix with exact zeros.
    """
    x = mixed(rng_for(511), (3, 4), zeros=2)
    check_steps(unit, Steps("Relu", var="relu").call("forward", x), hint=RELU_MAXIMUM, raised=_raised)


def test_backward_mask(unit):
    """backward: 순전파 때 x <= 0인 곳의 dout은 0 / dout zeroed where x <= 0 in forward

    Real work: the signs of x (not of dout) decide, with exact zeros of x giving 0.
    """
    rng = rng_for(512)
    x, dout = mixed(rng, (3, 4), zeros=2), mixed(rng, (3, 4))
    steps = Steps("Relu", var="relu").run("forward", x).call("backward", dout)
    check_steps(unit, steps, hint=RELU_MASK, raised=_raised)
