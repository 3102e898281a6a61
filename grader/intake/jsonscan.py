"""Read the few values a JSON document is wanted for, without building the rest.

``json.loads`` builds every value: a 20 MiB notebook of empty objects in one stored output
became millions of dicts (gigabytes) before the grader could look at its code cells.  A
:class:`Reader` walks the bytes instead: the caller asks for the members or items it wants
(:meth:`Reader.members`, :meth:`Reader.items`) and reads those; every other value is checked
and passed over (:meth:`Reader.skip`) without being built, in time linear in its length, with
no recursion, in memory of a byte per open bracket (a stack of them) and a fixed window.

The language is ``json.loads``'s: RFC 8259 plus ``NaN``, ``Infinity`` and ``-Infinity``, strict
about control characters in strings; a document it refuses is refused here too, with the line
and column.  The one difference: a number is only checked for its syntax where it is skipped
(``json.loads`` refuses an integer of more than 4,300 digits).  Values that are read are read by
``json.loads`` itself, one token at a time, so they are exactly its values.
"""
from __future__ import annotations

import functools
import json
import re
from typing import Iterator

# What passes for one token.  Each pattern is matched from a known position (never searched) and
# has no two adjacent quantifiers over the same characters: no backtracking beyond a token.
_WS = re.compile(rb"[ \t\n\r]*")
_STRING = rb'"[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*"'
_STRING_BODY = re.compile(_STRING[1:-1])
_ATOM_SRC = rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null|NaN|-?Infinity"
_ATOM = re.compile(_ATOM_SRC)

# Runs of small complete values, consumed in one call: the items of ``[{}, {}, ...]`` or of a
# stored output's ``{"name": "stdout", "text": ["line\n", ...]}`` would otherwise cost a Python
# step per token.  "Small": nested at most _DEPTH deep (the pattern doubles with each level).
# Every item of a run ends with its comma, so an item cut off by the window's end never counts as
# complete.  (A regex repeating a group keeps a record per repetition: these run in a window.)
_W = rb"[ \t\n\r]*"
_DEPTH = 3


def _array(item: bytes) -> bytes:
    """``[item, ...]``, strict (no trailing comma) with one copy of ``item``: each is followed
    by a comma and no ``]``, or by the ``]``."""
    return rb"\[" + _W + rb"(?:\]|(?:" + item + _W + rb"(?:," + _W + rb"(?!\])|(?=\])))+\])"


def _object(value: bytes) -> bytes:
    return (rb"\{" + _W + rb"(?:\}|(?:" + _STRING + _W + rb":" + _W + value + _W
            + rb"(?:," + _W + rb"(?!\})|(?=\})))+\})")


@functools.lru_cache(maxsize=None)
def _runs() -> tuple[re.Pattern, re.Pattern]:
    """The patterns of runs in an array (``value,`` ...) and in an object (``value, "key":``
    ...), compiled when first needed (some milliseconds: most runs read no notebook)."""
    small = rb"(?:" + _STRING + rb"|" + _ATOM_SRC + rb"|\[" + _W + rb"\]|\{" + _W + rb"\})"
    for _ in range(_DEPTH):
        small = rb"(?:" + _STRING + rb"|" + _ATOM_SRC + rb"|" + _array(small) + rb"|" + _object(small) + rb")"
    return (re.compile(rb"(?:" + _W + small + _W + rb",)*" + _W),
            re.compile(rb"(?:" + _W + small + _W + rb"," + _W + _STRING + _W + rb":)*" + _W))


_OPENS = re.compile(rb"(?:\[" + _W + rb"|\{" + _W + _STRING + _W + rb":" + _W + rb")*")  # [ and {"key": nested
_KEYS = re.compile(_STRING)
_CLOSES = re.compile(rb"[\]}](?:" + _W + rb"[\]}])*")
_WINDOW = 1 << 16  # bytes a run or a piece of a string is matched in at once

_ARRAY, _OBJECT = ord("["), ord("{")
_CLOSER = bytes.maketrans(b"[{", b"]}")
_VALUE, _KEY, _AFTER = range(3)
_CONTINUATION = bytes(range(0x80, 0xC0))  # UTF-8 bytes that do not begin a character
SHORT = 256  # longest raw token :meth:`Reader.scalar` reads (a key, a type name, a version)


