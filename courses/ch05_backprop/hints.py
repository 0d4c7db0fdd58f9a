"""Hints for ch05_backprop: each names one mistake learners make with layers and backpropagation.

A hint is chosen on the trusted side from what came back (a diagnosis function below) or from the kind of
exception the student's code raised (:func:`raised_hint`). A hint is shown only when it is honest for what was
seen; otherwise the test shows none.
"""

from __future__ import annotations

import numpy as np

from grader.pipeline.checks import Text, name_hints

MUL_SWAP = Text(
    "곱셈 노드의 역전파는 dout에 '다른' 입력을 곱합니다: dx = dout * y, dy = dout * x (x와 y를 바꿉니다).",
    "the multiplication node sends back dout times the *other* input: dx = dout * y, dy = dout * x (swapped).",
)
MUL_GENERAL = Text(
    "곱셈 계층: forward(x, y)는 x와 y를 저장하고 x * y를, backward(dout)는 (dout * y, dout * x)를 반환합니다.",
    "the multiplication layer: forward(x, y) keeps x and y and returns x * y; backward(dout) returns "
    "(dout * y, dout * x).",
)
NET_GRADIENT = Text(
    "gradient: 순전파(self.loss) → lastLayer.backward(1) → 계층을 거꾸로 backward → 각 Affine의 dW, db를 W1 b1 W2 b2로 "
    "반환합니다.",
    "gradient: the forward pass (self.loss), lastLayer.backward(1), backward through the reversed layers, then each "
    "Affine's dW and db returned as W1 b1 W2 b2.",
)
MUL_KEEP = Text(
    "backward는 forward가 저장해 둔 값을 씁니다: forward에서 self.x = x, self.y = y처럼 입력을 저장하세요.",
    "backward uses what forward kept: store the inputs in forward (self.x = x, self.y = y).",
)
DOUT = Text(
    "역전파는 상류에서 온 미분 dout에 국소 미분을 곱합니다. dout을 곱하지 않으면 dout = 1일 때만 맞습니다.",
    "backpropagation multiplies the upstream derivative dout by the local derivative; without dout the result is "
    "right only when dout = 1.",
)
ADD_PAIR = Text(
    "덧셈 노드의 backward는 두 입력 각각에 대한 미분, 곧 dout을 그대로 두 값 (dout, dout)으로 반환합니다. forward는 x + y.",
    "the addition node's backward returns the derivative for each of its two inputs: two values, (dout, dout), dout "
    "passed on unchanged; forward returns x + y.",
)
RELU_MASK = Text(
    "Relu.backward는 forward에서 저장한 self.mask = (x <= 0)가 True인 곳의 dout을 0으로 만듭니다: 기준은 dout이 아니라 "
    "순전파 때의 입력 x입니다 (x = 0에서도 0).",
    "Relu.backward zeroes dout where the mask kept by forward, self.mask = (x <= 0), is True: what decides is the "
    "forward input x, not dout (and 0 at x = 0).",
)
RELU_MAXIMUM = Text(
    "원소마다 0과 비교하려면 np.maximum(0, x) 또는 마스크를 씁니다. np.max(0, x)는 축(axis)을 받는 다른 함수입니다.",
    "to compare each element with 0 use np.maximum(0, x) or the mask; np.max(0, x) is another function (axis).",
)
SIGMOID_FORWARD = Text(
    "시그모이드는 1 / (1 + np.exp(-x))입니다 (지수의 부호와 괄호).",
    "the sigmoid is 1 / (1 + np.exp(-x)) (the sign of the exponent, the parentheses).",
)
SIGMOID_BACKWARD = Text(
    "Sigmoid의 역전파는 dout * (1 - y) * y이고, y는 forward가 저장한 출력 self.out입니다.",
    "the sigmoid's backward is dout * (1 - y) * y, with y the output forward kept in self.out.",
)
AFFINE_FORWARD = Text(
    "Affine.forward는 np.dot(x, W) + b입니다: 편향 b를 더하고, x를 저장해 두세요 (backward의 dW에 필요).",
    "Affine.forward is np.dot(x, W) + b: add the bias, and keep x (backward needs it for dW).",
)
AFFINE_SHAPES = Text(
    "형상을 맞춰 보세요: dx = np.dot(dout, W.T)는 x의 형상, dW = np.dot(x.T, dout)은 W의 형상입니다.",
    "match the shapes: dx = np.dot(dout, W.T) has x's shape, dW = np.dot(x.T, dout) has W's shape.",
)
AFFINE_DB_AXIS = Text(
    "db는 dout을 배치 방향으로 더한 것입니다: np.sum(dout, axis=0) (형상이 b와 같음). axis가 없으면 스칼라 하나가 됩니다.",
    "db is dout summed over the batch: np.sum(dout, axis=0), shaped like b. Without axis it is one number.",
)
SWL_LOSS = Text(
    "SoftmaxWithLoss.forward는 y = softmax(x)를 저장하고 y의 교차 엔트로피 오차를 반환합니다 (x에 바로 쓰지 않음).",
    "SoftmaxWithLoss.forward keeps y = softmax(x) and returns the cross-entropy error of y (not of x itself).",
)
SWL_BATCH = Text(
    "SoftmaxWithLoss.backward는 (y - t) / batch_size입니다: 배치 크기(t.shape[0])로 한 번만 나눕니다.",
    "SoftmaxWithLoss.backward is (y - t) / batch_size: divide by the batch size (t.shape[0]) exactly once.",
)
NET_FORWARD_FIRST = Text(
    "gradient는 먼저 self.loss(x, t)로 순전파한 뒤 역전파합니다: backward는 forward가 저장한 값을 씁니다.",
    "gradient runs the forward pass first (self.loss(x, t)), then backward: backward uses what forward kept.",
)
NET_REVERSED = Text(
    "역전파는 계층을 거꾸로 지납니다: lastLayer.backward 다음에 list(self.layers.values())를 뒤집어 backward하세요.",
    "backward goes through the layers in reverse: lastLayer.backward, then the reversed list(self.layers.values()).",
)
NET_PREDICT = Text(
    "predict는 마지막 계층(SoftmaxWithLoss) 전까지의 점수입니다: Affine1 → Relu1 → Affine2. Affine 계층은 self.params의 "
    "같은 배열을 써야 합니다 (Affine(self.params['W1'], self.params['b1'])): 복사하면 params를 바꿔도 계층이 그대로입니다.",
    "predict gives the scores before the last layer (SoftmaxWithLoss): Affine1 → Relu1 → Affine2. The Affine layers "
    "must use the very arrays of self.params (Affine(self.params['W1'], self.params['b1'])): with copies, changing "
    "params leaves the layers as they were.",
)
NET_INIT = Text(
    "__init__: params의 W1, W2는 weight_init_std * np.random.randn(...)(표준편차 weight_init_std, 평균 0), b1, b2는 "
    "np.zeros(...)입니다. 모양은 W1 (input_size, hidden_size), W2 (hidden_size, output_size)입니다.",
    "__init__: params' W1 and W2 are weight_init_std * np.random.randn(...) (spread weight_init_std around 0), b1 and "
    "b2 are np.zeros(...); W1 has shape (input_size, hidden_size), W2 (hidden_size, output_size).",
)
NET_ACCURACY = Text(
    "accuracy는 행마다 np.argmax(y, axis=1)과 np.argmax(t, axis=1)이 같은 비율입니다.",
    "accuracy is the share of rows where np.argmax(y, axis=1) equals np.argmax(t, axis=1).",
)
NET_NUMERICAL = Text(
    "numerical_gradient(x, t)는 W1 b1 W2 b2 각각에 대해 4장의 numerical_gradient(loss_W, self.params[key])를 씁니다.",
    "numerical_gradient(x, t) applies chapter 4's numerical_gradient(loss_W, self.params[key]) to each of W1 b1 W2 b2.",
)
TRAIN_GRADIENT = Text(
    "학습은 여러분의 TwoLayerNet.__init__과 gradient로 매개변수를 갱신합니다: 가중치를 0이 아닌 난수로 초기화했는지, "
    "gradient가 params와 같은 형상의 기울기를 돌려주는지 확인하세요.",
    "training updates the parameters with your TwoLayerNet.__init__ and gradient: are the weights drawn at random "
    "(not zeros), and does gradient return gradients shaped like params?",
)


