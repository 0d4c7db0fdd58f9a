"""Correct solutions in other styles, and changes to ungraded code: every one must score full marks.

Each style rewrites some units the way real learners do (other loops, names, helpers, Korean
identifiers, layer objects that keep references to ``self.params`` arrays), always within
docs/CONTRACT.md's description. The HARMLESS variants break code that is not graded (a given helper
the grader replaces, the ungraded mean_squared_error) and must cost nothing.
"""

from __future__ import annotations

from courses.ch04_learning.mutants.base import HARMLESS, Define, Replace, Variant, style

CEE, DIFF, GRAD, GD, NET = (
    "cross_entropy_error",
    "numerical_diff",
    "numerical_gradient",
    "gradient_descent",
    "TwoLayerNet",
)

_ONE_HOT_SUM_CEE = """
def cross_entropy_error(y, t):
    if y.ndim == 1:
        y = y.reshape(1, y.size)
        t = t.reshape(1, -1)
    if t.size != y.size:                      # 정수 레이블 -> 원-핫 / labels -> one-hot
        t = np.eye(y.shape[1])[t.reshape(-1)]
    delta = 1e-7
    return -np.sum(t * np.log(y + delta)) / y.shape[0]
"""

_NDINDEX_GRAD = """
def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        x[idx] = original + h
        plus = f(x)
        x[idx] = original - h
        minus = f(x)
        x[idx] = original
        grad[idx] = (plus - minus) / (2 * h)
    return grad
"""

_MATMUL_NET = """
class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {
            'W1': weight_init_std * np.random.randn(input_size, hidden_size),
            'b1': np.zeros(hidden_size),
            'W2': weight_init_std * np.random.randn(hidden_size, output_size),
            'b2': np.zeros(output_size),
        }

    def predict(self, x):
        p = self.params
        return softmax(sigmoid(x @ p['W1'] + p['b1']) @ p['W2'] + p['b2'])

    def loss(self, x, t):
        return cross_entropy_error(self.predict(x), t)

    def accuracy(self, x, t):
        return np.mean(self.predict(x).argmax(axis=1) == t.argmax(axis=1))

    def numerical_gradient(self, x, t):
        f = lambda _: self.loss(x, t)
        return {key: numerical_gradient(f, self.params[key]) for key in ('W1', 'b1', 'W2', 'b2')}

    def gradient(self, x, t):
        p = self.params
        a1 = x @ p['W1'] + p['b1']
        z1 = sigmoid(a1)
        y = softmax(z1 @ p['W2'] + p['b2'])
        dy = (y - t) / x.shape[0]
        dz1 = (dy @ p['W2'].T) * sigmoid_grad(a1)
        return {'W1': x.T @ dz1, 'b1': dz1.sum(axis=0), 'W2': z1.T @ dy, 'b2': dy.sum(axis=0)}
"""

_FLAT_VIEW_GRAD = """
def numerical_gradient(f, x):
    h = 1e-4
    flat_x = x.reshape(-1)          # 같은 메모리를 보는 1차원 뷰 / a 1-D view of the same memory
    grad = np.zeros_like(x)
    flat_grad = grad.reshape(-1)
    for i in range(flat_x.size):
        keep = flat_x[i]
        flat_x[i] = keep + h
        f_plus = f(x)
        flat_x[i] = keep - h
        f_minus = f(x)
        flat_x[i] = keep
        flat_grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
"""

_PREALLOCATED_GD = """
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = init_x.copy()
    x_history = np.zeros((step_num, x.size))
    for step in range(step_num):
        x_history[step] = x
        x = x - lr * numerical_gradient(f, x)
    return x, x_history
"""

_VECTOR_CEE = """
def cross_entropy_error(y, t):
    y = np.atleast_2d(y)
    labels = t.argmax(axis=-1) if np.size(t) == y.size else t
    labels = np.reshape(labels, -1)
    return -np.mean(np.log(y[np.arange(len(y)), labels] + 1e-7))
"""

_KOREAN_CEE = """
def cross_entropy_error(y, t):
    # 데이터가 하나면 배치 크기 1인 2차원 배열로 바꾼다
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    # 원-핫이면 정답 인덱스로 바꾼다
    if t.size == y.size:
        t = t.argmax(axis=1)
    배치크기 = y.shape[0]
    정답확률 = y[np.arange(배치크기), t]
    return -np.sum(np.log(정답확률 + 1e-7)) / 배치크기
"""

_KOREAN_DIFF = """
def numerical_diff(f, x):
    아주작은값 = 1e-4  # 0.0001: 반올림 오차를 피할 만큼 크고 차분 오차가 작을 만큼 작다
    앞 = f(x + 아주작은값)
    뒤 = f(x - 아주작은값)
    return (앞 - 뒤) / (2 * 아주작은값)   # 중앙 차분
"""

