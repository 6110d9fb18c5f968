"""Hand-made protobuf bytes for tests that need encodings no codec would write."""

from __future__ import annotations


def varint(value: int) -> bytes:
    """A base-128 varint; a negative number as its 64-bit two's complement, as Go writes."""
    value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)
