"""Hidden tests of TwoLayerNet: backprop against the numerical gradient (the gradient check), accuracy on many rows."""

from courses.ch05_backprop.checks import SIZES, check_gradcheck, mixed, net_call, net_raised, one_hot, rng_for
from courses.ch05_backprop.hints import NET_ACCURACY
from grader.pipeline.generic import check_call


def test_gradient_matches_numerical(unit, grading_seed):
    """기울기 확인: 오차역전파법 = 수치 미분 / gradient check: backprop agrees with the numerical gradient

    Real work: every gradient of a random network within 1e-4 relative of the numerical one.
    """
    check_gradcheck(unit, rng_for(1507, grading_seed))


def test_accuracy_many_rows(unit, grading_seed):
    """accuracy: 원-핫 레이블 40행 / a share of 40 rows with one-hot labels

    Real work: a share of 40 rows drawn at grading time; t's argmax without axis=1 (the first row's label for
    every row) or argmin instead of argmax misses (the grader audit found both surviving the public 8 rows).
    """
    rng = rng_for(1508, grading_seed)
    x, t = mixed(rng, (40, SIZES[0])), one_hot(rng, 40, SIZES[2])
    check_call(unit, net_call("accuracy", (x, t), rng, scale=1.5), hint=NET_ACCURACY, raised=net_raised)
