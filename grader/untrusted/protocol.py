"""Plain-data messages between the trusted grader and an untrusted worker.

A message is a JSON header plus a list of ``.npy`` blobs, framed by its length.
Only plain data crosses: None, bool, int, float, str, NumPy arrays and scalars
of numeric or bool dtype (through ``np.save``/``np.load(allow_pickle=False)``),
tuples, lists, dicts with string keys, and references to test functions by name.
Anything else is encoded as ``{"__unsupported__": "<type name>"}`` so the
trusted side can say what came back without ever holding the foreign object.
"""

from __future__ import annotations

import io
import json
import math
import os
import struct
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.untrusted.bounds import MESSAGE, Bounds, Budget, OverBound, check_header

MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # the largest ch04 result is a few MiB; more is an attack on memory
_LENGTH = struct.Struct("!Q")
_ALLOWED_KINDS = "biuf"

Resolver = Callable[[object], "str | None"]  # a test function's name in the shared library, or None
MakeFunction = Callable[[str], object]  # the test function a name stands for, on the receiving side
NpyHeader = tuple[tuple[int, ...], bool, "np.dtype[Any]"]  # shape, Fortran order, dtype


class ProtocolError(Exception):
    """A message could not be read: truncated, oversized or malformed."""


class MessageOverBound(ProtocolError):
    """A well-formed message asks for more than decoding may build (see :mod:`grader.untrusted.bounds`)."""


