"""Hints for the ch03_networks suites, and the diagnoses that pick one from what came back.

A diagnosis names the likely mistake (docs/MISTAKES.md, the mutant catalogue) from relations between the
student's result and the reference's (bool instead of 0/1, nan where inputs are large, rows that do not
sum to 1, an offset equal in every row, a count instead of a share) or from the exception's type and
text. Nothing here computes a graded unit: this module is published to students with the public suite.
"""

from __future__ import annotations

import numpy as np

from grader.pipeline.checks import Text, name_hints

# -- step_function -------------------------------------------------------------------------------
STEP_NP_INT = Text(
    "np.int은 NumPy 1.24에서 없어졌습니다. dtype=int (파이썬의 int) 또는 np.int64를 쓰세요.",
    "np.int was removed in NumPy 1.24: use dtype=int (Python's int) or np.int64.",
)
ARRAY_IF = Text(
    "`if x > 0:`처럼 파이썬 if로 배열 전체를 판단할 수 없습니다. x > 0을 배열에 그대로 쓰면 원소마다 비교한 결과가 나옵니다 "
    "(np.array(x > 0, dtype=int), np.maximum, np.where).",
    "a Python `if x > 0:` cannot judge a whole array; x > 0 on the array compares element by element "
    "(np.array(x > 0, dtype=int), np.maximum, np.where).",
)
STEP_BOOL = Text(
    "x > 0은 bool 배열(True/False)입니다. 0과 1의 정수로 바꾸세요: np.array(x > 0, dtype=int) 또는 (x > 0).astype(int).",
    "x > 0 is a bool array (True/False); turn it into the integers 0 and 1: np.array(x > 0, dtype=int) or "
    "(x > 0).astype(int).",
)
STEP_VALUES = Text(
    "x > 0인 원소는 1, x <= 0인 원소(0 포함)는 0입니다. 결과는 x와 같은 형상이어야 합니다.",
    "1 where x > 0, 0 where x <= 0 (0 itself gives 0); the result has x's shape.",
)
# -- sigmoid -------------------------------------------------------------------------------------
SIGMOID_FORMULA = Text(
    "시그모이드는 1 / (1 + np.exp(-x))입니다. exp 안의 부호와 괄호를 확인하세요.",
    "the sigmoid is 1 / (1 + np.exp(-x)): check the sign inside exp and the parentheses.",
)
SIGMOID_ARRAYS = Text(
    "math.exp는 수 하나만 받습니다. 배열에는 원소마다 계산하는 np.exp를 쓰세요.",
    "math.exp takes one number only; on arrays use np.exp, which works element by element.",
)
SIGMOID_LARGE = Text(
    "|x|가 큰 입력(예: -1000)에서 nan이 나왔습니다. np.exp(-x) / (1 + np.exp(-x))는 inf / inf가 됩니다: "
    "1 / (1 + np.exp(-x))로 쓰세요.",
    "large |x| (e.g. -1000) gave nan: np.exp(-x) / (1 + np.exp(-x)) becomes inf / inf; write 1 / (1 + np.exp(-x)).",
)
# -- relu ----------------------------------------------------------------------------------------
RELU_MAXIMUM = Text(
    "ReLU는 원소마다 0과 x 중 큰 값입니다: np.maximum(0, x). np.max는 배열 하나의 최댓값, np.minimum은 작은 값입니다.",
    "ReLU is the larger of 0 and x element by element: np.maximum(0, x). np.max is the largest element of one "
    "array, np.minimum the smaller value.",
)
# -- softmax -------------------------------------------------------------------------------------
SOFTMAX_OVERFLOW = Text(
    "큰 입력(예: 1010, 1000, 990)에서 np.exp가 넘칩니다(inf / inf = nan). 지수를 취하기 전에 최댓값을 빼세요: "
    "np.exp(x - np.max(x)).",
    "np.exp overflows on large inputs such as 1010, 1000, 990 (inf / inf = nan): subtract the maximum before the "
    "exponential, np.exp(x - np.max(x)).",
)
SOFTMAX_ROWS = Text(
    "2차원 x는 행마다 소프트맥스를 합니다: 각 행의 합이 1이어야 합니다. np.sum(..., axis=1, keepdims=True)로 행마다 나누세요 "
    "(axis 없는 np.sum은 배치 전체의 합입니다).",
    "a 2-D x takes the softmax of each row: every row must sum to 1. Divide by np.sum(..., axis=1, keepdims=True) "
    "(np.sum without axis is the sum over the whole batch).",
)
SOFTMAX_ROW_MAX = Text(
    "배치 전체의 최댓값을 빼면 그보다 아주 작은 행은 exp가 모두 0이 되어 0 / 0 = nan입니다. 행마다의 최댓값 "
    "np.max(x, axis=1, keepdims=True)를 빼세요.",
    "subtracting the whole batch's maximum sends every exp of a row far below it to 0, and 0 / 0 = nan; subtract "
    "each row's maximum, np.max(x, axis=1, keepdims=True).",
)
SOFTMAX_KEEPDIMS = Text(
    "(N, K) 배열에서 np.max(x, axis=1)의 형상은 (N,)입니다. keepdims=True로 (N, 1)을 만들어야 행마다 뺄 수 있습니다.",
    "on an (N, K) array np.max(x, axis=1) has shape (N,); keepdims=True gives (N, 1), which subtracts row by row.",
)
SOFTMAX_1D = Text(
    "1차원 x(책의 예)도 처리해야 합니다: axis=1은 1차원 배열에 없습니다. x.ndim으로 나누어 처리하세요.",
    "a 1-D x (the book's case) must work too, and a 1-D array has no axis 1: branch on x.ndim.",
)
SOFTMAX_GENERAL = Text(
    "softmax(x)는 exp(x - max) / sum(exp(x - max))입니다. 2차원이면 max와 sum을 행마다 (axis=1, keepdims=True).",
    "softmax(x) is exp(x - max) / sum(exp(x - max)); for a 2-D x, max and sum per row (axis=1, keepdims=True).",
)
# -- init_network and forward --------------------------------------------------------------------
INIT_VALUES = Text(
    "책의 값과 비교하세요: W1 [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], b1 [0.1, 0.2, 0.3], W2 [[0.1, 0.4], [0.2, 0.5], "
    "[0.3, 0.6]], b2 [0.1, 0.2], W3 [[0.1, 0.3], [0.2, 0.4]], b3 [0.1, 0.2].",
    "compare with the book's values: W1 [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], b1 [0.1, 0.2, 0.3], W2 [[0.1, 0.4], "
    "[0.2, 0.5], [0.3, 0.6]], b2 [0.1, 0.2], W3 [[0.1, 0.3], [0.2, 0.4]], b3 [0.1, 0.2].",
)
INIT_SHAPES = Text(
    "키는 'W1' 'b1' 'W2' 'b2' 'W3' 'b3' (대문자 W, 소문자 b)이고 값은 np.array입니다. 형상: W1 (2, 3), W2 (3, 2), W3 (2, 2); "
    "편향은 1차원 (3,), (2,), (2,)입니다 ([[...]]로 쓰면 2차원이 됩니다).",
    "the keys are 'W1' 'b1' 'W2' 'b2' 'W3' 'b3' (capital W, small b), the values np.array: W1 (2, 3), W2 (3, 2), "
    "W3 (2, 2); the biases are 1-D (3,), (2,), (2,) (written [[...]] they become 2-D).",
)
FORWARD_LAYERS = Text(
    "각 층은 a = np.dot(x, W) + b입니다: 편향 b1, b2, b3를 모두 더했는지, 은닉층 두 곳에만 sigmoid를 쓰고 출력층은 항등 함수인지, "
    "인자로 받은 network를 쓰는지 확인하세요.",
    "each layer is a = np.dot(x, W) + b: check that all three biases b1, b2, b3 are added, that sigmoid is applied "
    "to the two hidden layers only and the output is the identity, and that the network argument is used.",
)
FORWARD_OUTPUT = Text(
    "출력층은 항등 함수입니다 (y = a3). 출력층에 sigmoid를 쓰면 모든 값이 0과 1 사이에 갇힙니다.",
    "the output layer is the identity (y = a3); a sigmoid there squeezes every output between 0 and 1.",
)
FORWARD_OUTPUT_BIAS = Text(
    "모든 행에서 같은 만큼 틀렸습니다: 출력층의 편향 b3를 더했는지 확인하세요 (a3 = np.dot(z2, W3) + b3).",
    "every row is off by the same amount: check that the output layer adds its bias (a3 = np.dot(z2, W3) + b3).",
)
FORWARD_NETWORK_ARG = Text(
    "인자로 받은 network의 가중치를 쓰세요 (함수 안에서 init_network()를 다시 부르지 마세요). 층의 크기는 network에 따라 "
    "달라지며, 곱은 np.dot(x, W) 순서입니다.",
    "use the weights of the network argument (do not call init_network() inside); the layer sizes follow the "
    "network, and the product is np.dot(x, W), in that order.",
)
# -- predict -------------------------------------------------------------------------------------
PREDICT_SOFTMAX = Text(
    "predict의 출력층은 소프트맥스입니다: 각 행(1차원이면 전체)이 합이 1인 확률이어야 합니다 (y = softmax(a3)).",
    "predict's output layer is softmax: each row (the whole output for 1-D x) is probabilities summing to 1 "
    "(y = softmax(a3)).",
)
PREDICT_LAYERS = Text(
    "확률은 맞게 나오지만 값이 다릅니다: 세 층 모두 편향을 더했는지, 은닉층 두 곳에 sigmoid를 썼는지, network의 W3까지 "
    "썼는지 확인하세요.",
    "the rows are probabilities but the values differ: check that all three layers add their bias, that both "
    "hidden layers use sigmoid, and that W3 of the network is used.",
)
# -- accuracy ------------------------------------------------------------------------------------
ACC_PARTIAL = Text(
    "마지막 배치는 batch_size보다 작을 수 있습니다: range(0, len(x), batch_size)로 돌고 x[i:i+batch_size]로 자르면 "
    "마지막 작은 배치도 셉니다. 나누는 수는 len(x)입니다.",
    "the last batch may be smaller than batch_size: loop over range(0, len(x), batch_size) and slice "
    "x[i:i+batch_size], which counts the last, smaller batch too; divide by len(x).",
)
ACC_AXIS = Text(
    "배치의 예측은 행마다 구합니다: np.argmax(y_batch, axis=1). axis 없는 np.argmax나 np.sum은 배치 전체에 대해 하나의 값을 "
    "냅니다. 맞은 개수는 np.sum(p == t[i:i+batch_size])로 배치의 레이블과 비교하세요.",
    "predict each row of the batch: np.argmax(y_batch, axis=1); np.argmax or np.sum without axis gives one value "
    "for the whole batch. Count matches against that batch's labels: np.sum(p == t[i:i+batch_size]).",
)
ACC_COUNTING = Text(
    "이 값은 두 가지 실수 중 어느 쪽으로도 설명됩니다. 세 가지를 확인하세요: 배치마다 맞은 개수를 accuracy_cnt +=로 더하는지 "
    "(=가 아니라), 행마다 np.argmax(y_batch, axis=1)로 예측하는지, range(0, len(x), batch_size)로 돌아 마지막 작은 "
    "배치(batch_size보다 적은 데이터면 그 배치 하나)도 세는지.",
    "two different mistakes give this value; check all three: each batch's matches are added with accuracy_cnt += "
    "(not =), each row is predicted with np.argmax(y_batch, axis=1), and the loop over range(0, len(x), "
    "batch_size) counts the last, smaller batch (with fewer rows than batch_size, the only one).",
)
ACC_SHARE = Text(
    "정확도는 맞은 개수를 전체 데이터 수 len(x)로 나눈 비율(0.0~1.0)입니다. 배치마다 accuracy_cnt +=로 더해 가세요.",
    "the accuracy is the number of matches divided by len(x), a share between 0.0 and 1.0; add each batch's "
    "matches with accuracy_cnt +=.",
)


