"""Public tests of numerical_diff(f, x): central difference with h = 1e-4."""

from courses.ch04_learning.checks import check_diff

# Inputs that expose the step and the scheme (grader/tests/courses/ch04_learning/test_tolerances.py measures them).
STEP_SENSITIVE = {"sin_100": ("sin_100", 0.3), "steep_exp": ("steep_exp", 0.15)}


def test_book_function_1(unit):
    """책의 function_1, x = 5 / the book's function_1 at x = 5

    Real work: the derivative 0.2; f(5) = 0.75, x = 5 and the constants 0, 1, nan all miss.
    """
    check_diff(unit, "function_1", 5.0)


def test_sin_100(unit):
    """sin(100x), x = 0.3: h와 중앙 차분이 드러남 / exposes h and the central difference

    Real work: the derivative 100 cos(30); f(x), x and constants miss.
    """
    check_diff(unit, *STEP_SENSITIVE["sin_100"])


def test_steep_exp(unit):
    """exp(40x) / 40, x = 0.15: 전방 차분과 h = 1e-3이 드러남 / exposes a forward difference and h = 1e-3

    Real work: the derivative exp(6); f(x) = exp(6) / 40, x and constants miss.
    """
    check_diff(unit, *STEP_SENSITIVE["steep_exp"])
