"""Hidden tests of predict: random networks, large scores and MNIST images chosen by the grading-time seed."""

import pytest

from courses.ch03_networks.checks import check_predict, mnist_test, random_network, rng_for, sample_network


@pytest.mark.parametrize("sizes, rows", [((3, 4, 4, 4), 6), ((8, 5, 6, 10), 3)])
def test_random_networks(unit, grading_seed, sizes, rows):
    """무작위 신경망과 배치 / random networks and batches

    Real work: each row's probabilities from networks drawn from the grading seed.
    """
    rng = rng_for(1361, sizes[0], grading_seed)
    check_predict(unit, random_network(rng, sizes), rng.normal(size=(rows, sizes[0])))


def test_large_scores(unit, grading_seed):
    """출력층 점수가 큰 신경망 / a network with large output scores

    Real work: probabilities from scores in the thousands (softmax's overflow would show as nan).
    """
    rng = rng_for(1362, grading_seed)
    network = random_network(rng, (4, 5, 5, 4))
    network["W3"] = network["W3"] * 1000.0
    check_predict(unit, network, rng.normal(size=(4, 4)))


def test_mnist_random(unit, grading_seed):
    """무작위로 고른 MNIST 시험 이미지 / MNIST test images chosen by the grading seed

    Real work: 40 rows of probabilities from the shipped network.
    """
    rows = rng_for(1363, grading_seed).choice(1000, size=40, replace=False)
    x, _ = mnist_test(rows)
    check_predict(unit, sample_network(), x)
