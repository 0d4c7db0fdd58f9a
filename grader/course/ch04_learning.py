"""Inputs and hints for the ch04_learning suites (public and hidden share them; no solution here).

Hints name the likely mistake class from ../shared/MISTAKES.md by looking at
what came back: a diagnosis recomputes the known wrong variants from the test
inputs (forward difference, h = 1e-3, no division by the batch size, ...) and
says which one the student's result matches.
"""

from __future__ import annotations

import numpy as np

from grader import testfuncs
from grader.calls import OBSERVE_ARGS, OBSERVE_PARAMS, Call
from grader.checks import Mismatch, Text, as_array, as_dict, as_pair, as_scalar, assert_close
from grader.protocol import FunctionRef

H = 1e-4
DELTA = 1e-7

# Tolerances. numerical_diff / numerical_gradient: central and forward differences at h = 1e-4 on
# sin(100 x) differ from each other by ~5e-3 relative and from h = 1e-3 by ~2e-3 (f''' h^2 / 6 with
# f''' = 1e6); any correct ordering of the same float64 operations agrees to ~1e-10. RTOL_DIFF sits
# between, 3 orders of magnitude from each side.
RTOL_DIFF, ATOL_DIFF = 1e-6, 1e-9
# Closed-form results (CEE, predict, loss, backprop): float64 rounding only.
RTOL_EXACT, ATOL_EXACT = 1e-7, 1e-10
# gradient_descent compounds 100 steps of numerical gradients: rounding grows, mistakes grow faster.
RTOL_DESCENT, ATOL_DESCENT = 1e-6, 1e-8
# backprop vs numerical gradient of the loss with its 1e-7 delta: they differ by up to ~2e-7 at
# the default init (the delta is not differentiated by backprop); wrong backprop differs by >1e-3.
RTOL_GRADCHECK, ATOL_GRADCHECK = 1e-3, 1e-6
# float32 images (as load_mnist gives): float32 rounding ~1e-7 relative, amplified by exp.
RTOL_FLOAT32, ATOL_FLOAT32 = 1e-4, 1e-6
PARAM_KEYS = ("W1", "b1", "W2", "b2")


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


# -- hints -----------------------------------------------------------------------------------

CEE_LABELS = Text(
    "t가 정수 레이블((N,) 또는 1차원 y에 대한 정수 하나)일 때도 동작해야 합니다. t.size == y.size이면 원-핫입니다.",
    "t may be integer labels (shape (N,), or one integer for 1-D y); t.size == y.size means one-hot.",
)
CEE_ONE_HOT = Text(
    "t가 y와 같은 형상의 원-핫일 때도 동작해야 합니다 (argmax로 레이블로 바꾸거나 sum(t * log(y + 1e-7))).",
    "t may be one-hot with y's shape (turn it into labels with argmax, or use sum(t * log(y + 1e-7))).",
)
CEE_SINGLE = Text(
    "1차원 y는 (1, K)로 reshape하세요. `return`이 `if y.ndim == 1:` 안에 들여쓰기 되어 있지 않은지 확인하세요.",
    "reshape 1-D y to (1, K); check that `return` is not indented inside `if y.ndim == 1:`.",
)
CEE_DELTA = Text("log(0)을 막으려면 log(y + 1e-7)처럼 delta = 1e-7을 더하세요.",
                 "add delta = 1e-7 inside the log, log(y + 1e-7), so that log(0) never happens.")  # fmt: skip
CEE_BATCH = Text(
    "배치 크기 N으로 나누어 평균을 내야 합니다.", "divide by the batch size N: the result is the batch mean."
)
CEE_RETURN_NONE = Text(
    "아무것도 반환하지 않았습니다. `return`이 `if` 블록 안에만 있지 않은지 확인하세요.",
    "nothing was returned: is `return` only inside an `if` block?",
)
DIFF_FORWARD = Text("전방 차분 (f(x+h) - f(x)) / h 대신 중앙 차분 (f(x+h) - f(x-h)) / (2h)을 쓰세요.",
                    "use the central difference (f(x+h) - f(x-h)) / (2h), not the forward one (f(x+h) - f(x)) / h.")  # fmt: skip
