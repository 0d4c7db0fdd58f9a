"""Hidden test of Affine: a random batch, every observation."""

from courses.ch05_backprop.checks import mixed, rng_for
from courses.ch05_backprop.hints import AFFINE_DB_AXIS, AFFINE_FORWARD, AFFINE_SHAPES, raised_hint
from grader.pipeline.generic import Steps, check_steps


def test_random_batch(unit, grading_seed):
    """무작위 배치 (6, 5) → (6, 2) / a random batch

    Real work: forward, dx, dW and db.
    """
    rng = rng_for(1505, grading_seed)
    W, b, x, dout = mixed(rng, (5, 2)), mixed(rng, (2,)), mixed(rng, (6, 5)), mixed(rng, (6, 2))
    steps = Steps("Affine", (W, b), var="affine").call("forward", x).call("backward", dout).read("dW").read("db")
    hints = [AFFINE_FORWARD, AFFINE_SHAPES, AFFINE_SHAPES, AFFINE_DB_AXIS]
    check_steps(unit, steps, hint=lambda i, *_: hints[i],
                raised=lambda error: raised_hint("Affine", error.type, error.text))  # fmt: skip