_KOREAN_GD = """
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    현재 = init_x
    기록 = []
    for _ in range(step_num):
        기록.append(현재.copy())          # 갱신하기 전에 기록
        기울기 = numerical_gradient(f, 현재)
        현재 -= lr * 기울기                 # 기울기의 반대 방향으로 이동
    return 현재, np.array(기록)
"""

_HELPER_FUNCTIONS = '''
H = 1e-4
DELTA = 1e-7


def _as_batch(y, t):
    """1차원 입력을 배치 하나로 / a single sample as a batch of one"""
    if y.ndim == 1:
        return y.reshape(1, -1), np.reshape(t, (1, -1))
    return y, t


def _labels(y, t):
    return t.argmax(axis=1) if t.size == y.size else t.reshape(-1)


def cross_entropy_error(y, t):
    y, t = _as_batch(y, t)
    labels = _labels(y, t)
    return -np.sum(np.log(y[np.arange(y.shape[0]), labels] + DELTA)) / y.shape[0]


def _central_difference(f_plus, f_minus, step):
    return (f_plus - f_minus) / (2 * step)


def numerical_diff(f, x):
    return _central_difference(f(x + H), f(x - H), H)


def _partial(f, x, idx):
    saved = x[idx]
    x[idx] = saved + H
    f_plus = f(x)
    x[idx] = saved - H
    f_minus = f(x)
    x[idx] = saved
    return _central_difference(f_plus, f_minus, H)


def numerical_gradient(f, x):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=['multi_index'])
    for _ in it:
        grad[it.multi_index] = _partial(f, x, it.multi_index)
    return grad


def _step(f, x, lr):
    x -= lr * numerical_gradient(f, x)


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = init_x
    history = []
    for _ in range(step_num):
        history.append(np.copy(x))
        _step(f, x, lr)
    return x, np.array(history)
'''

_HELPER_NET = """
def _forward(params, x):
    a1 = np.dot(x, params['W1']) + params['b1']
    z1 = sigmoid(a1)
    a2 = np.dot(z1, params['W2']) + params['b2']
    return a1, z1, softmax(a2)


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {}
        self.params['W1'] = np.random.normal(0.0, weight_init_std, (input_size, hidden_size))
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = np.random.normal(0.0, weight_init_std, (hidden_size, output_size))
        self.params['b2'] = np.zeros(output_size)

    def predict(self, x):
        return _forward(self.params, x)[2]

    def loss(self, x, t):
        print("loss of a batch of", self.predict(x).shape[0])   # predict를 두 번 불러도 괜찮음 / calling predict twice is fine
        return cross_entropy_error(self.predict(x), t)

    def accuracy(self, x, t):
        hits = np.argmax(self.predict(x), axis=1) == np.argmax(t, axis=1)
        return hits.sum() / len(x)

    def numerical_gradient(self, x, t):
        grads = {}
        for key in self.params:
            grads[key] = numerical_gradient(lambda W: self.loss(x, t), self.params[key])
        return grads

    def gradient(self, x, t):
        a1, z1, y = _forward(self.params, x)
        delta2 = (y - t) / len(x)
        delta1 = np.dot(delta2, self.params['W2'].T) * sigmoid_grad(a1)
        return {'W1': np.dot(x.T, delta1), 'b1': delta1.sum(axis=0),
                'W2': np.dot(z1.T, delta2), 'b2': delta2.sum(axis=0)}
"""

_LAYER_NET = """
class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b          # self.params의 배열을 그대로 참조 / the very arrays of self.params

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T)


class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out) * self.out


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        return cross_entropy_error(self.y, t)

    def backward(self):
        return (self.y - self.t) / self.t.shape[0]


class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {}
        self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)
        self.layers = [Affine(self.params['W1'], self.params['b1']), Sigmoid(),
                       Affine(self.params['W2'], self.params['b2'])]
        self.last_layer = SoftmaxWithLoss()

    def _scores(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def predict(self, x):
        return softmax(self._scores(x))

    def loss(self, x, t):
        return self.last_layer.forward(self._scores(x), t)

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        return float(np.sum(y == np.argmax(t, axis=1))) / x.shape[0]

    def numerical_gradient(self, x, t):
        loss_W = lambda W: self.loss(x, t)
        return {key: numerical_gradient(loss_W, self.params[key]) for key in ('W1', 'b1', 'W2', 'b2')}

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        first, second = self.layers[0], self.layers[2]
        return {'W1': first.dW, 'b1': first.db, 'W2': second.dW, 'b2': second.db}
"""

_PLUS_EQUALS_GRAD = """
def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    for i in range(x.size):
        idx = np.unravel_index(i, x.shape)
        x[idx] += h
        fxh1 = f(x)
        x[idx] -= 2 * h
        fxh2 = f(x)
        x[idx] += h                     # 원래 값으로 (반올림 오차 수준까지) / back, up to rounding
        grad[idx] = (fxh1 - fxh2) / (2 * h)
    return grad
"""

