"""Public tests of numerical_diff(f, x): central difference with h = 1e-4."""

from grader.course.ch04_learning import check_diff


def test_book_function_1(unit):
    """책의 function_1, x = 5 / the book's function_1 at x = 5"""
    check_diff(unit, "function_1", 5.0)


def test_sin_100(unit):
    """sin(100x), x = 0.3: h와 중앙 차분이 드러남 / exposes h and the central difference"""
    check_diff(unit, "sin_100", 0.3)


def test_quintic(unit):
    """x^5 - 3x^2 + 2, x = 1.7"""
    check_diff(unit, "quintic", 1.7)
