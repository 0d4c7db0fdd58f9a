"""Hidden tests of TwoLayerNet: backprop against the numerical gradient (the gradient check), accuracy on many rows,
the initial spread asked for."""

from courses.ch05_backprop.checks import SIZES, check_gradcheck, mixed, net_call, net_raised, one_hot, rng_for
from courses.ch05_backprop.hints import NET_ACCURACY, NET_INIT
from grader.pipeline.generic import Steps, check_call, check_spread


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


def test_init_other_spread(unit):
    """weight_init_std = 0.1: 주어진 표준편차 / the spread asked for

    Real work: weights of spread 0.1 (a hard-coded 0.01 misses) and zero biases on a 60-40-20 net; the grader
    audit found ``weight_init_std / np.random.randn(...)`` surviving every other test.
    """
    steps = Steps("TwoLayerNet", (60, 40, 20), {"weight_init_std": 0.1}, var="net").read("params")
    check_spread(unit, steps, {"W1": 0.1, "b1": 0.0, "W2": 0.1, "b2": 0.0}, hint=NET_INIT, raised=net_raised)
