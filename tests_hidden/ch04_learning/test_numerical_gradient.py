"""Hidden tests of numerical_gradient on shapes and values drawn from the grading-time seed."""

import pytest

from grader.course.ch04_learning import check_gradient, check_restored, rng_for


@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 2)])
def test_random_shapes(unit, grading_seed, shape):
    """여러 형상 / several shapes"""
    x = rng_for(1301, len(shape), grading_seed).uniform(-1.5, 1.5, shape)
    check_gradient(unit, "wavy_sum", x)


def test_restored_random(unit, grading_seed):
    """x 복원 / x restored"""
    check_restored(unit, "wavy_sum", rng_for(1302, grading_seed).uniform(-1, 1, (4, 3)))


def test_single_row_matrix(unit, grading_seed):
    """(1, n) 행렬 / a (1, n) matrix"""
    check_gradient(unit, "coupled_quadratic", rng_for(1303, grading_seed).uniform(-1, 1, (1, 4)))
