"""Public tests of Sigmoid: forward keeps its output, backward is dout * (1 - y) * y."""

import numpy as np

from courses.ch05_backprop.checks import mixed, rng_for
from courses.ch05_backprop.hints import SIGMOID_FORWARD, raised_hint, sigmoid_backward_hint
from grader.pipeline.generic import Steps, check_steps


def test_forward(unit):
    """forward: 1 / (1 + exp(-x))

    Real work: the sigmoid of each element of a matrix.
    """
    x = mixed(rng_for(521), (2, 5))
    check_steps(
        unit,
        Steps("Sigmoid", var="sigmoid").call("forward", x),
        raised=lambda error: raised_hint("Sigmoid", error.type, error.text),
        hint=SIGMOID_FORWARD,
    )


def test_backward(unit):
    """backward: dout * (1 - y) * y (y는 forward의 출력 / y the forward output)

    Real work: the local derivative times a dout other than 1.
    """
    rng = rng_for(522)
    x, dout = mixed(rng, (2, 5)), mixed(rng, (2, 5))
    out = 1 / (1 + np.exp(-x))
    steps = Steps("Sigmoid", var="sigmoid").run("forward", x).call("backward", dout)
    check_steps(
        unit,
        steps,
        raised=lambda error: raised_hint("Sigmoid", error.type, error.text),
        hint=lambda i, got, _: sigmoid_backward_hint(got[i], out, dout),
    )
