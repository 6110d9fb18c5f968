"""The Kubernetes protobuf wire format, straight between JSON-form dicts and bytes.

This is the readable, pure-Python codec; its Cython twin in ``_native/`` follows the same
algorithm and runs the same tests (``tests/core/test_protobuf.py``).  Objects never pass through message
classes: :func:`encode` walks a dict in its JSON form and writes protobuf bytes, and
:func:`decode` reads bytes into a fresh dict, both guided by the API type schema
(``paddock.core.schema``) compiled at import into one lookup table per message.

The format is upstream's (proto2, field numbers of ``k8s.io/api``), with these rules:

- A field is written iff its key is in the dict with a value other than None, in field
  number order (as Go and ``SerializeToString(deterministic=True)`` write them).  Go also
  writes the zero value of every non-pointer field; a dict has no such fields, so those
  bytes differ while decoding the same.  Map entries are sorted by key as Go's
  ``sort.Strings`` sorts them (by UTF-8 bytes; upb's deterministic mode differs only where
  one key is a prefix of another) and always carry both key and value.  Repeated scalars
  are not packed (proto2); packed input is accepted on decode.
- An inline field (Go ``json:",inline"``, empty JSON name in the schema) is a nested
  message on the wire whose members sit directly in the parent's JSON object.  It is
  written when at least one of its members is.
- Special types are written as Go writes them, every member present: Quantity
  ``{string=1}``; IntOrString ``{type=1, intVal=2, strVal=3}``; Time ``{seconds=1, nanos=2}``
  with nanos always 0 (upstream drops sub-second precision of Time); MicroTime the same with
  microsecond nanos; Duration ``{duration=1}`` in nanoseconds; RawExtension ``{raw=1}`` and
  FieldsV1 ``{Raw=1}`` holding the JSON text of the value (compact, keys sorted).  The zero
  Time (``0001-01-01T00:00:00Z``) is an empty message, as in Go, and an empty Time or
  MicroTime message decodes to an absent field (Go's ``null``).
- Unknown JSON keys (``kind``/``apiVersion`` among them: they travel in the envelope) are
  ignored on encode; unknown field numbers are skipped on decode.  A known field with the
  wrong wire type is an error, as in Go's generated unmarshallers.

Normalisations a round trip applies: an empty list or map is absent (protobuf cannot tell
them apart); the zero value (``""``, ``0``, ``false``) of a scalar that Go holds in a
non-pointer ``omitempty`` field is absent, as in Go's JSON (Go writes those zeros to
protobuf, and a pointer field's zero is a real value; ``core/schema/go_types.py``); Time loses its fraction and its offset (``Z``); MicroTime keeps microseconds;
a numeric Quantity becomes its string; a null item of a list or a null map value is
dropped.  Quantity text is carried as is in both directions, not parsed: canonical
quantities are the apiserver's business (``core/defaults.py``), not the wire's.

Every failure, on encode or decode, is a :class:`ProtobufError`.
"""

from __future__ import annotations

import base64
import logging
import os
import struct
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from paddock.core.quantity import quantity_from_json
from paddock.core.schema import REGISTRY, message_for_kind
from paddock.core.schema.dsl import Message

__all__ = [
    "MAGIC",
    "ProtobufError",
    "SkipFields",
    "codec",
    "decode",
    "decode_envelope",
    "decode_object",
    "decode_watch_frames",
    "decode_watch_event",
    "encode",
    "encode_envelope",
    "encode_watch_event",
    "frame",
    "list_item_prefix",
    "message_for",
    "message_span",
    "skip_fields",
    "split_frames",
    "wrap_envelope",
]

log = logging.getLogger(__name__)

MAGIC = b"k8s\x00"
"""The prefix of every enveloped object: ``k8s`` and the encoding style 0 (runtime.Unknown)."""


class ProtobufError(ValueError):
    """Bytes that are not a valid encoding, or an object that cannot be encoded."""


# --- wire primitives ----------------------------------------------------------------------

_VARINT, _FIXED64, _LENGTH_DELIMITED, _START_GROUP, _END_GROUP, _FIXED32 = range(6)
_UINT64 = (1 << 64) - 1
_INT32_MIN, _INT32_MAX = -(1 << 31), (1 << 31) - 1
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1

# Most lengths and tags fit in one byte; these are shared, never rebuilt.
_ONE_BYTE = [bytes((i,)) for i in range(128)]
_DOUBLE = struct.Struct("<d")


