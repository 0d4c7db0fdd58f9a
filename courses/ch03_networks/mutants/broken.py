"""Broken notebooks: code that does not run as written, each with the message code its unit's tests must give.

Their diagnoses are the engine's facts (a SyntaxError's cell and line, a misspelt name, a missing return, an
endless loop) or, for an exception in a helper, the course's hint for that exception. Each breaks one unit.
"""

from __future__ import annotations

from courses.ch03_networks.mutants.base import ACCURACY, PREDICT, RELU, SIGMOID, SOFTMAX, STEP, Define, Replace, Variant
from courses.ch03_networks.mutants.base import broken as _broken

_ACC_WHILE_NO_STEP = """
def accuracy(network, x, t, batch_size=100):
    accuracy_cnt = 0
    i = 0
    while i < len(x):
        x_batch = x[i:i+batch_size]
        y_batch = predict(network, x_batch)
        p = np.argmax(y_batch, axis=1)
        accuracy_cnt += np.sum(p == t[i:i+batch_size])
    return accuracy_cnt / len(x)
"""

_PREDICT_HELPER = """
def dense(x, W, b):
    return np.dot(W, x) + b


def predict(network, x):
    W1, W2, W3 = network['W1'], network['W2'], network['W3']
    b1, b2, b3 = network['b1'], network['b2'], network['b3']
    z1 = sigmoid(dense(x, W1, b1))
    z2 = sigmoid(dense(z1, W2, b2))
    return softmax(dense(z2, W3, b3))
"""

_STEP_BOOL_AGAIN = "def step_function(x):\n    return x > 0\n\n\ndef sigmoid(x):"

SYNTAX_ERROR, MISSPELT = ("grader.syntax-error",), ("grader.misspelt-name",)
RETURNED_NONE, TIMEOUT = ("grader.returned-none",), ("grader.timeout",)

# fmt: off
BROKEN: list[Variant] = [
    _broken("softmax_syntax_colon", SOFTMAX, "`if x.ndim == 2` 끝의 `:`를 빠뜨림 (셀 전체가 SyntaxError; 위 셀에 softmax_naive가 있음)",
            "the `:` after `if x.ndim == 2` is missing (the whole cell is a SyntaxError; softmax_naive is in the cell above)",
            Replace(SOFTMAX, "if x.ndim == 2:", "if x.ndim == 2"), hints=SYNTAX_ERROR),
    _broken("relu_misspelt", RELU, "함수 이름을 Relu로 씀", "the function named Relu",
            Replace(RELU, "def relu(x):", "def Relu(x):"), hints=MISSPELT),
    _broken("sigmoid_no_return", SIGMOID, "return 없이 y = 1 / (1 + np.exp(-x))만 씀", "y = 1 / (1 + np.exp(-x)) with no return",
            Replace(SIGMOID, "return 1 / (1 + np.exp(-x))", "y = 1 / (1 + np.exp(-x))"), hints=RETURNED_NONE),
    _broken("accuracy_endless_while", ACCURACY, "while i < len(x): 안에서 i를 늘리지 않음 (끝나지 않음)",
            "while i < len(x): without advancing i (never ends)", Define(ACCURACY, _ACC_WHILE_NO_STEP), hints=TIMEOUT),
    # The exception is raised in the student's helper dense(), not in predict itself: the hint is the one for a
    # product in the wrong order, which is what dense() does.
    _broken("predict_helper_dot_order", PREDICT, "직접 만든 도우미 dense()가 np.dot(W, x)로 곱함 (형상 오류)",
            "a helper dense() of the student's multiplies np.dot(W, x) (a shape error)",
            Define(PREDICT, _PREDICT_HELPER), hints=("ch03_networks.forward_network_arg",)),
    # Jupyter keeps the last definition run: a later cell's old step_function (x > 0, bool) replaces the right one.
    _broken("step_defined_twice", STEP, "아래 셀에 예전 step_function(x > 0 반환)을 다시 정의함 (나중 정의가 쓰임)",
            "an old step_function (returns x > 0) defined again in a later cell (the later one is used)",
            Replace(SIGMOID, "def sigmoid(x):", _STEP_BOOL_AGAIN), hints=("ch03_networks.step_bool",)),
]
# fmt: on
