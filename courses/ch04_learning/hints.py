"""Hints for the ch04_learning suites, and the diagnoses that pick one from what came back.

A diagnosis names the likely mistake class from docs/MISTAKES.md and the mutant catalogue
(grader/mutants/) by relations between the student's result and the reference's (N times too
large, rows that do not sum to 1, every history row equal...) or by recomputing a known wrong
variant of a *test function's* derivative. Nothing here computes a graded unit the right way:
this module is published to students with the public suite.
"""

from __future__ import annotations

import re

import numpy as np

from courses.ch04_learning.untrusted import testfuncs
from grader.pipeline.checks import Text, name_hints

H = 1e-4

# -- cross_entropy_error -------------------------------------------------------------------------
CEE_LABELS = Text(
    "t가 정수 레이블((N,) 또는 1차원 y에 대한 정수 하나)일 때도 동작해야 합니다. t.size == y.size이면 원-핫입니다.",
    "t may be integer labels (shape (N,), or one integer for 1-D y); t.size == y.size means one-hot.",
)
CEE_ONE_HOT = Text(
    "t가 y와 같은 형상의 원-핫일 때도 동작해야 합니다 (argmax로 레이블로 바꾸거나 sum(t * log(y + 1e-7))).",
    "t may be one-hot with y's shape (turn it into labels with argmax, or use sum(t * log(y + 1e-7))).",
)
CEE_SINGLE = Text(
    "1차원 y는 t와 함께 (1, K)로 reshape하세요. `return`이 `if y.ndim == 1:` 안에 들여쓰기 되어 있지 않은지 확인하세요.",
    "reshape 1-D y, and t with it, to (1, K); check that `return` is not indented inside `if y.ndim == 1:`.",
)
CEE_DELTA = Text(
    "log(0)을 막으려면 정확히 delta = 1e-7을 log(y + 1e-7)처럼 더하세요.",
    "add exactly delta = 1e-7 inside the log, log(y + 1e-7), so that log(0) never happens.",
)
CEE_BATCH = Text(
    "배치 크기 N(행의 수, y.shape[0])으로 나누어 평균을 내야 합니다.",
    "divide by the batch size N (the number of rows, y.shape[0]): the result is the batch mean.",
)
CEE_PER_ELEMENT = Text(
    "N*K개 원소 전체가 아니라 N(행의 수)으로 나누세요: 클래스에 대해서는 합, 배치에 대해서는 평균입니다.",
    "divide by N (rows), not by all N*K elements: a sum over classes, a mean over the batch.",
)
CEE_SIGN = Text(
    "앞의 마이너스 부호를 빠뜨렸습니다: E = -sum(t * log(y)).", "the leading minus is missing: E = -sum(t * log(y))."
)
CEE_TYPO = Text(
    "이 입력 형태에서만 실행되는 분기의 속성 이름(ndim, size, shape, reshape)에 오타가 있는지 확인하세요.",
    "check the attribute names (ndim, size, shape, reshape) on the branch this kind of input takes: a typo there "
    "fails only for these inputs.",
)

