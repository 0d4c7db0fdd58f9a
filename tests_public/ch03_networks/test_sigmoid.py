"""Public tests of sigmoid(x): element by element, any shape, large |x| without nan."""

import numpy as np

from courses.ch03_networks.checks import check_sigmoid, mixed_signs, rng_for


def test_book_example(unit):
    """책의 예 [-1.0, 1.0, 2.0] / the book's example

    Real work: [0.2689..., 0.7310..., 0.8807...]; no constant or the input echoed comes near.
    """
    check_sigmoid(unit, np.array([-1.0, 1.0, 2.0]))


def test_matrix(unit):
    """2차원 x / a 2-D x

    Real work: the value of every element of a (4, 3) array of both signs.
    """
    check_sigmoid(unit, mixed_signs(rng_for(311), (4, 3)))


def test_large_inputs(unit):
    """큰 |x| (±1000, ±800) / large |x|

    Real work: 0 and 1 at the extremes next to 0.5 and sigmoid(3); exp(-x) / (1 + exp(-x)) gives nan at -1000.
    """
    check_sigmoid(unit, np.array([-1000.0, -800.0, -30.0, 0.0, 3.0, 800.0, 1000.0]))