_INLINE_SOFTMAX_PREDICT = """
    def predict(self, x):
        hidden = sigmoid(np.dot(x, self.params['W1']) + self.params['b1'])
        scores = np.dot(hidden, self.params['W2']) + self.params['b2']
        scores = scores - scores.max(axis=1, keepdims=True)      # 안정적인 소프트맥스 / stable softmax
        exp_scores = np.exp(scores)
        return exp_scores / exp_scores.sum(axis=1, keepdims=True)
"""

_OLD_PREDICT_BODY = """        W1, W2 = self.params['W1'], self.params['W2']
        b1, b2 = self.params['b1'], self.params['b2']

        a1 = np.dot(x, W1) + b1
        z1 = sigmoid(a1)
        a2 = np.dot(z1, W2) + b2
        y = softmax(a2)

        return y
"""

# A table: one variant per entry with its description and its edits, kept compact.
# fmt: off
STYLES: list[Variant] = [
    style("book", "교수자 노트북 그대로 (책의 코드: nditer, argmax 레이블 CEE)",
          "the instructor notebook as is (the book's code: nditer, label-index CEE)"),
    style("one_hot_sum_ndindex_matmul", "원-핫 합 CEE, np.ndindex 반복, @ 연산자, 딕셔너리 컴프리헨션",
          "one-hot-sum CEE, an np.ndindex loop, the @ operator, dict comprehensions", Define(CEE, _ONE_HOT_SUM_CEE),
          Define(GRAD, _NDINDEX_GRAD), Define(NET, _MATMUL_NET)),
    style("flat_view_preallocated", "x.reshape(-1) 뷰로 평탄한 인덱스 반복, 미리 할당한 x_history, x = x - lr * grad",
          "flat index loop over x.reshape(-1) views, a preallocated x_history, x = x - lr * grad",
          Define(GRAD, _FLAT_VIEW_GRAD), Define(GD, _PREALLOCATED_GD)),
    style("vectorised", "벡터화: atleast_2d와 np.mean의 CEE, 인라인 안정 softmax, np.mean 정확도",
          "vectorised: CEE with atleast_2d and np.mean, an inline stable softmax, accuracy by np.mean",
          Define(CEE, _VECTOR_CEE),
          Replace(f"{NET}.predict", _OLD_PREDICT_BODY, _INLINE_SOFTMAX_PREDICT.split("\n", 2)[2]),
          Replace(f"{NET}.accuracy", "accuracy = np.sum(y == t) / float(x.shape[0])", "accuracy = np.mean(y == t)")),
    style("korean_names", "한글 변수 이름과 한글 주석", "Korean variable names and Korean comments", Define(CEE, _KOREAN_CEE),
          Define(DIFF, _KOREAN_DIFF), Define(GD, _KOREAN_GD)),
    style("helper_functions", "보조 함수와 모듈 상수 H, DELTA, _forward 함수, np.random.normal 초기화, predict 두 번 호출",
          "helper functions and module constants H, DELTA, a _forward helper, np.random.normal init, predict called twice",
          Define(DIFF, "# numerical_diff는 위 셀에 / numerical_diff is in the helpers' cell"),
          Define(GRAD, "# numerical_gradient는 위 셀에 / in the helpers' cell"),
          Define(GD, "# gradient_descent는 위 셀에 / in the helpers' cell"), Define(CEE, _HELPER_FUNCTIONS),
          Define(NET, _HELPER_NET)),
    style("layers_reference_params", "self.params의 배열을 참조하는 Affine/Sigmoid/SoftmaxWithLoss 계층 객체",
          "Affine/Sigmoid/SoftmaxWithLoss layer objects that keep references to the self.params arrays",
          Define(NET, _LAYER_NET)),
    style("plus_equals_h", "x[idx] += h, -= 2h, += h로 제자리 이동 (unravel_index), (f(x+h)-f(x-h)) / h / 2",
          "in-place x[idx] += h, -= 2h, += h (unravel_index), (f(x+h) - f(x-h)) / h / 2",
          Define(GRAD, _PLUS_EQUALS_GRAD), Replace(DIFF, "/ (2 * h)", "/ h / 2")),
    style("mse_precedence_ungraded", "채점하지 않는 mean_squared_error에 실습의 우선순위 버그 0.5*np.sum(y-t)**2",
          "the lab's precedence bug 0.5*np.sum(y-t)**2 in the ungraded mean_squared_error",
          Replace("mean_squared_error", "0.5 * np.sum((y - t)**2)", "0.5*np.sum(y-t)**2"), kind=HARMLESS),
    style("given_softmax_broken", "주어진 softmax를 최댓값 빼기 없이 고침 (채점기는 주어진 함수를 원본으로 바꿈)",
          "the given softmax edited to drop the max subtraction (the grader restores given helpers)",
          Replace("softmax", "x = x - np.max(x, axis=1, keepdims=True)", "pass"), kind=HARMLESS),
]
# fmt: on
