"""Hidden tests of softmax: vectors and batches drawn from the grading-time seed, some of them large."""

import pytest

from courses.ch03_networks.checks import check_softmax, rng_for


def test_random_vector(unit, grading_seed):
    """무작위 1차원 x (큰 값 포함) / a random 1-D x around a large value

    Real work: probabilities of 8 scores around 1000; the book's first version gives nan.
    """
    rng = rng_for(1331, grading_seed)
    check_softmax(unit, 1000.0 + rng.normal(scale=3.0, size=8))


@pytest.mark.parametrize("rows, classes", [(2, 3), (6, 10)])
def test_random_batches(unit, grading_seed, rows, classes):
    """무작위 배치, 행마다 다른 크기 / random batches, rows of different magnitude

    Real work: each row's probabilities; the rows lie hundreds apart, so the batch's maximum or sum misses.
    """
    rng = rng_for(1332, rows, grading_seed)
    x = rng.normal(scale=2.0, size=(rows, classes))
    x[0] += 900.0
    x[-1] -= 900.0
    check_softmax(unit, x)


def test_single_row_batch(unit, grading_seed):
    """행 하나의 배치 (1, K) / a batch of one row, shape (1, K)

    Real work: a 2-D result of one row of probabilities (a 1-D result has the wrong shape).
    """
    check_softmax(unit, rng_for(1333, grading_seed).normal(scale=2.0, size=(1, 6)))


@pytest.mark.parametrize("shape", [(7,), (3, 5)])
def test_wide_spread(unit, grading_seed, shape):
    """한 행 안의 값이 아주 멀리 퍼짐 / scores spread far apart within one row

    Real work: each row spans more than 1,400 (exp overflows past about 709): subtracting the row's maximum keeps
    every exponent at most 0; subtracting the minimum (or nothing) gives inf / inf = nan.
    """
    rng = rng_for(1334, len(shape), grading_seed)
    x = rng.normal(scale=2.0, size=shape)
    x[..., 0] += 800.0
    x[..., -1] -= 800.0
    check_softmax(unit, x)
