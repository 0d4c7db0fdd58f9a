"""Hidden tests of sigmoid: other shapes and large inputs from the grading-time seed."""

import numpy as np
import pytest

from courses.ch03_networks.checks import check_sigmoid, mixed_signs, rng_for


@pytest.mark.parametrize("shape", [(6,), (3, 5), (2, 3, 2)])
def test_random_shapes(unit, grading_seed, shape):
    """무작위 형상과 값 / random shapes and values

    Real work: every element's value at inputs drawn from the grading seed.
    """
    check_sigmoid(unit, mixed_signs(rng_for(1311, len(shape), grading_seed), shape))


def test_large_random(unit, grading_seed):
    """큰 |x|를 섞은 2차원 x / a 2-D x mixing large |x|

    Real work: values near 0, 0.5 and 1 side by side; nan where |x| is large loses it.
    """
    rng = rng_for(1312, grading_seed)
    x = mixed_signs(rng, (3, 4))
    x[0, :2] = -rng.uniform(700, 1000, size=2)
    x[2, 2:] = rng.uniform(700, 1000, size=2)
    check_sigmoid(unit, np.ascontiguousarray(x))
