"""MNIST for the chapter-4 notebook, used as in the book: ``from dataset.mnist import load_mnist``.

Where the images come from (the first that works wins):

1. ``$MNIST_DIR``: a folder holding the four standard IDX files (``train-images-idx3-ubyte.gz``,
   ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``),
   each checked against its published SHA-256. Set it and it must be right: a missing or damaged
   file is an error, not a silent fallback.
2. The cache, ``$XDG_CACHE_HOME/ch04-grader/mnist`` (``~/.cache/ch04-grader/mnist`` by default).
3. A download from the standard mirrors into the cache (skipped when ``MNIST_OFFLINE=1``). A file
   is written to the cache, atomically, only after its SHA-256 matched: a corrupt or truncated
   download is an error and never cached.
4. Offline: the real 5,000-image subset bundled in ``dataset/mnist_5k/`` (4,000 training and
   1,000 test images, every digit balanced; see ``dataset/NOTICE.md``).

``last_source`` says which one the last call used; the first use of each source in a process
also says it on standard error, with how to get the full set.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np

FILES = {
    "train_img": "train-images-idx3-ubyte.gz",
    "train_label": "train-labels-idx1-ubyte.gz",
    "test_img": "t10k-images-idx3-ubyte.gz",
    "test_label": "t10k-labels-idx1-ubyte.gz",
}
# SHA-256 of the published files (the same on every mirror; TensorFlow Datasets pins these too).
FULL_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
# Written by scripts/make_mnist_subset.py; the grader's thresholds are calibrated on exactly these.
BUNDLED_SHA256 = {
    "train-images-idx3-ubyte.gz": "eb0af81c3a108e542d5afbea6d2a93e7ad80cb94108fd1b2608b9b66b15f4fe3",
    "train-labels-idx1-ubyte.gz": "cc35a77a068e689bde898fdb91b6e1a693b399955df7dbafd135563df561704c",
    "t10k-images-idx3-ubyte.gz": "e852ea596d59ad1b11a5c6373cfd2e37033116f6326681e81311e9dcb075fb19",
    "t10k-labels-idx1-ubyte.gz": "f4f85b9a08202f13d878c6ba965ef47ed846eb7762782382e17daa260461a2dc",
}
BUNDLED_DIR = Path(__file__).resolve().parent / "mnist_5k"
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
ENV_DIR = "MNIST_DIR"
ENV_OFFLINE = "MNIST_OFFLINE"
TIMEOUT_SECONDS = 10.0  # per connection attempt and per read
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024  # the largest file is 9.9 MB
IMG_SIZE = 784
SOURCES = ("auto", "full", "bundled")

last_source: str | None = None  # what the last load_mnist call read, e.g. "bundled subset: .../mnist_5k"
_announced: set[str] = set()


class MnistError(Exception):
    """MNIST could not be read: a missing, corrupt or truncated file, or a failed download."""


def load_mnist(normalize=True, flatten=True, one_hot_label=False, *, source="auto"):
    """MNIST as ``((x_train, t_train), (x_test, t_test))``, with the book's options.

    normalize: images as float32 in [0, 1] (else uint8 0-255).
    flatten: images as (N, 784) rows (else (N, 1, 28, 28)).
    one_hot_label: labels as (N, 10) one-hot float rows (else uint8 digits of shape (N,)).
    source: "auto" (the order in this module's docstring), "full" (the full set only, an error
    if it cannot be had) or "bundled" (the bundled subset only, quietly).
    """
    global last_source
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    if source == "bundled":
        arrays, last_source, note = read_dataset(BUNDLED_DIR, BUNDLED_SHA256), f"bundled subset: {BUNDLED_DIR}", None
    else:
        arrays, last_source, note = _load_full_or_bundled(allow_bundled=source == "auto")
    if note and last_source.split(":")[0] not in _announced:
        _announced.add(last_source.split(":")[0])
        print(note, file=sys.stderr)
    return _shape(arrays, normalize, flatten, one_hot_label)


def _load_full_or_bundled(allow_bundled: bool) -> tuple[dict[str, np.ndarray], str, str | None]:
    """(arrays, source, note to print) following the order of the module docstring."""
    folder = os.environ.get(ENV_DIR)
    if folder:
        return read_dataset(Path(folder), FULL_SHA256), f"{ENV_DIR}: {folder}", f"load_mnist: MNIST from {folder}"
    cache = cache_dir()
    missing = [name for name, digest in FULL_SHA256.items() if not _is_verified(cache / name, digest)]
    problem = None
    if missing and os.environ.get(ENV_OFFLINE, "") not in ("", "0"):
        problem = f"{ENV_OFFLINE} is set"
    elif missing:
        try:
            for name in missing:
                download(name, FULL_SHA256[name], cache)
        except MnistError as error:
            problem = str(error)
    if problem is None:
        note = f"load_mnist: MNIST from {cache}" + (" (downloaded just now)" if missing else "")
        return read_dataset(cache, FULL_SHA256), f"cache: {cache}", note
    if not allow_bundled:
        raise MnistError(f"the full MNIST set is not available ({problem}). {HOW_TO_GET_FULL.format(cache=cache)}")
    note = (
        f"load_mnist: 전체 MNIST를 받을 수 없어 동봉된 부분집합(훈련 4,000 / 시험 1,000)을 씁니다 / "
        f"using the bundled MNIST subset (4,000 train / 1,000 test images): {problem}. "
        + HOW_TO_GET_FULL.format(cache=cache)
    )
    return read_dataset(BUNDLED_DIR, BUNDLED_SHA256), f"bundled subset: {BUNDLED_DIR}", note


HOW_TO_GET_FULL = (
    "For the full 60,000/10,000 set, run load_mnist once online (it downloads to {cache}), "
    "or put the four IDX .gz files in a folder and set MNIST_DIR to it."
)


def cache_dir() -> Path:
    """Where downloads are kept: $XDG_CACHE_HOME/ch04-grader/mnist, else ~/.cache/ch04-grader/mnist."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ch04-grader" / "mnist"


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_verified(path: Path, expected: str) -> bool:
    return path.is_file() and sha256_of(path) == expected


