"""Hidden tests of relu: other shapes, inputs drawn from the grading-time seed."""

import pytest

from courses.ch03_networks.checks import check_relu, mixed_signs, rng_for


@pytest.mark.parametrize("shape", [(9,), (4, 2), (3, 1, 2)])
def test_random_shapes(unit, grading_seed, shape):
    """무작위 형상과 값 / random shapes and values

    Real work: every element of inputs of both signs drawn from the grading seed.
    """
    check_relu(unit, mixed_signs(rng_for(1321, len(shape), grading_seed), shape))


def test_long_vector(unit, grading_seed):
    """긴 1차원 x / a long 1-D x

    Real work: 1,000 elements of both signs.
    """
    check_relu(unit, mixed_signs(rng_for(1322, grading_seed), (1000,)))
