"""Calibrate the train_neuralnet unit: the reference's test accuracy and time, and common wrong gradients.

Runs :func:`courses.ch04_learning.untrusted.procedures.train_two_layer_net` in this process on the bundled
MNIST subset, with the instructor's TwoLayerNet and with copies whose ``gradient``
has a classic mistake, for a few seeds. The thresholds in
courses/ch04_learning/training.py sit between the two groups.

    python scripts/calibrate_training.py                 # 400 and 2000 iterations, seeds 0-4
    python scripts/calibrate_training.py --iters 10000 --seeds 1
    python scripts/calibrate_training.py --iters 600 --seed 2024 --seed 0
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as in the worker
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from courses.ch04_learning import training as ch04_training
from courses.ch04_learning.untrusted import procedures
from grader.assignment import load_assignment
from grader.pipeline.reference import load_solution_reference


def mutants(reference_class, namespace: dict) -> dict[str, type]:
    """The reference class and copies whose gradient has one classic mistake."""
    sigmoid, sigmoid_grad, softmax = namespace["sigmoid"], namespace["sigmoid_grad"], namespace["softmax"]

    def backprop(self, x, t, *, divide=True, grad_at="a1", sign=1.0):
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        a1 = x @ W1 + b1
        z1 = sigmoid(a1)
        y = softmax(z1 @ W2 + b2)
        dy = sign * (y - t) / (x.shape[0] if divide else 1)
        dz1 = sigmoid_grad(a1 if grad_at == "a1" else z1) * (dy @ W2.T)
        return {"W1": x.T @ dz1, "b1": dz1.sum(axis=0), "W2": z1.T @ dy, "b2": dy.sum(axis=0)}

    variants = {
        "no / batch_num": {"divide": False},
        "sigmoid_grad(z1)": {"grad_at": "z1"},
        "gradient ascent (t - y)": {"sign": -1.0},
    }
    classes = {"reference": reference_class}
    for name, options in variants.items():
        classes[name] = type(
            "Mutant", (reference_class,), {"gradient": lambda self, x, t, o=options: backprop(self, x, t, **o)}
        )
    return classes


def main() -> int:
    """Print test accuracy and seconds per class, iteration count and seed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=int, action="append", help="iterations (repeatable; default 400 and 2000)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1")
    parser.add_argument("--seed", type=int, action="append", help="these seeds instead (the unit's own is 2024)")
    options = parser.parse_args()
    reference = load_solution_reference(load_assignment("ch04_learning"))
    x_train, t_train, x_test, t_test = ch04_training.bundled_mnist()
    for iters in options.iters or [400, 2000]:
        for name, cls in mutants(reference.namespace["TwoLayerNet"], reference.namespace).items():
            results = []
            for seed in options.seed or range(options.seeds):
                np.random.seed(seed)
                start = time.perf_counter()
                with np.errstate(all="ignore"):
                    run = procedures.train_two_layer_net(
                        cls,
                        x_train,
                        t_train,
                        x_test,
                        t_test,
                        iters_num=iters,
                        hidden_size=50,
                        batch_size=100,
                        learning_rate=0.1,
                    )
                    accuracy = ch04_training.accuracy_on_test_set(run["params"])
                results.append((accuracy, time.perf_counter() - start))
            accuracies = ", ".join(f"{a:.3f}" for a, _ in results)
            print(
                f"{iters:6d} iterations  {name:<24} test acc {accuracies}  ({np.mean([s for _, s in results]):.2f} s)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
