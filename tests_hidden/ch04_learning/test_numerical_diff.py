"""Hidden tests of numerical_diff at points drawn from the grading-time seed."""

import numpy as np
import pytest

from courses.ch04_learning.checks import check_diff, rng_for

# Where each step-sensitive function is tried (grader/tests/courses/ch04_learning/test_tolerances.py measures these ranges).
# sin_100 is drawn away from the zeros of sin(100 x), where a forward difference would be exact.
RANDOM_POINTS = {"sin_100": (-2.0, 2.0), "steep_exp": (-0.1, 0.2), "steep_decay": (-0.2, 0.1)}
SIN_PHASE = (0.2, np.pi - 0.2)
FIXED_POINTS = {"negative_point": ("sin_100", -1.234)}


def random_point(function: str, grading_seed: int) -> float:
    """The point test_random_points tries ``function`` at."""
    rng = rng_for(1201, len(function), grading_seed)
    low, high = RANDOM_POINTS[function]
    if function != "sin_100":
        return float(rng.uniform(low, high))
    turns = rng.integers(int(low * 100 / np.pi), int(high * 100 / np.pi))
    return float((turns * np.pi + rng.uniform(*SIN_PHASE)) / 100.0)


@pytest.mark.parametrize("function", sorted(RANDOM_POINTS))
def test_random_points(unit, grading_seed, function):
    """무작위 점에서의 미분 / derivatives at random points

    Real work: the derivative at a point drawn from the grading seed; f(x), x and constants miss.
    """
    check_diff(unit, function, random_point(function, grading_seed))


def test_negative_point(unit):
    """음수 x / a negative x

    Real work: the derivative 100 cos(-123.4); f(x), x and constants miss.
    """
    check_diff(unit, *FIXED_POINTS["negative_point"])