# -- diagnoses -----------------------------------------------------------------------------------


def raised_hint(unit: str, error_type: str, text: str, default: Text) -> Text:
    """The hint for an exception from the student's code in ``unit``, from its type and message."""
    if error_type == "AttributeError" and "has no attribute 'int'" in text:
        return STEP_NP_INT
    if error_type == "ValueError" and "truth value of an array" in text:
        return ARRAY_IF
    if unit == "sigmoid" and (error_type == "OverflowError" or "converted to Python scalars" in text):
        return SIGMOID_ARRAYS
    if unit == "relu" and (error_type in ("TypeError", "ValueError") or "AxisError" in error_type):
        return RELU_MAXIMUM
    if unit == "softmax":
        if "AxisError" in error_type or "out of bounds for array of dimension 1" in text:
            return SOFTMAX_1D
        if error_type == "ValueError" and "broadcast" in text:
            return SOFTMAX_KEEPDIMS
    if unit in ("forward", "predict") and error_type in ("ValueError", "KeyError"):
        return FORWARD_NETWORK_ARG
    if unit == "accuracy" and error_type == "ValueError" and ("broadcast" in text or "shape" in text):
        return ACC_AXIS
    return default


def step_hint(got: object, default: Text) -> Text:
    """A bool array says what is missing; anything else gets the contract."""
    if type(got) is np.ndarray and got.dtype == bool:
        return STEP_BOOL
    return default