# -- numerical_diff ------------------------------------------------------------------------------
DIFF_FORWARD = Text(
    "전방 차분 (f(x+h) - f(x)) / h 대신 중앙 차분 (f(x+h) - f(x-h)) / (2h)을 쓰세요.",
    "use the central difference (f(x+h) - f(x-h)) / (2h), not the forward one (f(x+h) - f(x)) / h.",
)
DIFF_BACKWARD = Text(
    "후방 차분 (f(x) - f(x-h)) / h 대신 중앙 차분 (f(x+h) - f(x-h)) / (2h)을 쓰세요.",
    "use the central difference (f(x+h) - f(x-h)) / (2h), not the backward one (f(x) - f(x-h)) / h.",
)
DIFF_STEP = Text(
    "h = 1e-4 (0.0001)를 쓰세요. 10e-4는 1e-3이고 10e-50은 반올림 오차로 0이 됩니다.",
    "use h = 1e-4 (0.0001): 10e-4 is 1e-3, and 10e-50 vanishes in rounding.",
)
DIFF_SMALL_STEP = Text(
    "h = 1e-4를 쓰세요. h는 작을수록 좋은 것이 아닙니다 (반올림 오차가 커짐).",
    "use h = 1e-4: a smaller h is not better (rounding error grows).",
)
DIFF_TWO_H = Text(
    "f(x+h) - f(x-h)는 폭 2h에 걸친 차이이므로 h가 아니라 2h로 나누세요.",
    "f(x+h) - f(x-h) spans 2h: divide by 2h, not by h.",
)
DIFF_PARENTHESES = Text(
    "`/ 2*h`는 (…/2)*h입니다. 괄호를 써서 `/ (2*h)`로 나누세요.",
    "`/ 2*h` means (…/2)*h: write `/ (2*h)` with parentheses.",
)
DIFF_GENERAL = Text(
    "수치 미분 (f(x+h) - f(x-h)) / (2h), h = 1e-4를 확인하세요.",
    "check the central difference (f(x+h) - f(x-h)) / (2h) with h = 1e-4.",
)
GLOBAL_NAME = Text(
    "함수가 쓰는 이름이 채점할 때 정의되어 있지 않습니다 (NameError). 오타인지(파이썬은 H와 h를 구별합니다), 아니면 함수 밖에서 "
    "채점기가 실행하지 않는 코드(반복문, 출력 셀)로 정한 이름인지 확인하세요. 채점기는 import, def, class, 그리고 "
    "h = 1e-4 같은 단순 상수만 가져옵니다. 그런 값은 함수 안에서 정의하세요.",
    "a name the function uses is not defined when the grader runs it (NameError): a typo (Python tells H from h), "
    "or a name set outside the function by code the grader never runs (a loop, a printing cell)? The grader keeps "
    "only imports, def, class and plain constants such as h = 1e-4; define such a value inside the function.",
)

# -- numerical_gradient --------------------------------------------------------------------------
GRAD_ANY_SHAPE = Text(
    "책 본문의 numerical_gradient는 1차원 x만 다룹니다. 여기서는 모든 형상의 x를 다뤄야 합니다: "
    "np.nditer(x, flags=['multi_index'], op_flags=['readwrite'])를 쓰고, 결과는 np.zeros_like(x)로 만드세요.",
    "the book's text version handles 1-D x only; here x can have any shape: use np.nditer(x, "
    "flags=['multi_index'], op_flags=['readwrite']), and make the result with np.zeros_like(x).",
)
GRAD_PER_ROW = Text(
    "실습의 gradient_2d는 행마다 f를 따로 호출합니다(행 하나를 점 하나로 봄). 여기서 f는 배열 전체를 받는 함수이므로 "
    "모든 원소를 하나씩 바꾸며 f(x) 전체를 다시 계산하세요.",
    "the lab's gradient_2d calls f on each row separately (a row as one point); here f takes the whole array, so "
    "perturb one element at a time and evaluate f on all of x.",
)
GRAD_RESTORE = Text(
    "x가 원래 값으로 복원되지 않았습니다. 각 원소를 계산한 뒤 x[idx] = tmp_val로 되돌리세요.",
    "x was not restored after the call: put back x[idx] = tmp_val after each element.",
)
GRAD_ALL_ELEMENTS = Text(
    "모든 원소의 기울기를 계산해야 합니다. `return`이 반복문 안에 있지 않은지 확인하세요.",
    "every element needs its derivative: is `return` inside the loop?",
)
GRAD_MINUS = Text(
    "x[idx] -= h는 x+h에서 x로 돌아갈 뿐입니다. f(x-h)를 구하려면 x[idx] = tmp_val - h로 두세요.",
    "x[idx] -= h only goes back from x+h to x; set x[idx] = tmp_val - h to evaluate f(x-h).",
)
GRAD_FINISHED = Text(
    "it.finished는 메서드가 아니라 속성입니다: `while not it.finished:` (괄호 없이).",
    "it.finished is an attribute, not a method: `while not it.finished:` (no parentheses).",
)

