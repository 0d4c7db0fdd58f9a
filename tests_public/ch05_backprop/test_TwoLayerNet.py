"""Public tests of TwoLayerNet on a tiny 5-4-3 network built from the reference layers."""

import numpy as np

from courses.ch05_backprop.checks import (
    ATOL_NUMERICAL,
    RTOL_NUMERICAL,
    SIZES,
    mixed,
    net_call,
    net_raised,
    one_hot,
    rng_for,
)
from courses.ch05_backprop.hints import NET_GRADIENT, NET_INIT, NET_PREDICT, accuracy_hint, numerical_hint
from grader.pipeline.generic import Steps, check_call, check_spread
from grader.untrusted.calls import Call


def _batch(salt: int, rows: int = 4):
    rng = rng_for(salt)
    return rng, mixed(rng, (rows, SIZES[0])), one_hot(rng, rows, SIZES[2])


def test_init(unit):
    """params: W1 W2는 표준편차 weight_init_std의 난수, b1 b2는 0 / weights of spread weight_init_std, zero biases

    Real work: a 100-50-20 net's weights drawn around 0 with spread 0.01 and zero biases, judged by their
    statistics (the order and the way of drawing are the learner's); every other test writes its own params.
    """
    spreads = {"W1": 0.01, "b1": 0.0, "W2": 0.01, "b2": 0.0}
    check_spread(unit, Steps("TwoLayerNet", (100, 50, 20), var="net").read("params"), spreads, hint=NET_INIT,
                 raised=net_raised)  # fmt: skip


def test_predict(unit):
    """predict: Affine1 → Relu1 → Affine2의 점수 / the scores of Affine1, Relu1, Affine2

    Real work: scores for params written in place; layers holding copies of params miss.
    """
    rng, x, _ = _batch(551)
    check_call(unit, net_call("predict", (x,), rng), hint=NET_PREDICT, raised=net_raised)


def test_loss(unit):
    """loss: lastLayer.forward(predict(x), t)

    Real work: the loss for given params.
    """
    rng, x, t = _batch(552)
    check_call(unit, net_call("loss", (x, t), rng), hint=NET_PREDICT, raised=net_raised)


def test_accuracy(unit):
    """accuracy: argmax가 같은 행의 비율 / share of rows whose argmax matches

    Real work: a share of 8 rows that is neither 0 nor 1.
    """
    rng, x, t = _batch(553, rows=8)
    call = net_call("accuracy", (x, t), rng, scale=1.5)
    y = unit.expected(Call("TwoLayerNet.predict", (x,), init_args=SIZES, seed=0, params=call.params))["result"]
    no_axis = float(np.mean(np.argmax(y) == np.argmax(t, axis=1)))  # what np.argmax(y) without axis=1 gives
    check_call(unit, call, hint=lambda got, _: accuracy_hint(got, no_axis), raised=net_raised)


def test_numerical_gradient(unit):
    """numerical_gradient(x, t): W1 b1 W2 b2의 수치 기울기 / numerical gradients of every parameter

    Real work: every parameter's numerical gradient, shaped like params.
    """
    rng, x, t = _batch(554, rows=3)
    check_call(unit, net_call("numerical_gradient", (x, t), rng), rtol=RTOL_NUMERICAL, atol=ATOL_NUMERICAL,
               hint=numerical_hint, raised=net_raised)  # fmt: skip


def test_gradient(unit):
    """gradient(x, t): 오차역전파법 / backpropagation

    Real work: every backprop gradient; a backward before the forward pass, or in the wrong order, misses.
    """
    rng, x, t = _batch(555)
    check_call(unit, net_call("gradient", (x, t), rng), hint=NET_GRADIENT, raised=net_raised)
