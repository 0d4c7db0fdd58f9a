"""Public tests of step_function(x): 0/1 of x's shape, for 1-D, 2-D and 3-D x."""

import numpy as np

from courses.ch03_networks.checks import check_step, mixed_signs, rng_for


def test_book_example(unit):
    """책의 예 [-1.0, 1.0, 2.0] / the book's example

    Real work: [0, 1, 1]; zeros, ones, x itself and a bool array all miss.
    """
    check_step(unit, np.array([-1.0, 1.0, 2.0]))


def test_matrix(unit):
    """2차원 x, 정확히 0인 원소 포함 / a 2-D x with an exact 0

    Real work: 1 only where x > 0 (0 gives 0); no constant or echoed array matches.
    """
    check_step(unit, mixed_signs(rng_for(301), (3, 4)))


def test_tensor_3d(unit):
    """3차원 x / a 3-D x

    Real work: the 0/1 pattern of a (2, 3, 2) array of both signs.
    """
    check_step(unit, mixed_signs(rng_for(302), (2, 3, 2)))
