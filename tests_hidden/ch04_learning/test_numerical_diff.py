"""Hidden tests of numerical_diff at points drawn from the grading-time seed."""

import pytest

from grader.course.ch04_learning import check_diff, rng_for


@pytest.mark.parametrize("function", ["sin_100", "quintic", "exp_half"])
def test_random_points(unit, grading_seed, function):
    """무작위 점에서의 미분 / derivatives at random points"""
    x = float(rng_for(1201, len(function), grading_seed).uniform(-2.0, 2.0))
    check_diff(unit, function, x)


def test_negative_point(unit):
    """음수 x / a negative x"""
    check_diff(unit, "sin_100", -1.234)