def _varint(value: int) -> bytes:
    """A varint; negative numbers as their 64-bit two's complement (ten bytes), as Go does."""
    if value < 0:
        value &= _UINT64
    if value < 0x80:
        return _ONE_BYTE[value]
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the position after it (callers inline the 1-byte case)."""
    result = 0
    shift = 0
    while True:
        byte = data[pos]  # IndexError past the end: reported as truncated by the callers
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            # Go keeps the low 64 bits of an over-long tenth byte; so do we
            return result & _UINT64, pos
        shift += 7
        if shift >= 70:
            raise ProtobufError("varint longer than 10 bytes")


def _skip(data: bytes, pos: int, end: int, wire_type: int) -> int:
    """Skip the value of an unknown field; the position after it."""
    if wire_type == _VARINT:
        _, pos = _read_varint(data, pos)
    elif wire_type == _LENGTH_DELIMITED:
        length, pos = _read_varint(data, pos)
        pos += length
    elif wire_type == _FIXED64:
        pos += 8
    elif wire_type == _FIXED32:
        pos += 4
    elif wire_type == _START_GROUP:
        # Deprecated groups: skip nested fields until the group ends, iteratively so that
        # hostile nesting cannot exhaust the stack.
        depth = 1
        while depth:
            if pos >= end:
                raise ProtobufError("unterminated group")
            tag, pos = _read_varint(data, pos)
            inner = tag & 7
            if inner == _START_GROUP:
                depth += 1
            elif inner == _END_GROUP:
                depth -= 1
            else:
                pos = _skip(data, pos, end, inner)
    else:
        raise ProtobufError(f"illegal wire type {wire_type}")
    if pos > end:
        raise ProtobufError("field runs past the end of its message")
    return pos


def _fields_of(data: bytes, pos: int, end: int) -> dict[int, Any]:
    """The fields of a small fixed message (the special types) as ``{number: value}``.

    Varints are ints, length-delimited values bytes; the last occurrence wins.  Used for
    the special types' own messages, whose shapes are too small for a table to pay off.
    """
    fields: dict[int, Any] = {}
    while pos < end:
        tag, pos = _read_varint(data, pos)
        wire_type = tag & 7
        if wire_type == _VARINT:
            fields[tag >> 3], pos = _read_varint(data, pos)
        elif wire_type == _LENGTH_DELIMITED:
            length, pos = _read_varint(data, pos)
            stop = pos + length
            if stop > end:
                raise ProtobufError("length runs past the end of its message")
            fields[tag >> 3] = data[pos:stop]
            pos = stop
        else:
            pos = _skip(data, pos, end, wire_type)
    if pos != end:
        raise ProtobufError("field runs past the end of its message")
    return fields


def _int32(value: int) -> int:
    """A decoded varint as int32: Go keeps the low 32 bits."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value > _INT32_MAX else value


def _int64(value: int) -> int:
    return value - (1 << 64) if value > _INT64_MAX else value


# --- time and duration --------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
# Go's zero time.Time, which upstream writes as an empty message and reads back as null
_ZERO_TIME_SECONDS = -62135596800
_NANOS_PER_SECOND = 1_000_000_000


# Objects repeat the same few timestamps (creation, conditions, managedFields), and the
# conversion dominates encoding and decoding a Time, so both directions keep a bounded memo:
# (kind, JSON text) -> message bytes, and (kind, message bytes) -> JSON text (None: null).
# Measured on a typical running Pod (nine timestamps, four distinct): encoding goes from
# 18k to 23k objects/s and decoding from 15k to 24k objects/s once the memo holds them.
_TIME_MEMO_SIZE = 4096
_TIME_MESSAGES: dict[tuple[int, str], bytes] = {}
_TIME_TEXTS: dict[tuple[int, bytes], str | None] = {}


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memo) >= _TIME_MEMO_SIZE:
        memo.clear()  # cheaper than LRU bookkeeping, and refills in a few objects
    memo[key] = value


def _parse_time(text: str) -> tuple[int, int]:
    """Seconds since the epoch and the fraction in nanoseconds of an RFC 3339 time.

    Digits beyond microseconds are dropped (Python's datetime has no more).
    """
    when = datetime.fromisoformat(text)
    if when.tzinfo is None or len(text) < 20 or text[10] not in "Tt":
        raise ProtobufError(f"time {text!r} is not in RFC 3339 form")
    delta = when - _EPOCH
    return delta.days * 86400 + delta.seconds, delta.microseconds * 1000


def _format_time(seconds: int) -> str:
    """``2026-11-28T04:50:00Z``, the JSON form of a Time (Go's RFC3339 layout in UTC)."""
    return (_NAIVE_EPOCH + timedelta(seconds=seconds)).isoformat() + "Z"


def _format_micro_time(seconds: int, nanos: int) -> str:
    """``2026-11-28T04:50:00.123456Z``: MicroTime always has six fractional digits."""
    # Go truncates the nanoseconds towards zero, then normalises a negative fraction
    micros = nanos // 1000 if nanos >= 0 else -(-nanos // 1000)
    when = _NAIVE_EPOCH + timedelta(seconds=seconds, microseconds=micros)
    return when.isoformat(timespec="microseconds") + "Z"


# Go duration units and their length in nanoseconds
_DURATION_UNITS = {
    "ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 1_000_000,
    "s": _NANOS_PER_SECOND, "m": 60 * _NANOS_PER_SECOND, "h": 3600 * _NANOS_PER_SECOND,
}
_DIGITS = "0123456789."


def _parse_duration(text: str) -> int:
    """Nanoseconds of a Go duration string (``1h2m3.5s``, ``-300ms``, ``0``).

    Like Go's ``time.ParseDuration``: a sign, then numbers (with an optional fraction) each
    followed by a unit; the bare ``0`` needs no unit.
    """
    rest = text
    negative = rest[:1] == "-"
    if rest[:1] in ("-", "+"):
        rest = rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise ProtobufError(f"invalid duration {text!r}")
    total = 0
    while rest:
        i = 0
        while i < len(rest) and rest[i] in _DIGITS:
            i += 1
        j = i
        while j < len(rest) and rest[j] not in _DIGITS:
            j += 1
        whole, _, fraction = rest[:i].partition(".")
        scale = _DURATION_UNITS.get(rest[i:j])
        if not (whole or fraction) or "." in fraction or scale is None:
            raise ProtobufError(f"invalid duration {text!r}")
        rest = rest[j:]
        total += int(whole or "0") * scale
        if fraction:
            # the part below a nanosecond is dropped
            total += int(fraction) * scale // 10 ** len(fraction)
    if total > _INT64_MAX + negative:
        raise ProtobufError(f"invalid duration {text!r}: out of range")
    return -total if negative else total


