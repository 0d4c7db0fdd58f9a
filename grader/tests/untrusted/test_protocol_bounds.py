"""Decoding a message builds no more than its bounds allow: each bound holds at its value and refuses one past it.

The numbers below are written out, not read from ``grader.untrusted.bounds``: they are what
SECURITY.md promises. The 57 MiB message of 20 million lists is issue 22's: 2.9 GiB and a
minute per reply before the bounds.
"""

from __future__ import annotations

import struct
import time
import tracemalloc

import numpy as np
import pytest

from grader.untrusted.protocol import MessageOverBound, decode, encode


def framed(header: bytes, blobs: tuple[bytes, ...] = ()) -> bytes:
    """A message body built by hand, as a hostile worker would."""
    parts = [struct.pack("!Q", len(header)), header, struct.pack("!Q", len(blobs))]
    for blob in blobs:
        parts += [struct.pack("!Q", len(blob)), blob]
    return b"".join(parts)


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_twenty_million_lists_are_refused_before_json_builds_them():
    body = framed(b"[" + b"[]," * 20_000_000 + b"[]]")
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(MessageOverBound, match="more than 250,000 values"):
            decode(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2
    assert peak < 2 * len(body) + 16 * 2**20  # the header's one copy, no Python object per list


@pytest.mark.parametrize(
    ("fits", "over", "message"),
    [
        (list(range(100_000)), list(range(100_001)), "more than 100,000 items"),
        (nested(100), nested(101), "more than 100 levels"),
        ("x" * (32 * 2**20), "x" * (32 * 2**20 + 1), "32 Mi characters"),
        ([np.float64(n) for n in range(2_000)], [np.float64(n) for n in range(2_001)], "more than 2,000 NumPy"),
        ([np.zeros(8 * 2**20, np.int8)] * 2, [np.zeros(8 * 2**20, np.int8)] * 2 + [np.int8(1)], "16,777,216 values"),
    ],
    ids=["items", "depth", "characters", "arrays", "elements"],
)
def test_each_bound_holds_at_its_value_and_refuses_one_past_it(fits, over, message):
    assert type(decode(encode(fits))) is type(fits)
    with pytest.raises(MessageOverBound, match=message):
        decode(encode(over))


def test_one_array_referred_to_many_times_counts_each_time():
    npy = encode(np.int8(1))[8 + len(b'{"__npscalar__": 0}') + 16 :]  # the .npy blob of that message
    header = b"[" + b",".join([b'{"__npscalar__": 0}'] * 2_001) + b"]"
    with pytest.raises(MessageOverBound, match="more than 2,000 NumPy"):
        decode(framed(header, (npy,)))


def test_the_largest_legitimate_replies_decode_well_within_the_deadline():
    """TwoLayerNet's gradients and a training history, larger than any reply grading the instructor notebooks."""
    grads = {name: np.random.default_rng(0).random(shape) for name, shape in [("W1", (784, 100)), ("W2", (100, 10))]}
    history = {"loss": [float(n) for n in range(10_000)], "x": [np.zeros(2) for _ in range(100)]}
    reply = {"seq": 1, "outcome": {"result": (grads, history)}}
    started = time.monotonic()
    decoded = decode(encode(reply))
    assert time.monotonic() - started < 1
    assert np.array_equal(decoded["outcome"]["result"][0]["W1"], grads["W1"])
