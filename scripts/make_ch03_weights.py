"""Train the chapter 3 inference weights (784-50-100-10, like the book's sample_weight.pkl) and write them as .npz.

The book ships ``sample_weight.pkl``, a pickle: loading one runs code. The kit ships the same kind
of network as ``data/ch03_networks/sample_weight.npz`` (read with ``allow_pickle=False``), trained
here with pure NumPy on the bundled MNIST subset (4,000 training images): sigmoid hidden layers,
softmax output, cross-entropy loss, mini-batch SGD, seed 0. The weights are stored as float32,
as the book's are. ``--check`` retrains and compares the SHA-256 with the committed file's
(float rounding in the BLAS can differ between machines, so a mismatch elsewhere may be only that).

    python scripts/make_ch03_weights.py          # write the file, print its SHA-256 and accuracy
    python scripts/make_ch03_weights.py --check  # retrain and compare with the committed file
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dataset.mnist import load_mnist  # noqa: E402  the kit's dataset package, found from the repository root

OUT = ROOT / "data" / "ch03_networks" / "sample_weight.npz"
SIZES = (784, 50, 100, 10)
SEED, ITERATIONS, BATCH, LEARNING_RATE = 0, 6000, 100, 0.5
KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1 / (1 + np.exp(-x))


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise, stable."""
    x = x - x.max(axis=1, keepdims=True)
    return np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)


def train(x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
    """Mini-batch SGD on the 3-layer network; returns float64 parameters."""
    rng = np.random.default_rng(SEED)
    params = {}
    for i, (n_in, n_out) in enumerate(zip(SIZES[:-1], SIZES[1:], strict=True), start=1):
        params[f"W{i}"] = rng.normal(scale=1 / np.sqrt(n_in), size=(n_in, n_out))
        params[f"b{i}"] = np.zeros(n_out)
    onehot = np.eye(10)[t]
    for _ in range(ITERATIONS):
        idx = rng.choice(len(x), BATCH)
        xb, tb = x[idx].astype(np.float64), onehot[idx]
        z1 = sigmoid(xb @ params["W1"] + params["b1"])
        z2 = sigmoid(z1 @ params["W2"] + params["b2"])
        y = softmax(z2 @ params["W3"] + params["b3"])
        dy = (y - tb) / BATCH
        da2 = (dy @ params["W3"].T) * z2 * (1 - z2)
        da1 = (da2 @ params["W2"].T) * z1 * (1 - z1)
        grads = {
            "W3": z2.T @ dy, "b3": dy.sum(axis=0),
            "W2": z1.T @ da2, "b2": da2.sum(axis=0),
            "W1": xb.T @ da1, "b1": da1.sum(axis=0),
        }  # fmt: skip
        for key in KEYS:
            params[key] -= LEARNING_RATE * grads[key]
    return params


def accuracy(params: dict[str, np.ndarray], x: np.ndarray, t: np.ndarray) -> float:
    """Share of argmax matches (the book's inference)."""
    z1 = sigmoid(x @ params["W1"] + params["b1"])
    z2 = sigmoid(z1 @ params["W2"] + params["b2"])
    return float(np.mean(np.argmax(z2 @ params["W3"] + params["b3"], axis=1) == t))


def npz_bytes(params: dict[str, np.ndarray]) -> bytes:
    """The .npz with fixed dates and order: the same arrays give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key in KEYS:
            data = io.BytesIO()
            np.save(data, params[key], allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data.getvalue())
    return buffer.getvalue()


def main() -> int:
    """Train, then write or check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing")
    options = parser.parse_args()
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=True, source="bundled")
    params = {key: value.astype(np.float32) for key, value in train(x_train, t_train).items()}
    data = npz_bytes(params)
    digest = hashlib.sha256(data).hexdigest()
    print(
        f"train accuracy {accuracy(params, x_train, t_train):.4f}, test accuracy {accuracy(params, x_test, t_test):.4f}"
    )
    if options.check:
        committed = hashlib.sha256(OUT.read_bytes()).hexdigest()
        print(f"retrained {digest}\ncommitted {committed}")
        return 0 if digest == committed else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(data)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(data)} bytes), SHA-256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
