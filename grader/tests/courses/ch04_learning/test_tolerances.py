"""The suites' tolerances sit between correct styles and mistakes, measured on the suites' own inputs.

Mistakes (a forward difference, h = 1e-3) must miss the reference by at least 100 times the
tolerance on every step-sensitive input; correct styles (copies or in-place steps, nditer or a
flat view, / (2h) or / h / 2) must agree with it to within a hundredth of the tolerance.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from courses.ch04_learning.checks import (
    ATOL_DESCENT,
    ATOL_DIFF,
    ATOL_EXACT,
    RESTORE_ATOL,
    RESTORE_GRADIENT_RTOL,
    RTOL_DESCENT,
    RTOL_DIFF,
    RTOL_EXACT,
    descent_atol,
    one_hot,
    probabilities,
    rng_for,
)
from courses.ch04_learning.untrusted import testfuncs
from grader.assignment import KIT_ROOT

H = 1e-4
MARGIN = 100.0
SEEDS = range(200)  # grading seeds tried for the hidden suite's random inputs


def _suite(suite: str, unit: str):
    """A grading suite's test module, loaded from its file (it holds the inputs it draws)."""
    path = Path(KIT_ROOT) / f"tests_{suite}" / "ch04_learning" / f"test_{unit}.py"
    spec = importlib.util.spec_from_file_location(f"_tolerance_{suite}_{unit}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def diff_inputs() -> list[tuple[str, float]]:
    """Every step-sensitive (function, x) the numerical_diff suites use."""
    public, hidden = _suite("public", "numerical_diff"), _suite("hidden", "numerical_diff")
    cases = list(public.STEP_SENSITIVE.values()) + list(hidden.FIXED_POINTS.values())
    cases += [(name, hidden.random_point(name, seed)) for name in hidden.RANDOM_POINTS for seed in SEEDS]
    return cases


def gradient_inputs() -> list[tuple[str, np.ndarray]]:
    """Every step-sensitive (function, x) the numerical_gradient suites use."""
    public, hidden = _suite("public", "numerical_gradient"), _suite("hidden", "numerical_gradient")
    cases = list(public.STEP_SENSITIVE.values())
    cases += [("wavy_sum", hidden.random_x(shape, seed)) for shape in hidden.SHAPES for seed in SEEDS[:50]]
    return cases


def misses(got, expected, rtol: float = RTOL_DIFF, atol: float = ATOL_DIFF) -> float:
    """How many tolerances the worst element of ``got`` is from ``expected``."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return float(np.max(np.abs(got - expected) / (atol + rtol * np.abs(expected))))


# -- ways to differentiate: correct styles and mistakes, written here independently of the kit ----------


def by_copies(f, x, up=H, down=-H, step=2 * H):
    """Each element perturbed in a copy of x (x itself untouched)."""
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += up
        minus[index] += down
        grad[index] = (f(plus if x.ndim else float(plus)) - f(minus if x.ndim else float(minus))) / step
    return grad


def in_place_nditer(f, x):
    """The book's loop: set x[idx] = tmp + h, tmp - h, then tmp, over np.nditer."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        idx = it.multi_index
        tmp = x[idx]
        x[idx] = tmp + H
        plus = f(x)
        x[idx] = tmp - H
        minus = f(x)
        grad[idx] = (plus - minus) / (2 * H)
        x[idx] = tmp
        it.iternext()
    return grad


def in_place_steps(f, x):
    """x[i] += h, -= 2h, += h over a flat view, divided by h then by 2; returns (grad, x afterwards)."""
    x = np.array(x, dtype=float)
    flat, grad = x.reshape(-1), np.zeros(x.size)
    for i in range(x.size):
        flat[i] += H
        plus = f(x)
        flat[i] -= 2 * H
        minus = f(x)
        flat[i] += H
        grad[i] = (plus - minus) / H / 2
    return grad.reshape(x.shape), x


def correct_styles(f, x) -> list[np.ndarray]:
    """Every correct style's gradient (or derivative) of f at x."""
    if np.ndim(x) == 0:
        return [
            by_copies(f, x),
            np.asarray((f(x + H) - f(x - H)) / H / 2),
            np.asarray((f(x + H) - f(x - H)) * (0.5 / H)),
        ]
    return [by_copies(f, x), in_place_nditer(f, x), in_place_steps(f, x)[0]]


# -- tests -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("inputs", [diff_inputs, gradient_inputs], ids=["numerical_diff", "numerical_gradient"])
def test_forward_difference_and_h_1e3_miss_by_100_tolerances(inputs):
    worst = {"forward": np.inf, "h=1e-3": np.inf}
    for name, x in inputs():
        f, reference = testfuncs.lookup(name), by_copies(testfuncs.lookup(name), x)
        worst["forward"] = min(worst["forward"], misses(by_copies(f, x, H, 0.0, H), reference))
        worst["h=1e-3"] = min(worst["h=1e-3"], misses(by_copies(f, x, 1e-3, -1e-3, 2e-3), reference))
    assert min(worst.values()) >= MARGIN, worst


@pytest.mark.parametrize("inputs", [diff_inputs, gradient_inputs], ids=["numerical_diff", "numerical_gradient"])
def test_correct_styles_agree_within_a_hundredth_of_the_tolerance(inputs):
    worst = 0.0
    for name, x in inputs():
        styles = correct_styles(testfuncs.lookup(name), x)
        worst = max(worst, *(misses(style, styles[0]) for style in styles[1:]))
    assert worst <= 1 / MARGIN, worst


def test_the_reference_is_one_of_the_correct_styles(reference):
    """The instructor's functions agree with the styles above: the measurements are about the real reference."""
    for name, x in diff_inputs()[:20] + gradient_inputs()[:10]:
        f, unit = testfuncs.lookup(name), "numerical_diff" if np.ndim(x) == 0 else "numerical_gradient"
        got = reference.namespace[unit](f, np.array(x, dtype=float) if np.ndim(x) else x)
        assert misses(got, by_copies(f, x)) <= 1 / MARGIN, (name, x)


def test_restoring_x_is_told_apart_from_rounding():
    x = rng_for(204).uniform(-2, 2, (4, 3))
    _, after = in_place_steps(testfuncs.lookup("wavy_sum"), x)
    assert np.max(np.abs(after - x)) <= RESTORE_ATOL / MARGIN  # x[idx] += h; -= 2h; += h: a few ulps at most
    assert H >= MARGIN * RESTORE_ATOL  # not restoring leaves an element h away


def test_cross_entropy_styles_agree_within_a_hundredth_of_the_tolerance():
    worst = 0.0
    for seed in SEEDS:
        rng = rng_for(seed)
        y = probabilities(rng, int(rng.integers(1, 33)), int(rng.integers(2, 11)))
        labels = rng.integers(0, y.shape[1], y.shape[0])
        label_index = -np.sum(np.log(y[np.arange(y.shape[0]), labels] + 1e-7)) / y.shape[0]
        one_hot_sum = -np.sum(one_hot(labels, y.shape[1]) * np.log(y + 1e-7)) / y.shape[0]
        mean_of_rows = -np.mean(np.log(y[np.arange(y.shape[0]), labels] + 1e-7))
        worst = max(
            worst,
            misses(one_hot_sum, label_index, RTOL_EXACT, ATOL_EXACT),
            misses(mean_of_rows, label_index, RTOL_EXACT, ATOL_EXACT),
        )
    assert worst <= 1 / MARGIN, worst


# -- what a do-nothing submission gets near (issue 13) ----------------------------------------------------


def restore_inputs() -> list[tuple[str, np.ndarray]]:
    """Every (function, x) the x-restored tests use: the public one and the hidden one at 200 grading seeds."""
    return [("cubic_bowl", rng_for(204).uniform(-1, 1, (3, 2)))] + [
        ("wavy_sum", rng_for(1302, seed).uniform(-1, 1, (4, 3))) for seed in SEEDS
    ]


def restore_misses(got, reference) -> float:
    """How many of check_restored's gradient tolerances (a share of the largest element) ``got`` is off."""
    return float(
        np.max(np.abs(np.asarray(got, dtype=float) - reference)) / (RESTORE_GRADIENT_RTOL * np.max(np.abs(reference)))
    )


def test_x_restored_pays_any_finite_difference_and_no_gradient_that_ignores_f():
    """A forward difference or h = 1e-3 keeps the restore points (well within); zeros, x, f(x), half a gradient do not."""
    worst_real, best_fake = 0.0, np.inf
    for name, x in restore_inputs():
        f = testfuncs.lookup(name)
        reference = by_copies(f, x)
        for real in (by_copies(f, x, H, 0.0, H), by_copies(f, x, 0.0, -H, H), by_copies(f, x, 1e-3, -1e-3, 2e-3)):
            worst_real = max(worst_real, restore_misses(real, reference))
        for fake in (np.zeros_like(x), np.ones_like(x), x, np.full_like(x, f(x)), by_copies(f, x, H, 0.0, 2 * H)):
            best_fake = min(best_fake, restore_misses(fake, reference))
    assert worst_real <= 0.2, worst_real  # a fifth of the tolerance at most: a real gradient is never near the edge
    assert best_fake >= 5, best_fake  # five tolerances at least: a quarter of the largest element


def descent(f, init_x, lr: float, step_num: int, gradient=by_copies) -> np.ndarray:
    """gradient_descent's final x, written here independently of the kit."""
    x = np.array(init_x, dtype=float)
    for _ in range(step_num):
        x = x - lr * gradient(f, x)
    return x


def test_the_book_descent_tells_zeros_and_a_step_short_from_rounding():
    """The book's example ends at ~1e-9, inside ATOL_DESCENT: descent_atol shrinks to the answer's own scale."""
    f, init_x = testfuncs.lookup("function_2"), np.array([-3.0, 4.0])
    reference = descent(f, init_x, 0.1, 100)
    assert np.max(np.abs(reference)) < ATOL_DESCENT  # why the absolute tolerance alone would pay zeros here
    atol = descent_atol(reference)
    styles = [
        descent(f, init_x, 0.1, 100, in_place_nditer),
        descent(f, init_x, 0.1, 100, lambda g, x: in_place_steps(g, x)[0]),
    ]
    assert max(misses(style, reference, RTOL_DESCENT, atol) for style in styles) <= 1 / MARGIN
    for wrong in (np.zeros(2), descent(f, init_x, 0.1, 99), descent(f, init_x, 0.1, 101)):
        assert misses(wrong, reference, RTOL_DESCENT, atol) >= MARGIN