DIFF_STEP = Text("h = 1e-4 (0.0001)를 쓰세요. 10e-4는 1e-3이고 10e-50은 반올림 오차로 0이 됩니다.",
                 "use h = 1e-4 (0.0001): 10e-4 is 1e-3, and 10e-50 vanishes in rounding.")  # fmt: skip
DIFF_GENERAL = Text("수치 미분 (f(x+h) - f(x-h)) / (2h), h = 1e-4를 확인하세요.",
                    "check the central difference (f(x+h) - f(x-h)) / (2h) with h = 1e-4.")  # fmt: skip
GRAD_ANY_SHAPE = Text(
    "책 본문의 numerical_gradient는 1차원 x만 다룹니다. 여기서는 모든 형상의 x를 다뤄야 합니다: "
    "np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])를 쓰세요. 실습의 gradient_2d는 행마다 f를 "
    "호출하지만 여기서 f는 배열 전체를 받습니다.",
    "the book's text version handles 1-D x only; here x can have any shape: use np.nditer(x, "
    "flags=['multi_index'], op_flags=['readwrite']). The lab's gradient_2d calls f row by row; here f "
    "takes the whole array.",
)
GRAD_RESTORE = Text("x가 원래 값으로 복원되지 않았습니다. 각 원소를 계산한 뒤 x[idx] = tmp_val로 되돌리세요.",
                    "x was not restored after the call: put back x[idx] = tmp_val after each element.")  # fmt: skip
GRAD_ALL_ELEMENTS = Text("모든 원소의 기울기를 계산해야 합니다. `return`이 반복문 안에 있지 않은지 확인하세요.",
                         "every element needs its derivative: is `return` inside the loop?")  # fmt: skip
GD_PAIR = Text(
    "책 본문의 gradient_descent는 x만 반환하지만 여기서는 (x, x_history)를 반환해야 합니다.",
    "the book's text version returns x alone; here return (x, x_history).",
)
GD_HISTORY = Text(
    "x_history에는 각 갱신 '전'의 x를 복사해서 (x.copy()) 넣으세요. 복사하지 않으면 모든 행이 같아집니다.",
    "append a copy of x (x.copy()) before each update; without the copy every row is the final x.",
)
GD_STEP = Text(
    "갱신은 x -= lr * grad 입니다 (기울기의 반대 방향).", "the update is x -= lr * grad (against the gradient)."
)
GD_SIGNATURE = Text("시그니처는 gradient_descent(f, init_x, lr=0.01, step_num=100)입니다.",
                    "the signature is gradient_descent(f, init_x, lr=0.01, step_num=100).")  # fmt: skip
NET_INIT = Text(
    "params는 W1 (input, hidden), b1 (hidden,), W2 (hidden, output), b2 (output,)이고, 가중치는 "
    "weight_init_std * np.random.randn(...), 편향은 0입니다.",
    "params are W1 (input, hidden), b1 (hidden,), W2 (hidden, output), b2 (output,); weights "
    "weight_init_std * np.random.randn(...), biases zeros.",
)
NET_PREDICT = Text("predict = softmax(sigmoid(x W1 + b1) W2 + b2): 은닉층은 sigmoid, 출력층은 softmax입니다.",
                   "predict = softmax(sigmoid(x W1 + b1) W2 + b2): sigmoid in the hidden layer, softmax at the output.")  # fmt: skip
NET_STABLE = Text("softmax는 행마다 최댓값을 빼서 오버플로를 막아야 합니다 (주어진 softmax를 쓰세요).",
                  "softmax must subtract each row's max to avoid overflow (use the given softmax).")  # fmt: skip
