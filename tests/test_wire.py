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
