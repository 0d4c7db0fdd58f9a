"""Inputs, tolerances and checks for the ch04_learning suites (public and hidden share them; no solution here).

Every check runs one Call on the student's side and the reference's, compares them, and on a
mismatch raises with the hint that :mod:`courses.ch04_learning.hints` diagnoses from what came back.
An exception from the student's code gets a hint too (from its type and message). Public tests
only ask the reference for calls they make on the passing path as well, so a student repository's
recorded answers cover every call.
"""

from __future__ import annotations

import numpy as np

from courses.ch04_learning.hints import (  # noqa: F401  re-exported for the suites
    CEE_DELTA,
    CEE_LABELS,
    CEE_ONE_HOT,
    CEE_SINGLE,
    DIFF_GENERAL,
    GD_HISTORY,
    GD_HISTORY_ROWS,
    GD_PAIR,
    GD_SIGNATURE,
    GRAD_ANY_SHAPE,
    GRAD_RESTORE,
    NET_ACCURACY,
    NET_BACKPROP,
    NET_BIAS_AXIS,
    NET_FOLLOWS_PREDICT,
    NET_GRAD_KEYS,
    NET_INIT,
    NET_INIT_BIAS,
    NET_INIT_DRAWN,
    NET_LOSS,
    NET_NUMERICAL,
    NET_NUMERICAL_FOLLOWS_LOSS,
    NET_PREDICT,
    NET_PREDICT_USES_X,
    NET_STABLE,
    accuracy_hint,
    backprop_hint,
    cee_hint,
    descent_history_hint,
    descent_x_hint,
    diff_hint,
    diff_variants,
    gradient_hint,
    gradient_variants,
    init_hint,
    predict_hint,
    raised_hint,
)
from courses.ch04_learning.untrusted import testfuncs
from grader.pipeline.checks import Mismatch, Problem, Text, as_array, as_dict, as_pair, as_scalar, assert_close
from grader.pipeline.generic import Steps, check_spread
from grader.pipeline.student_errors import StudentRaised
from grader.untrusted.calls import OBSERVE_ARGS, OBSERVE_PARAMS, Call
from grader.untrusted.protocol import FunctionRef

H = 1e-4
DELTA = 1e-7

# Tolerances: each sits between how far two correct styles can differ and how far a mistake moves the
# result; grader/tests/courses/ch04_learning/test_tolerances.py measures both sides on the suites' own inputs.
#
# numerical_diff / numerical_gradient. Correct styles differ by rounding only: / (2*h) vs / h / 2, nditer
# vs ndindex vs a reshape(-1) view, x[idx] = tmp + h vs x[idx] += h steps (<= 1e-10 relative measured, 1e-4
# of RTOL_DIFF). The step-sensitive inputs (steep_exp, steep_decay, sin_100 at fixed points, wavy_sum) have
# |f''/f'| >= 30 and |f'''/f'| >= 900 where it counts, so a forward difference at h = 1e-4 is off by
# |f''/f'| h / 2 >= 1.5e-3 and h = 1e-3 by |f'''/f'| (1e-6 - 1e-8) / 6 >= 1.5e-4 relative: >= 100x RTOL_DIFF.
# The book's quadratics (function_1, function_2) are exact under any central difference: they only see
# gross mistakes. ATOL_DIFF covers derivatives near 0, where rounding is absolute (~1e-11 for f ~ 10).
RTOL_DIFF, ATOL_DIFF = 1e-6, 1e-9
# x restored: after x[idx] += h, -= 2h, += h an element may be a few ulps off (<= 1e-15 for |x| <= 2);
# not restoring it leaves it h = 1e-4 off. Anything within 1e-12 counts as restored.
RESTORE_ATOL = 1e-12
# ... and it counts only when the same call returned a gradient of f at x (issue 13: a function that never
# touches x trivially "restores" it). Within 5 % of the reference's largest element: a finite difference of f
# at perturbed points passes (a forward difference is off by <= 0.6 %, h = 1e-3 by <= 0.05 % on these inputs,
# measured by grader/tests/courses/ch04_learning/test_tolerances.py), so the step-sensitive tests alone charge a wrong scheme or step;
# zeros, ones, x itself, f(x) or half a central difference are off by >= 49 %.
RESTORE_GRADIENT_RTOL = 5e-2
# Closed-form results (CEE, predict, loss, accuracy, backprop): float64 rounding only. np.mean vs sum / N,
# label-index vs one-hot-sum CEE, layer objects vs one function differ by <= 1e-15 relative; the smallest
# mistakes here (delta 1e-4 for 1e-7, N vs K) move results by >= 1e-4 relative.
RTOL_EXACT, ATOL_EXACT = 1e-7, 1e-10
# gradient_descent compounds step_num numerical gradients: rounding grows to ~1e-12, mistakes (one step
# short, lr 0.1 for 0.01, ascent) move x by > 1e-3. Where the walk ends closer to 0 than ATOL_DESCENT (the book's
# example ends at ~1e-9), the absolute tolerance shrinks to RTOL_DESCENT of the answer's largest element, so
# returning zeros (or stopping a step short) is not "close" there (see descent_atol).
RTOL_DESCENT, ATOL_DESCENT = 1e-6, 1e-8
# backprop vs the numerical gradient of the loss with its 1e-7 delta: they differ by up to ~2e-7 at the
# tests' parameters (backprop's y - t is the derivative without the delta); wrong backprop differs by > 1e-3.
RTOL_GRADCHECK, ATOL_GRADCHECK = 1e-3, 1e-6
# float32 images (as load_mnist gives): float32 rounding ~1e-7 relative, amplified by exp.
RTOL_FLOAT32, ATOL_FLOAT32 = 1e-4, 1e-6
PARAM_KEYS = ("W1", "b1", "W2", "b2")
DESCENT_DEFAULTS = {"lr": 0.01, "step_num": 100}
PARAMS_WRITTEN = Text(
    "(테스트 값을 params에 제자리로 써 넣은 뒤 호출)", "(called after writing test values into params in place)"
)


