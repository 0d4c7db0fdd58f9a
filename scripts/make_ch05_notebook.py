import nbformat
md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
C = []
C.append(md("""# 5장. 오차역전파법 / Chapter 5: Backpropagation

*밑바닥부터 시작하는 딥러닝 (Deep Learning from Scratch), 사이토 고키* — 실습 과제 `ch05_backprop`

4장에서는 가중치 매개변수의 기울기를 **수치 미분**으로 구했습니다. 구현은 쉽지만 매개변수가 많으면 아주 느립니다.
이 장에서는 기울기를 효율적으로 계산하는 **오차역전파법**(backpropagation)을 **계산 그래프**로 이해하고, 신경망의 각 층을
`forward()`(순전파)와 `backward()`(역전파)를 가진 **계층**(layer) 클래스로 구현합니다.
In chapter 4 the gradients came from **numerical differentiation**: simple, but slow with many parameters. This chapter
computes them efficiently by **backpropagation**, understood through **computational graphs**, and implements each part of
the network as a **layer** class with `forward()` and `backward()`.

`raise NotImplementedError(...)` 줄을 지우고 구현하세요. 저장한 뒤 각 클래스 아래의 `check(...)` 셀로 스스로 점검할 수 있습니다.
Delete each `raise NotImplementedError(...)` line and write the code. After saving, the `check(...)` cell under each
class checks your work."""))
C.append(code("import numpy as np\nfrom collections import OrderedDict"))
C.append(md("""## 0. 주어진 함수 / Given helpers

4장의 `softmax`, `cross_entropy_error`, `numerical_gradient`입니다. 고치지 말고 그대로 쓰세요 (채점기는 이 함수들을 기준 풀이의 것으로 바꿉니다).
Chapter 4's `softmax`, `cross_entropy_error` and `numerical_gradient`: use them as they are (the grader replaces them with
the reference's)."""))
C.append(code('''def softmax(x):
    """행마다 소프트맥스 (오버플로 없이) / the softmax of each row, without overflow."""
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    """배치 평균 교차 엔트로피 오차 (t는 원-핫) / the batch-mean cross-entropy error (t one-hot)."""
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    batch_size = y.shape[0]
    return -np.sum(t * np.log(y + 1e-7)) / batch_size


def numerical_gradient(f, x):
    """중심 차분으로 구한 f의 기울기 (x는 임의 형상) / the central-difference gradient of f at x of any shape."""
    h = 1e-4
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        idx = it.multi_index
        tmp_val = x[idx]
        x[idx] = float(tmp_val) + h
        fxh1 = f(x)
        x[idx] = tmp_val - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp_val
        it.iternext()
    return grad'''))
C.append(md("""## 1. 곱셈 계층과 덧셈 계층 / The multiplication and addition layers

계산 그래프의 노드 하나가 계층 하나입니다. **곱셈 노드** $z = xy$의 역전파는 상류의 미분 `dout`에 순전파 때의 입력을
**서로 바꿔** 곱합니다: $\\partial L/\\partial x = \\text{dout} \\cdot y$, $\\partial L/\\partial y = \\text{dout} \\cdot x$.
그래서 `forward`에서 `x`와 `y`를 **기억해 두어야** 합니다. **덧셈 노드** $z = x + y$는 `dout`을 그대로 양쪽에 흘립니다.
Each node of the graph is one layer. The **multiplication node** $z = xy$ passes back the upstream derivative `dout`
times the *other* input: $\\partial L/\\partial x = \\text{dout} \\cdot y$, $\\partial L/\\partial y = \\text{dout} \\cdot x$,
so `forward` must **keep** `x` and `y`. The **addition node** $z = x + y$ passes `dout` on unchanged to both inputs.

| 메서드 / method | 반환 / returns |
|---|---|
| `MulLayer.forward(x, y)` | `x * y` (x, y를 저장 / keeps x and y) |
| `MulLayer.backward(dout)` | `(dout * y, dout * x)` |
| `AddLayer.forward(x, y)` | `x + y` |
| `AddLayer.backward(dout)` | `(dout, dout)` |

`x`, `y`, `dout`은 수(스칼라) 또는 같은 형상의 배열입니다. / `x`, `y`, `dout` are numbers or arrays of one shape."""))
C.append(code('''class MulLayer:
    """곱셈 계층 / the multiplication layer."""

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        ### BEGIN SOLUTION
        self.x = x
        self.y = y
        out = x * y
        return out
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        dx = dout * self.y  # x와 y를 바꾼다 / swap x and y
        dy = dout * self.x
        return dx, dy
        ### END SOLUTION'''))
