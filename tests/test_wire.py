"""The result channel's format: round trips, and refuses anything it did not produce."""
from __future__ import annotations

import numpy as np
import pytest

from grader.sandbox import wire


def test_round_trip():
    tree = {"a": [np.arange(6.0).reshape(2, 3), np.float32([1.5])], "b": "x", "n": None, "i": 3}
    back = wire.decode(wire.encode(tree))
    assert np.array_equal(back["a"][0], tree["a"][0]) and back["a"][1].dtype == np.float32
    assert back["b"] == "x" and back["n"] is None and back["i"] == 3
    assert type(back["a"][0]) is np.ndarray and back["a"][0].flags.writeable


def test_round_trip_of_plain_lists_and_nesting():
    tree = {"nargs": [5, 5, 0], "names": ("a", "b"), "mixed": [1, [2.5, None, True], {"k": [np.int64(3)]}],
            "empty": [], "deep": [[[np.arange(2)]]]}
    back = wire.decode(wire.encode(tree))
    assert back["nargs"] == [5, 5, 0] and back["names"] == ["a", "b"] and back["empty"] == []
    assert back["mixed"] == [1, [2.5, None, True], {"k": [3]}]
    assert np.array_equal(back["deep"][0][0][0], np.arange(2))


def test_arrays_of_any_layout_travel_as_their_values():
    a = np.arange(24.0).reshape(4, 6)
    for x in (a[:, ::2], a.T, a.astype(">f8"), a[1], np.float32(a)):
        got = wire.decode(wire.encode({"x": x}))["x"]
        assert np.array_equal(got, x) and got.dtype.byteorder in "=<|"


@pytest.mark.parametrize("mutate", [
    lambda b: b[:-1],  # truncated
    lambda b: b"XXXX" + b[4:],  # bad magic
    lambda b: b.replace(b"<f8", b"|O8"),  # object dtype
    lambda b: b.replace(b'"__nd__": 0', b'"__nd__": 5'),  # dangling reference
])
def test_rejects_malformed(mutate):
    data = wire.encode({"x": np.arange(3.0)})
    with pytest.raises(wire.WireError):
        wire.decode(mutate(data))


def test_frame_cap():
    data = wire.encode({"x": np.zeros(1000)})
    with pytest.raises(wire.WireError):
        wire.frame_length(data, cap=100)
    assert wire.frame_length(data[:5], cap=100) is None


def test_empty_and_zero_dimensional_arrays_travel():
    """An empty answer crashed the child ("process ended": memoryview cannot cast a shape with a
    zero), and a 0-d array arrived 1-d (ascontiguousarray)."""
    for x in (np.zeros(0), np.zeros((24, 0)), np.zeros((0, 3), dtype=np.int32), np.float32(2.5),
              np.array(7, dtype=np.int64)):
        got = wire.decode(wire.encode({"x": np.asarray(x), "y": np.arange(3)}))
        assert got["x"].shape == np.shape(x) and got["x"].dtype == np.asarray(x).dtype
        assert np.array_equal(got["y"], np.arange(3))


@pytest.mark.parametrize("spec", [
    [[1], [1], 0, 8],  # an unhashable dtype (TypeError escaped)
    ["<f8", [1], 0, 8.0],  # a float size (TypeError in slicing escaped)
    ["<f8", [True], 0, 8],  # a bool dimension
    ["<f8", [1.0], 0, 8],
    ["<f8", "1", 0, 8],
    ["<f8", [1] * 9, 0, 8],  # more dimensions than the wire carries
    ["<f8", [1], 0],
])
def test_rejects_forged_array_specs(spec):
    import json
    head = json.dumps({"tree": {"__nd__": 0}, "arrays": [spec]}).encode()
    with pytest.raises(wire.WireError):
        wire.decode(wire.HEADER.pack(wire.MAGIC, len(head), 8) + head + bytes(8))


@pytest.mark.parametrize("head", [
    b'{"tree": {"s": NaN}, "arrays": []}', b'{"tree": {"s": Infinity}, "arrays": []}',
    b'{"tree": 1, "arrays": 5}', b'{"tree": 1, "arrays": {"a": 1}}', b'[1, 2]', b'{"tree": 1}',
    b'{"tree": 1, "arrays": [], "x": 1}', b'\xff\xfe', b'{"tree": {"__nd__": true}, "arrays": []}',
])
def test_rejects_forged_headers(head):
    with pytest.raises(wire.WireError):
        wire.decode(wire.HEADER.pack(wire.MAGIC, len(head), 0) + head)
