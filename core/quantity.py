"""Kubernetes resource quantities ("100m", "1.5Gi", "1e3"), with exact arithmetic.

A :class:`Quantity` holds its value as an integer count of nano-units (10^-9), which is
exactly the precision upstream keeps: every parsed value is rounded away from zero to a
whole nano-unit, so no float is ever involved.  It also remembers the *format* of the
suffix it was written with, because upstream serializes a quantity in the format it was
parsed from:

- ``DecimalSI``       ``m``, ``k``, ``M``, ``G`` ... (powers of 1000)
- ``BinarySI``        ``Ki``, ``Mi``, ``Gi`` ... (powers of 1024)
- ``DecimalExponent`` ``1e3``, ``1E-3``

``str(q)`` is what upstream puts on the wire, :meth:`Quantity.canonical` the canonical form
(largest suffix, no fraction): ``1.5Gi`` -> ``1536Mi``, ``1000m`` -> ``1``, ``0.1`` ->
``100m``, ``1e3`` -> ``1e3`` (an exponent stays an exponent, as upstream).  The two differ
only where upstream echoes the text it was given because that text was already in a form
it accepts as canonical (``"1K"``, ``"+5"``, ``"05"``).
"""

from __future__ import annotations

import re
from functools import total_ordering

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"

# The expression upstream quotes in its error message; the scanner below accepts exactly
# what upstream's hand-written scanner accepts, which is a little more ("+", ".", "e3").
_SPLIT_RE = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
FORMAT_ERROR = "quantities must match the regular expression '" + _SPLIT_RE + "'"
NUMERIC_ERROR = "unable to parse numeric part of quantity"
SUFFIX_ERROR = "unable to parse quantity's suffix"

_SCAN = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)")
_EXPONENT = re.compile(r"[+-]?[0-9]+")

# suffix -> (base, exponent, format)
_SUFFIXES: dict[str, tuple[int, int, str]] = {
    "": (10, 0, DECIMAL_SI),
    "n": (10, -9, DECIMAL_SI),
    "u": (10, -6, DECIMAL_SI),
    "m": (10, -3, DECIMAL_SI),
    "k": (10, 3, DECIMAL_SI),
    "M": (10, 6, DECIMAL_SI),
    "G": (10, 9, DECIMAL_SI),
    "T": (10, 12, DECIMAL_SI),
    "P": (10, 15, DECIMAL_SI),
    "E": (10, 18, DECIMAL_SI),
    "Ki": (2, 10, BINARY_SI),
    "Mi": (2, 20, BINARY_SI),
    "Gi": (2, 30, BINARY_SI),
    "Ti": (2, 40, BINARY_SI),
    "Pi": (2, 50, BINARY_SI),
    "Ei": (2, 60, BINARY_SI),
}
_DECIMAL_SUFFIX_BY_EXPONENT = {-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G",
                               12: "T", 15: "P", 18: "E"}
_BINARY_SUFFIXES = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")

_NANO = 10**9
_MICRO_IN_NANOS = 10**6
_MAX_INT64 = 2**63 - 1
# Upstream caps binary quantities at 2^63-1 units.
_MAX_BINARY_NANOS = _MAX_INT64 * _NANO
# paddock's own bound: upstream would hold "1e100000" as a huge decimal; we refuse values
# whose digits would make parsing or printing quadratic.  Nothing real comes near it.
_MAX_DIGITS = 1000


class QuantityError(ValueError):
    """A string that is not a quantity; the message is upstream's."""


