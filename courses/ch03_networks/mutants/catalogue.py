"""The mutant catalogue: realistic chapter 3 mistakes, each one small change to the instructor notebook.

Sources (``seen``): the course material's seed 001 (a student's chapter 3 notes: ``dtype=np.int``, the
book's first softmax, the 1-D softmax used on a batch, ``B1`` for ``b1``, numbers broken across lines),
the kit's issue 15 (which listed the mistakes to diagnose), the instructor notebook's TA note, and
mistakes any course of this chapter sees. Each mutant names the one unit it breaks; grading it must
cost points in that unit and in no other (forward, predict and accuracy run with the reference
versions of what they call).
"""

from __future__ import annotations

from courses.ch03_networks import hints as H
from courses.ch03_networks.mutants.base import (
    ACCURACY,
    FORWARD,
    INIT,
    PREDICT,
    RELU,
    SIGMOID,
    SOFTMAX,
    STEP,
    Define,
    Replace,
    Variant,
    mutant,
)
from grader.mutants.variants import with_hints
from grader.pipeline.checks import Text

_STEP_IF = """
def step_function(x):
    if x > 0:
        return 1
    else:
        return 0
"""

_SIGMOID_MATH = """
import math


def sigmoid(x):
    return 1 / (1 + math.exp(-x))
"""

_RELU_IF = """
def relu(x):
    if x > 0:
        return x
    return 0
"""

_SOFTMAX_NAIVE = """
def softmax(a):
    exp_a = np.exp(a)
    sum_exp_a = np.sum(exp_a, axis=-1, keepdims=True)
    y = exp_a / sum_exp_a
    return y
"""

_SOFTMAX_SEED_001 = """
def softmax(a):
    c = np.max(a)
    exp_a = np.exp(a - c)
    sum_exp_a = np.sum(exp_a)
    y = exp_a / sum_exp_a
    return y
"""

_SOFTMAX_BATCH_MAX = """
def softmax(x):
    exp_x = np.exp(x - np.max(x))
    return exp_x / np.sum(exp_x, axis=-1, keepdims=True)
"""

_SOFTMAX_2D_ONLY = """
def softmax(x):
    x = x - np.max(x, axis=1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)
"""

_ACC_BATCH_COUNT = """
def accuracy(network, x, t, batch_size=100):
    accuracy_cnt = 0
    for i in range(len(x) // batch_size):
        x_batch = x[i*batch_size:(i+1)*batch_size]
        y_batch = predict(network, x_batch)
        p = np.argmax(y_batch, axis=1)
        accuracy_cnt += np.sum(p == t[i*batch_size:(i+1)*batch_size])
    return accuracy_cnt / len(x)
"""

_W1_LINE = "network['W1'] = np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])"
_W2_LINE = "network['W2'] = np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]])"

# A table: one variant per entry with its description and its edits, kept compact.
# fmt: off
STEP_MUTANTS: list[Variant] = [
    mutant("step_np_int", STEP, "dtype=np.int (NumPy 1.24에서 없어짐)", "dtype=np.int (removed in NumPy 1.24)",
           Replace(STEP, "dtype=int", "dtype=np.int"), seen="seed 001"),
    mutant("step_python_if", STEP, "배열에 파이썬 `if x > 0:`", "a Python `if x > 0:` on an array",
           Define(STEP, _STEP_IF), seen="issue 15"),
    mutant("step_bool", STEP, "x > 0 (bool 배열)을 그대로 반환", "returns x > 0, a bool array",
           Replace(STEP, "np.array(x > 0, dtype=int)", "x > 0"), seen="TA note"),
    mutant("step_ge", STEP, "x >= 0 (0에서 1)", "x >= 0 (1 at 0)",
           Replace(STEP, "np.array(x > 0, dtype=int)", "np.array(x >= 0, dtype=int)")),
    mutant("step_sign", STEP, "np.sign(x) (음수에서 -1)", "np.sign(x) (-1 for negatives)",
           Replace(STEP, "np.array(x > 0, dtype=int)", "np.sign(x)")),
]

