"""Public tests of Affine: forward x W + b, backward dx, and the dW and db it keeps."""

from courses.ch05_backprop.checks import mixed, rng_for
from courses.ch05_backprop.hints import AFFINE_DB_AXIS, AFFINE_FORWARD, AFFINE_SHAPES, raised_hint
from grader.pipeline.generic import Steps, check_steps


def _raised(error):
    return raised_hint("Affine", error.type, error.text)


def _layer(salt: int) -> tuple:
    """W (4, 3), b (3,), a batch x (5, 4) and dout (5, 3): no square matrix, so a missing .T shows."""
    rng = rng_for(salt)
    return mixed(rng, (4, 3)), mixed(rng, (3,)), mixed(rng, (5, 4)), mixed(rng, (5, 3))


def test_forward(unit):
    """forward: np.dot(x, W) + b

    Real work: a batch's affine map with a bias far from 0.
    """
    W, b, x, _ = _layer(531)
    check_steps(unit, Steps("Affine", (W, b), var="affine").call("forward", x), hint=AFFINE_FORWARD, raised=_raised)


def test_backward_dx(unit):
    """backward: dx = np.dot(dout, W.T)

    Real work: dx of x's shape (5, 4).
    """
    W, b, x, dout = _layer(532)
    steps = Steps("Affine", (W, b), var="affine").run("forward", x).call("backward", dout)
    check_steps(unit, steps, hint=AFFINE_SHAPES, raised=_raised)


def test_dW_db(unit):
    """backward 뒤의 affine.dW = np.dot(x.T, dout), affine.db = np.sum(dout, axis=0) / dW and db after backward

    Real work: dW of W's shape and db of b's shape (a sum without axis=0 is one number).
    """
    W, b, x, dout = _layer(533)
    steps = Steps("Affine", (W, b), var="affine").run("forward", x).run("backward", dout).read("dW").read("db")
    check_steps(unit, steps, raised=_raised, hint=lambda i, *_: AFFINE_DB_AXIS if i == 3 else AFFINE_SHAPES)