def _round_away(numerator: int, denominator: int) -> int:
    """numerator/denominator rounded away from zero (upstream's inf.RoundUp)."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder:
        quotient += 1
    return -quotient if numerator < 0 else quotient


def _interpret_suffix(suffix: str) -> tuple[int, int, str] | None:
    known = _SUFFIXES.get(suffix)
    if known is not None:
        return known
    if len(suffix) > 1 and suffix[0] in "eE":
        if not _EXPONENT.fullmatch(suffix[1:]):
            return None
        exponent = int(suffix[1:])
        if not -(2**63) <= exponent < 2**63:
            return None  # Go's ParseInt fails beyond int64
        # Upstream keeps the exponent in an int32, wrapping silently.
        exponent = (exponent + 2**31) % 2**32 - 2**31
        return 10, exponent, DECIMAL_EXPONENT
    # Upstream forgives a wrong case on the first letter only: "1K" is 1k, "1ki" is 1Ki,
    # "1e" is 1E (10^18).
    first = suffix[0]
    altered = (first.upper() if first.islower() else first.lower()) + suffix[1:]
    return _SUFFIXES.get(altered)


@total_ordering
class Quantity:
    """An exact resource quantity: a whole number of nano-units and a format.

    Compare, add and subtract quantities as numbers; ``str()`` gives the wire form.
    """

    __slots__ = ("_nanos", "format", "_text")

    def __init__(self, nanos: int, format: str = DECIMAL_SI, text: str | None = None) -> None:
        self._nanos = nanos
        self.format = format
        # The caller's own spelling, kept only where upstream would echo it back.
        self._text = text

    # -- values -------------------------------------------------------------------------

    @property
    def nanos(self) -> int:
        """The exact value in units of 10^-9."""
        return self._nanos

    def value(self) -> int:
        """The value as an integer, rounded away from zero (upstream ``Value()``)."""
        return _round_away(self._nanos, _NANO)

    def milli_value(self) -> int:
        """The value in thousandths, rounded away from zero (upstream ``MilliValue()``)."""
        return _round_away(self._nanos, _MICRO_IN_NANOS)

    def is_zero(self) -> bool:
        """True for any spelling of zero."""
        return self._nanos == 0

    def sign(self) -> int:
        """-1, 0 or 1."""
        return (self._nanos > 0) - (self._nanos < 0)

    def rounded_to_milli(self) -> Quantity:
        """This quantity rounded away from zero to a whole milli-unit.

        Upstream defaulting does this to every resource list (``SetDefaults_ResourceList``),
        so ``0.5m`` of CPU is stored as ``1m``.  The caller's spelling survives only when
        nothing was rounded.
        """
        if self._nanos % _MICRO_IN_NANOS == 0:
            return self
        return Quantity(_round_away(self._nanos, _MICRO_IN_NANOS) * _MICRO_IN_NANOS, self.format)

    # -- arithmetic and ordering ----------------------------------------------------------

    def __add__(self, other: Quantity) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        # As upstream: a zero left operand takes the format of the right one.
        fmt = other.format if self._nanos == 0 else self.format
        return Quantity(self._nanos + other._nanos, fmt)

    def __sub__(self, other: Quantity) -> Quantity:
        if not isinstance(other, Quantity):
            return NotImplemented
        fmt = other.format if self._nanos == 0 else self.format
        return Quantity(self._nanos - other._nanos, fmt)

    def __neg__(self) -> Quantity:
        return Quantity(-self._nanos, self.format)

    def __mul__(self, factor: int) -> Quantity:
        if not isinstance(factor, int) or isinstance(factor, bool):
            return NotImplemented
        return Quantity(self._nanos * factor, self.format)

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._nanos == other._nanos

    def __lt__(self, other: Quantity) -> bool:
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._nanos < other._nanos

    def __hash__(self) -> int:
        return hash(self._nanos)

    # -- text -----------------------------------------------------------------------------

    def __str__(self) -> str:
        return self._text if self._text is not None else self.canonical()

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r})"

    def canonical(self) -> str:
        """The canonical string: no fraction, the largest suffix of the quantity's format."""
        nanos = self._nanos
        if nanos == 0:
            return "0"
        fmt = self.format
        if fmt == BINARY_SI:
            # Small or fractional binary values are written in decimal, as upstream, so
            # that nothing is rounded away.
            if abs(nanos) < 1024 * _NANO or nanos % _NANO:
                fmt = DECIMAL_SI
            else:
                return self._binary_string(nanos // _NANO)
        mantissa, exponent = nanos, -9
        while mantissa % 10 == 0:
            mantissa //= 10
            exponent += 1
        while exponent % 3:
            mantissa *= 10
            exponent -= 1
        if fmt == DECIMAL_EXPONENT:
            return f"{mantissa}e{exponent}" if exponent else str(mantissa)
        if exponent > 18:
            # Past "E" upstream has no suffix; keep the number exact in the largest one.
            mantissa *= 10 ** (exponent - 18)
            exponent = 18
        return f"{mantissa}{_DECIMAL_SUFFIX_BY_EXPONENT[exponent]}"

    @staticmethod
    def _binary_string(units: int) -> str:
        power = 0
        while power < len(_BINARY_SUFFIXES) - 1 and units % 1024 == 0:
            units //= 1024
            power += 1
        return f"{units}{_BINARY_SUFFIXES[power]}"


def parse_quantity(text: str) -> Quantity:
    """Parse a quantity as upstream ``resource.ParseQuantity`` does.

    Raises :class:`QuantityError` with upstream's message for anything else.
    """
    if not isinstance(text, str) or not text:
        raise QuantityError(FORMAT_ERROR)
    if text == "0":
        return Quantity(0, DECIMAL_SI, "0")
    match = _SCAN.fullmatch(text)
    if match is None:
        raise QuantityError(FORMAT_ERROR)
    sign, whole, fraction, suffix = match.groups()
    fraction = fraction or ""
    whole = whole.lstrip("0") or "0"
    interpreted = _interpret_suffix(suffix)
    if interpreted is None:
        raise QuantityError(SUFFIX_ERROR)
    base, exponent, fmt = interpreted
    digits = whole + fraction
    if len(digits) > _MAX_DIGITS or (base == 10 and exponent > _MAX_DIGITS):
        raise QuantityError(NUMERIC_ERROR)
    mantissa = int(digits)
    if sign == "-":
        mantissa = -mantissa

    if base == 10:
        shift = exponent - len(fraction) + 9
        if shift >= 0:
            nanos = mantissa * 10**shift
        elif -shift > len(digits):
            # Far below a nano-unit: anything non-zero rounds up to one.
            nanos = (mantissa > 0) - (mantissa < 0)
        else:
            nanos = _round_away(mantissa, 10**-shift)
    else:
        nanos = _round_away(mantissa * 2**exponent * _NANO, 10 ** len(fraction))
        if abs(nanos) > _MAX_BINARY_NANOS:
            nanos = _MAX_BINARY_NANOS if nanos > 0 else -_MAX_BINARY_NANOS
        if 0 < abs(nanos) < _NANO:
            fmt = DECIMAL_SI
    return Quantity(nanos, fmt, text if _keeps_text(whole, fraction, base, exponent) else None)


def _keeps_text(whole: str, fraction: str, base: int, exponent: int) -> bool:
    """Whether upstream echoes the caller's text instead of re-rendering it.

    Upstream takes an int64 fast path for short numbers and, on that path, keeps the input
    string when it already looks canonical; everything else is re-rendered.
    """
    if base == 10:
        if len(whole) + len(fraction) > 18 or exponent - len(fraction) < -9:
            return False
        shifted = whole + fraction
        return (exponent - len(fraction)) % 3 == 0 and not shifted.endswith("000") \
            and shifted[0] != "0"
    if fraction or 14 - len(whole) - exponent * 3 // 10 < 0:
        return False
    units = int(whole)
    return units << exponent <= _MAX_INT64 and units & 7 != 0


def quantity_from_json(value: object) -> Quantity:
    """Parse a quantity as it appears in a JSON object: a string (surrounding whitespace
    allowed, as upstream's decoder trims it) or a bare JSON number."""
    if isinstance(value, str):
        return parse_quantity(value.strip())
    if isinstance(value, bool):
        raise QuantityError(FORMAT_ERROR)
    if isinstance(value, int):
        return parse_quantity(str(value))
    if isinstance(value, float):
        return parse_quantity(repr(value))
    raise QuantityError(FORMAT_ERROR)


def quantity_from_milli(milli: int, format: str = DECIMAL_SI) -> Quantity:
    """A quantity of ``milli`` thousandths (upstream ``NewMilliQuantity``)."""
    return Quantity(milli * _MICRO_IN_NANOS, format)