def sigmoid_hint(got: object, expected: np.ndarray, x: np.ndarray) -> Text:
    """nan where |x| is large, or the mirror image 1 - sigmoid(x)."""
    if type(got) is np.ndarray and got.shape == expected.shape and got.dtype.kind == "f":
        if np.isnan(got).any() and np.abs(x[np.isnan(got)]).min() > 50:
            return SIGMOID_LARGE
    return SIGMOID_FORMULA


def relu_hint(got: object, x: np.ndarray) -> Text:
    """Everything about ReLU fits in one hint; a bool array gets the step function's."""
    return STEP_BOOL if type(got) is np.ndarray and got.dtype == bool else RELU_MAXIMUM


def _softmax_without_keepdims(x: np.ndarray) -> np.ndarray:
    """What np.max(x, axis=1) without keepdims gives on a square x: each column shifted by another row's maximum."""
    with np.errstate(over="ignore", invalid="ignore"):
        exp_x = np.exp(x - np.max(x, axis=1))
        return exp_x / np.sum(exp_x, axis=1, keepdims=True)


def softmax_hint(got: object, x: np.ndarray) -> Text:
    """nan from overflow or from the batch's maximum, rows not summing to 1, or the general formula."""
    if type(got) is not np.ndarray or got.shape != x.shape or got.dtype.kind != "f":
        return SOFTMAX_KEEPDIMS if x.ndim == 2 and type(got) is np.ndarray else SOFTMAX_GENERAL
    # A square x broadcasts the (N,) maxima over columns instead of failing: the nan is keepdims', not overflow's
    if x.ndim == 2 and x.shape[0] == x.shape[1] > 1 and np.allclose(got, _softmax_without_keepdims(x), equal_nan=True):
        return SOFTMAX_KEEPDIMS
    if not np.isfinite(got).all():
        if x.ndim == 2:
            bad = ~np.isfinite(got).all(axis=1)
            if np.all(np.max(x[bad], axis=1) < np.max(x) - 700):  # only rows far below the batch's maximum
                return SOFTMAX_ROW_MAX
        return SOFTMAX_OVERFLOW if np.max(np.abs(x)) > 700 else SOFTMAX_GENERAL
    if x.ndim == 2 and not np.allclose(got.sum(axis=1), 1.0):
        return SOFTMAX_ROWS
    return SOFTMAX_GENERAL


