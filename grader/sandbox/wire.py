"""The one data format between the grader and a sandboxed child: JSON plus raw array bytes.

A frame is ``<magic, json length, blob length>`` then the JSON tree (arrays replaced by
``{"__nd__": i}``) then the arrays' bytes.  Decoding never unpickles and never trusts a count:
dtypes come from a short allow-list, sizes are checked against the blob, and a byte cap bounds
everything.  This module imports nothing but NumPy and the standard library, because the
sandbox runtime loads it by path, outside the ``grader`` package.
"""
from __future__ import annotations

import json
import math
import struct

import numpy as np

MAGIC = 0x43474731  # "CGG1"
HEADER = struct.Struct("<III")
DTYPES = frozenset({"<f8", "<f4", "<f2", "<i8", "<i4", "<i2", "|i1", "<u8", "<u4", "<u2", "|u1", "|b1"})
MAX_NDIM = 8  # dimensions of one array on the wire (an answer stacked over its trials included)
MAX_DEPTH = 64  # nesting of the JSON tree
# Shared by the grader and the child runtime (which loads this file by path):
ERROR_CHARS, TRACEBACK_CHARS = 4000, 8000  # longest error line / traceback a message may carry
PROGRESS = struct.Struct("<4sii")  # the trial in progress, at offset 0 of the job file: magic, question, trial
PROGRESS_MAGIC = b"TRL\0"


_PLAIN = frozenset({str, int, float, bool, type(None)})  # leaves that need no walking


class WireError(ValueError):
    """A frame that is malformed, too large or of a disallowed type."""


def encode(tree) -> bytes:
    """Serialize a tree of dict/list/str/number/bool/None with ndarray leaves."""
    arrays: list[np.ndarray] = []

    def walk(node):
        kind = type(node)
        if kind in _PLAIN:
            return node
        if isinstance(node, np.ndarray):
            arr = np.ascontiguousarray(node).reshape(node.shape)  # (ascontiguousarray makes 0-d 1-d)
            if arr.dtype.byteorder == ">":
                arr = arr.astype(arr.dtype.newbyteorder("<"))
            arrays.append(arr)
            return {"__nd__": len(arrays) - 1}
        if isinstance(node, dict):
            return {str(k): walk(v) for k, v in node.items()}
        if isinstance(node, (list, tuple)):
            if all(type(v) in _PLAIN for v in node):  # (a list of counts, names, ...)
                return list(node)
            return [walk(v) for v in node]
        if isinstance(node, np.generic):
            return node.item()
        return node

    meta, offset, specs = walk(tree), 0, []
    for arr in arrays:
        specs.append([arr.dtype.str, list(arr.shape), offset, arr.nbytes])
        offset += arr.nbytes
    head = json.dumps({"tree": meta, "arrays": specs}, allow_nan=False).encode()  # (decode refuses NaN)
    # one copy of each array's bytes, straight into the frame (an empty array has none, and
    # memoryview cannot cast a shape with a zero in it)
    return b"".join([HEADER.pack(MAGIC, len(head), offset), head,
                     *(memoryview(a).cast("B") for a in arrays if a.size)])


def frame_length(buf: bytes | bytearray, cap: int) -> int | None:
    """Total length of the frame starting at ``buf``, or None if its header is incomplete."""
    if len(buf) < HEADER.size:
        return None
    magic, hlen, blen = HEADER.unpack_from(buf)
    if magic != MAGIC:
        raise WireError("bad frame magic")
    total = HEADER.size + hlen + blen
    if total > cap:
        raise WireError(f"frame of {total} bytes exceeds the cap of {cap}")
    return total


def _no_constant(name: str):
    raise WireError(f"{name} is not a number a frame may hold")


def decode(frame: bytes | bytearray | memoryview, *, copy: bool = True):
    """Inverse of :func:`encode`; raises WireError (and nothing else) on anything not produced by it."""
    buf = memoryview(frame)
    if len(buf) < HEADER.size:
        raise WireError("truncated frame")
    magic, hlen, blen = HEADER.unpack_from(buf)
    if magic != MAGIC or HEADER.size + hlen + blen != len(buf):
        raise WireError("frame length mismatch")
    try:  # (NaN and Infinity are not JSON: what we encode never holds them outside arrays)
        meta = json.loads(bytes(buf[HEADER.size:HEADER.size + hlen]), parse_constant=_no_constant)
    except WireError:
        raise
    except (ValueError, RecursionError, MemoryError) as exc:  # (UnicodeDecodeError is a ValueError)
        raise WireError(f"bad frame header: {type(exc).__name__}") from None
    if type(meta) is not dict or set(meta) != {"tree", "arrays"} or type(meta["arrays"]) is not list:
        raise WireError("bad frame header")
    blob = buf[HEADER.size + hlen:]
    arrays = [_array(spec, blob, copy) for spec in meta["arrays"]]

    def walk(node, depth=0):
        if depth > MAX_DEPTH:
            raise WireError("frame nested too deeply")
        kind = type(node)
        if kind in _PLAIN:
            return node
        if kind is list and all(type(v) in _PLAIN for v in node):
            return node
        if kind is dict:
            if set(node) == {"__nd__"}:
                i = node["__nd__"]
                if type(i) is not int or not 0 <= i < len(arrays):
                    raise WireError("bad array reference")
                return arrays[i]
            return {k: walk(v, depth + 1) for k, v in node.items()}
        return [walk(v, depth + 1) for v in node]  # (json.loads makes nothing but these types)

    return walk(meta["tree"])


def _array(spec, blob: memoryview, copy: bool) -> np.ndarray:
    """One ``[dtype, shape, offset, nbytes]`` spec, checked field by field, as an array."""
    if type(spec) is not list or len(spec) != 4:
        raise WireError("bad array spec")
    dtype, shape, offset, nbytes = spec
    if type(dtype) is not str or dtype not in DTYPES:
        raise WireError(f"disallowed array dtype {str(dtype)[:20]!r}")
    if type(shape) is not list or len(shape) > MAX_NDIM or not all(type(s) is int and s >= 0 for s in shape):
        raise WireError("disallowed array shape")
    dt = np.dtype(dtype)
    count = math.prod(shape)  # exact: np.prod would wrap around on a forged huge shape
    if not (type(offset) is int and type(nbytes) is int and 0 <= offset
            and count * dt.itemsize == nbytes and offset + nbytes <= len(blob)):
        raise WireError("array outside the frame")
    arr = np.frombuffer(blob[offset:offset + nbytes], dtype=dt).reshape(tuple(shape))  # (reshape([]) is no 0-d)
    return arr.copy() if copy else arr
