"""Hidden test of AddLayer: random arrays."""

from courses.ch05_backprop.checks import mixed, rng_for
from courses.ch05_backprop.hints import add_backward_hint, raised_hint
from grader.pipeline.generic import Steps, check_steps


def test_random(unit, grading_seed):
    """무작위 배열 / random arrays

    Real work: the sum, and dout for both inputs.
    """
    rng = rng_for(1502, grading_seed)
    x, y, dout = mixed(rng, (2, 4)), mixed(rng, (2, 4)), mixed(rng, (2, 4))
    steps = Steps("AddLayer", var="layer").call("forward", x, y).call("backward", dout)
    check_steps(
        unit,
        steps,
        raised=lambda error: raised_hint("AddLayer", error.type, error.text),
        hint=lambda i, got, _: add_backward_hint(got[i]),
    )
