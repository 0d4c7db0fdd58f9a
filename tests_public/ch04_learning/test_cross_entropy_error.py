"""Public tests of cross_entropy_error(y, t): one kind of t per test, 1-D and 2-D y."""

import numpy as np

from courses.ch04_learning.checks import (
    CEE_DELTA,
    CEE_LABELS,
    CEE_ONE_HOT,
    CEE_SINGLE,
    check_cee,
    one_hot,
    probabilities,
    rng_for,
)


def test_one_hot_batch(unit):
    """2차원 y, 원-핫 t (배치 평균) / 2-D y with one-hot t (batch mean)

    Real work: the value itself, a batch mean of -log(y + 1e-7) at random probabilities; no constant (0, 1, nan, log K) or array comes near it.
    """
    rng = rng_for(101)
    y = probabilities(rng, 4, 10)
    check_cee(unit, y, one_hot(rng.integers(0, 10, 4), 10), CEE_ONE_HOT)


def test_label_batch(unit):
    """2차원 y, 정수 레이블 t / 2-D y with integer labels

    Real work: the value itself at random probabilities; no constant or echoed array comes near it.
    """
    rng = rng_for(102)
    y = probabilities(rng, 5, 10)
    check_cee(unit, y, rng.integers(0, 10, 5), CEE_LABELS)


def test_one_hot_single(unit):
    """1차원 y, 1차원 원-핫 t (책의 예) / 1-D y with 1-D one-hot t (the book's example)

    Real work: the value itself (0.5108...); 0, 1, nan, log 10 and arrays all miss.
    """
    y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    check_cee(unit, y, one_hot(np.int64(2), 10), CEE_SINGLE)


def test_label_single(unit):
    """1차원 y, NumPy 정수 레이블 하나 / 1-D y with one NumPy integer label

    Real work: the value itself at random probabilities; no constant or array comes near it.
    """
    rng = rng_for(104)
    check_cee(unit, probabilities(rng, None, 6), np.int64(4), CEE_SINGLE)


def test_zero_probability(unit):
    """정답 클래스의 확률이 정확히 0 (delta 1e-7) / exact zero at the true class (the 1e-7 delta)

    Real work: the value itself (-log(1e-7) = 16.118... in every row); no constant comes near it.
    """
    rng = rng_for(105)
    y = probabilities(rng, 3, 5)
    labels = np.array([1, 3, 0])
    y[np.arange(3), labels] = 0.0
    check_cee(unit, y, one_hot(labels, 5), CEE_DELTA)
