"""The bounds of every grading setting an instructor gives, in one place.

A question's points, the seed, the time and memory limits, the late policy and a roster's days
late reach the grader three ways: the course file (``grader.toml``), the command line, and the
API's :class:`grader.api.Options`.  Each way checks a value with the one :class:`Rule` here, so a
value is taken or refused the same way whichever way it came, and a refusal says what to give.
The caller says where the value came from (the file and key, or the flag): a rule's message is
only what is wrong and the fix.

Why bounds at all: a number TOML or ``float()`` accepts is not yet a number the grader can use.
``nan`` compares false with everything (so ``nan`` seconds passed a range check and every
question timed out), ``1e308`` points overflow to ``inf`` when added up (results.json cannot
hold it), and ``true`` is an ``int`` in Python.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .text import number

SEED_MODULUS = 1 << 32  # inputs derive from the seed modulo 2**32 (README, results.schema.json)
MAX_DIGITS = 40  # longer numbers are typos or attacks: refused before int()/float() read them
SHOWN = 40  # characters of a refused value quoted back in a message


class SettingError(ValueError):
    """A value a setting does not take: the message says what is wrong and what to give."""


@dataclass(frozen=True)
class Rule:
    """What one setting takes: an integer or any number, from ``low`` to ``high``."""

    what: str  # what to give, for messages: "a number of seconds"
    low: float
    high: float
    integer: bool = False
    modulus: int | None = None  # the value is taken modulo this (the seed)
    words: str = ""  # the range as messages say it, when the numbers would not read well

    @property
    def bounds(self) -> str:
        """The range in words, for messages and --help."""
        return f"{number(self.low)} to {number(self.high)}"

    def check(self, value: object) -> int | float:
        """``value`` (from TOML, a flag already read, or the API) as this setting takes it, or
        :class:`SettingError`.  TOML's ``true`` is a Python ``int``: refused, as are floats
        where an integer is due (``1024.0`` MiB is a typo more often than not)."""
        return self._check(value, shown(value))

    def parse(self, text: str) -> int | float:
        """A value written as text (a flag, a CSV cell), checked as :meth:`check` does; a
        refusal quotes the text (``1e400``, not the ``inf`` it reads as)."""
        label = shown(text)
        digits = sum(c.isdigit() for c in text)
        if digits > MAX_DIGITS:  # (int() refuses over 4300 digits with a message of its own)
            raise SettingError(f"{label} has {digits} digits; give {self._range()}")
        try:
            value = int(text.strip(), 10) if self.integer else float(text)
        except ValueError:
            raise SettingError(f"{label} is not {self.what}; give {self._range()}") from None
        return self._check(value, label)

    def _check(self, value: object, label: str) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                self.integer and not isinstance(value, int)):
            raise SettingError(f"{label} is not {self.what}; give {self._range()}")
        if isinstance(value, float) and not math.isfinite(value):
            raise SettingError(f"{label} is not a finite number; give {self._range()}")
        if not self.low <= value <= self.high:
            raise SettingError(f"{label} is out of range; give {self._range()}")
        if self.modulus is not None:
            return value % self.modulus
        return value if self.integer else float(value)

    def _range(self) -> str:
        return self.words or f"{self.what} from {self.bounds}"


POINTS = Rule("a number of points", 0, 1000)
SEED = Rule("an integer", -(1 << 63), (1 << 64) - 1, integer=True, modulus=SEED_MODULUS,
            words="an integer from -2**63 to 2**64-1 (inputs use it modulo 2**32)")
TIMEOUT = Rule("a number of seconds", 0.1, 3600)
DEFAULT_TIMEOUT = 10.0  # seconds a question (and the import) may take unless told otherwise
MEMORY = Rule("an integer number of MiB", 64, 1 << 20, integer=True)
LATE_FRACTION = Rule("a fraction of the points", 0, 1)  # late.factor, late.per_day
DAYS_LATE = Rule("a number of days", 0, 3650)
FAIL_UNDER = Rule("a score", 0, 1e9)
LMS_MAXIMUM = Rule("a number of points", 0, 1e6)  # an LMS column's points possible / maximum grade


def shown(value: object) -> str:
    """A refused value as a message quotes it: one line, at most :data:`SHOWN` characters, and
    never a whole nested table (``repr`` of one nested 10,000 deep recurses past the limit)."""
    import datetime
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, (datetime.date, datetime.time)):  # (datetime is a date)
        return f"{value.isoformat()} (a date or time)"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * SHOWN:
        return f"an integer of {_digits(value)} digits"
    text = repr(value[:SHOWN] if isinstance(value, str) else value)
    return text if len(text) <= SHOWN else text[:SHOWN - 3] + "..."


def _digits(n: int) -> int:
    """Decimal digits of ``n`` without ``str(n)``, which refuses over 4300 of them."""
    n = abs(n)
    d = int((n.bit_length() - 1) * math.log10(2)) + 1
    return d + 1 if n >= 10 ** d else d

