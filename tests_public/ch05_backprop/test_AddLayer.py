"""Public test of AddLayer: the apple-and-orange graph's addition node."""

from courses.ch05_backprop.hints import add_backward_hint, raised_hint
from grader.pipeline.generic import Steps, check_steps


def test_apple_orange(unit):
    """사과 200원 + 귤 450원, 상류의 미분 1.1 / apples 200 + oranges 450, upstream derivative 1.1

    Real work: 650 and (1.1, 1.1): both inputs get dout.
    """
    steps = Steps("AddLayer", var="add_apple_orange_layer").call("forward", 200.0, 450.0).call("backward", 1.1)
    check_steps(
        unit,
        steps,
        raised=lambda error: raised_hint("AddLayer", error.type, error.text),
        hint=lambda i, got, _: add_backward_hint(got[i]),
    )
