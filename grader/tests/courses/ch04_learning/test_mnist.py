"""dataset/mnist.py: the IDX parser, the download path (served from 127.0.0.1) and the bundled subset."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest

from dataset import mnist

NAMES = list(mnist.FILES.values())


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def small_dataset() -> tuple[dict[str, np.ndarray], dict[str, bytes]]:
    """Arrays and their gzipped IDX files: 6 training and 3 test images of 28x28."""
    rng = np.random.default_rng(7)
    arrays = {
        "train_img": rng.integers(0, 256, (6, 28, 28)),
        "train_label": rng.integers(0, 10, 6),
        "test_img": rng.integers(0, 256, (3, 28, 28)),
        "test_label": rng.integers(0, 10, 3),
    }
    files = {mnist.FILES[key]: gzip.compress(idx_bytes(array), mtime=0) for key, array in arrays.items()}
    return arrays, files


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Server:
    """A local HTTP server: ``files`` maps paths to bytes; ``cut`` paths send half the body."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.cut: set[str] = set()
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                body = server.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if self.path in server.cut else body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, folder: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{folder}/"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    running = Server()
    yield running
    running.stop()


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No MNIST_DIR, no offline switch, a private cache, and a fresh 'already said' memory."""
    monkeypatch.delenv(mnist.ENV_DIR, raising=False)
    monkeypatch.delenv(mnist.ENV_OFFLINE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(mnist, "_announced", set())
    return tmp_path


# -- the IDX parser ----------------------------------------------------------------------------


def test_parse_idx_round_trips_images_and_labels():
    arrays, _ = small_dataset()
    for array in arrays.values():
        parsed = mnist.parse_idx(idx_bytes(array))
        assert parsed.dtype == np.uint8 and parsed.shape == array.shape
        assert np.array_equal(parsed, array)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x00\x01\x08\x01" + (3).to_bytes(4, "big") + b"abc", "bad magic"),
        (b"\x00\x00\x0d\x01" + (3).to_bytes(4, "big") + b"abc", "not unsigned bytes"),
        (b"\x00\x00\x08\x03" + (2).to_bytes(4, "big"), "truncated header"),
        (b"\x00\x00\x08\x01" + (5).to_bytes(4, "big") + b"abc", "is truncated"),
        (b"\x00\x00\x08\x01" + (2).to_bytes(4, "big") + b"abc", "longer than its header"),
    ],
    ids=["magic", "type", "header", "payload", "extra"],
)
def test_parse_idx_rejects_damaged_data_clearly(data, words):
    with pytest.raises(mnist.MnistError, match=words):
        mnist.parse_idx(data, "labels.idx")


def test_truncated_gzip_is_a_clear_error(tmp_path):
    _, files = small_dataset()
    path = tmp_path / NAMES[0]
    path.write_bytes(files[NAMES[0]][:200])
    with pytest.raises(mnist.MnistError, match="corrupt or truncated"):
        mnist.read_idx_gz(path)


# -- downloads ---------------------------------------------------------------------------------


def test_download_caches_the_verified_file(server, tmp_path):
    _, files = small_dataset()
    name = NAMES[0]
    server.files[f"/a/{name}"] = files[name]
    path = mnist.download(name, sha(files[name]), tmp_path / "cache", mirrors=[server.url("a")], timeout=5)
    assert path == tmp_path / "cache" / name and path.read_bytes() == files[name]
    assert sorted(p.name for p in path.parent.iterdir()) == [name]  # no temporary file left behind


def test_download_moves_on_to_the_next_mirror(server, tmp_path):
    _, files = small_dataset()
    name = NAMES[1]
    server.files[f"/b/{name}"] = files[name]
    mirrors = [server.url("missing"), server.url("b")]
    path = mnist.download(name, sha(files[name]), tmp_path, mirrors=mirrors, timeout=5)
    assert path.read_bytes() == files[name]
    assert server.requests == [f"/missing/{name}", f"/b/{name}"]


def test_corrupt_download_is_an_error_and_not_cached(server, tmp_path):
    _, files = small_dataset()
    name = NAMES[2]
    damaged = bytearray(files[name])
    damaged[len(damaged) // 2] ^= 0xFF
    server.files[f"/a/{name}"] = bytes(damaged)
    with pytest.raises(mnist.MnistError, match="corrupt or truncated data") as error:
        mnist.download(name, sha(files[name]), tmp_path / "cache", mirrors=[server.url("a")], timeout=5)
    assert "nothing was cached" in str(error.value)
    assert not (tmp_path / "cache").exists() or list((tmp_path / "cache").iterdir()) == []


def test_truncated_download_is_an_error_and_not_cached(server, tmp_path):
    _, files = small_dataset()
    name = NAMES[0]
    server.files[f"/a/{name}"] = files[name]
    server.cut.add(f"/a/{name}")
    with pytest.raises(mnist.MnistError, match="could not download"):
        mnist.download(name, sha(files[name]), tmp_path / "cache", mirrors=[server.url("a")], timeout=5)
    assert not (tmp_path / "cache").exists() or list((tmp_path / "cache").iterdir()) == []


def test_load_mnist_downloads_once_then_reads_the_cache(server, clean_env, monkeypatch, capsys):
    arrays, files = small_dataset()
    for name, data in files.items():
        server.files[f"/m/{name}"] = data
    monkeypatch.setattr(mnist, "FULL_SHA256", {name: sha(data) for name, data in files.items()})
    monkeypatch.setattr(mnist, "MIRRORS", (server.url("m"),))
    (x_train, t_train), (x_test, t_test) = mnist.load_mnist(normalize=False, flatten=False)
    assert x_train.shape == (6, 1, 28, 28) and x_train.dtype == np.uint8
    assert np.array_equal(x_train[:, 0], arrays["train_img"]) and np.array_equal(t_test, arrays["test_label"])
    assert mnist.last_source.startswith("cache:") and "downloaded" in capsys.readouterr().err
    fetched = len(server.requests)
    assert fetched == 4
    mnist.load_mnist()
    assert len(server.requests) == fetched  # the second call reads the cache
    assert mnist.last_source.startswith("cache:")


def test_failed_download_falls_back_to_the_bundled_subset(server, clean_env, monkeypatch, capsys):
    _, files = small_dataset()
    server.files[f"/m/{NAMES[0]}"] = b"not the file"
    monkeypatch.setattr(mnist, "FULL_SHA256", {name: sha(data) for name, data in files.items()})
    monkeypatch.setattr(mnist, "MIRRORS", (server.url("m"),))
    (x_train, _), _ = mnist.load_mnist()
    assert x_train.shape == (4000, 784) and mnist.last_source.startswith("bundled")
    err = capsys.readouterr().err
    assert "bundled MNIST subset" in err and "corrupt or truncated" in err and "MNIST_DIR" in err
    assert not (mnist.cache_dir() / NAMES[0]).exists()
    with pytest.raises(mnist.MnistError, match="not available"):
        mnist.load_mnist(source="full")


# -- MNIST_DIR ---------------------------------------------------------------------------------


def write_folder(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_mnist_dir_is_read_and_checked(clean_env, monkeypatch):
    arrays, files = small_dataset()
    monkeypatch.setattr(mnist, "FULL_SHA256", {name: sha(data) for name, data in files.items()})
    monkeypatch.setenv(mnist.ENV_DIR, str(write_folder(clean_env / "mine", files)))
    (x_train, t_train), _ = mnist.load_mnist(one_hot_label=True)
    assert x_train.dtype == np.float32 and np.allclose(x_train * 255, arrays["train_img"].reshape(6, 784))
    assert t_train.shape == (6, 10) and np.array_equal(t_train.argmax(axis=1), arrays["train_label"])
    assert mnist.last_source.startswith("MNIST_DIR")


def test_corrupt_file_in_mnist_dir_is_a_clear_error(clean_env, monkeypatch):
    _, files = small_dataset()
    monkeypatch.setattr(mnist, "FULL_SHA256", {name: sha(data) for name, data in files.items()})
    files[NAMES[3]] = files[NAMES[3]][:-4]
    monkeypatch.setenv(mnist.ENV_DIR, str(write_folder(clean_env / "mine", files)))
    with pytest.raises(mnist.MnistError, match=f"{NAMES[3]} is corrupt, truncated"):
        mnist.load_mnist()


# -- the bundled subset ------------------------------------------------------------------------


def test_offline_gives_the_bundled_subset_in_the_books_shapes(clean_env, monkeypatch, capsys):
    monkeypatch.setenv(mnist.ENV_OFFLINE, "1")
    (x_train, t_train), (x_test, t_test) = mnist.load_mnist()
    assert (x_train.shape, x_train.dtype, x_test.shape) == ((4000, 784), np.float32, (1000, 784))
    assert 0.0 <= x_train.min() and x_train.max() == 1.0
    assert t_train.dtype == np.uint8 and np.bincount(t_train).tolist() == [400] * 10
    assert np.bincount(t_test).tolist() == [100] * 10
    assert "MNIST_OFFLINE" in capsys.readouterr().err and mnist.last_source.startswith("bundled")
    (x_train, t_train), _ = mnist.load_mnist(normalize=False, flatten=False, one_hot_label=True)
    assert (x_train.shape, x_train.dtype, x_train.max()) == ((4000, 1, 28, 28), np.uint8, 255)
    assert t_train.shape == (4000, 10) and np.all(t_train.sum(axis=1) == 1)
    mnist.load_mnist(source="bundled")
    assert capsys.readouterr().err == ""  # said once per process; an explicit source is quiet


def test_unknown_source_is_refused():
    with pytest.raises(ValueError, match="source must be one of"):
        mnist.load_mnist(source="internet")
