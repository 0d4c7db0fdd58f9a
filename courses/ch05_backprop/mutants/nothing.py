"""Do-nothing submissions: each unit written so that it computes nothing; each must earn 0 points there.

A layer that echoes its input, returns zeros or a constant; a network whose every method returns zeros of the
right shape. Grading one must give 0 in its unit (and, for the network, in the training that trains it) and
cost nothing elsewhere.
"""

from __future__ import annotations

from courses.ch05_backprop.mutants.base import ADD, AFFINE, MUL, NET, RELU, SIGMOID, SWL, Define, Variant, nothing

_ECHO_PAIR = """
class {name}:
    def __init__(self):
        pass

    def forward(self, x, y):
        return x

    def backward(self, dout):
        return dout, dout
"""

_ZERO_PAIR = """
class {name}:
    def __init__(self):
        pass

    def forward(self, x, y):
        return 0 * x

    def backward(self, dout):
        return 0 * dout, 0 * dout
"""

_ACTIVATION = """
class {name}:
    def __init__(self):
        self.out = None
        self.mask = None

    def forward(self, x):
        return {forward}

    def backward(self, dout):
        return {backward}
"""

_AFFINE_ZEROS = """
class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = np.zeros_like(W)
        self.db = np.zeros_like(b)

    def forward(self, x):
        self.x = x
        return np.zeros((x.shape[0], self.W.shape[1]))

    def backward(self, dout):
        return np.zeros_like(self.x)
"""

_SWL_CONSTANT = """
class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        return {loss}

    def backward(self, dout=1):
        return {backward}
"""

_NET_ZEROS = """
class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {{
            'W1': np.zeros((input_size, hidden_size)), 'b1': np.zeros(hidden_size),
            'W2': np.zeros((hidden_size, output_size)), 'b2': np.zeros(output_size),
        }}

    def predict(self, x):
        return np.zeros((x.shape[0], self.params['b2'].size))

    def loss(self, x, t):
        return 0.0

    def accuracy(self, x, t):
        return {accuracy}

    def numerical_gradient(self, x, t):
        return {{key: np.zeros_like(value) for key, value in self.params.items()}}

    def gradient(self, x, t):
        return {{key: np.zeros_like(value) for key, value in self.params.items()}}
"""

# fmt: off
NOTHING: list[Variant] = [
    nothing("none_mul_echo", MUL, "x를 그대로, backward는 (dout, dout)", "x echoed, backward (dout, dout)",
            Define(MUL, _ECHO_PAIR.format(name=MUL))),
    nothing("none_mul_zeros", MUL, "모두 0", "zeros everywhere", Define(MUL, _ZERO_PAIR.format(name=MUL))),
    nothing("none_add_echo", ADD, "x를 그대로, backward는 (dout, dout)", "x echoed, backward (dout, dout)",
            Define(ADD, _ECHO_PAIR.format(name=ADD))),
    nothing("none_add_zeros", ADD, "모두 0", "zeros everywhere", Define(ADD, _ZERO_PAIR.format(name=ADD))),
    nothing("none_relu_echo", RELU, "x와 dout을 그대로", "x and dout echoed",
            Define(RELU, _ACTIVATION.format(name=RELU, forward="x", backward="dout"))),
    nothing("none_relu_zeros", RELU, "0 배열", "zeros",
            Define(RELU, _ACTIVATION.format(name=RELU, forward="np.zeros_like(x)", backward="np.zeros_like(dout)"))),
    nothing("none_sigmoid_half", SIGMOID, "모두 0.5, backward는 dout * 0.25", "0.5 everywhere, backward dout * 0.25",
            Define(SIGMOID, _ACTIVATION.format(name=SIGMOID, forward="np.full_like(x, 0.5)", backward="dout * 0.25"))),
    nothing("none_sigmoid_echo", SIGMOID, "x와 dout을 그대로", "x and dout echoed",
            Define(SIGMOID, _ACTIVATION.format(name=SIGMOID, forward="x", backward="dout"))),
    nothing("none_affine_zeros", AFFINE, "올바른 형상의 0", "zeros of the right shapes", Define(AFFINE, _AFFINE_ZEROS)),
    nothing("none_swl_zero", SWL, "손실 0, 기울기 0", "loss 0, gradient zeros",
            Define(SWL, _SWL_CONSTANT.format(loss="0.0", backward="np.zeros_like(self.t, dtype=float)"))),
    nothing("none_swl_t", SWL, "손실 1, 기울기는 -t", "loss 1, gradient -t",
            Define(SWL, _SWL_CONSTANT.format(loss="1.0", backward="-self.t"))),
    nothing("none_net_zeros", NET, "params와 모든 메서드가 0 (accuracy 0.0)", "zero params and methods (accuracy 0.0)",
            Define(NET, _NET_ZEROS.format(accuracy="0.0"))),
    nothing("none_net_ones", NET, "모든 메서드가 0, accuracy는 1.0", "zeros everywhere, accuracy 1.0",
            Define(NET, _NET_ZEROS.format(accuracy="1.0"))),
]
# fmt: on
