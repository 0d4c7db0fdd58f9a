"""Public tests of MulLayer: forward keeps its inputs, backward swaps them (the book's apple example)."""

from courses.ch05_backprop.checks import mixed, rng_for
from courses.ch05_backprop.hints import MUL_GENERAL, mul_backward_hint, raised_hint
from grader.pipeline.generic import Steps, check_steps


def _raised(error):
    return raised_hint("MulLayer", error.type, error.text)


def test_apple(unit):
    """사과 2개 (100원): forward(100, 2), backward(1) / two apples at 100

    Real work: 200 and (2, 100): a backward that does not swap x and y gives (100, 2).
    """
    steps = Steps("MulLayer", var="mul_apple_layer").call("forward", 100.0, 2.0).call("backward", 1.0)
    check_steps(unit, steps, raised=_raised,
                hint=lambda i, got, _: mul_backward_hint(got[i], 100.0, 2.0, 1.0) if i else MUL_GENERAL)  # fmt: skip


def test_arrays(unit):
    """배열 입력과 1이 아닌 dout / arrays, and a dout other than 1

    Real work: (dout * y, dout * x) element by element; without dout it is right only for dout = 1.
    """
    rng = rng_for(501)
    x, y, dout = mixed(rng, (2, 3)), mixed(rng, (2, 3)), mixed(rng, (2, 3))
    steps = Steps("MulLayer", var="layer").call("forward", x, y).call("backward", dout)
    check_steps(unit, steps, raised=_raised,
                hint=lambda i, got, _: mul_backward_hint(got[i], x, y, dout) if i else MUL_GENERAL)  # fmt: skip