SIGMOID_MUTANTS: list[Variant] = [
    mutant("sigmoid_sign", SIGMOID, "np.exp(-x) 대신 np.exp(x)", "np.exp(x) instead of np.exp(-x)",
           Replace(SIGMOID, "np.exp(-x)", "np.exp(x)"), seen="TA note"),
    mutant("sigmoid_parentheses", SIGMOID, "괄호 없음: 1 / 1 + np.exp(-x)", "no parentheses: 1 / 1 + np.exp(-x)",
           Replace(SIGMOID, "1 / (1 + np.exp(-x))", "1 / 1 + np.exp(-x)"), seen="TA note"),
    mutant("sigmoid_math_exp", SIGMOID, "math.exp (수 하나만 받음)", "math.exp (takes one number only)",
           Define(SIGMOID, _SIGMOID_MATH), seen="TA note"),
    mutant("sigmoid_ratio", SIGMOID, "np.exp(-x) / (1 + np.exp(-x)) (x = -1000에서 nan)",
           "np.exp(-x) / (1 + np.exp(-x)) (nan at x = -1000)",
           Replace(SIGMOID, "1 / (1 + np.exp(-x))", "np.exp(-x) / (1 + np.exp(-x))"), seen="issue 15"),
    mutant("sigmoid_tanh", SIGMOID, "시그모이드 대신 np.tanh", "np.tanh instead of the sigmoid",
           Replace(SIGMOID, "1 / (1 + np.exp(-x))", "np.tanh(x)")),
]

RELU_MUTANTS: list[Variant] = [
    mutant("relu_np_max", RELU, "np.maximum 대신 np.max(0, x)", "np.max(0, x) instead of np.maximum",
           Replace(RELU, "np.maximum(0, x)", "np.max(0, x)"), seen="TA note"),
    mutant("relu_minimum", RELU, "np.minimum(0, x) (작은 값)", "np.minimum(0, x) (the smaller value)",
           Replace(RELU, "np.maximum(0, x)", "np.minimum(0, x)"), seen="TA note"),
    mutant("relu_python_if", RELU, "배열에 파이썬 `if x > 0:`", "a Python `if x > 0:` on an array",
           Define(RELU, _RELU_IF), seen="issue 15"),
    mutant("relu_leaky", RELU, "음수에 0.01을 곱함 (Leaky ReLU)", "multiplies negatives by 0.01 (leaky ReLU)",
           Replace(RELU, "np.maximum(0, x)", "np.where(x > 0, x, 0.01 * x)")),
]

SOFTMAX_MUTANTS: list[Variant] = [
    mutant("softmax_naive", SOFTMAX, "책의 첫 구현: 최댓값을 빼지 않음 (1010, 1000, 990에서 nan)",
           "the book's first version: no maximum subtracted (nan at 1010, 1000, 990)",
           Define(SOFTMAX, _SOFTMAX_NAIVE), seen="seed 001"),
    mutant("softmax_whole_batch", SOFTMAX, "1차원용 softmax를 배치에 씀: 배치 전체의 합으로 나눔",
           "the 1-D softmax used on a batch: divided by the whole batch's sum",
           Define(SOFTMAX, _SOFTMAX_SEED_001), seen="seed 001"),
    mutant("softmax_batch_max", SOFTMAX, "행마다가 아니라 배치 전체의 최댓값을 뺌 (먼 행에서 0 / 0)",
           "subtracts the whole batch's maximum, not each row's (0 / 0 in rows far below it)",
           Define(SOFTMAX, _SOFTMAX_BATCH_MAX), seen="TA note"),
    mutant("softmax_no_keepdims", SOFTMAX, "np.max(x, axis=1)에 keepdims=True가 없음", "np.max(x, axis=1) without keepdims=True",
           Replace(SOFTMAX, "np.max(x, axis=1, keepdims=True)", "np.max(x, axis=1)"), seen="TA note"),
    mutant("softmax_axis0", SOFTMAX, "axis=0: 열마다 정규화", "axis=0: normalises each column",
           Replace(SOFTMAX, "np.max(x, axis=1, keepdims=True)", "np.max(x, axis=0, keepdims=True)"),
           Replace(SOFTMAX, "np.sum(np.exp(x), axis=1, keepdims=True)", "np.sum(np.exp(x), axis=0, keepdims=True)")),
    mutant("softmax_2d_only", SOFTMAX, "2차원만 처리 (1차원에 axis=1)", "handles 2-D only (axis=1 on a 1-D x)",
           Define(SOFTMAX, _SOFTMAX_2D_ONLY)),
]

INIT_MUTANTS: list[Variant] = [
    mutant("init_typo", INIT, "W1의 0.6을 0.5로 잘못 씀 (노트 001에서 숫자가 줄바꿈으로 깨짐)",
           "W1's 0.6 written as 0.5 (the numbers broken across lines in notes 001)",
           Replace(INIT, _W1_LINE, _W1_LINE.replace("0.6]]", "0.5]]")), seen="seed 001"),
    mutant("init_bias_2d", INIT, "b1을 [[0.1, 0.2, 0.3]] (2차원)으로 씀", "b1 written [[0.1, 0.2, 0.3]] (2-D)",
           Replace(INIT, "np.array([0.1, 0.2, 0.3])", "np.array([[0.1, 0.2, 0.3]])"), seen="TA note"),
    mutant("init_key_case", INIT, "키를 'B3'로 씀 (노트 001의 B1, B2, B3)", "key 'B3' (the B1, B2, B3 of notes 001)",
           Replace(INIT, "network['b3']", "network['B3']"), seen="seed 001"),
    mutant("init_w2_transposed", INIT, "W2를 전치해서 씀 (2, 3)", "W2 written transposed, (2, 3)",
           Replace(INIT, _W2_LINE, "network['W2'] = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])")),
]

