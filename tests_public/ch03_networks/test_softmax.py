"""Public tests of softmax(x): 1-D as in the book, 2-D row by row, stable for large inputs."""

import numpy as np

from courses.ch03_networks.checks import check_softmax, rng_for


def test_book_example(unit):
    """책의 예 [0.3, 2.9, 4.0] / the book's example

    Real work: [0.0182..., 0.2451..., 0.7365...]; uniform probabilities or x itself miss.
    """
    check_softmax(unit, np.array([0.3, 2.9, 4.0]))


def test_overflow(unit):
    """큰 입력 [1010, 1000, 990] (오버플로) / large inputs (overflow)

    Real work: [0.99995..., 4.54e-05, 2.06e-09]; the book's first version gives nan.
    """
    check_softmax(unit, np.array([1010.0, 1000.0, 990.0]))


def test_batch_rows(unit):
    """2차원 x: 행마다 소프트맥스 / a 2-D x: softmax of each row

    Real work: each row's probabilities; dividing by the whole batch's sum gives rows that do not sum to 1.
    """
    check_softmax(unit, rng_for(331).normal(scale=2.0, size=(4, 5)))


def test_batch_far_apart(unit):
    """행마다 크기가 아주 다른 배치 / a batch whose rows are far apart

    Real work: rows around 1010 and around -1000 each sum to 1; the whole batch's maximum gives 0 / 0 there.
    """
    check_softmax(unit, np.array([[1010.0, 1000.0, 990.0], [-1000.0, -1001.0, -1002.0], [0.3, 2.9, 4.0]]))