# -- gradient_descent ----------------------------------------------------------------------------
GD_PAIR = Text(
    "책 본문의 gradient_descent는 x만 반환하지만 여기서는 (x, x_history)를 반환해야 합니다.",
    "the book's text version returns x alone; here return (x, x_history).",
)
GD_HISTORY = Text(
    "x_history에는 각 갱신 '전'의 x를 복사해서 (x.copy()) 넣으세요. 복사하지 않으면 모든 행이 같아집니다.",
    "append a copy of x (x.copy()) before each update; without the copy every row is the final x.",
)
GD_HISTORY_BEFORE = Text(
    "x_history의 첫 행은 init_x여야 합니다: 갱신하기 '전'에 x의 복사본(x.copy())을 기록하세요. 갱신한 뒤에 기록하거나 "
    ".copy() 없이 x 자체를 넣으면 갱신된 x가 보입니다.",
    "the first row of x_history is init_x: record a copy of x (x.copy()) before the update. A row recorded after "
    "the update, or x itself without .copy(), shows the updated x.",
)
GD_HISTORY_ROWS = Text(
    "x_history는 step_num개의 행(각 갱신 전의 x)이고 np.array(x_history)로 반환합니다. 마지막 x를 따로 덧붙이지 마세요.",
    "x_history has step_num rows (x before each step), returned as np.array(x_history); do not append the final x.",
)
GD_STEP = Text(
    "갱신은 x -= lr * numerical_gradient(f, x) 입니다 (기울기의 반대 방향).",
    "the update is x -= lr * numerical_gradient(f, x) (against the gradient).",
)
GD_ASCENT = Text(
    "x += lr * grad는 경사 '상승'입니다. x -= lr * grad로 기울기의 반대 방향으로 가세요.",
    "x += lr * grad climbs the slope; go against the gradient: x -= lr * grad.",
)
GD_STEPS = Text(
    "정확히 step_num번 갱신하세요: for i in range(step_num).",
    "update exactly step_num times: for i in range(step_num).",
)
GD_SIGNATURE = Text(
    "시그니처는 gradient_descent(f, init_x, lr=0.01, step_num=100)입니다 (이름과 기본값).",
    "the signature is gradient_descent(f, init_x, lr=0.01, step_num=100): names and defaults.",
)

