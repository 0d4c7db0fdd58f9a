"""Hidden test of SoftmaxWithLoss: a random batch."""

from courses.ch05_backprop.checks import mixed, one_hot, rng_for
from courses.ch05_backprop.hints import SWL_LOSS, raised_hint, swl_backward_hint
from grader.pipeline.generic import Steps, check_steps


def test_random(unit, grading_seed):
    """무작위 배치 / a random batch

    Real work: the loss and the gradient of 6 rows of 5 classes.
    """
    rng = rng_for(1506, grading_seed)
    x, t = mixed(rng, (6, 5)), one_hot(rng, 6, 5)
    steps = Steps("SoftmaxWithLoss", var="last_layer").call("forward", x, t).call("backward")
    check_steps(
        unit,
        steps,
        raised=lambda error: raised_hint("SoftmaxWithLoss", error.type, error.text),
        hint=lambda i, got, expected: swl_backward_hint(got[i], expected[i], 6) if i else SWL_LOSS,
    )