class JSONScanError(ValueError):
    """Not JSON: the message says what was expected, with the line and column."""

    def __init__(self, what: str, data: bytes, pos: int):
        line = data.count(b"\n", 0, pos) + 1
        before = data[data.rfind(b"\n", 0, pos) + 1:pos]
        column = len(before.translate(None, _CONTINUATION)) + 1  # (in characters, as json.loads counts)
        super().__init__(f"{what} at line {line}, column {column}")
        self.pos = pos


class _Other:
    """What :meth:`Reader.scalar` gives for a value it does not read (a container, a long string)."""

    def __repr__(self) -> str:
        return "OTHER"


OTHER = _Other()


class Reader:
    """A cursor in a JSON document (``bytes``, UTF-8; the caller checks the encoding).

    Walk with :meth:`members` and :meth:`items`; at each value read it (:meth:`string`,
    :meth:`scalar`, :meth:`span`, or walk into it) or leave it: a value the caller leaves is
    skipped.  Finish with :meth:`end`."""

    def __init__(self, data: bytes, pos: int = 0):
        self.data = data
        self.pos = pos

    def peek(self) -> bytes:
        """The next byte that is not whitespace (``b""`` at the end), moving to it."""
        self.pos = _WS.match(self.data, self.pos).end()
        return self.data[self.pos:self.pos + 1]

    def error(self, what: str, pos: int | None = None) -> JSONScanError:
        return JSONScanError(what, self.data, self.pos if pos is None else pos)

    def members(self) -> Iterator[str | None]:
        """Each key of the object here, with the cursor at its value; None for a key longer than
        :data:`SHORT` bytes (it is not one anybody looks for)."""
        self._expect(b"{", "expected an object")
        if self.peek() == b"}":
            self.pos += 1
            return
        while True:
            if self.peek() != b'"':
                raise self.error("expected a string key")
            start = self.pos
            self.pos = _string_end(self.data, start)
            key = _load(self.data, start, self.pos) if self.pos - start <= SHORT else None
            self._expect(b":", "expected ':'")
            if not (yield from self._value_then(b"}", key)):
                return

    def items(self) -> Iterator[None]:
        """Stops at each item of the array here, with the cursor at the item."""
        self._expect(b"[", "expected an array")
        if self.peek() == b"]":
            self.pos += 1
            return
        while (yield from self._value_then(b"]", None)):
            pass

    def _value_then(self, close: bytes, key: str | None) -> Iterator[str | None]:
        """Yield ``key`` at a value (skipped if the caller did not read it), then pass the comma
        (True: another value follows) or the closing bracket (False)."""
        self.peek()
        start = self.pos
        yield key
        if self.pos == start:
            self.skip()
        c = self.peek()
        if c == b",":
            self.pos += 1
            return True
        if c != close:
            raise self.error(f"expected ',' or '{close.decode()}'" if c else "unexpected end of file")
        self.pos += 1
        return False

    def string(self) -> str:
        """The string here (an error for any other value)."""
        if self.peek() != b'"':
            raise self.error("expected a string")
        start = self.pos
        self.pos = _string_end(self.data, start)
        return _load(self.data, start, self.pos)

    def scalar(self):
        """The value here if it is a number, ``true``, ``false``, ``null`` or a string of at most
        :data:`SHORT` bytes; else :data:`OTHER` (and the value is skipped, unread)."""
        start, end = self.span()
        if self.data[start] in b"[{" or end - start > SHORT:
            return OTHER
        return _load(self.data, start, end)

    def span(self) -> tuple[int, int]:
        """Where the value here begins and ends, skipping it (to read it later, or never)."""
        self.peek()
        start = self.pos
        self.skip()
        return start, self.pos

    def end(self) -> None:
        """Only whitespace may follow the document."""
        if self.peek():
            raise self.error("extra data after the document")

    def _expect(self, token: bytes, what: str) -> None:
        if self.peek() != token:
            raise self.error(what if self.pos < len(self.data) else "unexpected end of file")
        self.pos += 1

    def skip(self) -> None:
        """Pass over the value here, checking it, building nothing: a loop over tokens with the
        open brackets on a byte stack (no recursion), runs of small values taken whole."""
        data, n = self.data, len(self.data)
        runs = _runs()
        stack = bytearray()
        pos = self.pos
        state = _VALUE
        while True:
            pos = _WS.match(data, pos).end()
            c = data[pos] if pos < n else -1
            if state == _VALUE:
                if stack:  # (after "[", "," or ":": whole values, with their commas, at once)
                    run = runs[stack[-1] != _ARRAY]
                    pos = _WS.match(data, run.match(data, pos, min(pos + _WINDOW, n)).end()).end()
                    c = data[pos] if pos < n else -1
                opens = _OPENS.match(data, pos, min(pos + _WINDOW, n)) if c in (_ARRAY, _OBJECT) else None
                if opens and opens.end() > pos:  # ('[' and '{"key":' nested a million deep: one step)
                    stack += _KEYS.sub(b"", opens.group()).translate(None, b": \t\n\r")
                    pos = _WS.match(data, opens.end()).end()  # (the window may end in whitespace)
                    if stack[-1] == _ARRAY and data[pos:pos + 1] == b"]":
                        stack.pop()
                        pos += 1
                        state = _AFTER
                elif c == _OBJECT:  # ('{}', or a key that is wrong or longer than the window)
                    stack.append(_OBJECT)
                    pos = _WS.match(data, pos + 1).end()
                    if data[pos:pos + 1] == b"}":
                        stack.pop()
                        pos += 1
                        state = _AFTER
                    else:
                        state = _KEY
                elif c == 0x22:  # '"'
                    pos = _string_end(data, pos)
                    state = _AFTER
                else:
                    atom = _ATOM.match(data, pos)
                    if atom is None:
                        raise self.error("expected a value" if pos < n else "unexpected end of file", pos)
                    pos = atom.end()
                    state = _AFTER
            elif state == _KEY:
                if c != 0x22:
                    raise self.error("expected a string key" if pos < n else "unexpected end of file", pos)
                pos = _WS.match(data, _string_end(data, pos)).end()
                if data[pos:pos + 1] != b":":
                    raise self.error("expected ':'", pos)
                pos += 1
                state = _VALUE
            elif not stack:
                self.pos = pos
                return
            elif c == 0x2C:  # ','
                pos += 1
                state = _VALUE if stack[-1] == _ARRAY else _KEY
            elif c in (0x5D, 0x7D):  # ']' '}': as many as close what is open here
                pos = _close(self, stack, pos)
            else:
                closer = "]" if stack[-1] == _ARRAY else "}"
                raise self.error(f"expected ',' or '{closer}'" if pos < n else "unexpected end of file", pos)


