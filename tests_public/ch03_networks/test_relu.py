"""Public tests of relu(x): max(0, x) element by element, any shape."""

import numpy as np

from courses.ch03_networks.checks import check_relu, mixed_signs, rng_for


def test_book_example(unit):
    """[-1.0, 0.0, 2.5] / a small example

    Real work: [0, 0, 2.5]; zeros, x itself and np.minimum(0, x) all miss.
    """
    check_relu(unit, np.array([-1.0, 0.0, 2.5]))


def test_matrix(unit):
    """2차원 x / a 2-D x

    Real work: the positive elements kept, the others 0, in a (3, 4) array of both signs.
    """
    check_relu(unit, mixed_signs(rng_for(321), (3, 4)))


def test_tensor_3d(unit):
    """3차원 x / a 3-D x

    Real work: every element of a (2, 2, 3) array of both signs.
    """
    check_relu(unit, mixed_signs(rng_for(322), (2, 2, 3)))
