"""Procedures the tests run with a student's class, known by name on both sides.

Like :mod:`courses.ch04_learning.untrusted.testfuncs` for functions: a test cannot send a training loop to
the worker, so it names one from this library and the worker runs it on the
student's class (the trusted side runs the same one on the reference's). The loop
is kit code; only the student's ``__init__`` and ``gradient`` steer it. Losses
and accuracies are computed here from ``params`` with the contract's forward pass,
so a mistake in ``predict``, ``loss`` or ``accuracy`` costs points once, in the
TwoLayerNet unit. What the worker reports is for display: the graded numbers are
recomputed on the trusted side from the parameters that come back.
"""

from __future__ import annotations

import time

import numpy as np

PARAM_KEYS = ("W1", "b1", "W2", "b2")
DELTA = 1e-7


class ProcedureError(Exception):
    """The student's object does not fit the procedure (a missing key, a wrong shape)."""


def logits(params: dict, x: np.ndarray) -> np.ndarray:
    """sigmoid(x W1 + b1) W2 + b2: the contract's predict before its softmax, in x's float dtype.

    float32 images (as load_mnist gives) make it twice as fast, enough for the curves; the
    trusted side passes float64 for the accuracy that decides the grade.
    """
    W1, b1, W2, b2 = (np.asarray(params[key], dtype=x.dtype) for key in PARAM_KEYS)
    hidden = 1.0 / (1.0 + np.exp(-(x @ W1 + b1)))
    return hidden @ W2 + b2


def accuracy_of(params: dict, x: np.ndarray, labels: np.ndarray) -> float:
    """Share of rows whose largest output is the label (softmax keeps the order, so logits suffice)."""
    return float(np.mean(np.argmax(logits(params, x), axis=1) == labels))


def loss_of(params: dict, x: np.ndarray, labels: np.ndarray) -> float:
    """The batch-mean cross-entropy error of softmax(logits) with the contract's 1e-7."""
    scores = logits(params, x)
    scores = scores - scores.max(axis=1, keepdims=True)
    y = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(y[np.arange(len(labels)), labels] + DELTA)))


def _checked_gradient(grads: object, params: dict) -> dict:
    """``gradient``'s return value, checked once against ``params``."""
    if not isinstance(grads, dict):
        raise ProcedureError(f"gradient() returned {type(grads).__name__}, not a dict with keys W1 b1 W2 b2")
    for key in PARAM_KEYS:
        if key not in grads:
            raise ProcedureError(f"gradient() returned no {key!r}; the keys must be W1 b1 W2 b2")
        if np.shape(grads[key]) != np.shape(params[key]):
            raise ProcedureError(
                f"gradient()[{key!r}] has shape {np.shape(grads[key])}; params[{key!r}] has {np.shape(params[key])}"
            )
    return grads


def train_two_layer_net(
    network_class,
    x_train: np.ndarray,
    t_train: np.ndarray,
    x_test: np.ndarray,
    t_test: np.ndarray,
    *,
    hidden_size: int = 50,
    iters_num: int = 10000,
    batch_size: int = 100,
    learning_rate: float = 0.1,
    snapshots: tuple[int, ...] = (),
) -> dict:
    """The book's train_neuralnet: mini-batch SGD with ``network.gradient``.

    Seed NumPy first (the Call does): the net is built, then every mini-batch drawn
    with ``np.random.choice`` as in the book, so equal code gives equal runs.
    Returns ``train_loss`` (per iteration), ``epochs`` (the iterations at which
    ``train_acc`` and ``test_acc`` were measured: 0 and every epoch after),
    the final ``params`` and ``seconds`` (wall clock of the loop); with ``snapshots``, also the
    parameters after each of those numbers of iterations (``snapshots``, in that order), so that one
    run serves a shorter test too (its first iterations are that shorter run's, batch for batch).
    """
    train_size = x_train.shape[0]
    labels_train, labels_test = np.argmax(t_train, axis=1), np.argmax(t_test, axis=1)
    network = network_class(x_train.shape[1], hidden_size, t_train.shape[1])
    if not isinstance(network.params, dict) or any(key not in network.params for key in PARAM_KEYS):
        raise ProcedureError("the network needs a params dict with keys W1 b1 W2 b2")
    iter_per_epoch = max(train_size // batch_size, 1)
    train_loss, epochs, train_acc, test_acc, taken = np.empty(iters_num), [], [], [], []
    start = time.perf_counter()
    for i in range(iters_num):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
        grad = network.gradient(x_batch, t_batch)
        params = network.params
        if i == 0:
            grad = _checked_gradient(grad, params)
        for key in PARAM_KEYS:
            params[key] -= learning_rate * grad[key]  # in place, as the book does
        if i + 1 in snapshots:
            taken.append({key: np.array(params[key], dtype=np.float64) for key in PARAM_KEYS})
        train_loss[i] = loss_of(params, x_batch, labels_train[batch_mask])
        if i % iter_per_epoch == 0:
            epochs.append(i)
            train_acc.append(accuracy_of(params, x_train, labels_train))
            test_acc.append(accuracy_of(params, x_test, labels_test))
    return {
        "train_loss": train_loss,
        "epochs": np.array(epochs, dtype=np.int64),
        "train_acc": np.array(train_acc),
        "test_acc": np.array(test_acc),
        "params": {key: np.array(network.params[key], dtype=np.float64) for key in PARAM_KEYS},
        "seconds": time.perf_counter() - start,
        "snapshots": taken,
    }


LIBRARY = {procedure.__name__: procedure for procedure in (train_two_layer_net,)}


def lookup(name: str):
    """The procedure called ``name``."""
    try:
        return LIBRARY[name]
    except KeyError:
        raise KeyError(f"no procedure named {name!r}") from None
