"""Functions the tests pass to student code, known by name on both sides.

A test cannot send a Python function to the worker; it sends a name from this
library and the worker looks it up here. Each function is chosen to expose a
mistake (see docs/MISTAKES.md): quadratics cannot tell h = 1e-4 from
h = 1e-3 because the central difference is exact on them, so most functions
here have a large third derivative; the array functions couple every element,
so computing a gradient row by row gives a different answer.
"""

from __future__ import annotations

import numpy as np


def function_1(x):
    """The book's 0.01 x^2 + 0.1 x (exact under any central difference)."""
    return 0.01 * x**2 + 0.1 * x


def function_2(x):
    """The book's sum of squares."""
    return np.sum(x**2)


def sin_100(x):
    """sin(100 x): f''' = 1e6, so h = 1e-3 or a forward difference shows."""
    return np.sin(100.0 * x)


def quintic(x):
    """x^5 - 3 x^2 + 2: a polynomial whose central difference is not exact."""
    return x**5 - 3.0 * x**2 + 2.0


def exp_half(x):
    """exp(x / 2) scaled, smooth and positive."""
    return 3.0 * np.exp(0.5 * x)


def steep_exp(x):
    """exp(40 x) / 40: each derivative is 40 times the one before, so forward differences and h = 1e-3 show."""
    return np.exp(40.0 * x) / 40.0


def steep_decay(x):
    """5 exp(-30 x): each derivative is -30 times the one before (decreasing)."""
    return 5.0 * np.exp(-30.0 * x)


def _weights(shape: tuple[int, ...]) -> np.ndarray:
    """Fixed weights of the array's shape: any change of shape is noticed."""
    size = int(np.prod(shape))
    return (1.0 + 0.37 * np.arange(size, dtype=float)).reshape(shape)


def wavy_sum(x):
    """sum(sin(10 w x)) + (sum of x)^2 / 10: shape-aware and coupling all elements."""
    w = _weights(np.shape(x))
    return np.sum(np.sin(10.0 * w * x)) + np.sum(x) ** 2 / 10.0


def cubic_bowl(x):
    """sum(w x^2) + sum(x^3) / 3: a bowl with a cubic term, shape-aware."""
    w = _weights(np.shape(x))
    return np.sum(w * x**2) + np.sum(x**3) / 3.0


def coupled_quadratic(x):
    """sum(x^2) + x0 x_last: gradient descent converges, rows are coupled."""
    flat = np.ravel(x)
    return np.sum(x**2) + 0.5 * flat[0] * flat[-1]


LIBRARY = {
    function.__name__: function
    for function in (
        function_1,
        function_2,
        sin_100,
        quintic,
        exp_half,
        steep_exp,
        steep_decay,
        wavy_sum,
        cubic_bowl,
        coupled_quadratic,
    )
}


def lookup(name: str):
    """The library function called ``name``."""
    try:
        return LIBRARY[name]
    except KeyError:
        raise KeyError(f"no test function named {name!r}") from None


def name_of(function: object) -> str | None:
    """The library name of ``function``, or None if it is not one of ours."""
    for name, known in LIBRARY.items():
        if function is known:
            return name
    return None
