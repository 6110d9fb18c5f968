"""ObjectMeta bookkeeping shared by the apiserver and the client: timestamps, uids,
generated names and storage keys."""

from __future__ import annotations

import functools
import os
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Any

# upstream's generated-name alphabet: no vowels (no words) and no look-alike characters
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def now_rfc3339(ts: float | None = None) -> str:
    """A Kubernetes Time: RFC 3339 in UTC with whole seconds, e.g. ``2026-11-28T04:50:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() if ts is None else ts))


def parse_rfc3339(value: str) -> float:
    """Seconds since the epoch of an RFC 3339 timestamp (``Z`` or an offset, fractions allowed)."""
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


@functools.lru_cache(maxsize=16384)
def timestamp(value: str | None) -> float:
    """:func:`parse_rfc3339` for controllers' hot loops: cached (the same times recur in
    every sync), 0.0 for none or a malformed one."""
    if not value:
        return 0.0
    try:
        return parse_rfc3339(value)
    except ValueError:
        return 0.0


def new_uid() -> str:
    return str(uuid.uuid4())


# PADDOCK_NAME_SEED makes generated names a known sequence (tests of name collisions)
_names = (random.Random(int(os.environ["PADDOCK_NAME_SEED"])) if os.environ.get("PADDOCK_NAME_SEED")
          else random.Random())


def generate_name(prefix: str) -> str:
    """``generateName`` + five random characters, as upstream's simple name generator."""
    return prefix + "".join(_names.choices(_NAME_ALPHABET, k=5))


def storage_key(resource: str, namespace: str | None, name: str) -> str:
    """``/registry/<resource>/<namespace>/<name>`` (no namespace segment when cluster-scoped)."""
    if namespace:
        return f"/registry/{resource}/{namespace}/{name}"
    return f"/registry/{resource}/{name}"


def collection_prefix(resource: str, namespace: str | None) -> str:
    """The key prefix of every object of a resource, or of those in one namespace."""
    if namespace:
        return f"/registry/{resource}/{namespace}/"
    return f"/registry/{resource}/"


def metadata(obj: dict[str, Any]) -> dict[str, Any]:
    """The object's metadata dict, created if missing or null."""
    md = obj.get("metadata")
    if not isinstance(md, dict):
        md = {}
        obj["metadata"] = md
    return md