NET_LOSS = Text(
    "loss는 cross_entropy_error(self.predict(x), t)입니다.", "loss is cross_entropy_error(self.predict(x), t)."
)
NET_ACCURACY = Text(
    "accuracy는 argmax(y, axis=1)와 argmax(t, axis=1)를 비교합니다 (t는 원-핫).",
    "accuracy compares argmax(y, axis=1) with argmax(t, axis=1) (t is one-hot).",
)
NET_NUMERICAL = Text(
    "각 매개변수에 대해 numerical_gradient(lambda W: self.loss(x, t), self.params[key])를 구하세요 (W1 b1 W2 b2 모두).",
    "for each parameter use numerical_gradient(lambda W: self.loss(x, t), self.params[key]) (all of W1 b1 W2 b2).",
)
NET_BACKPROP = Text(
    "역전파: dy = (y - t) / batch_num; dW2 = z1.T @ dy; db2 = sum(dy, axis=0); dz1 = sigmoid_grad(a1) * (dy @ W2.T); "
    "dW1 = x.T @ dz1; db1 = sum(dz1, axis=0).",
    "backprop: dy = (y - t) / batch_num; dW2 = z1.T @ dy; db2 = sum(dy, axis=0); dz1 = sigmoid_grad(a1) * (dy @ W2.T); "
    "dW1 = x.T @ dz1; db1 = sum(dz1, axis=0).",
)
NET_BATCH = Text(
    "dy = (y - t) / batch_num: 배치 크기로 나누었나요?", "dy = (y - t) / batch_num: did you divide by the batch size?"
)
NET_SIGMOID_GRAD = Text("sigmoid_grad는 z1이 아니라 a1 (= x W1 + b1)에 적용합니다.",
                        "apply sigmoid_grad to a1 (= x W1 + b1), not to z1.")  # fmt: skip


def cee_hint(got: object, expected: float, y: np.ndarray, default: Text) -> Text:
    """The likely mistake behind a wrong cross_entropy_error result."""
    if got is None:
        return CEE_RETURN_NONE
    try:
        value = float(got)
    except (TypeError, ValueError):
        return default
    rows = y.shape[0] if y.ndim == 2 else 1
    if not np.isfinite(value) and np.any(y == 0):
        return CEE_DELTA
    if rows > 1 and np.isclose(value, expected * rows, rtol=1e-6):
        return CEE_BATCH
    return default


def diff_variants(name: str, x: object) -> dict[str, object]:
    """What the usual wrong numerical differences give for a library function at x."""
    f = testfuncs.lookup(name)
    return {
        "forward": (f(x + H) - f(x)) / H,
        "h=1e-3": (f(x + 1e-3) - f(x - 1e-3)) / 2e-3,
        "tiny h": (f(x + 10e-50) - f(x)) / 10e-50,
    }


def diff_hint(got: object, variants: dict[str, object]) -> Text:
    """Which wrong difference the student's result matches."""
    try:
        got_array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return DIFF_GENERAL
    for variant, value in variants.items():
        if np.shape(value) == got_array.shape and np.allclose(got_array, value, rtol=1e-6, atol=1e-9):
            return DIFF_FORWARD if variant == "forward" else DIFF_STEP
    return DIFF_GENERAL


def gradient_variants(name: str, x: np.ndarray) -> dict[str, np.ndarray]:
    """Forward-difference and h = 1e-3 gradients of a library function, to name those mistakes."""
    f = testfuncs.lookup(name)
    out = {"forward": np.zeros_like(x), "h=1e-3": np.zeros_like(x)}
    for index in np.ndindex(x.shape):
        for variant, (up, down, step) in {"forward": (H, 0.0, H), "h=1e-3": (1e-3, -1e-3, 2e-3)}.items():
            plus, minus = x.copy(), x.copy()
            plus[index] += up
            minus[index] += down
            out[variant][index] = (f(plus) - f(minus)) / step
    return out


def backprop_hint(got: dict, expected: dict, rows: int) -> Text:
    """The likely mistake behind a wrong backprop gradient."""
    try:
        if all(np.allclose(got[k], expected[k] * rows, rtol=1e-6) for k in PARAM_KEYS):
            return NET_BATCH
        if np.allclose(got["W2"], expected["W2"], rtol=1e-6) and not np.allclose(got["W1"], expected["W1"], rtol=1e-6):
            return NET_SIGMOID_GRAD
    except (KeyError, ValueError, TypeError):
        pass
    return NET_BACKPROP


# -- checks shared by the public and hidden suites ----------------------------------------------


def check_cee(unit, y: np.ndarray, t: object, default_hint: Text) -> None:
    """cross_entropy_error(y, t) against the reference, with a diagnosed hint."""
    call = Call("cross_entropy_error", (y, t))
    expected = unit.expected(call)["result"]
    got = unit.got(call)["result"]
    hint = cee_hint(got, float(expected), y, default_hint)
    try:
        as_scalar(got, call, hint)
    except Mismatch as mismatch:
        mismatch.expected = expected
        raise
    assert_close(got, expected, call, RTOL_EXACT, ATOL_EXACT, hint=hint)