FORWARD_MUTANTS: list[Variant] = [
    mutant("forward_no_b1", FORWARD, "1층의 편향 b1을 더하지 않음", "does not add the bias b1",
           Replace(FORWARD, "np.dot(x, W1) + b1", "np.dot(x, W1)"), seen="issue 15"),
    mutant("forward_no_b3", FORWARD, "출력층의 편향 b3를 더하지 않음", "does not add the output bias b3",
           Replace(FORWARD, "np.dot(z2, W3) + b3", "np.dot(z2, W3)"), seen="issue 15"),
    mutant("forward_sigmoid_output", FORWARD, "출력층에 시그모이드", "sigmoid on the output layer",
           Replace(FORWARD, "identity_function(a3)", "sigmoid(a3)"), seen="issue 15"),
    mutant("forward_init_inside", FORWARD, "인자 대신 init_network()를 다시 부름", "calls init_network() instead of using its argument",
           Replace(FORWARD, "    W1, W2, W3 = network", "    network = init_network()\n    W1, W2, W3 = network"),
           seen="TA note"),
    mutant("forward_no_activation", FORWARD, "1층에 활성화 함수를 쓰지 않음 (z1 = a1)", "no activation in layer 1 (z1 = a1)",
           Replace(FORWARD, "z1 = sigmoid(a1)", "z1 = a1")),
    mutant("forward_relu_hidden", FORWARD, "2층에 시그모이드 대신 ReLU", "ReLU instead of sigmoid in layer 2",
           Replace(FORWARD, "z2 = sigmoid(a2)", "z2 = relu(a2)")),
]

PREDICT_MUTANTS: list[Variant] = [
    mutant("predict_no_softmax", PREDICT, "forward를 그대로 씀: 출력층이 항등 함수", "forward copied: identity output layer",
           Replace(PREDICT, "y = softmax(a3)", "y = identity_function(a3)"), seen="TA note"),
    mutant("predict_sigmoid_output", PREDICT, "출력층에 소프트맥스 대신 시그모이드", "sigmoid instead of softmax on the output",
           Replace(PREDICT, "y = softmax(a3)", "y = sigmoid(a3)")),
    mutant("predict_no_b2", PREDICT, "2층의 편향 b2를 더하지 않음", "does not add the bias b2",
           Replace(PREDICT, "np.dot(z1, W2) + b2", "np.dot(z1, W2)"), seen="issue 15"),
    mutant("predict_inline_naive_softmax", PREDICT, "소프트맥스를 최댓값 없이 직접 씀 (큰 점수에서 nan)",
           "an inline softmax without the maximum (nan for large scores)",
           Replace(PREDICT, "y = softmax(a3)", "y = np.exp(a3) / np.sum(np.exp(a3), axis=-1, keepdims=True)"),
           seen="seed 001"),
]

ACCURACY_MUTANTS: list[Variant] = [
    mutant("accuracy_drop_partial", ACCURACY, "마지막 작은 배치를 버림 (range의 끝이 len(x) - batch_size + 1)",
           "drops the last partial batch (range ends at len(x) - batch_size + 1)",
           Replace(ACCURACY, "range(0, len(x), batch_size)", "range(0, len(x) - batch_size + 1, batch_size)"),
           seen="issue 15"),
    mutant("accuracy_batch_count", ACCURACY, "len(x) // batch_size번만 반복 (마지막 작은 배치를 버림)",
           "loops len(x) // batch_size times (drops the last partial batch)", Define(ACCURACY, _ACC_BATCH_COUNT),
           seen="issue 15"),
    mutant("accuracy_no_axis", ACCURACY, "axis 없는 np.argmax(y_batch): 배치 전체에서 인덱스 하나",
           "np.argmax(y_batch) without axis: one index for the whole batch",
           Replace(ACCURACY, "np.argmax(y_batch, axis=1)", "np.argmax(y_batch)"), seen="issue 15"),
    mutant("accuracy_t_not_sliced", ACCURACY, "배치의 레이블이 아니라 t 전체와 비교", "compares with the whole t, not the batch's labels",
           Replace(ACCURACY, "np.sum(p == t[i:i+batch_size])", "np.sum(p == t)"), seen="TA note"),
    mutant("accuracy_assign", ACCURACY, "+= 대신 = (마지막 배치만 셈)", "= for += (counts the last batch only)",
           Replace(ACCURACY, "accuracy_cnt += np.sum(", "accuracy_cnt = np.sum("), seen="TA note"),
    mutant("accuracy_count", ACCURACY, "len(x)로 나누지 않음 (맞은 개수)", "not divided by len(x) (a count)",
           Replace(ACCURACY, "return accuracy_cnt / len(x)", "return accuracy_cnt")),
]
# fmt: on