C.append(code('''class AddLayer:
    """덧셈 계층 / the addition layer."""

    def __init__(self):
        pass

    def forward(self, x, y):
        ### BEGIN SOLUTION
        out = x + y
        return out
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        dx = dout * 1
        dy = dout * 1
        return dx, dy
        ### END SOLUTION'''))
C.append(md("""### 사과와 귤 쇼핑 / Buying apples and oranges

사과 100원 2개, 귤 150원 3개, 소비세 10%. 지불 금액은 715원이고, 역전파로 각 값에 대한 미분을 구합니다:
사과 가격 2.2, 사과 개수 110, 귤 가격 3.3, 귤 개수 165, 소비세 650.
Two apples at 100, three oranges at 150, 10% tax: the price is 715, and backpropagation gives its derivative by each
input: apple price 2.2, apple count 110, orange price 3.3, orange count 165, tax 650."""))
C.append(code('''apple, apple_num, orange, orange_num, tax = 100, 2, 150, 3, 1.1
mul_apple_layer, mul_orange_layer = MulLayer(), MulLayer()
add_apple_orange_layer, mul_tax_layer = AddLayer(), MulLayer()

apple_price = mul_apple_layer.forward(apple, apple_num)
orange_price = mul_orange_layer.forward(orange, orange_num)
all_price = add_apple_orange_layer.forward(apple_price, orange_price)
price = mul_tax_layer.forward(all_price, tax)

dall_price, dtax = mul_tax_layer.backward(1)
dapple_price, dorange_price = add_apple_orange_layer.backward(dall_price)
dorange, dorange_num = mul_orange_layer.backward(dorange_price)
dapple, dapple_num = mul_apple_layer.backward(dapple_price)

print(price)                                     # 715.0000000000001
print(dapple_num, dapple, dorange, dorange_num, dtax)  # 110.00000000000001 2.2 3.3000000000000003 165.0 650'''))
C.append(md("""## 2. 활성화 함수 계층 / Activation layers

**ReLU**: $y = x\\ (x > 0)$, $0\\ (x \\le 0)$. 역전파는 순전파 때 $x > 0$이던 곳에서만 `dout`을 흘리고 나머지는 0입니다.
`forward`에서 `self.mask = (x <= 0)`를 **저장**해 두고 `backward`에서 씁니다.
**ReLU** passes `dout` back only where $x > 0$ was in the forward pass, 0 elsewhere: `forward` keeps
`self.mask = (x <= 0)` for `backward`.

**Sigmoid**: $y = 1 / (1 + \\exp(-x))$, $\\partial L/\\partial x = \\text{dout} \\cdot y(1 - y)$. 순전파의 **출력** `self.out`만
있으면 됩니다. / needs only the forward **output** `self.out`.

두 계층 모두 입력은 임의 형상의 배열이며, `forward`가 받은 배열을 바꾸면 안 됩니다.
Both take arrays of any shape; `forward` must not change the array it is given."""))
C.append(code('''class Relu:
    """ReLU 계층 / the ReLU layer."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        ### BEGIN SOLUTION
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        dout[self.mask] = 0
        dx = dout
        return dx
        ### END SOLUTION'''))
C.append(code('''class Sigmoid:
    """Sigmoid 계층 / the sigmoid layer."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        ### BEGIN SOLUTION
        out = 1 / (1 + np.exp(-x))
        self.out = out
        return out
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        dx = dout * (1.0 - self.out) * self.out
        return dx
        ### END SOLUTION'''))