def forward_hint(got: object, expected: np.ndarray) -> Text:
    """Sigmoid on the output (the log-odds of what came back are the answer), or the same offset in every row."""
    if type(got) is not np.ndarray or got.shape != expected.shape or got.dtype.kind != "f":
        return FORWARD_NETWORK_ARG
    if np.all((got > 0) & (got < 1)):
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            log_odds = np.log(got) - np.log1p(-got)
        if np.allclose(log_odds, expected, rtol=1e-6, atol=1e-8):
            return FORWARD_OUTPUT
    if got.ndim == 2 and got.shape[0] > 1:
        offset = got - expected
        if np.allclose(offset, offset[0], rtol=0, atol=1e-9):
            return FORWARD_OUTPUT_BIAS
    return FORWARD_LAYERS


def predict_hint(got: object, expected: np.ndarray) -> Text:
    """nan points at an overflowing softmax, other non-probabilities at the softmax, probabilities at the layers."""
    if type(got) is np.ndarray and got.shape == expected.shape and got.dtype.kind == "f" and not np.isfinite(got).all():
        return SOFTMAX_OVERFLOW
    if type(got) is np.ndarray and got.shape == expected.shape and got.dtype.kind == "f":
        sums = got.sum(axis=-1)
        if np.all(got >= 0) and np.allclose(sums, 1.0, rtol=1e-6, atol=1e-6):
            return PREDICT_LAYERS
    return PREDICT_SOFTMAX


def accuracy_hint(
    got: object, expected: float, correct: np.ndarray, batch_size: int, without_axis: float = np.nan
) -> Text:
    """The mistake whose result ``got`` is: a count, the last batch only, full batches only, one index per batch.

    ``correct`` says which rows are right; ``without_axis`` is what np.argmax without axis gives. A value two
    mistakes explain (0 with fewer rows than a batch, a small count) gets the hint that names them all.
    """
    try:
        value = float(got)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ACC_SHARE
    rows = correct.size
    if np.isclose(value, expected * rows) and rows > 1 or value > 1:
        return ACC_SHARE
    full = rows - rows % batch_size
    last = correct[(rows - 1) // batch_size * batch_size :].sum() / rows  # accuracy_cnt = instead of +=
    candidates = [(without_axis, ACC_AXIS), (last if rows > batch_size else np.nan, ACC_SHARE)]
    if rows % batch_size:
        candidates += [(correct[:full].sum() / d, ACC_PARTIAL) for d in (rows, max(full, 1))]
    explained = {hint for candidate, hint in candidates if candidate != expected and np.isclose(value, candidate)}
    if len(explained) == 1:
        return explained.pop()
    return ACC_COUNTING if explained else ACC_AXIS


# Every hint above gets its id ("ch03_networks.<name>"): reports and the class report group mistakes by it.
HINTS = name_hints(globals(), "ch03_networks")
