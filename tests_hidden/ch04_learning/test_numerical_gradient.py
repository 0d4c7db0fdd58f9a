"""Hidden tests of numerical_gradient on shapes and values drawn from the grading-time seed."""

import pytest

from courses.ch04_learning.checks import check_gradient, check_restored, rng_for

SHAPES = [(7,), (3, 4), (2, 3, 2)]


def random_x(shape: tuple[int, ...], grading_seed: int):
    """The x test_random_shapes tries wavy_sum at (grader/tests/courses/ch04_learning/test_tolerances.py measures these)."""
    return rng_for(1301, len(shape), grading_seed).uniform(-1.5, 1.5, shape)


@pytest.mark.parametrize("shape", SHAPES)
def test_random_shapes(unit, grading_seed, shape):
    """여러 형상 / several shapes

    Real work: the gradient at x drawn from the grading seed; anything that ignores f misses.
    """
    check_gradient(unit, "wavy_sum", random_x(shape, grading_seed))


def test_restored_random(unit, grading_seed):
    """x 복원 / x restored

    Real work: as test_x_restored, x restored counts only with a gradient of f at x from the same call.
    """
    check_restored(unit, "wavy_sum", rng_for(1302, grading_seed).uniform(-1, 1, (4, 3)))


def test_single_row_matrix(unit, grading_seed):
    """(1, n) 행렬 / a (1, n) matrix

    Real work: the gradient of a coupled function; zeros, x, f(x) and a row-by-row gradient miss.
    """
    check_gradient(unit, "coupled_quadratic", rng_for(1303, grading_seed).uniform(-1, 1, (1, 4)))
