"""Hidden test of TwoLayerNet: backprop against the numerical gradient (the gradient check)."""

from courses.ch05_backprop.checks import check_gradcheck, rng_for


def test_gradient_matches_numerical(unit, grading_seed):
    """기울기 확인: 오차역전파법 = 수치 미분 / gradient check: backprop agrees with the numerical gradient

    Real work: every gradient of a random network within 1e-4 relative of the numerical one.
    """
    check_gradcheck(unit, rng_for(1507, grading_seed))
