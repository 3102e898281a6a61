"""The result channel's format: round trips, and refuses anything it did not produce."""
from __future__ import annotations

import numpy as np
import pytest

from grader import wire


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
