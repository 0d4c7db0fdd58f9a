"""Hidden tests of TwoLayerNet on other sizes, float32 inputs and nets drawn from the grading-time seed."""

import numpy as np
import pytest

from courses.ch04_learning.checks import (
    ATOL_DIFF,
    ATOL_FLOAT32,
    NET_ACCURACY,
    NET_BACKPROP,
    NET_LOSS,
    NET_NUMERICAL,
    NET_PREDICT,
    RTOL_DIFF,
    RTOL_FLOAT32,
    batch,
    check_init_scale,
    check_init_shapes,
    check_net,
    net_call,
    net_params,
    one_hot,
    rng_for,
)

SIZES = [(3, 6, 2), (7, 5, 4)]


@pytest.mark.parametrize("sizes", SIZES)
def test_init_other_sizes(unit, sizes):
    """다른 크기의 params / params of other sizes

    Real work: as test_init_shapes, shapes count only with weights really drawn.
    """
    check_init_shapes(unit, sizes)


def test_init_scale_other(unit):
    """weight_init_std = 0.1

    Real work: the weights' spread 0.1 around 0 and zero biases; constant weights have spread 0.
    """
    check_init_scale(unit, (60, 40, 20), 0.1)


@pytest.mark.parametrize("sizes", SIZES)
def test_predict_random(unit, grading_seed, sizes):
    """무작위 망의 predict / predict on random nets

    Real work: the probabilities themselves for params drawn from the grading seed.
    """
    rng = rng_for(1501, sum(sizes), grading_seed)
    x, _ = batch(rng, 5, sizes[0], sizes[2])
    check_net(unit, "predict", sizes, net_params(rng, sizes), (x,), NET_PREDICT)


@pytest.mark.parametrize("sizes", SIZES)
def test_loss_random(unit, grading_seed, sizes):
    """무작위 망의 loss / loss on random nets

    Real work: the loss value for params drawn from the grading seed; no constant matches.
    """
    rng = rng_for(1502, sum(sizes), grading_seed)
    x, t = batch(rng, 6, sizes[0], sizes[2])
    check_net(unit, "loss", sizes, net_params(rng, sizes), (x, t), NET_LOSS)


def test_accuracy_random(unit, grading_seed):
    """무작위 망의 accuracy / accuracy on a random net

    Real work: 21 rows, so no share k/21 is 1/2 or 1/K (K = 4); the first row's label is the reference's
    prediction and the second's is not, so the share lies strictly between 0 and 1. No constant a
    do-nothing accuracy returns (0, 1, 1/K, nan) matches at any grading seed.
    """
    rng = rng_for(1503, grading_seed)
    sizes = (7, 5, 4)
    params = net_params(rng, sizes, scale=1.5)
    x, t = batch(rng, 21, 7, 4)
    predicted = np.argmax(unit.expected(net_call("predict", sizes, params, x))["result"], axis=1)
    t[0], t[1] = one_hot(predicted[0], 4), one_hot((predicted[1] + 1) % 4, 4)
    check_net(unit, "accuracy", sizes, params, (x, t), NET_ACCURACY)


def test_numerical_gradient_random(unit, grading_seed):
    """무작위 망의 수치 기울기 / numerical gradient on a random net

    Real work: every numerical gradient for params drawn from the grading seed.
    """
    rng = rng_for(1504, grading_seed)
    x, t = batch(rng, 2, 3, 2)
    check_net(
        unit, "numerical_gradient", (3, 4, 2), net_params(rng, (3, 4, 2)), (x, t), NET_NUMERICAL, RTOL_DIFF, ATOL_DIFF
    )


@pytest.mark.parametrize("sizes", SIZES)
def test_gradient_random(unit, grading_seed, sizes):
    """무작위 망의 역전파 / backprop on random nets

    Real work: every backprop gradient for params drawn from the grading seed.
    """
    rng = rng_for(1505, sum(sizes), grading_seed)
    x, t = batch(rng, 5, sizes[0], sizes[2])
    check_net(unit, "gradient", sizes, net_params(rng, sizes), (x, t), NET_BACKPROP)


def test_gradient_single_row(unit, grading_seed):
    """배치 크기 1 / a batch of one

    Real work: every backprop gradient for a batch of one.
    """
    rng = rng_for(1506, grading_seed)
    x, t = batch(rng, 1, 5, 3)
    check_net(unit, "gradient", (5, 4, 3), net_params(rng, (5, 4, 3)), (x, t), NET_BACKPROP)


def test_gradient_float32(unit, grading_seed):
    """float32 입력 (load_mnist처럼) / float32 inputs, as load_mnist gives

    Real work: every backprop gradient for float32 inputs.
    """
    rng = rng_for(1507, grading_seed)
    x, t = batch(rng, 4, 5, 3)
    check_net(
        unit,
        "gradient",
        (5, 4, 3),
        net_params(rng, (5, 4, 3)),
        (x.astype(np.float32), t),
        NET_BACKPROP,
        RTOL_FLOAT32,
        ATOL_FLOAT32,
    )
