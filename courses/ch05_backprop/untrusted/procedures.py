"""The book's train_neuralnet (chapter 5) run with a student's TwoLayerNet, known by name on both sides.

Only the student's ``__init__`` and ``gradient`` steer it; the loop, the minibatches and the update are kit code.
The graded numbers (test accuracy, losses) are recomputed on the trusted side from the parameters that come back.
"""

from __future__ import annotations

import numpy as np

PARAM_KEYS = ("W1", "b1", "W2", "b2")


class ProcedureError(Exception):
    """The student's network does not fit the loop (no params dict, a gradient of the wrong shape)."""


def _checked(grads: object, params: dict) -> dict:
    if not isinstance(grads, dict):
        raise ProcedureError(f"gradient() returned {type(grads).__name__}, not a dict with keys W1 b1 W2 b2")
    for key in PARAM_KEYS:
        if key not in grads or np.shape(grads[key]) != np.shape(params[key]):
            raise ProcedureError(f"gradient()[{key!r}] is missing or not shaped like params[{key!r}]")
    return grads


def train_backprop_net(network_class, x_train, t_train, *, hidden_size=50, iters_num=400, batch_size=100,
                       learning_rate=0.1, snapshots=()):  # fmt: skip
    """Mini-batch SGD with ``network.gradient`` (seed NumPy first: the Call does). Returns the parameters at the
    end and after each iteration count in ``snapshots``, as float64 copies."""
    network = network_class(x_train.shape[1], hidden_size, t_train.shape[1])
    if not isinstance(network.params, dict) or any(key not in network.params for key in PARAM_KEYS):
        raise ProcedureError("the network needs a params dict with keys W1 b1 W2 b2")
    taken = []
    for i in range(iters_num):
        batch_mask = np.random.choice(x_train.shape[0], batch_size)
        grad = _checked(network.gradient(x_train[batch_mask], t_train[batch_mask]), network.params)
        for key in PARAM_KEYS:
            network.params[key] -= learning_rate * grad[key]  # in place, as the book does
        if i + 1 in snapshots:
            taken.append({key: np.array(network.params[key], dtype=np.float64) for key in PARAM_KEYS})
    final = {key: np.array(network.params[key], dtype=np.float64) for key in PARAM_KEYS}
    return {"params": final, "snapshots": taken}


LIBRARY = {procedure.__name__: procedure for procedure in (train_backprop_net,)}