MUTANTS: list[Variant] = (
    STEP_MUTANTS
    + SIGMOID_MUTANTS
    + RELU_MUTANTS
    + SOFTMAX_MUTANTS
    + INIT_MUTANTS
    + FORWARD_MUTANTS
    + PREDICT_MUTANTS
    + ACCURACY_MUTANTS
)

# What each mistake's author should be told (issue 24): the hints that send them to it, judged by reading the
# mutant and the hint's words; () where no hint is honest. Hint precision (grader/mutants/precision.py) holds
# every graded run to this table; a mutant without a judgement here is an error.
# fmt: off
JUDGED: dict[str, tuple[Text, ...]] = {
    "step_np_int": (H.STEP_NP_INT,), "step_python_if": (H.ARRAY_IF,), "step_bool": (H.STEP_BOOL,),
    "step_ge": (H.STEP_VALUES,), "step_sign": (H.STEP_VALUES,),
    "sigmoid_sign": (H.SIGMOID_FORMULA,), "sigmoid_parentheses": (H.SIGMOID_FORMULA,),
    "sigmoid_math_exp": (H.SIGMOID_ARRAYS,),
    # np.exp(-x) / (1 + np.exp(-x)) is sigmoid(-x): the formula, and nan where |x| is large
    "sigmoid_ratio": (H.SIGMOID_LARGE, H.SIGMOID_FORMULA), "sigmoid_tanh": (H.SIGMOID_FORMULA,),
    "relu_np_max": (H.RELU_MAXIMUM,), "relu_minimum": (H.RELU_MAXIMUM,), "relu_python_if": (H.ARRAY_IF,),
    "relu_leaky": (H.RELU_MAXIMUM,),
    "softmax_naive": (H.SOFTMAX_OVERFLOW,), "softmax_whole_batch": (H.SOFTMAX_ROWS,),
    "softmax_batch_max": (H.SOFTMAX_ROW_MAX,), "softmax_no_keepdims": (H.SOFTMAX_KEEPDIMS,),
    "softmax_axis0": (H.SOFTMAX_ROWS,), "softmax_2d_only": (H.SOFTMAX_1D,),
    "init_typo": (H.INIT_VALUES,), "init_bias_2d": (H.INIT_SHAPES,), "init_key_case": (H.INIT_SHAPES,),
    "init_w2_transposed": (H.INIT_SHAPES,),
    # FORWARD_LAYERS lists every part of a layer (biases, activations, the network argument): right for each
    "forward_no_b1": (H.FORWARD_LAYERS,), "forward_no_b3": (H.FORWARD_OUTPUT_BIAS, H.FORWARD_LAYERS),
    "forward_sigmoid_output": (H.FORWARD_OUTPUT, H.FORWARD_LAYERS),
    "forward_init_inside": (H.FORWARD_NETWORK_ARG, H.FORWARD_LAYERS),
    "forward_no_activation": (H.FORWARD_LAYERS,), "forward_relu_hidden": (H.FORWARD_LAYERS,),
    "predict_no_softmax": (H.PREDICT_SOFTMAX,), "predict_sigmoid_output": (H.PREDICT_SOFTMAX,),
    "predict_no_b2": (H.PREDICT_LAYERS,), "predict_inline_naive_softmax": (H.SOFTMAX_OVERFLOW, H.PREDICT_SOFTMAX),
    # where two of these mistakes give the same value (0 with fewer rows than a batch, a small count) the hint
    # ACC_COUNTING names each of them: right for all three
    "accuracy_drop_partial": (H.ACC_PARTIAL, H.ACC_COUNTING), "accuracy_batch_count": (H.ACC_PARTIAL, H.ACC_COUNTING),
    "accuracy_no_axis": (H.ACC_AXIS, H.ACC_COUNTING), "accuracy_t_not_sliced": (H.ACC_AXIS,),
    "accuracy_assign": (H.ACC_SHARE, H.ACC_COUNTING), "accuracy_count": (H.ACC_SHARE,),
}
# fmt: on
MUTANTS = with_hints(MUTANTS, JUDGED)
