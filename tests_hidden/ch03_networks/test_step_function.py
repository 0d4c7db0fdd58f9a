"""Hidden tests of step_function: other shapes, inputs drawn from the grading-time seed."""

import pytest

from courses.ch03_networks.checks import check_step, mixed_signs, rng_for


@pytest.mark.parametrize("shape", [(7,), (5, 2), (2, 2, 2, 2)])
def test_random_shapes(unit, grading_seed, shape):
    """무작위 형상과 값 / random shapes and values

    Real work: the 0/1 pattern of inputs drawn from the grading seed (both signs and an exact 0 in each).
    """
    check_step(unit, mixed_signs(rng_for(1301, len(shape), grading_seed), shape))


def test_long_vector(unit, grading_seed):
    """긴 1차원 x / a long 1-D x

    Real work: 1,000 elements of both signs.
    """
    check_step(unit, mixed_signs(rng_for(1302, grading_seed), (1000,)))
