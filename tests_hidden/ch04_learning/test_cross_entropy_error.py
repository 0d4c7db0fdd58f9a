"""Hidden tests of cross_entropy_error: other shapes, and inputs drawn from the grading-time seed."""

import numpy as np
import pytest

from grader.course.ch04_learning import (
    CEE_DELTA,
    CEE_LABELS,
    CEE_ONE_HOT,
    CEE_SINGLE,
    check_cee,
    one_hot,
    probabilities,
    rng_for,
)


@pytest.mark.parametrize("rows, classes", [(1, 10), (7, 3), (32, 10)])
def test_random_one_hot(unit, grading_seed, rows, classes):
    """무작위 배치, 원-핫 t / random batches, one-hot t

    Real work: the value itself at probabilities drawn from the grading seed; no constant matches.
    """
    rng = rng_for(1101, rows, grading_seed)
    y = probabilities(rng, rows, classes)
    check_cee(unit, y, one_hot(rng.integers(0, classes, rows), classes), CEE_ONE_HOT)


@pytest.mark.parametrize("rows, classes", [(2, 4), (25, 10)])
def test_random_labels(unit, grading_seed, rows, classes):
    """무작위 배치, 정수 레이블 / random batches, integer labels

    Real work: the value itself at probabilities drawn from the grading seed; no constant matches.
    """
    rng = rng_for(1102, rows, grading_seed)
    check_cee(unit, probabilities(rng, rows, classes), rng.integers(0, classes, rows), CEE_LABELS)


def test_single_one_hot_random(unit, grading_seed):
    """1차원 y, 원-핫 t / 1-D y, one-hot t

    Real work: the value itself at probabilities drawn from the grading seed; no constant matches.
    """
    rng = rng_for(1103, grading_seed)
    check_cee(unit, probabilities(rng, None, 7), one_hot(rng.integers(0, 7), 7), CEE_SINGLE)


def test_zero_probability_label(unit, grading_seed):
    """정답 확률 0, 정수 레이블 / an exact zero at the true class, integer labels

    Real work: the value itself (the delta's -log(1e-7) averaged with drawn rows); no constant matches.
    """
    rng = rng_for(1104, grading_seed)
    y = probabilities(rng, 4, 6)
    labels = rng.integers(0, 6, 4)
    y[0, labels[0]] = 0.0
    check_cee(unit, y, labels, CEE_DELTA)


def test_zero_probability_single(unit):
    """1차원 y, 정답 확률 0 / 1-D y with an exact zero at the true class

    Real work: the value itself, -log(1e-7) = 16.118...; 0, 1, nan, log 3 and arrays miss.
    """
    y = np.array([0.0, 0.25, 0.75])
    check_cee(unit, y, np.int64(0), CEE_DELTA)