def read_dataset(folder: Path, checksums: dict[str, str]) -> dict[str, np.ndarray]:
    """The four arrays of a folder of IDX .gz files, each checked against ``checksums`` first."""
    arrays = {}
    for key, name in FILES.items():
        path = folder / name
        if not path.is_file():
            raise MnistError(f"{path} is missing: the folder needs {', '.join(FILES.values())}")
        digest = sha256_of(path)
        if digest != checksums[name]:
            raise MnistError(
                f"{path} is corrupt, truncated or not the expected file: its SHA-256 is {digest}, "
                f"expected {checksums[name]}. Delete it and get it again."
            )
        arrays[key] = read_idx_gz(path)
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_img"], arrays[f"{part}_label"]
        if images.ndim != 3 or images.shape[1:] != (28, 28) or labels.shape != (images.shape[0],):
            raise MnistError(f"{folder}: {part} images {images.shape} and labels {labels.shape} do not match")
    return arrays


def read_idx_gz(path: Path) -> np.ndarray:
    """The array in a gzipped IDX file; a damaged file raises MnistError naming it."""
    try:
        with gzip.open(path, "rb") as stream:
            data = stream.read()
    except (OSError, EOFError, zlib.error) as error:
        raise MnistError(f"{path} is corrupt or truncated (gzip: {error}). Delete it and get it again.") from None
    return parse_idx(data, str(path))


def parse_idx(data: bytes, name: str = "IDX data") -> np.ndarray:
    """An unsigned-byte IDX array (magic 0x00 0x00 0x08 ndim, big-endian sizes, then the bytes)."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise MnistError(f"{name} is not an IDX file (bad magic number)")
    if data[2] != 0x08:
        raise MnistError(f"{name}: element type 0x{data[2]:02x} is not unsigned bytes (0x08)")
    ndim = data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise MnistError(f"{name}: truncated header")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape, dtype=np.int64))
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "longer than its header says"
        raise MnistError(f"{name} is {what}: {len(data)} bytes for shape {shape}, expected {expected}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def download(name: str, expected_sha256: str, folder: Path, mirrors=None, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Fetch ``name`` from the first mirror (default MIRRORS) that serves the right bytes; cache it atomically."""
    failures = []
    for mirror in mirrors or MIRRORS:
        url = mirror + name
        try:
            data = _fetch(url, timeout)
        except MnistError as error:
            failures.append(str(error))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest != expected_sha256:
            failures.append(f"{url} sent corrupt or truncated data (SHA-256 {digest}, expected {expected_sha256})")
            continue
        try:
            return _write_atomically(folder / name, data)
        except OSError as error:
            raise MnistError(f"could not write {folder / name}: {error}") from None
    raise MnistError(f"could not download {name}, nothing was cached: " + "; ".join(failures))


def _fetch(url: str, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            data = response.read(MAX_DOWNLOAD_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise MnistError(f"{url}: {getattr(error, 'reason', error)}") from None
    except Exception as error:  # noqa: BLE001  http.client.IncompleteRead and friends: the connection broke
        raise MnistError(f"{url}: the download broke off ({type(error).__name__})") from None
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise MnistError(f"{url}: larger than {MAX_DOWNLOAD_BYTES} bytes, not an MNIST file")
    if declared is not None and declared.isdigit() and int(declared) != len(data):
        raise MnistError(f"{url}: truncated download ({len(data)} of {declared} bytes)")
    return data


def _write_atomically(path: Path, data: bytes) -> Path:
    """Write to a temporary file in the same folder, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _shape(arrays: dict[str, np.ndarray], normalize: bool, flatten: bool, one_hot_label: bool):
    """The book's return value from the raw uint8 arrays."""
    out = {}
    for part in ("train", "test"):
        images = arrays[f"{part}_img"]
        images = images.reshape(-1, IMG_SIZE) if flatten else images.reshape(-1, 1, 28, 28)
        images = images.astype(np.float32) / np.float32(255.0) if normalize else images.copy()
        labels = arrays[f"{part}_label"].copy()
        if one_hot_label:
            labels = np.eye(10)[labels]
        out[part] = (images, labels)
    return out["train"], out["test"]