def raised_hint(unit: str, error_type: str, text: str) -> Text | None:
    """The hint for an exception from the student's code in ``unit``: from its kind and message, else the unit's
    general one (what its methods must do)."""
    none_operand = "NoneType" in text or "None" in text and "subscript" in text
    if unit == "MulLayer" and error_type == "TypeError" and none_operand:
        return MUL_KEEP
    if unit == "Relu" and ("AxisError" in error_type or error_type == "TypeError" and "scalar index" in text):
        return RELU_MAXIMUM
    if unit == "Affine" and error_type == "ValueError" and ("aligned" in text or "shape" in text):
        return AFFINE_SHAPES
    if unit == "TwoLayerNet":
        if error_type in ("TypeError", "AttributeError") and none_operand:
            return NET_FORWARD_FIRST
        if error_type == "ValueError" and ("aligned" in text or "shape" in text or "broadcast" in text):
            return NET_REVERSED
    general = {"MulLayer": MUL_GENERAL, "AddLayer": ADD_PAIR, "Relu": RELU_MASK, "Sigmoid": SIGMOID_BACKWARD,
               "Affine": AFFINE_SHAPES, "SoftmaxWithLoss": SWL_LOSS, "TwoLayerNet": NET_GRADIENT}  # fmt: skip
    return general.get(unit)