def check_diff(unit, function: str, x: float) -> None:
    """numerical_diff(function, x) against the reference, naming forward difference or a wrong h."""
    call = Call("numerical_diff", (FunctionRef(function), x))
    expected = unit.expected(call)["result"]
    got = unit.got(call)["result"]
    assert_close(got, expected, call, RTOL_DIFF, ATOL_DIFF, hint=diff_hint(got, diff_variants(function, x)))


def check_gradient(unit, function: str, x: np.ndarray) -> None:
    """numerical_gradient(function, x) against the reference, naming the usual mistakes."""
    call = Call("numerical_gradient", (FunctionRef(function), x))
    expected = unit.expected(call)["result"]
    got = unit.got(call)["result"]
    hint = GRAD_ANY_SHAPE if x.ndim > 1 else diff_hint(got, gradient_variants(function, x))
    if type(got) is np.ndarray and got.shape == x.shape and np.count_nonzero(got) <= 1 < x.size:
        hint = GRAD_ALL_ELEMENTS
    assert_close(got, expected, call, RTOL_DIFF, ATOL_DIFF, hint=hint)


def check_restored(unit, function: str, x: np.ndarray) -> None:
    """After numerical_gradient(function, x), x holds exactly its original values."""
    call = Call("numerical_gradient", (FunctionRef(function), x), observe=(OBSERVE_ARGS,))
    after = unit.got(call).get("args_after")
    x_after = after[1] if type(after) is tuple and len(after) == 2 else None
    if type(x_after) is not np.ndarray or x_after.shape != x.shape or not np.array_equal(x_after, x):
        raise Mismatch(Text("호출 뒤 x가 바뀌었습니다.", "x changed during the call."), call, expected=x, got=x_after,
                       hint=GRAD_RESTORE)  # fmt: skip


def run_descent(unit, function: str, init_x: np.ndarray, **kwargs) -> tuple[Call, tuple, tuple]:
    """gradient_descent on both sides: (call, (x, history) got, (x, history) expected)."""
    call = Call("gradient_descent", (FunctionRef(function), init_x), kwargs)
    expected = unit.expected(call)["result"]
    got = as_pair(unit.got(call)["result"], call, GD_PAIR)
    return call, got, expected


def check_descent_x(unit, function: str, init_x: np.ndarray, **kwargs) -> None:
    """The x gradient_descent returns matches the reference."""
    call, (x_got, _), (x_expected, _) = run_descent(unit, function, init_x, **kwargs)
    f = testfuncs.lookup(function)
    hint = GD_STEP
    if type(x_got) is np.ndarray and x_got.shape == init_x.shape and f(x_got) <= f(init_x):
        hint = GD_SIGNATURE
    assert_close(x_got, x_expected, call, RTOL_DESCENT, ATOL_DESCENT, what="x", hint=hint)


def check_descent_history(unit, function: str, init_x: np.ndarray, **kwargs) -> None:
    """x_history: shape (step_num, x.size), row i = x before step i."""
    call, (x_got, history), (_, expected) = run_descent(unit, function, init_x, **kwargs)
    history = as_array(history, expected.shape, call, what="x_history", hint=GD_HISTORY)
    hint = GD_HISTORY if np.allclose(history, history[-1]) else GD_STEP
    assert_close(history, expected, call, RTOL_DESCENT, ATOL_DESCENT, what="x_history", hint=hint)


def net_call(method: str, sizes: tuple[int, int, int], params: dict | None, *args: object, seed: int = 0,
             **init_kwargs: object) -> Call:  # fmt: skip
    """A call of TwoLayerNet(*sizes, **init_kwargs).method(*args) with params written in place."""
    target = f"TwoLayerNet.{method}" if method else "TwoLayerNet"
    observe = (OBSERVE_PARAMS,) if not method else ()
    return Call(
        target, tuple(args), init_args=sizes, init_kwargs=init_kwargs, seed=seed, params=params, observe=observe
    )


