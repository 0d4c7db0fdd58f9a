"""Public tests of TwoLayerNet on a tiny 5-4-3 network (the 784-50-10 one is far too slow numerically)."""

from grader.course.ch04_learning import (
    ATOL_DIFF,
    NET_ACCURACY,
    NET_BACKPROP,
    NET_LOSS,
    NET_NUMERICAL,
    NET_PREDICT,
    NET_STABLE,
    RTOL_DIFF,
    batch,
    check_gradcheck,
    check_init_scale,
    check_init_shapes,
    check_net,
    check_rows_sum_to_one,
    net_params,
    rng_for,
)

SIZES = (5, 4, 3)


def test_init_shapes(unit):
    """params의 키와 형상 / params keys and shapes

    Real work: shapes count only with weights really drawn (not all one value): zeros or ones of the
    right shapes do not pass. A real draw of the wrong spread or distribution keeps these points.
    """
    check_init_shapes(unit, SIZES)


def test_init_scale(unit):
    """가중치 표준편차 weight_init_std, 편향 0 / weight spread and zero biases

    Real work: the weights' spread and centre and zero biases; constant weights have spread 0. W2 drawn
    before W1 passes on purpose: the contract fixes the distribution, not the order of draws, and
    every other test writes its own params.
    """
    check_init_scale(unit, (100, 50, 10), None)
    check_init_scale(unit, (100, 50, 10), 0.5)


def test_predict(unit):
    """predict = softmax(sigmoid(x W1 + b1) W2 + b2)

    Real work: the probabilities themselves for given params; zeros, ones, 1/K and x miss.
    """
    rng = rng_for(301)
    x, _ = batch(rng, 4, 5, 3)
    check_net(unit, "predict", SIZES, net_params(rng, SIZES), (x,), NET_PREDICT)


def test_predict_rows_sum_to_one(unit):
    """predict의 각 행의 합은 1 / each row of predict sums to 1

    Real work: rows of probabilities that differ from row to row (computed from x): uniform 1/K
    rows are not paid. A softmax over wrong scores (ReLU, no b1) keeps this point.
    """
    rng = rng_for(302)
    x, _ = batch(rng, 6, 5, 3)
    check_rows_sum_to_one(unit, SIZES, net_params(rng, SIZES), x)


def test_predict_large_inputs(unit):
    """큰 입력에서도 오버플로 없이 / stable for large inputs

    Real work: the probabilities for scores above exp's overflow. Decided: an inline softmax that
    does not subtract the max costs this 1 point only, since no other input and no MNIST training
    reaches such scores, and the notebook gives a stable softmax to use.
    """
    rng = rng_for(303)
    x, _ = batch(rng, 3, 5, 3)
    params = net_params(rng, SIZES, scale=300.0)
    params["b2"] += 1000.0  # every row's scores pass exp's overflow at 709.8; softmax itself does not change
    check_net(unit, "predict", SIZES, params, (x * 10,), NET_STABLE)


def test_loss(unit):
    """loss = cross_entropy_error(predict(x), t)

    Real work: the loss value for given params; constants (0, 1, nan, log K, mean of t) miss.
    """
    rng = rng_for(304)
    x, t = batch(rng, 4, 5, 3)
    check_net(unit, "loss", SIZES, net_params(rng, SIZES), (x, t), NET_LOSS)


def test_accuracy(unit):
    """accuracy: argmax(y)와 argmax(t)가 같은 행의 비율 / share of matching argmax

    Real work: a share of 8 rows that is neither 0 nor 1 here, and never 1/3: no constant accuracy
    (0, 1, 1/K, nan) matches.
    """
    rng = rng_for(305)
    x, t = batch(rng, 8, 5, 3)
    check_net(unit, "accuracy", SIZES, net_params(rng, SIZES, scale=1.5), (x, t), NET_ACCURACY)


def test_numerical_gradient(unit):
    """numerical_gradient(x, t): W1 b1 W2 b2의 수치 기울기 / numerical gradients of every parameter

    Real work: every gradient within RTOL_DIFF; zeros, ones or the params themselves miss.
    """
    rng = rng_for(306)
    x, t = batch(rng, 3, 5, 3)
    check_net(unit, "numerical_gradient", SIZES, net_params(rng, SIZES), (x, t), NET_NUMERICAL, RTOL_DIFF, ATOL_DIFF)


def test_gradient(unit):
    """gradient(x, t): 오차역전파법 / backpropagation

    Real work: every backprop gradient; zeros, ones or the params themselves miss.
    """
    rng = rng_for(307)
    x, t = batch(rng, 4, 5, 3)
    check_net(unit, "gradient", SIZES, net_params(rng, SIZES), (x, t), NET_BACKPROP)


def test_gradient_matches_numerical(unit):
    """gradient와 수치 기울기가 일치 (기울기 확인) / backprop agrees with the numerical gradient

    Real work: agreement with the numerical gradient (not zero here); zero gradients miss.
    """
    rng = rng_for(308)
    x, t = batch(rng, 3, 5, 3)
    check_gradcheck(unit, SIZES, net_params(rng, SIZES, scale=0.1), x, t)
