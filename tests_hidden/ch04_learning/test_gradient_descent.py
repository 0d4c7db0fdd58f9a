"""Hidden tests of gradient_descent from starting points drawn from the grading-time seed."""

import pytest

from grader.course.ch04_learning import check_descent_history, check_descent_x, rng_for


@pytest.mark.parametrize("function, lr, steps", [("coupled_quadratic", 0.1, 30), ("cubic_bowl", 0.05, 40)])
def test_random_starts(unit, grading_seed, function, lr, steps):
    """무작위 시작점 / random starting points

    Real work: x after 30 or 40 steps from a random start; init_x, zeros and nan miss.
    """
    init_x = rng_for(1401, steps, grading_seed).uniform(-1, 1, 4)
    check_descent_x(unit, function, init_x, lr=lr, step_num=steps)


def test_history_random(unit, grading_seed):
    """x_history 내용 / x_history contents

    Real work: 7 rows of visited points; copies of init_x or zeros miss.
    """
    init_x = rng_for(1402, grading_seed).uniform(-2, 2, 3)
    check_descent_history(unit, "wavy_sum", init_x, lr=0.01, step_num=7)


def test_one_step(unit):
    """step_num = 1

    Real work: one step's history is just init_x, which a function that never moves also returns,
    so the x the step reached is checked as well.
    """
    import numpy as np

    check_descent_history(unit, "function_2", np.array([2.0, -1.0]), with_x=True, lr=0.3, step_num=1)
