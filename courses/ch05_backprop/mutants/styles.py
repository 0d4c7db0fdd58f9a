"""Correct solutions in other styles: every one must score full marks.

The book's ``common/layers.py`` (Affine keeps the input's original shape, Relu with np.maximum, SoftmaxWithLoss
that also takes labels), and a learner's rewrite with ``@``, a list of layers and a dict comprehension.
"""

from __future__ import annotations

from courses.ch05_backprop.mutants.base import AFFINE, NET, RELU, SIGMOID, SWL, Define, Replace, Variant, style

_COMMON_AFFINE = """
class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        out = np.dot(self.x, self.W) + self.b
        return out

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        dx = dx.reshape(*self.original_x_shape)
        return dx
"""

_COMMON_SWL = """
class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        batch_size = self.y.shape[0]
        if self.t.size == self.y.size:
            self.loss = -np.sum(self.t * np.log(self.y + 1e-7)) / batch_size
        else:
            self.loss = -np.sum(np.log(self.y[np.arange(batch_size), self.t] + 1e-7)) / batch_size
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
        return dx
"""

_MAXIMUM_RELU = """
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        return np.maximum(0, x)

    def backward(self, dout):
        return np.where(self.mask, 0, dout)
"""

_LIST_NET = """
class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {
            'W1': weight_init_std * np.random.randn(input_size, hidden_size),
            'b1': np.zeros(hidden_size),
            'W2': weight_init_std * np.random.randn(hidden_size, output_size),
            'b2': np.zeros(output_size),
        }
        self.affine1 = Affine(self.params['W1'], self.params['b1'])
        self.affine2 = Affine(self.params['W2'], self.params['b2'])
        self.layers = [self.affine1, Relu(), self.affine2]
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        return np.mean(np.argmax(self.predict(x), axis=1) == np.argmax(t, axis=1))

    def numerical_gradient(self, x, t):
        f = lambda _: self.loss(x, t)
        return {key: numerical_gradient(f, self.params[key]) for key in ('W1', 'b1', 'W2', 'b2')}

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return {'W1': self.affine1.dW, 'b1': self.affine1.db, 'W2': self.affine2.dW, 'b2': self.affine2.db}
"""

# fmt: off
STYLES: list[Variant] = [
    style("book_common_layers", "책의 common/layers.py (Affine이 원래 형상을 기억, 레이블도 받는 SoftmaxWithLoss)",
          "the book's common/layers.py (Affine keeps the original shape, SoftmaxWithLoss also takes labels)",
          Define(AFFINE, _COMMON_AFFINE), Define(SWL, _COMMON_SWL)),
    style("maximum_list_net", "np.maximum과 np.where의 Relu, 계층 리스트와 reversed()의 신경망, @ 연산자",
          "Relu with np.maximum and np.where, a network with a list of layers and reversed(), the @ operator",
          Define(RELU, _MAXIMUM_RELU), Define(NET, _LIST_NET),
          Replace(f"{AFFINE}.forward", "np.dot(x, self.W) + self.b", "x @ self.W + self.b"),
          Replace(f"{SIGMOID}.backward", "dout * (1.0 - self.out) * self.out", "dout * self.out * (1 - self.out)")),
]
# fmt: on
