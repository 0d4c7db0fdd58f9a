"""Public tests of numerical_gradient(f, x): any shape, whole-array f, x restored."""

import numpy as np

from courses.ch04_learning.checks import check_gradient, check_restored, rng_for

# Inputs that expose the step and the scheme (grader/tests/courses/ch04_learning/test_tolerances.py measures them); the others
# test shapes and restoring x, and give partial credit to a wrong step.
STEP_SENSITIVE = {
    "wavy_1d": ("wavy_sum", rng_for(201).uniform(-1, 1, 6)),
    "matrix_2d": ("wavy_sum", rng_for(202).uniform(-1, 1, (2, 3))),
}


def test_book_function_2(unit):
    """책의 function_2, x = [3, 4] / the book's function_2 at [3, 4]

    Real work: the gradient [6, 8]; zeros, ones, x = [3, 4], f(x) and a scalar miss.
    """
    check_gradient(unit, "function_2", np.array([3.0, 4.0]))


def test_wavy_1d(unit):
    """1차원 x, 3차 도함수가 큰 함수 / 1-D x, a function with a large third derivative

    Real work: the gradient within RTOL_DIFF; anything that ignores f misses.
    """
    check_gradient(unit, *STEP_SENSITIVE["wavy_1d"])


def test_matrix_2d(unit):
    """2차원 x (2x3), f는 배열 전체를 받음 / 2-D x (2x3); f takes the whole array

    Real work: the gradient within RTOL_DIFF; anything that ignores f misses.
    """
    check_gradient(unit, *STEP_SENSITIVE["matrix_2d"])


def test_tensor_3d(unit):
    """3차원 x (2x2x3) / 3-D x (2x2x3)

    Real work: the gradient within RTOL_DIFF (of the right 3-D shape); anything that ignores f misses.
    """
    check_gradient(unit, "cubic_bowl", rng_for(203).uniform(-1, 1, (2, 2, 3)))


def test_x_restored(unit):
    """호출 뒤 x가 원래 값 그대로 / x holds its original values afterwards

    Real work: x restored is paid only when the same call returned a gradient of f at x (within 5 %):
    a function that never touches x trivially 'restores' it. A wrong step or a forward difference
    that restores x keeps these points; perturbing copies of x meets the contract and passes.
    """
    check_restored(unit, "cubic_bowl", rng_for(204).uniform(-1, 1, (3, 2)))