C.append(md("""## 3. Affine 계층과 Softmax-with-Loss 계층 / The Affine and Softmax-with-Loss layers

**Affine** (행렬 곱 + 편향) / (matrix product and bias): `forward(x)` = `x @ W + b` (x는 (N, 입력 크기)의 배치 / a batch of
shape (N, input size)). `backward(dout)`은 `dx = dout @ W.T`를 반환하고, 매개변수의 기울기
`self.dW = x.T @ dout`, `self.db = dout의 배치 방향 합 (axis=0)`을 **저장**합니다.
`backward(dout)` returns `dx = dout @ W.T` and **keeps** the parameter gradients `self.dW = x.T @ dout` and
`self.db = the sum of dout over the batch (axis=0)`.

**SoftmaxWithLoss**: `forward(x, t)`는 `y = softmax(x)`와 교차 엔트로피 오차를 계산해 **손실(스칼라)**을 반환하고
(`t`는 원-핫), `backward(dout=1)`은 `(y - t) / 배치 크기`를 반환합니다.
`forward(x, t)` returns the **loss** (a scalar) of `y = softmax(x)` against the one-hot `t`; `backward(dout=1)` returns
`(y - t) / batch_size`."""))
C.append(code('''class Affine:
    """Affine 계층 / the affine layer: x @ W + b."""

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        ### BEGIN SOLUTION
        self.x = x
        out = np.dot(x, self.W) + self.b
        return out
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx
        ### END SOLUTION'''))
C.append(code('''class SoftmaxWithLoss:
    """Softmax-with-Loss 계층 / the softmax-with-loss layer."""

    def __init__(self):
        self.loss = None  # 손실 / the loss
        self.y = None     # softmax의 출력 / the softmax's output
        self.t = None     # 정답 레이블 (원-핫) / the one-hot labels

    def forward(self, x, t):
        ### BEGIN SOLUTION
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss
        ### END SOLUTION

    def backward(self, dout=1):
        ### BEGIN SOLUTION
        batch_size = self.t.shape[0]
        dx = (self.y - self.t) / batch_size
        return dx
        ### END SOLUTION'''))
C.append(md("""## 4. 오차역전파법을 쓰는 2층 신경망 / A two-layer network with backpropagation

4장의 `TwoLayerNet`을 계층으로 다시 만듭니다: `Affine1 → Relu1 → Affine2`, 마지막 계층은 `SoftmaxWithLoss`.
`params` (W1, b1, W2, b2; 가중치는 `weight_init_std * np.random.randn`, 편향은 0)는 4장과 같고, Affine 계층은 **같은 배열**을
씁니다 (`Affine(self.params['W1'], self.params['b1'])`). `predict(x)`는 마지막 계층 전까지의 점수,
`loss(x, t)`는 그 손실, `accuracy(x, t)`는 맞힌 비율, `numerical_gradient(x, t)`는 수치 미분,
`gradient(x, t)`는 **오차역전파법**으로 W1 b1 W2 b2의 기울기를 `params`와 같은 형상의 딕셔너리로 반환합니다. `t`는 원-핫.
Chapter 4's `TwoLayerNet` rebuilt from layers: `Affine1 → Relu1 → Affine2`, then `SoftmaxWithLoss`. `params` as in
chapter 4; the Affine layers use **the same arrays**. `predict(x)` gives the scores before the last layer, `loss(x, t)`
their loss, `accuracy(x, t)` the share of right answers, `numerical_gradient(x, t)` the numerical gradients and
`gradient(x, t)` the gradients by **backpropagation**, as dicts shaped like `params`. `t` is one-hot."""))
C.append(code('''class TwoLayerNet:
    """계층으로 만든 2층 신경망 / a two-layer network built from layers."""

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        ### BEGIN SOLUTION
        self.params = {}
        self.params['W1'] = weight_init_std * np.random.randn(input_size, hidden_size)
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = weight_init_std * np.random.randn(hidden_size, output_size)
        self.params['b2'] = np.zeros(output_size)

        self.layers = OrderedDict()
        self.layers['Affine1'] = Affine(self.params['W1'], self.params['b1'])
        self.layers['Relu1'] = Relu()
        self.layers['Affine2'] = Affine(self.params['W2'], self.params['b2'])
        self.lastLayer = SoftmaxWithLoss()
        ### END SOLUTION

    def predict(self, x):
        ### BEGIN SOLUTION
        for layer in self.layers.values():
            x = layer.forward(x)
        return x
        ### END SOLUTION

    def loss(self, x, t):
        ### BEGIN SOLUTION
        y = self.predict(x)
        return self.lastLayer.forward(y, t)
        ### END SOLUTION

    def accuracy(self, x, t):
        ### BEGIN SOLUTION
        y = self.predict(x)
        y = np.argmax(y, axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        accuracy = np.sum(y == t) / float(x.shape[0])
        return accuracy
        ### END SOLUTION

    def numerical_gradient(self, x, t):
        ### BEGIN SOLUTION
        loss_W = lambda W: self.loss(x, t)
        grads = {}
        grads['W1'] = numerical_gradient(loss_W, self.params['W1'])
        grads['b1'] = numerical_gradient(loss_W, self.params['b1'])
        grads['W2'] = numerical_gradient(loss_W, self.params['W2'])
        grads['b2'] = numerical_gradient(loss_W, self.params['b2'])
        return grads
        ### END SOLUTION

    def gradient(self, x, t):
        ### BEGIN SOLUTION
        # forward
        self.loss(x, t)

        # backward
        dout = 1
        dout = self.lastLayer.backward(dout)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)

        grads = {}
        grads['W1'], grads['b1'] = self.layers['Affine1'].dW, self.layers['Affine1'].db
        grads['W2'], grads['b2'] = self.layers['Affine2'].dW, self.layers['Affine2'].db
        return grads
        ### END SOLUTION'''))