def initial_params(unit, sizes: tuple[int, int, int], **init_kwargs: object) -> dict[str, np.ndarray]:
    """The student's params right after construction, checked for keys and shapes."""
    call = net_call("", sizes, None, **init_kwargs)
    params = as_dict(unit.got(call).get("params"), PARAM_KEYS, call, NET_INIT)
    n_in, n_hidden, n_out = sizes
    shapes = {"W1": (n_in, n_hidden), "b1": (n_hidden,), "W2": (n_hidden, n_out), "b2": (n_out,)}
    return {key: as_array(params[key], shapes[key], call, f"params['{key}']", NET_INIT) for key in PARAM_KEYS}


def check_init_scale(unit, sizes: tuple[int, int, int], std: float | None) -> None:
    """Weights drawn with standard deviation weight_init_std around 0; biases exactly zero."""
    kwargs = {} if std is None else {"weight_init_std": std}
    params = initial_params(unit, sizes, **kwargs)
    call = net_call("", sizes, None, **kwargs)
    wanted = 0.01 if std is None else std
    for key in ("W1", "W2"):
        spread, centre = float(params[key].std()), float(params[key].mean())
        # 15 % covers the sampling error of >= 500 draws (about 3 % per standard error) with room to spare.
        if not (abs(spread - wanted) <= 0.15 * wanted and abs(centre) <= 0.2 * wanted):
            raise Mismatch(Text(f"params['{key}']의 표준편차가 {spread:.3g}입니다 ({wanted:g}이어야 함).",
                                f"params['{key}'] has standard deviation {spread:.3g}; expected about {wanted:g}."),
                           call, hint=NET_INIT)  # fmt: skip
    for key in ("b1", "b2"):
        if np.any(params[key] != 0):
            raise Mismatch(Text(f"params['{key}']는 0이어야 합니다.", f"params['{key}'] should be zeros."), call,
                           got=params[key], hint=NET_INIT)  # fmt: skip


def check_net(unit, method: str, sizes: tuple[int, int, int], params: dict, args: tuple, hint: Text,
              rtol: float = RTOL_EXACT, atol: float = ATOL_EXACT) -> None:  # fmt: skip
    """TwoLayerNet.method(*args) with the given params against the reference."""
    call = net_call(method, sizes, params, *args)
    expected = unit.expected(call)["result"]
    got = unit.got(call)["result"]
    if isinstance(expected, dict):
        got = as_dict(got, PARAM_KEYS, call, hint)
        if method == "gradient":
            hint = backprop_hint(got, expected, args[0].shape[0]) if _all_arrays(got, expected) else hint
        for key in PARAM_KEYS:
            assert_close(got[key], expected[key], call, rtol, atol, what=f"grads['{key}']", hint=hint)
    else:
        assert_close(got, expected, call, rtol, atol, hint=hint)


def _all_arrays(got: dict, expected: dict) -> bool:
    return all(type(got[k]) is np.ndarray and got[k].shape == expected[k].shape for k in PARAM_KEYS)


def check_rows_sum_to_one(unit, sizes: tuple[int, int, int], params: dict, x: np.ndarray) -> None:
    """predict(x) gives one probability row per input row."""
    call = net_call("predict", sizes, params, x)
    y = as_array(unit.got(call)["result"], (x.shape[0], sizes[2]), call, hint=NET_PREDICT)
    if not (np.all(y >= 0) and np.allclose(y.sum(axis=1), 1.0, rtol=1e-9, atol=1e-9)):
        raise Mismatch(Text("predict의 각 행은 합이 1인 확률이어야 합니다.", "each row of predict(x) should be probabilities summing to 1."),
                       call, got=y.sum(axis=1), hint=NET_PREDICT)  # fmt: skip


def check_gradcheck(unit, sizes: tuple[int, int, int], params: dict, x: np.ndarray, t: np.ndarray) -> None:
    """The student's backprop gradient agrees with the reference's numerical gradient."""
    numerical = unit.expected(net_call("numerical_gradient", sizes, params, x, t))["result"]
    call = net_call("gradient", sizes, params, x, t)
    got = as_dict(unit.got(call)["result"], PARAM_KEYS, call, NET_BACKPROP)
    for key in PARAM_KEYS:
        assert_close(got[key], numerical[key], call, RTOL_GRADCHECK, ATOL_GRADCHECK, what=f"grads['{key}']",
                     hint=NET_BACKPROP)  # fmt: skip
