"""Hidden tests of accuracy: batch sizes and MNIST slices chosen by the grading-time seed."""

import numpy as np
import pytest

from courses.ch03_networks.checks import (
    check_accuracy,
    labels_with_share,
    mnist_test,
    random_network,
    rng_for,
    sample_network,
)


@pytest.mark.parametrize("rows, batch_size", [(21, 4), (37, 10)])
def test_random_batches(unit, grading_seed, rows, batch_size):
    """무작위 신경망, 마지막 배치가 작은 배치 크기 / random networks, a batch size leaving a partial last batch

    Real work: a share of right rows drawn from the grading seed, never 0 or 1, with right and wrong rows in the
    last batch; no constant, count or full-batches-only share matches.
    """
    rng = rng_for(1371, rows, grading_seed)
    network, x = random_network(rng, (5, 4, 6, 4)), rng.normal(size=(rows, 5))
    right = rng.random(rows) < 0.6
    right[:2] = (True, False)
    right[-2:] = (True, False)
    check_accuracy(unit, network, x, labels_with_share(unit, network, x, right), batch_size)


def test_mnist_random(unit, grading_seed):
    """MNIST 시험 이미지, 무작위 개수와 배치 크기 / MNIST test images, a drawn count and batch size

    Real work: the shipped network's share of right answers on a slice that ends in a partial batch.
    """
    rng = rng_for(1372, grading_seed)
    batch_size = int(rng.integers(30, 90))
    rows = batch_size * int(rng.integers(2, 5)) + int(rng.integers(1, batch_size))
    start = int(rng.integers(0, 1000 - rows))
    x, t = mnist_test(slice(start, start + rows))
    check_accuracy(unit, sample_network(), x, t, batch_size)
    assert np.ndim(t) == 1


@pytest.mark.parametrize("batch_size", [3, 8])
def test_last_batch_of_one(unit, grading_seed, batch_size):
    """마지막 배치가 한 행뿐 / a last batch of a single row

    Real work: the one row after the last full batch counts (it is a right one); a loop that stops one row short,
    range(0, len(x) - 1, batch_size), drops it only when len(x) leaves a batch of one.
    """
    rng = rng_for(1373, batch_size, grading_seed)
    rows = batch_size * int(rng.integers(2, 5)) + 1
    network, x = random_network(rng, (5, 4, 6, 4)), rng.normal(size=(rows, 5))
    right = rng.random(rows) < 0.5
    right[:2] = (True, False)
    right[-1] = True
    check_accuracy(unit, network, x, labels_with_share(unit, network, x, right), batch_size)