C.append(md("""### 기울기 확인 / Gradient check

오차역전파법의 기울기와 수치 미분의 기울기는 거의 같아야 합니다 (차이 1e-10 정도).
Backpropagation and numerical differentiation must agree (differences around 1e-10)."""))
C.append(code('''np.random.seed(0)
net = TwoLayerNet(input_size=6, hidden_size=5, output_size=3)
x_check = np.random.rand(3, 6)
t_check = np.eye(3)[[0, 2, 1]]
grad_numerical = net.numerical_gradient(x_check, t_check)
grad_backprop = net.gradient(x_check, t_check)
for key in grad_numerical.keys():
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff))'''))
C.append(md("""## 5. 학습 / Training: `train_neuralnet`

책의 `train_neuralnet.py`를 여러분의 `TwoLayerNet`으로 실행합니다 (키트에 들어 있는 MNIST 일부, 훈련 4,000장 / 시험 1,000장).
채점기는 같은 반복문(미니배치 100, 학습률 0.1, 은닉층 50)을 여러분의 `__init__`과 `gradient`로 짧게 돌려 시험 정확도를 봅니다.
The book's `train_neuralnet.py` with your `TwoLayerNet` on the bundled MNIST subset (4,000 training and 1,000 test
images). The grader runs the same loop (batches of 100, learning rate 0.1, 50 hidden units) briefly with your
`__init__` and `gradient` and looks at the test accuracy."""))
C.append(code('''# 책처럼 부모 폴더의 dataset/을 찾을 수 있게 합니다 / as in the book: make dataset/ in the parent folder importable
import sys, os
sys.path.append(os.pardir)

try:
    from dataset.mnist import load_mnist
except ImportError as error:
    raise ImportError("dataset/ 폴더를 찾을 수 없습니다. 이 노트북을 과제 폴더의 assignments/ 안에서 여세요. / "
                      "cannot find dataset/: open this notebook from the assignment's assignments/ folder") from error

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True, source="bundled")
network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)

iters_num, train_size, batch_size, learning_rate = 600, x_train.shape[0], 100, 0.1
iter_per_epoch = max(train_size // batch_size, 1)
for i in range(iters_num):
    batch_mask = np.random.choice(train_size, batch_size)
    x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
    grad = network.gradient(x_batch, t_batch)  # 오차역전파법 / backpropagation
    for key in ('W1', 'b1', 'W2', 'b2'):
        network.params[key] -= learning_rate * grad[key]
    if i % (5 * iter_per_epoch) == 0:
        print(i, network.accuracy(x_train, t_train), network.accuracy(x_test, t_test))'''))
for n, c in enumerate(C):
    c.id = f"ch05-{n:02d}"
nb = nbformat.v4.new_notebook(cells=C)
nb.metadata = {"grader": {"assignment": "ch05_backprop", "lang": "ko"},
               "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
               "language_info": {"name": "python"}}
nbformat.write(nb, "/work/wt-author/solutions/ch05_backprop.ipynb")