def rng_for(*salt: int) -> np.random.Generator:
    """A generator for one test: fixed salts, plus the grading seed in hidden tests."""
    return np.random.default_rng(list(salt))


def probabilities(rng: np.random.Generator, rows: int | None, classes: int) -> np.ndarray:
    """Softmax outputs: (rows, classes), or (classes,) when rows is None."""
    logits = rng.normal(scale=2.0, size=(rows or 1, classes))
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    y = exp / exp.sum(axis=1, keepdims=True)
    return y if rows is not None else y[0]


def one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    """One-hot rows (float) for integer labels."""
    return np.eye(classes)[labels]


def net_params(rng: np.random.Generator, sizes: tuple[int, int, int], scale: float = 0.5) -> dict[str, np.ndarray]:
    """Parameters for TwoLayerNet(*sizes), large enough that every term matters."""
    n_in, n_hidden, n_out = sizes
    return {
        "W1": rng.normal(scale=scale, size=(n_in, n_hidden)),
        "b1": rng.normal(scale=scale, size=n_hidden),
        "W2": rng.normal(scale=scale, size=(n_hidden, n_out)),
        "b2": rng.normal(scale=scale, size=n_out),
    }


def batch(rng: np.random.Generator, rows: int, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs x (rows, n_in) and one-hot t (rows, n_out)."""
    return rng.normal(size=(rows, n_in)), one_hot(rng.integers(0, n_out, rows), n_out)


def student(unit, call: Call, hint: Text) -> dict:
    """The student's observations of ``call``; an exception from their code carries the hint its kind points to."""
    return unit.got_hinted(call, lambda error: raised_hint(call.unit, error.type, error.text, hint))


# -- cross_entropy_error -------------------------------------------------------------------------


def _labels_as_one_hot(y: np.ndarray, t: object) -> float:
    """-sum(t * log(y + 1e-7)) / N with integer labels t as a column: a one-hot-only formula given labels (or nan)."""
    if np.shape(t) == y.shape:
        return np.nan
    labels = np.asarray(t)
    t2, y2 = (labels.reshape(1, labels.size), y.reshape(1, y.size)) if y.ndim == 1 else (labels, y)
    try:  # the book's one-hot line as a student runs it: (N,) labels broadcast against (N, K) rows, or fail
        return float(-np.sum(t2 * np.log(y2 + 1e-7)) / y2.shape[0])
    except ValueError:
        return np.nan


def check_cee(unit, y: np.ndarray, t: object, default_hint: Text) -> None:
    """cross_entropy_error(y, t) against the reference, with a diagnosed hint."""
    call = Call("cross_entropy_error", (y, t))
    expected = unit.expected(call)["result"]
    got = student(unit, call, default_hint)["result"]
    truth = np.argmax(t, axis=-1) if np.shape(t) == y.shape else np.asarray(t)
    y_true = np.take_along_axis(np.atleast_2d(y), np.reshape(truth, (-1, 1)), axis=1).ravel()
    hint = cee_hint(got, float(expected), y_true, y.shape[-1], default_hint, _labels_as_one_hot(y, t))
    try:
        as_scalar(got, call, hint)
    except Mismatch as mismatch:
        mismatch.expected = expected
        raise
    assert_close(got, expected, call, RTOL_EXACT, ATOL_EXACT, hint=hint)


# -- numerical_diff and numerical_gradient -------------------------------------------------------


def check_diff(unit, function: str, x: float) -> None:
    """numerical_diff(function, x) against the reference, naming forward difference or a wrong h."""
    call = Call("numerical_diff", (FunctionRef(function), x))
    expected = unit.expected(call)["result"]
    got = student(unit, call, DIFF_GENERAL)["result"]
    hint = diff_hint(got, diff_variants(function, x), expected)
    assert_close(got, expected, call, RTOL_DIFF, ATOL_DIFF, hint=hint)


def check_gradient(unit, function: str, x: np.ndarray) -> None:
    """numerical_gradient(function, x) against the reference, naming the usual mistakes."""
    call = Call("numerical_gradient", (FunctionRef(function), x))
    expected = unit.expected(call)["result"]
    got = student(unit, call, GRAD_ANY_SHAPE)["result"]
    if type(got) is np.ndarray and got.shape == x.shape and np.allclose(got, expected, rtol=RTOL_DIFF, atol=ATOL_DIFF):
        return
    assert_close(got, expected, call, RTOL_DIFF, ATOL_DIFF, hint=gradient_hint(got, x, gradient_variants(function, x)))


def check_restored(unit, function: str, x: np.ndarray) -> None:
    """After numerical_gradient(function, x), x holds its original values, and that call returned a real gradient.

    Restoring x is paid only with the work it belongs to: a function that never touches x (returns zeros,
    x.copy(), f(x)) trivially leaves x as it was. So the same call's result must be a finite-difference
    gradient of f at x (within RESTORE_GRADIENT_RTOL, loose on purpose: a wrong step or a forward difference
    that restores x keeps these points, the step-sensitive tests charge the step).
    """
    call = Call("numerical_gradient", (FunctionRef(function), x), observe=(OBSERVE_ARGS,))
    expected = unit.expected(call)["result"]
    observed = student(unit, call, GRAD_ANY_SHAPE)
    after = observed.get("args_after")
    x_after = after[1] if type(after) is tuple and len(after) == 2 else None
    if (
        type(x_after) is not np.ndarray
        or x_after.shape != x.shape
        or not np.allclose(x_after, x, rtol=0, atol=RESTORE_ATOL)
    ):
        drift = float(np.max(np.abs(x_after - x))) if type(x_after) is np.ndarray and x_after.shape == x.shape else None
        text = (
            Text(
                f"호출 뒤 x의 원소가 최대 {drift:.3g}만큼 바뀌었습니다.",
                f"elements of x changed by up to {drift:.3g} during the call.",
            )
            if drift is not None
            else Text("호출 뒤 x가 바뀌었습니다.", "x changed during the call.")
        )
        raise Mismatch(text, call, expected=x, got=x_after, hint=GRAD_RESTORE, kind=Problem.INPUT_CHANGED)
    got = observed.get("result")
    scale = float(np.max(np.abs(expected)))
    if not (
        type(got) is np.ndarray
        and got.shape == x.shape
        and got.dtype.kind == "f"
        and np.isfinite(got).all()
        and np.allclose(got, expected, rtol=0, atol=RESTORE_GRADIENT_RTOL * scale)
    ):
        raise Mismatch(
            Text(
                "x는 그대로지만 결과가 x에서의 f의 기울기가 아닙니다. x 복원 점수는 f를 x 근처에서 "
                "계산해 얻은 기울기와 함께일 때만 받습니다.",
                "x is unchanged, but the result is not the gradient of f at x; restoring x counts only "
                "together with a gradient computed from f near x.",
            ),
            call,
            expected=expected,
            got=got,
            hint=gradient_hint(got, x, gradient_variants(function, x)),
            kind=Problem.WRONG_VALUE,
        )


# -- gradient_descent ----------------------------------------------------------------------------


def run_descent(unit, function: str, init_x: np.ndarray, **kwargs) -> tuple[Call, tuple, tuple]:
    """gradient_descent on both sides: (call, (x, history) got, (x, history) expected)."""
    call = Call("gradient_descent", (FunctionRef(function), init_x), kwargs)
    expected = unit.expected(call)["result"]
    got = as_pair(student(unit, call, GD_PAIR)["result"], call, GD_PAIR)
    return call, got, expected


def check_descent_x(unit, function: str, init_x: np.ndarray, **kwargs) -> None:
    """The x gradient_descent returns matches the reference."""
    call, (x_got, _), (x_expected, history_expected) = run_descent(unit, function, init_x, **kwargs)
    f = testfuncs.lookup(function)
    f_got = float(f(x_got)) if type(x_got) is np.ndarray and x_got.shape == init_x.shape else None
    hint = descent_x_hint(x_got, x_expected, history_expected, float(f(init_x)), f_got)
    assert_close(x_got, x_expected, call, RTOL_DESCENT, descent_atol(x_expected), what="x", hint=hint)


def descent_atol(x_expected: np.ndarray) -> float:
    """ATOL_DESCENT, or RTOL_DESCENT of the answer's largest element when the walk ends closer to 0 than that."""
    return min(ATOL_DESCENT, RTOL_DESCENT * float(np.max(np.abs(x_expected))))


def check_descent_defaults(unit, function: str, init_x: np.ndarray) -> None:
    """gradient_descent(f, init_x) with the default lr and step_num; a mismatch says whether the defaults are wrong."""
    unit.expected(Call("gradient_descent", (FunctionRef(function), init_x), dict(DESCENT_DEFAULTS)))  # recorded too
    try:
        check_descent_x(unit, function, init_x)
    except Mismatch as mismatch:
        try:
            check_descent_x(unit, function, init_x, **DESCENT_DEFAULTS)
        except (Mismatch, StudentRaised):
            raise mismatch from None
        mismatch.hint = GD_SIGNATURE  # right with lr=0.01, step_num=100 given, wrong without
        raise


def check_descent_history(unit, function: str, init_x: np.ndarray, *, with_x: bool = False, **kwargs) -> None:
    """x_history: shape (step_num, x.size), row i = x before step i; with ``with_x`` the returned x as well.

    A history of two or more rows holds visited points, which only a real walk gives. With one step the
    history is just init_x, which a function that never moves also returns: there ``with_x`` asks for the
    point the one step reached too.
    """
    call, (x_got, history), (x_expected, expected) = run_descent(unit, function, init_x, **kwargs)
    # A 1-D history is x itself appended (no .copy(), then flattened); an empty one is a loop that never ran
    one_d = type(history) is np.ndarray and np.ndim(history) != 2 and np.size(history) > 0
    shape_hint = GD_HISTORY if one_d else GD_HISTORY_ROWS
    history = as_array(history, expected.shape, call, what="x_history", hint=shape_hint)
    hint = descent_history_hint(history, expected, x_got)
    assert_close(history, expected, call, RTOL_DESCENT, ATOL_DESCENT, what="x_history", hint=hint)
    if with_x:
        f = testfuncs.lookup(function)
        f_got = float(f(x_got)) if type(x_got) is np.ndarray and x_got.shape == init_x.shape else None
        hint = descent_x_hint(x_got, x_expected, expected, float(f(init_x)), f_got)
        assert_close(x_got, x_expected, call, RTOL_DESCENT, descent_atol(x_expected), what="x", hint=hint)


# -- TwoLayerNet ---------------------------------------------------------------------------------


def net_call(
    method: str, sizes: tuple[int, int, int], params: dict | None, *args: object, seed: int = 0, **init_kwargs: object
) -> Call:
    """A call of TwoLayerNet(*sizes, **init_kwargs).method(*args) with params written in place."""
    target = f"TwoLayerNet.{method}" if method else "TwoLayerNet"
    observe = (OBSERVE_PARAMS,) if not method else ()
    return Call(
        target, tuple(args), init_args=sizes, init_kwargs=init_kwargs, seed=seed, params=params, observe=observe
    )


def initial_params(unit, sizes: tuple[int, int, int], **init_kwargs: object) -> dict[str, np.ndarray]:
    """The student's params right after construction, checked for keys and shapes."""
    call = net_call("", sizes, None, **init_kwargs)
    params = as_dict(student(unit, call, NET_INIT).get("params"), PARAM_KEYS, call, NET_INIT, result=False)
    n_in, n_hidden, n_out = sizes
    shapes = {"W1": (n_in, n_hidden), "b1": (n_hidden,), "W2": (n_hidden, n_out), "b2": (n_out,)}
    return {key: as_array(params[key], shapes[key], call, f"params['{key}']", NET_INIT) for key in PARAM_KEYS}


def check_init_shapes(unit, sizes: tuple[int, int, int]) -> None:
    """params has W1 b1 W2 b2 of the right shapes, and the weights were really drawn (not all one value).

    Shapes alone are paid to a net that computes nothing (zeros or ones of the right shapes); a real
    initialisation of another spread or distribution (randn without weight_init_std, rand) keeps these
    points, and check_init_scale charges the spread.
    """
    params = initial_params(unit, sizes)
    call = net_call("", sizes, None)
    for key in ("W1", "W2"):
        if np.ptp(params[key]) == 0:
            raise Mismatch(
                Text(
                    f"params['{key}']의 모든 원소가 {params[key].flat[0]:g}(으)로 같습니다.",
                    f"every element of params['{key}'] is {params[key].flat[0]:g}.",
                ),
                call,
                got=params[key],
                hint=NET_INIT_DRAWN,
                kind=Problem.WRONG_VALUE,
            )


def check_init_scale(unit, sizes: tuple[int, int, int], std: float | None) -> None:
    """Weights drawn with standard deviation weight_init_std around 0; biases exactly zero (the engine's
    check_spread, with the hint that names the likely mistake)."""
    kwargs = {} if std is None else {"weight_init_std": std}
    wanted = 0.01 if std is None else std
    check_spread(
        unit,
        Steps("TwoLayerNet", sizes, kwargs, var="net").read("params"),
        {"W1": wanted, "W2": wanted, "b1": 0.0, "b2": 0.0},
        centre=0.2,
        hint=NET_INIT,
        spread_hint=lambda _key, spread, centre, wanted: (
            NET_INIT_BIAS if wanted == 0 else init_hint(spread, centre, wanted)
        ),
        raised=lambda error: raised_hint("TwoLayerNet", error.type, error.text, NET_INIT),
    )


def check_net(
    unit,
    method: str,
    sizes: tuple[int, int, int],
    params: dict,
    args: tuple,
    hint: Text,
    rtol: float = RTOL_EXACT,
    atol: float = ATOL_EXACT,
) -> None:
    """TwoLayerNet.method(*args) with the given params against the reference."""
    call = net_call(method, sizes, params, *args)
    expected = unit.expected(call)["result"]
    # The method this one builds on, asked of the reference on the passing path too (recorded answers cover it).
    base = BUILDS_ON.get(method)
    base_call = net_call(base[0], sizes, params, *args[: base[1]]) if base else None
    base_expected = unit.expected(base_call)["result"] if base_call else None
    got = student(unit, call, hint)["result"]
    if isinstance(expected, dict):
        got = as_dict(got, PARAM_KEYS, call, NET_GRAD_KEYS)
        if method == "gradient":
            hint = _gradient_hint(got, expected, args[0].shape[0], hint)
        if base_call and not _matches(got, expected, rtol, atol):
            hint = _base_hint(unit, base_call, base_expected, base[2], hint)
        for key in PARAM_KEYS:
            _written(assert_close, got[key], expected[key], call, rtol, atol, what=f"grads['{key}']", hint=hint)
        return
    if method == "predict":
        hint = predict_hint(got, hint)
    elif method == "accuracy":
        hint = accuracy_hint(got, float(expected), args[0].shape[0], hint)
    if base_call and not _close(got, expected, rtol, atol):
        hint = _base_hint(unit, base_call, base_expected, base[2], hint)
    _written(assert_close, got, expected, call, rtol, atol, hint=hint)


# method -> (the method it calls, how many of its arguments that one takes, the hint when that one is wrong)
BUILDS_ON = {
    "loss": ("predict", 1, NET_FOLLOWS_PREDICT),
    "accuracy": ("predict", 1, NET_FOLLOWS_PREDICT),
    "numerical_gradient": ("loss", 2, NET_NUMERICAL_FOLLOWS_LOSS),
}


def _close(got: object, expected: object, rtol: float, atol: float) -> bool:
    try:
        return bool(np.allclose(np.asarray(got, dtype=float), np.asarray(expected, dtype=float), rtol=rtol, atol=atol))
    except (TypeError, ValueError):
        return False


def _gradient_hint(
    got: dict, expected: dict, rows: int, default: Text, rtol: float = 1e-6, atol: float = 1e-10
) -> Text:
    if _all_arrays(got, expected):
        return backprop_hint(got, expected, rows, rtol, atol)
    bias_shapes = [type(got[k]) is np.ndarray and got[k].shape == expected[k].shape for k in ("b1", "b2")]
    return default if all(bias_shapes) else NET_BIAS_AXIS


def _written(check, *args, **kwargs) -> None:
    """Run a check; a mismatch says that params were written in place before the call."""
    try:
        check(*args, **kwargs)
    except Mismatch as mismatch:
        mismatch.problem = Text(
            f"{mismatch.problem.ko} {PARAMS_WRITTEN.ko}", f"{mismatch.problem.en} {PARAMS_WRITTEN.en}"
        )
        raise


def _all_arrays(got: dict, expected: dict) -> bool:
    return all(type(got[k]) is np.ndarray and got[k].shape == expected[k].shape for k in PARAM_KEYS)


def _matches(got: dict, expected: dict, rtol: float, atol: float) -> bool:
    return _all_arrays(got, expected) and all(
        np.allclose(got[k], expected[k], rtol=rtol, atol=atol) for k in PARAM_KEYS
    )


def _base_hint(unit, base_call: Call, base_expected: object, follows: Text, default: Text) -> Text:
    """A wrong loss, accuracy or numerical gradient most often follows from the method it builds on: say so."""
    try:
        if not _close(unit.got(base_call)["result"], base_expected, RTOL_EXACT, ATOL_EXACT):
            return follows
    except Exception:  # noqa: BLE001  that method raising is itself the answer
        return follows
    return default


def check_rows_sum_to_one(unit, sizes: tuple[int, int, int], params: dict, x: np.ndarray) -> None:
    """predict(x) gives one probability row per input row, computed from that row (rows not all equal)."""
    call = net_call("predict", sizes, params, x)
    got = student(unit, call, NET_PREDICT)["result"]
    y = as_array(got, (x.shape[0], sizes[2]), call, hint=NET_PREDICT)
    if not (np.all(y >= 0) and np.allclose(y.sum(axis=1), 1.0, rtol=1e-9, atol=1e-9)):
        raise Mismatch(
            Text(
                "predict의 각 행은 합이 1인 확률이어야 합니다.",
                "each row of predict(x) should be probabilities summing to 1.",
            ),
            call,
            expected=np.ones(x.shape[0]),
            got=y.sum(axis=1),
            hint=predict_hint(y, NET_PREDICT),
            kind=Problem.WRONG_VALUE,
        )
    # Rows that all sum to one but are all the same (1/K everywhere) come from no input: not paid.
    if np.allclose(y, y[0], rtol=0, atol=1e-12):
        raise Mismatch(
            Text(
                "predict의 모든 행이 같습니다 (입력 x를 쓰지 않음).",
                "every row of predict(x) is the same (x is not used).",
            ),
            call,
            got=y,
            hint=NET_PREDICT_USES_X,
            kind=Problem.WRONG_VALUE,
        )


def check_gradcheck(unit, sizes: tuple[int, int, int], params: dict, x: np.ndarray, t: np.ndarray) -> None:
    """The student's backprop gradient agrees with the reference's numerical gradient."""
    numerical = unit.expected(net_call("numerical_gradient", sizes, params, x, t))["result"]
    call = net_call("gradient", sizes, params, x, t)
    got = as_dict(student(unit, call, NET_BACKPROP)["result"], PARAM_KEYS, call, NET_GRAD_KEYS)
    hint = _gradient_hint(got, numerical, x.shape[0], NET_BACKPROP, RTOL_GRADCHECK, ATOL_GRADCHECK)
    for key in PARAM_KEYS:
        assert_close(got[key], numerical[key], call, RTOL_GRADCHECK, ATOL_GRADCHECK, what=f"grads['{key}']", hint=hint)
