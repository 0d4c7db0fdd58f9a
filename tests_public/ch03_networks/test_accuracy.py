"""Public tests of accuracy(network, x, t, batch_size=100): batches, the last one partial, MNIST."""

import numpy as np

from courses.ch03_networks.checks import (
    check_accuracy,
    labels_with_share,
    mnist_test,
    random_network,
    rng_for,
    sample_network,
)


def test_partial_batch(unit):
    """23개, batch_size=5 (마지막 배치 3개) / 23 rows in batches of 5 (the last one holds 3)

    Real work: 14 / 23 rows right, two of them in the last batch; no constant and no count matches.
    """
    rng = rng_for(361)
    network, x = random_network(rng, (4, 5, 5, 3)), rng.normal(size=(23, 4))
    right = np.zeros(23, dtype=bool)
    right[[0, 2, 3, 5, 8, 9, 11, 12, 14, 15, 17, 18, 20, 22]] = True
    check_accuracy(unit, network, x, labels_with_share(unit, network, x, right), 5)


def test_mnist(unit):
    """MNIST 시험 이미지 250장, 기본 batch_size 100 / 250 MNIST test images, the default batch of 100

    Real work: the share of the shipped network's right answers, the last 50 images included.
    """
    x, t = mnist_test(slice(0, 250))
    check_accuracy(unit, sample_network(), x, t, None)


def test_one_small_batch(unit):
    """batch_size보다 적은 7개 / 7 rows, fewer than one batch of 100

    Real work: 4 / 7 right, all in one partial batch (dropping it gives 0).
    """
    rng = rng_for(362)
    network, x = random_network(rng, (3, 4, 4, 5)), rng.normal(size=(7, 3))
    right = np.array([True, False, True, True, False, False, True])
    check_accuracy(unit, network, x, labels_with_share(unit, network, x, right), None)
