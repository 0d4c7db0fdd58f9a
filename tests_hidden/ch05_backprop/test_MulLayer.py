"""Hidden test of MulLayer: random arrays and dout."""

from courses.ch05_backprop.checks import mixed, rng_for
from courses.ch05_backprop.hints import MUL_GENERAL, raised_hint
from grader.pipeline.generic import Steps, check_steps


def test_random(unit, grading_seed):
    """무작위 배열 / random arrays

    Real work: forward and backward on arrays no list of answers anticipates.
    """
    rng = rng_for(1501, grading_seed)
    x, y, dout = mixed(rng, (3, 2)), mixed(rng, (3, 2)), mixed(rng, (3, 2))
    steps = Steps("MulLayer", var="layer").call("forward", x, y).call("backward", dout)
    check_steps(unit, steps, hint=MUL_GENERAL, raised=lambda error: raised_hint("MulLayer", error.type, error.text))