def _format_fraction(value: int, scale: int) -> str:
    """``value / scale`` in decimal with trailing zeros removed (``1500, 1000 -> 1.5``)."""
    whole, fraction = divmod(value, scale)
    if not fraction:
        return str(whole)
    digits = str(fraction).rjust(len(str(scale)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


def _format_duration(nanos: int) -> str:
    """A duration as Go's ``time.Duration.String`` prints it (``1h0m0s``, ``1.5µs``)."""
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    value = abs(nanos)
    if value < 1_000:
        return f"{sign}{value}ns"
    if value < 1_000_000:
        return f"{sign}{_format_fraction(value, 1_000)}\u00b5s"
    if value < _NANOS_PER_SECOND:
        return f"{sign}{_format_fraction(value, 1_000_000)}ms"
    hours, value = divmod(value, 3600 * _NANOS_PER_SECOND)
    minutes, value = divmod(value, 60 * _NANOS_PER_SECOND)
    seconds = _format_fraction(value, _NANOS_PER_SECOND) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if minutes:
        return f"{sign}{minutes}m{seconds}"
    return sign + seconds


# --- the compiled schema ------------------------------------------------------------------

# What a field holds.  Kinds up to _LAST_LENGTH_DELIMITED travel length-delimited.
# _MAP_ENTRY (an entry of a map field) and _PACKED (packed repeated scalars) appear only
# in decoding tables, where they carry the value kind in place of the sub-table.
(
    _STRING, _MESSAGE, _INLINE, _MAP_ENTRY, _BYTES, _QUANTITY, _INT_OR_STRING, _TIME,
    _MICRO_TIME, _DURATION, _RAW_EXTENSION, _FIELDS_V1, _INT32, _INT64, _BOOL, _FLOAT64,
    _PACKED,
) = range(17)
_LAST_LENGTH_DELIMITED = _FIELDS_V1
_SINGLE, _LIST, _MAP = range(3)
# In decoding tables only: a singular scalar whose zero value Go's JSON leaves out
# (``Field.omits_zero``): the zero a Go client sends for it is dropped, not kept.
_OMIT_ZERO = 3

_SCALAR_KINDS = {
    "string": _STRING, "bytes": _BYTES, "bool": _BOOL, "int32": _INT32, "int64": _INT64,
    "double": _FLOAT64, "Quantity": _QUANTITY, "IntOrString": _INT_OR_STRING, "Time": _TIME,
    "MicroTime": _MICRO_TIME, "Duration": _DURATION, "RawExtension": _RAW_EXTENSION,
    "FieldsV1": _FIELDS_V1,
}


def _wire_type(kind: int) -> int:
    if kind <= _LAST_LENGTH_DELIMITED:
        return _LENGTH_DELIMITED
    return _FIXED64 if kind == _FLOAT64 else _VARINT


# Rank of a JSON key the message does not know: after every field, and skipped.
_UNKNOWN_RANK = 1 << 30


class _Ranks(dict[str, int]):
    """JSON name -> field number, the sort key that puts a dict's keys in wire order."""

    def __missing__(self, key: str) -> int:
        return _UNKNOWN_RANK


class _Table:
    """One message, compiled for the codec.

    ``fields``: JSON name -> ``(kind, shape, tag bytes, sub-table)`` for encoding (for a map,
    the kind and table of its values); members of an inline field map to that field as
    kind ``_INLINE``.  ``rank`` sorts JSON names into field-number order.  ``tags``: wire
    tag -> ``(JSON name, kind, shape, sub)`` for decoding, where sub is the sub-table, or
    ``(value kind, value table)`` for a map entry, or the element kind for a packed
    repeated scalar.  ``numbers``: every field number, to tell a known field sent
    with the wrong wire type from an unknown field.
    """

    __slots__ = ("name", "fields", "rank", "tags", "numbers")

    def __init__(self, name: str) -> None:
        self.name = name
        self.fields: dict[str, tuple[int, int, bytes, Any]] = {}
        self.rank = _Ranks().__getitem__
        self.tags: dict[int, tuple[str, int, int, Any]] = {}
        self.numbers: frozenset[int] = frozenset()


def _compile_tables() -> dict[str, _Table]:
    tables = {name: _Table(name) for name in REGISTRY}

    def json_names(name: str) -> list[str]:
        # the JSON keys a message contributes to its parent, through nested inlines too
        names = []
        for fld in REGISTRY[name].fields:
            if fld.name:
                names.append(fld.name)
            else:
                names.extend(json_names(fld.type))
        return names

    for name, table in tables.items():
        ranks = _Ranks()
        for fld in REGISTRY[name].fields:
            type_name = fld.map_value or fld.type
            sub = tables.get(type_name)
            kind = _SCALAR_KINDS.get(type_name, _MESSAGE)
            if kind == _MESSAGE and sub is None:
                raise ValueError(f"{name}.{fld.name}: unknown type {type_name}")
            shape = _MAP if fld.map_value else _LIST if fld.repeated else _SINGLE
            wire_type = _LENGTH_DELIMITED if shape == _MAP else _wire_type(kind)
            tag = (fld.number << 3) | wire_type
            if not fld.name:
                kind = _INLINE
                for member in json_names(type_name):
                    table.fields[member] = (kind, shape, _varint(tag), sub)
                    ranks[member] = fld.number
            else:
                table.fields[fld.name] = (kind, shape, _varint(tag), sub)
                ranks[fld.name] = fld.number
            if shape == _MAP:
                table.tags[tag] = (fld.name, _MAP_ENTRY, shape, (kind, sub))
            else:
                decode_shape = _OMIT_ZERO if fld.omits_zero else shape
                table.tags[tag] = (fld.name, kind, decode_shape, sub)
            if shape == _LIST and wire_type != _LENGTH_DELIMITED:
                # proto2 parsers accept a packed encoding of repeated scalars as well
                packed = (fld.number << 3) | _LENGTH_DELIMITED
                table.tags[packed] = (fld.name, _PACKED, _LIST, kind)
        table.rank = ranks.__getitem__
        table.numbers = frozenset(f.number for f in REGISTRY[name].fields)
    return tables


_TABLES = _compile_tables()


def message_for(api_version: str, kind: str) -> Message | None:
    """The schema message of a kind in an ``apiVersion`` (``v1``, ``apps/v1``), or None."""
    group, _, version = api_version.rpartition("/")
    return message_for_kind(group, version, kind)


# --- encoding -----------------------------------------------------------------------------


def encode(obj: dict[str, Any], message: Message) -> bytes:
    """The protobuf encoding of ``obj`` (JSON form) as a ``message``, without envelope."""
    try:
        return bytes(_encode_message(obj, _TABLES[message.name]))
    except ProtobufError:
        raise
    except (AttributeError, TypeError, ValueError, OverflowError) as exc:
        # a value of the wrong JSON type somewhere in obj
        raise ProtobufError(f"cannot encode {message.name}: {exc}") from exc


def _encode_message(obj: dict[str, Any], table: _Table) -> bytearray:
    if type(obj) is not dict:
        raise ProtobufError(f"{table.name}: expected an object, got {type(obj).__name__}")
    out = bytearray()
    fields = table.fields
    done_inline = None
    # Keys in field-number order give the deterministic order Go writes; a dict that is
    # already in that order (as decode makes them) costs timsort a single pass.
    for key in sorted(obj, key=table.rank):
        value = obj[key]
        if value is None:
            continue
        entry = fields.get(key)
        if entry is None:
            continue  # unknown keys are ignored, as are kind and apiVersion
        kind, shape, tag, sub = entry
        if shape == _SINGLE:
            # the common kinds inline, the rest through _payload
            if kind == _STRING:
                data = value.encode()
                size = len(data)
                out += tag
                out += _ONE_BYTE[size] if size < 0x80 else _varint(size)
                out += data
            elif kind == _MESSAGE:
                data = _encode_message(value, sub)
                size = len(data)
                out += tag
                out += _ONE_BYTE[size] if size < 0x80 else _varint(size)
                out += data
            elif kind == _INLINE:
                # members of one inline field are adjacent in rank order; the first one
                # met writes the whole nested message, from the same (parent) dict
                if sub is done_inline:
                    continue
                done_inline = sub
                data = _encode_message(obj, sub)
                if data:
                    size = len(data)
                    out += tag
                    out += _ONE_BYTE[size] if size < 0x80 else _varint(size)
                    out += data
            else:
                out += tag
                out += _payload(kind, value, sub)
        elif shape == _LIST:
            if type(value) is not list:
                raise ProtobufError(f"{table.name}.{key}: expected an array")
            if kind == _MESSAGE:
                # the commonest list (containers, env, ports, conditions...), inlined
                for item in value:
                    if item is not None:
                        data = _encode_message(item, sub)
                        size = len(data)
                        out += tag
                        out += _ONE_BYTE[size] if size < 0x80 else _varint(size)
                        out += data
            else:
                for item in value:
                    if item is not None:
                        out += tag
                        out += _payload(kind, item, sub)
        else:
            if type(value) is not dict:
                raise ProtobufError(f"{table.name}.{key}: expected an object")
            value_tag = _MAP_VALUE_TAGS[kind]
            for map_key in sorted(value):
                item = value[map_key]
                if item is None:
                    continue
                key_data = map_key.encode()
                size = len(key_data)
                if kind == _STRING and size < 0x80:
                    # labels and annotations: short keys, string values
                    value_data = item.encode()
                    value_size = len(value_data)
                    entry_data = b"".join(
                        (
                            b"\x0a",
                            _ONE_BYTE[size],
                            key_data,
                            b"\x12",
                            _ONE_BYTE[value_size] if value_size < 0x80 else _varint(value_size),
                            value_data,
                        )
                    )
                else:
                    entry_data = b"".join(
                        (
                            b"\x0a",
                            _ONE_BYTE[size] if size < 0x80 else _varint(size),
                            key_data,
                            value_tag,
                            _payload(kind, item, sub),
                        )
                    )
                size = len(entry_data)
                out += tag
                out += _ONE_BYTE[size] if size < 0x80 else _varint(size)
                out += entry_data
    return out


# Tag of the value (field 2) of a map entry, by value kind
_MAP_VALUE_TAGS = {
    kind: _varint((2 << 3) | _wire_type(kind)) for kind in set(_SCALAR_KINDS.values()) | {_MESSAGE}
}


def _payload(kind: int, value: Any, sub: _Table | None) -> bytes:
    """What follows the tag of one value: a varint, 8 bytes, or a length and the data."""
    if kind == _INT32:
        if not _INT32_MIN <= value <= _INT32_MAX:
            raise ProtobufError(f"{value} out of range for int32")
        return _varint(value)
    if kind == _INT64:
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise ProtobufError(f"{value} out of range for int64")
        return _varint(value)
    if kind == _BOOL:
        return b"\x01" if value else b"\x00"
    if kind == _FLOAT64:
        return _DOUBLE.pack(value)
    if kind == _STRING:
        data = value.encode()
    elif kind == _MESSAGE:
        data = _encode_message(value, sub)  # type: ignore[arg-type]
    elif kind == _BYTES:
        data = base64.b64decode(value, validate=True)
    else:
        data = _special(kind, value)
    size = len(data)
    return (_ONE_BYTE[size] if size < 0x80 else _varint(size)) + data


def _special(kind: int, value: Any) -> bytes:
    """The message of a special type, from its JSON form; every member written, as in Go."""
    if kind == _QUANTITY:
        if type(value) is not str:
            value = str(quantity_from_json(value))  # a JSON number: upstream's text of it
        data = value.encode()
        return b"\x0a" + _varint(len(data)) + data
    if kind == _INT_OR_STRING:
        if type(value) is int:
            if not _INT32_MIN <= value <= _INT32_MAX:
                raise ProtobufError(f"{value} out of range for IntOrString")
            return b"\x08\x00\x10" + _varint(value) + b"\x1a\x00"
        if type(value) is str:
            data = value.encode()
            return b"\x08\x01\x10\x00\x1a" + _varint(len(data)) + data
        raise ProtobufError(f"IntOrString must be an integer or a string, not {value!r}")
    if kind == _TIME or kind == _MICRO_TIME:
        data = _TIME_MESSAGES.get((kind, value))
        if data is None:
            seconds, nanos = _parse_time(value)
            if kind == _TIME:
                nanos = 0  # upstream writes whole seconds only: so is Time's JSON form
            if seconds == _ZERO_TIME_SECONDS and not nanos:
                data = b""
            else:
                data = b"\x08" + _varint(seconds) + b"\x10" + _varint(nanos)
            _remember(_TIME_MESSAGES, (kind, value), data)
        return data
    if kind == _DURATION:
        return b"\x08" + _varint(_parse_duration(value))
    if kind == _RAW_EXTENSION or kind == _FIELDS_V1:
        data = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        return b"\x0a" + _varint(len(data)) + data
    raise AssertionError(f"unhandled kind {kind}")


# --- decoding -----------------------------------------------------------------------------


class SkipFields(dict[str, frozenset[str]]):
    """Fields that decoding passes over, by message: ``{message name: JSON names}``.

    A component that never reads a field need not pay for it: upstream informers strip
    ``metadata.managedFields``, which is a tenth of a pod's encoding and, being JSON text, a
    sixth of the time to decode it.  Made by :func:`skip_fields`.
    """


def skip_fields(spec: dict[str, list[str]] | dict[str, frozenset[str]]) -> SkipFields:
    """The :class:`SkipFields` of ``{type: [JSON names]}``, where a type is a message's full
    name (``io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta``) or its last part
    (``ObjectMeta``, every message of that name)."""
    out = SkipFields()
    for type_name, names in spec.items():
        matches = [n for n in REGISTRY if n == type_name or n.rsplit(".", 1)[-1] == type_name]
        if not matches:
            raise ValueError(f"no message type {type_name!r}")
        for full in matches:
            known = {f.name for f in REGISTRY[full].fields if f.name}
            unknown = set(names) - known
            if unknown:
                raise ValueError(f"{full} has no field {sorted(unknown)[0]!r}")
            out[full] = out.get(full, frozenset()) | frozenset(names)
    return out


def decode(data: bytes, message: Message, skip: SkipFields | None = None) -> dict[str, Any]:
    """The JSON-form dict of a ``message`` encoded in ``data`` (no envelope), without the
    fields ``skip`` names."""
    if type(data) is not bytes:
        data = bytes(data)
    out: dict[str, Any] = {}
    try:
        _decode_message(data, 0, len(data), _TABLES[message.name], out, skip)
    except ProtobufError:
        raise
    except IndexError as exc:
        raise ProtobufError(f"truncated {message.name}") from exc
    except (ValueError, struct.error, OverflowError, RecursionError) as exc:
        # invalid UTF-8 or JSON inside, a time out of range, ...
        raise ProtobufError(f"cannot decode {message.name}: {exc}") from exc
    return out


def _decode_message(
    data: bytes, pos: int, end: int, table: _Table, out: dict[str, Any],
    skip: SkipFields | None = None,
) -> None:
    """Read the fields of one message in ``data[pos:end]`` into ``out``."""
    tags = table.tags
    skipped = skip.get(table.name) if skip else None
    while pos < end:
        tag = data[pos]
        pos += 1
        if tag >= 0x80:
            tag, pos = _read_varint(data, pos - 1)
        entry = tags.get(tag)
        if entry is None:
            if tag >> 3 == 0:
                raise ProtobufError(f"{table.name}: illegal field number 0")
            if tag >> 3 in table.numbers:
                raise ProtobufError(f"{table.name}: wrong wire type for field {tag >> 3}")
            pos = _skip(data, pos, end, tag & 7)
            continue
        name, kind, shape, sub = entry
        if skipped and name in skipped:
            pos = _skip(data, pos, end, tag & 7)
            continue
        if kind > _LAST_LENGTH_DELIMITED:
            # varint or fixed64 scalars
            if kind == _FLOAT64:
                if pos + 8 > end:
                    raise ProtobufError(f"{table.name}.{name}: truncated double")
                value: Any = _DOUBLE.unpack_from(data, pos)[0]
                pos += 8
            else:
                value = data[pos]
                pos += 1
                if value >= 0x80:
                    value, pos = _read_varint(data, pos - 1)
                if kind == _INT32:
                    value = _int32(value)
                elif kind == _INT64:
                    value = _int64(value)
                elif kind == _BOOL:
                    value = value != 0
                else:  # _PACKED
                    stop = pos + value
                    if stop > end:
                        raise ProtobufError(f"{table.name}.{name}: length past the end")
                    items = out.get(name)
                    if items is None:
                        out[name] = items = []
                    items.extend(_unpack(data, pos, stop, sub))
                    pos = stop
                    continue
            if pos > end:
                raise ProtobufError(f"{table.name}.{name}: runs past the end of the message")
        else:
            size = data[pos]
            pos += 1
            if size >= 0x80:
                size, pos = _read_varint(data, pos - 1)
            stop = pos + size
            if stop > end:
                raise ProtobufError(f"{table.name}.{name}: length past the end")
            if kind == _STRING:
                value = data[pos:stop].decode()
            elif kind == _MESSAGE:
                if shape == _SINGLE:
                    # a message field seen twice is merged, as protobuf requires
                    value = out.get(name)
                    if value is None:
                        out[name] = value = {}
                    _decode_message(data, pos, stop, sub, value, skip)
                    pos = stop
                    continue
                value = {}
                _decode_message(data, pos, stop, sub, value, skip)
            elif kind == _INLINE:
                _decode_message(data, pos, stop, sub, out, skip)
                pos = stop
                continue
            elif kind == _MAP_ENTRY:
                _decode_map_entry(data, pos, stop, sub[0], sub[1], out, name, skip)
                pos = stop
                continue
            else:
                value = _decode_length_delimited(data, pos, stop, kind, sub, skip)
                if value is None:  # an empty Time, RawExtension...: Go's null
                    pos = stop
                    continue
            pos = stop
        if shape == _SINGLE:
            out[name] = value
        elif shape == _OMIT_ZERO:
            if value:
                out[name] = value
            else:  # Go's zero value: absent from its JSON (and the last occurrence wins)
                out.pop(name, None)
        else:
            items = out.get(name)
            if items is None:
                out[name] = [value]
            else:
                items.append(value)
    if pos != end:
        raise ProtobufError(f"{table.name}: last field runs past the end of the message")


def _decode_length_delimited(
    data: bytes, pos: int, stop: int, kind: int, sub: Any, skip: SkipFields | None = None
) -> Any:
    """One length-delimited value in ``data[pos:stop]`` to its JSON form (None: absent)."""
    if kind == _STRING:
        return data[pos:stop].decode()
    if kind == _MESSAGE:
        value: dict[str, Any] = {}
        _decode_message(data, pos, stop, sub, value, skip)
        return value
    if kind == _BYTES:
        return base64.b64encode(data[pos:stop]).decode("ascii")
    if kind == _QUANTITY:
        # fast path for the only shape Go writes: field 1, a short string, nothing else
        if stop - pos >= 2 and data[pos] == 0x0A and data[pos + 1] == stop - pos - 2:
            return data[pos + 2 : stop].decode()
        # an empty message is Go's zero Quantity, "0" in JSON
        return _as_bytes(_fields_of(data, pos, stop).get(1, b"0")).decode()
    if kind == _TIME or kind == _MICRO_TIME:
        if pos == stop:
            return None  # Go's zero time, null in JSON
        message = data[pos:stop]
        text = _TIME_TEXTS.get((kind, message))
        if text is None:
            text = _decode_time(kind, message)
            _remember(_TIME_TEXTS, (kind, message), text)
        return text
    fields = _fields_of(data, pos, stop)
    if kind == _INT_OR_STRING:
        type_ = fields.get(1, 0)
        if type_ == 0:
            return _int32(_as_int(fields.get(2, 0)))
        if type_ == 1:
            return _as_bytes(fields.get(3, b"")).decode()
        raise ProtobufError(f"IntOrString of unknown type {type_}")
    if kind == _DURATION:
        return _format_duration(_int64(_as_int(fields.get(1, 0))))
    if kind == _RAW_EXTENSION or kind == _FIELDS_V1:
        raw = _as_bytes(fields.get(1, b""))
        return orjson.loads(raw) if raw else None
    raise AssertionError(f"unhandled kind {kind}")


def _decode_time(kind: int, message: bytes) -> str | None:
    """The JSON form of a non-empty Time or MicroTime message (None for Go's zero time)."""
    fields = _fields_of(message, 0, len(message))
    seconds = _int64(_as_int(fields.get(1, 0)))
    if kind == _TIME:
        # upstream reads Time back without its nanos
        return None if seconds == _ZERO_TIME_SECONDS else _format_time(seconds)
    nanos = _int32(_as_int(fields.get(2, 0)))
    if seconds == _ZERO_TIME_SECONDS and -1000 < nanos < 1000:
        return None
    return _format_micro_time(seconds, nanos)


def _as_int(value: Any) -> int:
    if type(value) is not int:
        raise ProtobufError("wrong wire type inside a special type")
    return value


def _as_bytes(value: Any) -> bytes:
    if type(value) is not bytes:
        raise ProtobufError("wrong wire type inside a special type")
    return value


def _decode_map_entry(
    data: bytes, pos: int, stop: int, kind: int, sub: Any, out: dict[str, Any], name: str,
    skip: SkipFields | None = None,
) -> None:
    """Add one map entry (key=1, value=2) in ``data[pos:stop]`` to ``out[name]``."""
    entries = out.get(name)
    if entries is None:
        out[name] = entries = {}
    key = ""
    value: Any = None
    while pos < stop:
        tag = data[pos]
        pos += 1
        if tag >= 0x80:
            tag, pos = _read_varint(data, pos - 1)
        if tag == 0x0A:
            size, pos = _read_varint(data, pos)
            if pos + size > stop:
                raise ProtobufError(f"{name}: map key runs past the end of its entry")
            key = data[pos : pos + size].decode()
            pos += size
        elif tag >> 3 == 2:
            if tag & 7 != _wire_type(kind):
                raise ProtobufError(f"{name}: wrong wire type for a map value")
            if kind == _FLOAT64:
                if pos + 8 > stop:
                    raise ProtobufError(f"{name}: truncated double in a map entry")
                value = _DOUBLE.unpack_from(data, pos)[0]
                pos += 8
            elif kind > _LAST_LENGTH_DELIMITED:
                value, pos = _read_varint(data, pos)
                if kind == _INT32:
                    value = _int32(value)
                elif kind == _INT64:
                    value = _int64(value)
                else:
                    value = value != 0
            else:
                size, pos = _read_varint(data, pos)
                if pos + size > stop:
                    raise ProtobufError(f"{name}: map value runs past the end of its entry")
                value = _decode_length_delimited(data, pos, pos + size, kind, sub, skip)
                pos += size
        else:
            pos = _skip(data, pos, stop, tag & 7)
    if pos != stop:
        raise ProtobufError(f"{name}: map entry runs past its end")
    if value is None:
        # an entry without value holds the zero value, as in Go
        value = _ZERO_MAP_VALUES.get(kind, "")
        if kind == _MESSAGE:
            value = {}
    entries[key] = value


_ZERO_MAP_VALUES: dict[int, Any] = {
    _QUANTITY: "0", _INT32: 0, _INT64: 0, _BOOL: False, _FLOAT64: 0.0, _INT_OR_STRING: 0,
}


def _unpack(data: bytes, pos: int, stop: int, kind: int) -> list[Any]:
    """The items of a packed repeated scalar in ``data[pos:stop]``."""
    items: list[Any] = []
    if kind == _FLOAT64:
        if (stop - pos) % 8:
            raise ProtobufError("packed doubles of a length not a multiple of 8")
        return [v for (v,) in _DOUBLE.iter_unpack(data[pos:stop])]
    while pos < stop:
        value, pos = _read_varint(data, pos)
        if kind == _INT32:
            value = _int32(value)
        elif kind == _INT64:
            value = _int64(value)
        else:
            value = value != 0
        items.append(value)
    if pos != stop:
        raise ProtobufError("packed varints run past their end")
    return items


# --- envelope, watch events and framing ---------------------------------------------------


def _length_delimited(tag: bytes, data: bytes) -> bytes:
    return tag + _varint(len(data)) + data


def encode_envelope(obj: dict[str, Any], api_version: str, kind: str, message: Message) -> bytes:
    """``obj`` as upstream's protobuf serializer writes it: the magic and a runtime.Unknown.

    Unknown is ``{typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3,
    contentType=4}``; Go writes every member, the last two empty.
    """
    type_meta = _length_delimited(b"\x0a", api_version.encode()) + _length_delimited(
        b"\x12", kind.encode()
    )
    return b"".join(
        (
            MAGIC,
            _length_delimited(b"\x0a", type_meta),
            _length_delimited(b"\x12", encode(obj, message)),
            b"\x1a\x00\x22\x00",
        )
    )


def wrap_envelope(api_version: str, kind: str, parts: list[Any]) -> bytes:
    """The envelope around a message given as the pieces of its encoding (bytes-like).

    A LIST reply is built this way from each item's cached encoding, without re-encoding
    the items: see :func:`message_span` and :func:`list_item_prefix`.
    """
    type_meta = _length_delimited(b"\x0a", api_version.encode()) + _length_delimited(
        b"\x12", kind.encode()
    )
    size = sum(len(p) for p in parts)
    return b"".join(
        (MAGIC, _length_delimited(b"\x0a", type_meta), b"\x12", _varint(size), *parts,
         b"\x1a\x00\x22\x00")
    )


def list_item_prefix(size: int) -> bytes:
    """The tag and length before an item of a List message (``items`` is field 2)."""
    return b"\x12" + _varint(size)


def message_span(envelope: bytes) -> tuple[int, int]:
    """Where the raw message sits in an envelope made by :func:`encode_envelope`."""
    pos = len(MAGIC)
    if envelope[pos] != 0x0A:
        raise ProtobufError("not an envelope written by encode_envelope")
    size, pos = _read_varint(envelope, pos + 1)
    pos += size
    if envelope[pos] != 0x12:
        raise ProtobufError("not an envelope written by encode_envelope")
    size, pos = _read_varint(envelope, pos + 1)
    return pos, pos + size


def decode_envelope(data: bytes) -> tuple[str, str, bytes]:
    """``(apiVersion, kind, raw message bytes)`` of an enveloped object."""
    if type(data) is not bytes:
        data = bytes(data)
    if not data.startswith(MAGIC):
        raise ProtobufError("not a Kubernetes protobuf message: missing the k8s\\x00 prefix")
    if len(data) == len(MAGIC):
        raise ProtobufError("empty protobuf message")
    try:
        unknown = _fields_of(data, len(MAGIC), len(data))
        type_meta = unknown.get(1, b"")
        raw = unknown.get(2, b"")
        if type(type_meta) is not bytes or type(raw) is not bytes:
            raise ProtobufError("runtime.Unknown has a wrong wire type")
        meta = _fields_of(type_meta, 0, len(type_meta))
        api_version = meta.get(1, b"")
        kind = meta.get(2, b"")
        if type(api_version) is not bytes or type(kind) is not bytes:
            raise ProtobufError("runtime.TypeMeta has a wrong wire type")
        return api_version.decode(), kind.decode(), raw
    except ProtobufError:
        raise
    except IndexError as exc:
        raise ProtobufError("truncated runtime.Unknown") from exc
    except ValueError as exc:
        raise ProtobufError(f"cannot decode runtime.Unknown: {exc}") from exc


def decode_object(data: bytes, skip: SkipFields | None = None) -> dict[str, Any]:
    """An enveloped object as its JSON-form dict, ``kind`` and ``apiVersion`` first."""
    api_version, kind, raw = decode_envelope(data)
    message = message_for(api_version, kind)
    if message is None:
        raise ProtobufError(f"no kind {kind!r} is registered for version {api_version!r}")
    out: dict[str, Any] = {"kind": kind, "apiVersion": api_version}
    out.update(decode(raw, message, skip))
    return out


def encode_watch_event(event_type: str, raw_object: bytes) -> bytes:
    """A meta/v1 WatchEvent ``{type=1, object=2 RawExtension{raw=1}}`` (not enveloped).

    ``raw_object`` is the object already encoded, with its envelope, as upstream embeds it.
    """
    return _length_delimited(b"\x0a", event_type.encode()) + _length_delimited(
        b"\x12", _length_delimited(b"\x0a", raw_object)
    )


def decode_watch_event(data: bytes) -> tuple[str, bytes]:
    """``(type, raw object bytes)`` of a WatchEvent made by :func:`encode_watch_event`."""
    if type(data) is not bytes:
        data = bytes(data)
    try:
        event = _fields_of(data, 0, len(data))
        event_type = event.get(1, b"")
        extension = event.get(2, b"")
        if type(event_type) is not bytes or type(extension) is not bytes:
            raise ProtobufError("WatchEvent has a wrong wire type")
        raw = _fields_of(extension, 0, len(extension)).get(1, b"")
        if type(raw) is not bytes:
            raise ProtobufError("RawExtension has a wrong wire type")
        return event_type.decode(), raw
    except ProtobufError:
        raise
    except IndexError as exc:
        raise ProtobufError("truncated WatchEvent") from exc
    except ValueError as exc:
        raise ProtobufError(f"cannot decode WatchEvent: {exc}") from exc


def decode_watch_frames(
    buffer: bytes, skip: SkipFields | None = None
) -> tuple[list[tuple[str, dict[str, Any]]], bytes]:
    """The complete frames at the start of a protobuf watch stream, each decoded to
    ``(type, object)``, and the incomplete rest of ``buffer``."""
    frames, rest = split_frames(buffer)
    events = []
    for data in frames:
        event_type, raw = decode_watch_event(data)
        events.append((event_type, decode_object(raw, skip)))
    return events, rest


_FRAME_LENGTH = struct.Struct(">I")


def frame(data: bytes) -> bytes:
    """One frame of a protobuf watch stream: a 4-byte big-endian length, then the data."""
    return _FRAME_LENGTH.pack(len(data)) + data


def split_frames(buffer: bytes) -> tuple[list[bytes], bytes]:
    """The complete frames at the start of ``buffer``, and the incomplete rest."""
    frames = []
    pos = 0
    while len(buffer) - pos >= 4:
        (size,) = _FRAME_LENGTH.unpack_from(buffer, pos)
        if len(buffer) - pos - 4 < size:
            break
        frames.append(bytes(buffer[pos + 4 : pos + 4 + size]))
        pos += 4 + size
    return frames, bytes(buffer[pos:])


# --- the implementation in use ------------------------------------------------------------

_chosen: Any = None


def codec(pure: bool | None = None) -> Any:
    """The codec module to use: ``paddock._native.protobuf``, or this module.

    Both have the same functions (``encode``, ``decode``, ``encode_envelope``, ...) and give
    the same results.  ``pure=None`` means native unless ``PADDOCK_PURE=1``, falling back to
    this module with one loud warning when the extension is not built; ``pure=False``
    demands the native module (ImportError without it); ``pure=True`` is this module.
    """
    global _chosen
    import sys

    if pure:
        return sys.modules[__name__]
    if pure is None and _chosen is not None:
        return _chosen
    if pure is None and os.environ.get("PADDOCK_PURE") == "1":
        _chosen = sys.modules[__name__]
        return _chosen
    try:
        from paddock._native import protobuf as native
    except ImportError as exc:
        if pure is False:
            raise
        log.warning("!!! paddock._native.protobuf is not built (%s): protobuf runs in pure "
                    "Python, about 20 times slower; build it with "
                    "`python setup.py build_ext --inplace`", exc)
        native = sys.modules[__name__]
    if pure is None:
        _chosen = native
    return native
