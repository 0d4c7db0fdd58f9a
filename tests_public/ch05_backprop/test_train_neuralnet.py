"""Public test of train_neuralnet: the book's loop with your TwoLayerNet, 200 steps into one 400-step run."""

from courses.ch05_backprop.checks import PUBLIC_ITERS, check_training

THRESHOLD = 0.6  # the reference reaches about 0.85 after 200 steps; a net that does not learn stays near 0.1


def test_short_training(unit, record_property):
    """200회 학습 후 시험 정확도 0.6 이상 / test accuracy >= 0.6 after 200 SGD steps

    Real work: test accuracy recomputed here from the params that come back.
    """
    check_training(unit, record_property, THRESHOLD, PUBLIC_ITERS)