class FunctionRef:
    """A function from the shared test-function library, sent by name."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        return type(other) is FunctionRef and other.name == self.name

    def __hash__(self) -> int:
        return hash(("FunctionRef", self.name))


class Unsupported:
    """Stands for a value of a type that may not cross the boundary."""

    __slots__ = ("type_name",)

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


def _array_bytes(array: np.ndarray[Any, Any]) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _encode(value: object, blobs: list[bytes], resolve_function: Resolver | None) -> object:
    kind = type(value)  # exact types throughout: a subclass could behave as anything while it is encoded
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return {"__float__": repr(value)}
    if type(value) is np.ndarray and value.dtype.kind in _ALLOWED_KINDS:
        if sum(map(len, blobs)) + value.nbytes > MAX_MESSAGE_BYTES:  # refuse before copying it
            raise ProtocolError(f"the result is larger than {MAX_MESSAGE_BYTES // 2**20} MiB")
        blobs.append(_array_bytes(value))
        return {"__ndarray__": len(blobs) - 1}
    if isinstance(value, np.generic) and kind.__module__ == "numpy" and value.dtype.kind in _ALLOWED_KINDS:
        blobs.append(_array_bytes(np.asarray(value)))
        return {"__npscalar__": len(blobs) - 1}
    if type(value) is tuple:
        return {"__tuple__": [_encode(item, blobs, resolve_function) for item in value]}
    if type(value) is list:
        return [_encode(item, blobs, resolve_function) for item in value]
    if type(value) is dict and all(type(key) is str for key in value):
        return {"__dict__": {key: _encode(item, blobs, resolve_function) for key, item in value.items()}}
    if type(value) is FunctionRef:
        return {"__func__": value.name}
    name = resolve_function(value) if resolve_function else None
    if name is not None:
        return {"__func__": name}
    return {"__unsupported__": _type_name(value)}


def _type_name(value: object) -> str:
    kind = type(value)
    if type(value) is np.ndarray:
        return f"ndarray of dtype {value.dtype}"
    module = getattr(kind, "__module__", "") or ""
    qualname = getattr(kind, "__qualname__", "object")
    return qualname if module in ("builtins", "") else f"{module}.{qualname}"


def encode(value: object, resolve_function: Resolver | None = None) -> bytes:
    """Serialise plain data into one framed message body."""
    blobs: list[bytes] = []
    header = json.dumps(_encode(value, blobs, resolve_function)).encode()
    parts = [_LENGTH.pack(len(header)), header, _LENGTH.pack(len(blobs))]
    for blob in blobs:
        parts += [_LENGTH.pack(len(blob)), blob]
    return b"".join(parts)


def _decode(
    node: object, blobs: list[bytes], make_function: MakeFunction | None, budget: Budget, depth: int = 1
) -> object:
    budget.take_node(depth)
    if node is None or type(node) in (bool, int, float):
        return node
    if type(node) is str:
        budget.take_characters(len(node))
        return node
    if type(node) is list:
        budget.take_items(len(node))
        return [_decode(item, blobs, make_function, budget, depth + 1) for item in node]
    if type(node) is not dict or len(node) != 1:
        raise ProtocolError("malformed value")
    ((marker, payload),) = node.items()
    if marker == "__float__":
        return float(payload)
    if marker in ("__ndarray__", "__npscalar__"):
        array = _load_array(blobs, payload, budget, budget.npy_headers)
        return array if marker == "__ndarray__" else array[()]
    if marker == "__tuple__":
        budget.take_items(len(payload))
        return tuple(_decode(item, blobs, make_function, budget, depth + 2) for item in payload)
    if marker == "__dict__":
        budget.take_items(len(payload))
        decoded = {}
        for key, item in payload.items():
            budget.take_characters(len(key))
            decoded[str(key)] = _decode(item, blobs, make_function, budget, depth + 2)
        return decoded
    if marker == "__func__":
        return make_function(str(payload)) if make_function else FunctionRef(str(payload))
    if marker == "__unsupported__":
        return Unsupported(str(payload))
    raise ProtocolError(f"unknown marker {marker!r}")


def _load_array(
    blobs: list[bytes], index: object, budget: Budget, headers: dict[bytes, NpyHeader]
) -> np.ndarray[Any, Any]:
    """A fresh array from blob ``index``; its header is parsed once per decode (``headers``), its elements counted."""
    if type(index) is not int or not 0 <= index < len(blobs):
        raise ProtocolError("bad array reference")
    blob = blobs[index]
    shape, fortran, dtype, offset = _npy_header(blob, headers)
    count = math.prod(shape)
    budget.take_elements(count)
    if count * dtype.itemsize != len(blob) - offset:
        raise ProtocolError("array header does not match its data")
    # What np.load does after its header, without parsing the header again (it costs 0.1 ms: a list of
    # 2,000 NumPy scalars took seconds); a copy, so each array owns its memory and may be written to.
    array = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
    return array.reshape(shape, order="F" if fortran else "C").copy(order="K")


def _npy_header(blob: bytes, headers: dict[bytes, NpyHeader]) -> tuple[tuple[int, ...], bool, np.dtype[Any], int]:
    """(shape, Fortran order, dtype, data offset) of a .npy; refuses a header of another dtype or a bad shape."""
    versions = {b"\x01\x00": (10, "<H"), b"\x02\x00": (12, "<I")}
    if blob[:6] != b"\x93NUMPY" or blob[6:8] not in versions:
        raise ProtocolError("unreadable array header: not a .npy of version 1 or 2")
    start, length_format = versions[blob[6:8]]
    if len(blob) < start:
        raise ProtocolError("unreadable array header: truncated")
    offset: int = start + struct.unpack(length_format, blob[8:start])[0]
    key = blob[:offset]
    if key not in headers:
        headers[key] = _parse_npy_header(key)
    return (*headers[key], offset)


def _parse_npy_header(header: bytes) -> NpyHeader:
    stream = io.BytesIO(header)
    try:
        version = np.lib.format.read_magic(stream)
        read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read(stream)
    except Exception as error:  # noqa: BLE001  whatever numpy says about a malformed header
        raise ProtocolError(f"unreadable array header: {type(error).__name__}") from None
    if dtype.kind not in _ALLOWED_KINDS or dtype.hasobject:
        raise ProtocolError("array of a type that may not cross")
    if any(type(n) is not int or n < 0 for n in shape):
        raise ProtocolError("array header does not match its data")
    return shape, bool(fortran), dtype


def decode(
    body: bytes | bytearray,
    make_function: MakeFunction | None = None,
    bounds: Bounds = MESSAGE,
    deadline: float | None = None,
) -> object:
    """Parse one message body produced by :func:`encode`, building no more than ``bounds`` allow.

    ``deadline`` (time.monotonic()) defaults to ``bounds.seconds`` from now.
    """
    budget = Budget(bounds, deadline)
    view = memoryview(body)
    position = 0

    def take(size: int) -> bytes:
        nonlocal position
        if position + size > len(view):
            raise ProtocolError("truncated message")
        chunk = bytes(view[position : position + size])
        position += size
        return chunk

    def take_length() -> int:
        (length,) = _LENGTH.unpack(take(_LENGTH.size))
        return int(length)

    try:
        header_bytes = take(take_length())
        check_header(header_bytes, bounds)  # before json.loads builds a single object
        header = json.loads(header_bytes)
        del header_bytes
    except OverBound as error:
        raise MessageOverBound(str(error)) from None
    except (ValueError, RecursionError):
        raise ProtocolError("malformed header") from None
    try:
        count = take_length()
        budget.take_arrays(count)
        blobs = [take(take_length()) for _ in range(count)]
        return _decode(header, blobs, make_function, budget)
    except ProtocolError:
        raise
    except OverBound as error:
        raise MessageOverBound(str(error)) from None
    except RecursionError:
        raise ProtocolError("value nested too deeply") from None
    except Exception as error:  # noqa: BLE001  a malformed message may fail anywhere: it is the sender's fault
        raise ProtocolError(f"malformed message ({type(error).__name__})") from None


def frame(value: object, resolve_function: Resolver | None = None) -> bytes:
    """One message as the bytes that go on the channel: its length, then its body."""
    body = encode(value, resolve_function)
    return _LENGTH.pack(len(body)) + body


def write_message(fd: int, value: object, resolve_function: Resolver | None = None) -> None:
    """Write one framed message to a (blocking) file descriptor."""
    data = memoryview(frame(value, resolve_function))
    while data:
        written = os.write(fd, data)
        data = data[written:]


def read_exactly(fd: int, size: int) -> bytes:
    """Read exactly ``size`` bytes or raise ProtocolError at end of stream."""
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ProtocolError("the other side closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int, make_function: MakeFunction | None = None) -> object:
    """Read one framed message from a blocking file descriptor."""
    (size,) = _LENGTH.unpack(read_exactly(fd, _LENGTH.size))
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"message of {size} bytes is over the limit")
    return decode(read_exactly(fd, size), make_function)
