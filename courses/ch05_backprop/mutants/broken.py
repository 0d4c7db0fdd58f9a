"""Broken notebooks: code that does not run as written, each with the message code its unit's tests must give.

Their diagnoses are the engine's facts (a SyntaxError's cell and line, a misspelt name, a missing return, an
endless loop) or, for an exception in a student's helper, the course's hint for that exception.
"""

from __future__ import annotations

from courses.ch05_backprop.hints import RELU_MAXIMUM
from courses.ch05_backprop.mutants.base import ADD, MUL, RELU, SIGMOID, SWL, Define, Replace, Variant
from courses.ch05_backprop.mutants.base import broken as _broken

_SWL_ENDLESS = """
class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = -np.sum(self.t * np.log(self.y + 1e-7)) / self.t.shape[0]
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = np.zeros_like(self.y)
        i = 0
        while i < batch_size:
            dx[i] = (self.y[i] - self.t[i]) / batch_size
        return dx
"""

_RELU_HELPER = """
def clip_negative(x):
    return np.max(0, x)


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        return clip_negative(x)

    def backward(self, dout):
        dout[self.mask] = 0
        return dout
"""

SYNTAX_ERROR, MISSPELT = ("grader.syntax-error",), ("grader.misspelt-name",)
RETURNED_NONE, TIMEOUT = ("grader.returned-none",), ("grader.timeout",)

# fmt: off
BROKEN: list[Variant] = [
    _broken("sigmoid_syntax_paren", SIGMOID, "닫는 괄호를 빠뜨림 (셀 전체가 SyntaxError)",
            "a closing parenthesis is missing (the whole cell is a SyntaxError)",
            Replace(f"{SIGMOID}.forward", "out = 1 / (1 + np.exp(-x))", "out = 1 / (1 + np.exp(-x)"), hints=SYNTAX_ERROR),
    _broken("add_misspelt", ADD, "클래스 이름을 Addlayer로 씀", "the class named Addlayer",
            Replace(ADD, "class AddLayer:", "class Addlayer:"), hints=MISSPELT),
    _broken("mul_no_return", MUL, "forward에 return이 없음", "forward has no return",
            Replace(f"{MUL}.forward", "return out", "self.out = out"), hints=RETURNED_NONE),
    _broken("swl_endless_while", SWL, "while i < batch_size: 안에서 i를 늘리지 않음 (끝나지 않음)",
            "while i < batch_size: without advancing i (never ends)", Define(SWL, _SWL_ENDLESS), hints=TIMEOUT),
    _broken("relu_helper_np_max", RELU, "직접 만든 도우미 clip_negative()가 np.max(0, x)를 씀",
            "a helper clip_negative() of the student's uses np.max(0, x)", Define(RELU, _RELU_HELPER),
            hints=(RELU_MAXIMUM.id,)),
]
# fmt: on
