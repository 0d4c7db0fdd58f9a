"""Correct solutions in other styles, and changes to ungraded code: every one must score full marks.

Each style rewrites some units the way real learners do (the book's ``common/functions.py``, ``np.where``
and ``astype``, ``@`` and a loop over layers, Korean names, helpers and module constants, a ``while``
loop over batches, predictions gathered and compared once), always within the contract the student
notebook states. The HARMLESS variants break code that is not graded (the given identity_function, which
the grader replaces, and the notebook's ungraded ``softmax_naive`` and ``get_network``) and must cost nothing.
"""

from __future__ import annotations

from courses.ch03_networks.mutants.base import (
    ACCURACY,
    FORWARD,
    HARMLESS,
    INIT,
    PREDICT,
    RELU,
    SIGMOID,
    SOFTMAX,
    STEP,
    Define,
    Replace,
    Variant,
    style,
)

_BOOK_COMMON = {
    STEP: """
def step_function(x):
    y = x > 0
    return y.astype(int)
""",
    SOFTMAX: """
def softmax(x):
    if x.ndim == 2:
        x = x.T
        x = x - np.max(x, axis=0)
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T

    x = x - np.max(x)  # 오버플로 대책
    return np.exp(x) / np.sum(np.exp(x))
""",
}

_WHERE = {
    STEP: """
def step_function(x):
    return np.where(x > 0, 1, 0)
""",
    SIGMOID: """
def sigmoid(x):
    # 큰 |x|에서도 경고 없는 형태 / a form without overflow warnings
    return np.exp(-np.logaddexp(0, -x))
""",
    RELU: """
def relu(x):
    return np.where(x > 0, x, 0.0)
""",
}

_MATMUL = {
    INIT: """
def init_network():
    return {
        'W1': np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]], dtype=float),
        'b1': np.array([0.1, 0.2, 0.3], dtype=float),
        'W2': np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]], dtype=float),
        'b2': np.array([0.1, 0.2], dtype=float),
        'W3': np.array([[0.1, 0.3], [0.2, 0.4]], dtype=float),
        'b3': np.array([0.1, 0.2], dtype=float),
    }
""",
    FORWARD: """
def forward(network, x):
    for i in (1, 2):
        x = sigmoid(x @ network[f'W{i}'] + network[f'b{i}'])
    return identity_function(x @ network['W3'] + network['b3'])
""",
    PREDICT: """
def predict(network, x):
    h = x
    for i in (1, 2):
        h = sigmoid(h @ network['W' + str(i)] + network['b' + str(i)])
    return softmax(h @ network['W3'] + network['b3'])
""",
}

_KOREAN = {
    RELU: """
def relu(x):
    양수 = x > 0           # 0보다 큰 원소
    return x * 양수        # 나머지는 0
""",
    ACCURACY: """
def accuracy(network, x, t, batch_size=100):
    맞은_수 = 0
    for 시작 in range(0, len(x), batch_size):
        끝 = 시작 + batch_size
        예측 = np.argmax(predict(network, x[시작:끝]), axis=1)
        맞은_수 += np.sum(예측 == t[시작:끝])
    return float(맞은_수) / len(x)
""",
}

_HELPERS = {
    INIT: """
BOOK_WEIGHTS = {
    'W1': [[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]],
    'b1': [0.1, 0.2, 0.3],
    'W2': [[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]],
    'b2': [0.1, 0.2],
    'W3': [[0.1, 0.3], [0.2, 0.4]],
    'b3': [0.1, 0.2],
}


def init_network():
    return {key: np.array(value) for key, value in BOOK_WEIGHTS.items()}
""",
    FORWARD: """
def _affine(x, W, b):
    return np.dot(x, W) + b


def forward(network, x):
    z1 = sigmoid(_affine(x, network['W1'], network['b1']))
    z2 = sigmoid(_affine(z1, network['W2'], network['b2']))
    return identity_function(_affine(z2, network['W3'], network['b3']))
""",
    SOFTMAX: """
def _softmax_rows(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def softmax(x):
    return _softmax_rows(x)
""",
}

_BATCHES = {
    ACCURACY: """
def accuracy(network, x, t, batch_size=100):
    predictions = []
    i = 0
    while i < len(x):
        predictions.append(np.argmax(predict(network, x[i:i + batch_size]), axis=1))
        i += batch_size
    return np.mean(np.concatenate(predictions) == t)
""",
    STEP: """
def step_function(x):
    return np.array(x > 0, dtype=np.float64)   # 0.0 / 1.0
""",
    SIGMOID: """
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-1.0 * x))
""",
}


def _defines(sources: dict[str, str]) -> tuple[Define, ...]:
    return tuple(Define(name, source) for name, source in sources.items())


# fmt: off
STYLES: list[Variant] = [
    style("book_common", "책의 common/functions.py (x.T로 행마다 softmax, astype(int))",
          "the book's common/functions.py (softmax over x.T, astype(int))", *_defines(_BOOK_COMMON)),
    style("where_logaddexp", "np.where와 경고 없는 시그모이드 (np.logaddexp)",
          "np.where, and a sigmoid without overflow warnings (np.logaddexp)", *_defines(_WHERE)),
    style("matmul_loop", "@ 연산자와 층에 대한 반복, 딕셔너리 리터럴", "the @ operator, a loop over layers, a dict literal",
          *_defines(_MATMUL)),
    style("korean_names", "한글 변수 이름과 주석, x * (x > 0)", "Korean names and comments, x * (x > 0)", *_defines(_KOREAN)),
    style("helpers_constants", "도우미 함수와 모듈 상수 (_affine, BOOK_WEIGHTS)", "helper functions and module constants",
          *_defines(_HELPERS)),
    style("while_batches", "while 반복으로 배치, 예측을 모아 한 번에 비교; 실수 0.0/1.0 계단 함수",
          "a while loop over batches, predictions compared at once; a float 0.0/1.0 step", *_defines(_BATCHES)),
    style("given_broken", "주어진 identity_function을 망가뜨림 (채점기가 참조 구현으로 바꿈)",
          "the given identity_function broken (the grader substitutes the reference)",
          Replace("identity_function", "return x", "return x * 0"), kind=HARMLESS),
    style("ungraded_broken", "채점하지 않는 softmax_naive와 get_network를 망가뜨림",
          "the ungraded softmax_naive and get_network broken",
          Replace("softmax_naive", "return exp_a / sum_exp_a", "return None"),
          Replace("get_network", "path = path or WEIGHTS", "path = 1 / 0"), kind=HARMLESS),
]
# fmt: on