# -- TwoLayerNet ---------------------------------------------------------------------------------
NET_INIT = Text(
    "params는 W1 (input, hidden), b1 (hidden,), W2 (hidden, output), b2 (output,)이고, 가중치는 "
    "weight_init_std * np.random.randn(...), 편향은 0입니다.",
    "params are W1 (input, hidden), b1 (hidden,), W2 (hidden, output), b2 (output,); weights "
    "weight_init_std * np.random.randn(...), biases zeros.",
)
NET_INIT_RAND = Text(
    "np.random.rand는 [0, 1)의 균등분포라 평균이 0이 아닙니다. 표준정규분포 np.random.randn을 쓰세요.",
    "np.random.rand is uniform on [0, 1), not centred at 0; use the standard normal np.random.randn.",
)
NET_INIT_DRAWN = Text(
    "가중치는 무작위로 뽑아야 합니다 (weight_init_std * np.random.randn(...)). 모든 원소가 같으면 (0이나 1) 은닉 "
    "뉴런이 모두 똑같이 학습합니다.",
    "draw the weights at random (weight_init_std * np.random.randn(...)); with all elements equal (zeros or ones) "
    "every hidden neuron learns the same thing.",
)
NET_INIT_STD = Text(
    "가중치에 weight_init_std를 곱하세요: weight_init_std * np.random.randn(...).",
    "multiply the weights by weight_init_std: weight_init_std * np.random.randn(...).",
)
NET_INIT_BIAS = Text(
    "편향은 0에서 시작합니다: np.zeros(hidden_size), np.zeros(output_size).",
    "biases start at zero: np.zeros(hidden_size), np.zeros(output_size).",
)
NET_PREDICT = Text(
    "predict = softmax(sigmoid(x W1 + b1) W2 + b2): 은닉층은 sigmoid, 출력층은 softmax입니다.",
    "predict = softmax(sigmoid(x W1 + b1) W2 + b2): sigmoid in the hidden layer, softmax at the output.",
)
NET_NO_SOFTMAX = Text(
    "predict의 각 행이 확률(합 1)이 아닙니다. 출력층에 softmax를 적용하세요.",
    "the rows of predict(x) are not probabilities (summing to 1): apply softmax at the output.",
)
NET_PREDICT_USES_X = Text(
    "predict의 모든 행이 같습니다: 각 행은 그 입력 행 x[i]로 계산한 확률이어야 합니다 (x W1 + b1부터).",
    "every row of predict(x) is the same: each row must be computed from its input row x[i] (starting at x W1 + b1).",
)
NET_SOFTMAX_ROWS = Text(
    "softmax를 배치 전체가 아니라 행마다 적용하세요 (axis=1, keepdims=True, 또는 주어진 softmax).",
    "apply softmax row by row, not over the whole batch (axis=1, keepdims=True, or the given softmax).",
)
NET_STABLE = Text(
    "softmax는 행마다 최댓값을 빼서 오버플로를 막아야 합니다 (주어진 softmax를 쓰세요).",
    "softmax must subtract each row's max to avoid overflow (use the given softmax).",
)
NET_LOSS = Text(
    "loss는 cross_entropy_error(self.predict(x), t)입니다.", "loss is cross_entropy_error(self.predict(x), t)."
)
NET_ACCURACY = Text(
    "accuracy는 argmax(y, axis=1)와 argmax(t, axis=1)를 비교합니다 (t는 원-핫).",
    "accuracy compares argmax(y, axis=1) with argmax(t, axis=1) (t is one-hot).",
)
NET_ACCURACY_SHARE = Text(
    "accuracy는 맞은 개수가 아니라 비율입니다: 행의 수 x.shape[0]으로 나누세요.",
    "accuracy is a share, not a count: divide by the number of rows x.shape[0].",
)
NET_NUMERICAL = Text(
    "각 매개변수에 대해 모듈 수준의 numerical_gradient(lambda W: self.loss(x, t), self.params[key])를 구하세요 "
    "(W1 b1 W2 b2 모두).",
    "for each parameter use the module-level numerical_gradient(lambda W: self.loss(x, t), self.params[key]) "
    "(all of W1 b1 W2 b2).",
)
NET_NUMERICAL_SELF = Text(
    "메서드 안에서 self.numerical_gradient(...)를 부르면 자기 자신을 다시 부릅니다. 모듈 수준 함수 "
    "numerical_gradient(f, x)를 (self. 없이) 부르세요.",
    "self.numerical_gradient(...) inside the method calls the method itself again; call the module-level "
    "numerical_gradient(f, x), without self.",
)
NET_NUMERICAL_FOLLOWS_LOSS = Text(
    "수치 기울기는 self.loss에서 나오는데, 같은 입력에서 loss가 틀립니다. 먼저 loss(와 predict)를 고치세요.",
    "the numerical gradient comes from self.loss, and loss is wrong on the same inputs: fix loss (and predict) first.",
)
NET_FOLLOWS_PREDICT = Text(
    "이 메서드는 self.predict를 쓰는데, 같은 입력에서 predict가 틀립니다. 먼저 predict를 고치세요.",
    "this method builds on self.predict, and predict is wrong on the same inputs: fix predict first.",
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
NET_HIDDEN_GRAD = Text(
    "W2, b2는 맞고 W1, b1이 틀립니다: dz1 = sigmoid_grad(a1) * (dy @ W2.T) (z1이 아니라 a1 = x W1 + b1에 적용).",
    "W2 and b2 are right but W1 and b1 are not: dz1 = sigmoid_grad(a1) * (dy @ W2.T), applied to a1 = x W1 + b1, not z1.",
)
NET_OUTPUT_WEIGHTS = Text(
    "dW2 = z1.T @ dy입니다 (z1 = sigmoid(a1), 활성화 뒤의 값).",
    "dW2 = z1.T @ dy, with z1 = sigmoid(a1) (after the activation).",
)
NET_BIAS_AXIS = Text(
    "편향의 기울기는 배치 축에 대한 합입니다: np.sum(dy, axis=0), 형상 (output,).",
    "a bias gradient sums over the batch axis: np.sum(dy, axis=0), of shape (output,).",
)
NET_GRAD_KEYS = Text(
    "기울기 딕셔너리에는 W1, b1, W2, b2 네 키가 모두 있어야 합니다.",
    "the gradient dict needs all four keys W1, b1, W2, b2.",
)


# -- diagnoses -----------------------------------------------------------------------------------


# y[np.arange(batch_size), t] with batch_size other than len(t): two 1-D index arrays of different lengths
_TWO_LENGTHS = re.compile(r"could not be broadcast together with shapes \((\d+),\) \((?!\1,)\d+,\)")


def raised_hint(unit: str, error_type: str, text: str, default: Text) -> Text:
    """The hint for an exception from the student's code in ``unit``, from its type and message."""
    if error_type == "NameError" and "is not defined" in text:
        return GLOBAL_NAME
    if error_type == "RecursionError":
        return NET_NUMERICAL_SELF
    if error_type == "TypeError" and "'bool' object is not callable" in text:
        return GRAD_FINISHED
    if error_type == "TypeError" and "unexpected keyword argument" in text:
        return GD_SIGNATURE
    if text.startswith("gradient()"):  # the training loop's check of what gradient() returned: not __init__'s params
        return NET_BIAS_AXIS if "has shape ()" in text else default
    if "params" in text and ("has shape" in text or "no key" in text or "params dict" in text):  # writing params
        return NET_INIT
    if unit == "cross_entropy_error":
        if error_type == "AttributeError" and "has no attribute" in text:
            return CEE_TYPO
        if error_type == "IndexError" and "must be of integer" in text:  # one-hot floats used as indices
            return CEE_ONE_HOT
        if error_type == "IndexError" and "out of bounds for axis 0" in text:  # np.arange(batch_size) past the rows
            return CEE_BATCH
        if error_type == "IndexError" and _TWO_LENGTHS.search(text):  # np.arange(batch_size) and N labels differ
            return CEE_BATCH
        if error_type == "ValueError" and "broadcast" in text:  # integer labels times log(y)
            return CEE_LABELS
        if "AxisError" in error_type or "out of bounds for array of dimension 1" in text:  # a 1-D t kept 1-D
            return CEE_SINGLE
    if unit == "numerical_gradient" and error_type in ("IndexError", "ValueError", "TypeError"):
        return GRAD_ANY_SHAPE
    return default


def cee_hint(
    got: object, expected: float, y_true: np.ndarray, classes: int, default: Text, labels_as_one_hot: float = np.nan
) -> Text:
    """The likely mistake behind a wrong cross_entropy_error; ``y_true`` holds each row's probability of its class,
    ``labels_as_one_hot`` what the one-hot formula -sum(t * log(y + 1e-7)) / N gives for integer labels t."""
    if got is None:  # the engine's grader.returned-none says so (grader/pipeline/checks.py)
        return default
    try:
        value = float(got)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    zero_at_truth = bool(np.any(y_true == 0))
    if not np.isfinite(value):
        return CEE_DELTA if zero_at_truth else default
    rows = y_true.size
    with np.errstate(divide="ignore"):
        other_deltas = [-np.mean(np.log(y_true + delta)) for delta in (0.0, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10, 1e-12)]
    # batch_size = y.shape[1] (the classes) with more rows than classes: the first K rows, divided by K
    first_rows = -np.sum(np.log(y_true[:classes] + 1e-7)) / classes if rows > classes else np.nan
    candidates = [
        (labels_as_one_hot, CEE_LABELS),
        (expected * rows, CEE_BATCH),
        (first_rows, CEE_BATCH),
        (-expected, CEE_SIGN),
        (expected / classes, CEE_PER_ELEMENT),
        (expected * rows / classes, CEE_BATCH),
    ] + [(loss, CEE_DELTA) for loss in other_deltas]
    for candidate, hint in candidates:
        if np.isfinite(candidate) and candidate != expected and np.isclose(value, candidate, rtol=1e-9, atol=0):
            return hint
    # A finite value no other delta explains is no evidence about the delta (a one-hot-only formula has its 1e-7)
    return default


def diff_variants(name: str, x: object) -> dict[Text, object]:
    """What the usual wrong numerical differences give for a test function at x, with their hints."""
    f = testfuncs.lookup(name)
    central = (f(x + H) - f(x - H)) / (2 * H)
    return {
        DIFF_FORWARD: (f(x + H) - f(x)) / H,
        DIFF_BACKWARD: (f(x) - f(x - H)) / H,
        DIFF_STEP: (f(x + 1e-3) - f(x - 1e-3)) / 2e-3,  # 10e-4
        DIFF_SMALL_STEP: (f(x + 1e-5) - f(x - 1e-5)) / 2e-5,
        DIFF_TWO_H: 2 * central,
        DIFF_PARENTHESES: central * H * H,
    }


def diff_hint(got: object, variants: dict[Text, object], expected: object = None) -> Text:
    """Which wrong difference the student's result matches."""
    try:
        got_array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return DIFF_GENERAL
    if got_array.size and np.all(got_array == 0) and expected is not None and np.any(np.asarray(expected) != 0):
        return DIFF_STEP  # a tiny h: x + h == x, every difference is 0
    for hint, value in variants.items():
        if np.shape(value) == got_array.shape and np.allclose(got_array, value, rtol=1e-6, atol=1e-9):
            return hint
    return DIFF_GENERAL


def gradient_variants(name: str, x: np.ndarray) -> dict[Text, np.ndarray]:
    """Wrong gradients of a test function at x (forward, h = 1e-3, x[idx] -= h, rows apart, x not restored)."""
    f = testfuncs.lookup(name)
    out = {DIFF_FORWARD: np.zeros_like(x), DIFF_STEP: np.zeros_like(x), GRAD_MINUS: np.zeros_like(x)}
    schemes = {DIFF_FORWARD: (H, 0.0, H), DIFF_STEP: (1e-3, -1e-3, 2e-3), GRAD_MINUS: (H, 0.0, 2 * H)}
    for index in np.ndindex(x.shape):
        for hint, (up, down, step) in schemes.items():
            plus, minus = x.copy(), x.copy()
            plus[index] += up
            minus[index] += down
            out[hint][index] = (f(plus) - f(minus)) / step
    drifting, not_restored = x.copy(), np.zeros_like(x)
    for index in np.ndindex(x.shape):  # each element left at its x - h
        original = drifting[index]
        drifting[index] = original + H
        plus = f(drifting)
        drifting[index] = original - H
        not_restored[index] = (plus - f(drifting)) / (2 * H)
    out[GRAD_RESTORE] = not_restored
    if x.ndim == 2:
        rows = np.zeros_like(x)
        for r in range(x.shape[0]):
            for c in range(x.shape[1]):
                plus, minus = x[r].copy(), x[r].copy()
                plus[c] += H
                minus[c] -= H
                rows[r, c] = (f(plus) - f(minus)) / (2 * H)
        out[GRAD_PER_ROW] = rows
    return out


def gradient_hint(got: object, x: np.ndarray, variants: dict[Text, np.ndarray]) -> Text:
    """The likely mistake behind a wrong numerical gradient."""
    if type(got) is np.ndarray and got.shape != x.shape:
        return GRAD_ANY_SHAPE
    if type(got) is np.ndarray and np.count_nonzero(got) <= 1 < x.size:
        return GRAD_ALL_ELEMENTS
    hint = diff_hint(got, variants)
    if hint is DIFF_GENERAL:
        return GRAD_ANY_SHAPE if x.ndim > 1 else DIFF_GENERAL
    return hint


def descent_x_hint(
    x_got: object, x_expected: np.ndarray, history_expected: np.ndarray, f_start: float, f_got: float | None
) -> Text:
    """The likely mistake behind a wrong final x of gradient_descent."""
    if type(x_got) is not np.ndarray or x_got.shape != x_expected.shape:
        return GD_PAIR
    if history_expected.shape[0] > 1 and np.allclose(x_got, history_expected[-1], rtol=1e-9, atol=1e-12):
        return GD_STEPS
    if f_got is not None and f_got > f_start:
        return GD_ASCENT
    return GD_STEP


def descent_history_hint(history: np.ndarray, expected: np.ndarray, x_final: object) -> Text:
    """The likely mistake behind a wrong x_history (already of the right shape)."""
    if history.shape[0] > 1 and np.allclose(history, history[-1]) and not np.allclose(expected, expected[-1]):
        return GD_HISTORY
    if not np.allclose(history[0], expected[0]) and (
        history.shape[0] == 1 or np.allclose(history[:-1], expected[1:], rtol=1e-6, atol=1e-8)
    ):
        return GD_HISTORY_BEFORE
    return GD_STEP


def init_hint(spread: float, centre: float, wanted: float) -> Text:
    """The likely mistake behind weights of the wrong spread or centre."""
    if centre > 0.3 * spread and abs(centre) > 0.2 * wanted:
        return NET_INIT_RAND
    if abs(spread - 1.0) < 0.15 and abs(wanted - 1.0) > 0.15:
        return NET_INIT_STD
    return NET_INIT


def predict_hint(got: object, default: Text) -> Text:
    """The likely mistake behind a wrong predict: overflow, no softmax, a softmax over the whole batch."""
    if type(got) is not np.ndarray or got.ndim != 2:
        return default
    if not np.isfinite(got).all():
        return NET_STABLE
    if np.isclose(got.sum(), 1.0) and got.shape[0] > 1:
        return NET_SOFTMAX_ROWS
    if not np.allclose(got.sum(axis=1), 1.0, rtol=1e-9, atol=1e-9):
        return NET_NO_SOFTMAX
    return default


def accuracy_hint(got: object, expected: float, rows: int, default: Text) -> Text:
    """A count instead of a share."""
    try:
        value = float(got)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return NET_ACCURACY_SHARE if value > 1.0 or (expected > 0 and np.isclose(value, expected * rows)) else default


def backprop_hint(got: dict, expected: dict, rows: int, rtol: float = 1e-6, atol: float = 1e-10) -> Text:
    """The likely mistake behind a wrong backprop gradient (keys and shapes already checked)."""
    keys = ("W1", "b1", "W2", "b2")

    def same(key: str, scale: float = 1.0) -> bool:
        return bool(np.allclose(got[key], expected[key] * scale, rtol=rtol, atol=atol))

    if rows > 1 and all(same(k, rows) for k in keys):
        return NET_BATCH
    if same("W2") and same("b2") and not (same("W1") and same("b1")):
        return NET_HIDDEN_GRAD
    if same("b2") and not same("W2"):
        return NET_OUTPUT_WEIGHTS
    return NET_BACKPROP


# Every hint above gets its id ("ch04_learning.<name>"): reports and the class report group mistakes by it.
HINTS = name_hints(globals(), "ch04_learning")