def _close(a: object, b: object) -> bool:
    """A numeric result (array or number) equal to ``b`` within the suites' closed-form tolerance."""
    numeric = type(a) is np.ndarray and a.dtype.kind in "fiu" or type(a) in (int, float) or isinstance(a, np.number)
    return numeric and np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=1e-7, atol=1e-10))


def mul_backward_hint(got: object, x: np.ndarray, y: np.ndarray, dout: np.ndarray) -> Text | None:
    """(dout * x, dout * y): not swapped; (y, x): dout not multiplied."""
    if type(got) not in (tuple, list) or len(got) != 2:
        return MUL_GENERAL
    if _close(got[0], dout * x) and _close(got[1], dout * y):
        return MUL_SWAP
    if _close(got[0], y * np.ones_like(dout)) and _close(got[1], x * np.ones_like(dout)):
        return DOUT
    return MUL_GENERAL


def add_backward_hint(got: object) -> Text | None:
    """Anything but a pair: the addition node has two inputs."""
    return ADD_PAIR


def sigmoid_backward_hint(got: object, out: np.ndarray, dout: np.ndarray) -> Text:
    """out * (1 - out) without dout: dout not multiplied; anything else: the formula."""
    return DOUT if _close(got, out * (1 - out)) else SIGMOID_BACKWARD


def accuracy_hint(got: object, no_axis_share: float) -> Text | None:
    """The share np.argmax(y) without axis=1 gives (one flat index compared with every label)."""
    return NET_ACCURACY


def numerical_hint(got: object, expected: dict) -> Text | None:
    """A gradient shaped unlike its parameter: a key computed of another parameter."""
    return NET_NUMERICAL


def swl_backward_hint(got: object, expected: np.ndarray, batch_size: int) -> Text | None:
    """Off by the batch size (divided twice, or not at all)."""
    return SWL_BATCH


# Every hint above gets its id ("ch05_backprop.<name>"): reports and the class report group mistakes by it.
HINTS = name_hints(globals(), "ch05_backprop")