def _load(data: bytes, start: int, end: int):
    """The value of one checked token, as json.loads reads it."""
    return json.loads(data[start:end].decode("utf-8"))


def _close(reader: Reader, stack: bytearray, pos: int) -> int:
    """Pass a run of closing brackets at ``pos``, popping what they close (a run of a million
    ``]`` is one step); an error at the first that does not match.  Those beyond the value being
    skipped (the stack's bottom) are left for the caller."""
    data = reader.data
    run = _CLOSES.match(data, pos, min(pos + _WINDOW, len(data)))
    closes = run.group().translate(None, b" \t\n\r")
    k = min(len(closes), len(stack))
    want = stack[len(stack) - k:][::-1].translate(_CLOSER)
    if closes[:k] == want and k == len(closes):
        del stack[len(stack) - k:]
        return run.end()
    for i in range(k):  # (a mismatch, or closes beyond this value: one at a time)
        pos = _WS.match(data, pos).end()
        if data[pos] != want[i]:
            raise reader.error(f"expected ',' or '{chr(want[i])}'", pos)
        stack.pop()
        pos += 1
    return pos


def _string_end(data: bytes, pos: int) -> int:
    """Just past the string starting at ``pos`` (its opening quote), checked as json.loads
    checks it: escapes, and no raw control characters.  Matched a window at a time (the body's
    regex repeats a group per escape, and keeps a record of each)."""
    n = len(data)
    i = pos + 1
    while True:
        end = min(i + _WINDOW, n)
        j = _STRING_BODY.match(data, i, end).end()
        if j < n and data[j] == 0x22:
            return j + 1
        if end < n and j > end - 6:  # (an escape cut off by the window: go on from it)
            i = j
            continue
        what = "unterminated string" if j >= n else "invalid escape or control character in a string"
        raise JSONScanError(what, data, j)
