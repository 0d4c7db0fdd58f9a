"""Public tests of gradient_descent(f, init_x, lr=0.01, step_num=100) -> (x, x_history)."""

import numpy as np

from grader.course.ch04_learning import check_descent_defaults, check_descent_history, check_descent_x


def test_book_function_2(unit):
    """책의 예: function_2, init_x = [-3, 4], lr = 0.1, step_num = 100 / the book's example

    Real work: x after 100 steps (~1e-9), compared at its own scale (descent_atol): zeros and a walk
    one step short are far off, while the absolute 1e-8 alone would have paid them.
    """
    check_descent_x(unit, "function_2", np.array([-3.0, 4.0]), lr=0.1, step_num=100)


def test_history(unit):
    """x_history: (step_num, x.size), 각 갱신 전의 x / x before each step

    Real work: 12 rows of visited points; copies of init_x, zeros or an empty history miss.
    """
    check_descent_history(unit, "coupled_quadratic", np.array([1.5, -2.0, 0.5]), lr=0.2, step_num=12)


def test_defaults(unit):
    """기본값 lr = 0.01, step_num = 100 / default lr and step_num

    Real work: x after 100 default steps of 0.01 from a point far from the minimum; init_x and zeros miss.
    """
    check_descent_defaults(unit, "cubic_bowl", np.array([0.8, -0.6]))
