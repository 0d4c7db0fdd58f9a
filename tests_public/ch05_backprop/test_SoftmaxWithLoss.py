"""Public tests of SoftmaxWithLoss: the loss of softmax(x), and (y - t) / batch_size back."""

from courses.ch05_backprop.checks import mixed, one_hot, rng_for
from courses.ch05_backprop.hints import SWL_LOSS, raised_hint, swl_backward_hint
from grader.pipeline.generic import Steps, check_steps


def test_loss(unit):
    """forward(x, t): cross_entropy_error(softmax(x), t)

    Real work: the batch-mean loss of 4 rows of scores.
    """
    rng = rng_for(541)
    x, t = mixed(rng, (4, 3)), one_hot(rng, 4, 3)
    check_steps(
        unit,
        Steps("SoftmaxWithLoss", var="last_layer").call("forward", x, t),
        raised=lambda error: raised_hint("SoftmaxWithLoss", error.type, error.text),
        hint=SWL_LOSS,
    )


def test_backward(unit):
    """backward(): (y - t) / batch_size

    Real work: the gradient of 4 rows, divided by 4 exactly once.
    """
    rng = rng_for(542)
    x, t = mixed(rng, (4, 3)), one_hot(rng, 4, 3)
    steps = Steps("SoftmaxWithLoss", var="last_layer").run("forward", x, t).call("backward")
    check_steps(
        unit,
        steps,
        raised=lambda error: raised_hint("SoftmaxWithLoss", error.type, error.text),
        hint=lambda i, got, expected: swl_backward_hint(got[i], expected[i], 4),
    )
