"""How objects are stored: the Kubernetes protobuf envelope, as upstream stores them in etcd.

A stored value is ``k8s\\x00`` and a runtime.Unknown holding the object's apiVersion, kind
and protobuf message (``paddock.core.protobuf``), without ``metadata.resourceVersion``: that
is the revision of the key, set again on every read.  Values written before storage held
protobuf are JSON; they are still read, and rewritten as protobuf at their next update.
"""

from __future__ import annotations

from typing import Any

import orjson

from ...core.protobuf import MAGIC, codec

__all__ = ["decode_stored", "encode_for_storage"]


def encode_for_storage(obj: dict[str, Any]) -> bytes:
    """The stored form of an object (which must have its apiVersion and kind)."""
    pb = codec()
    api_version, kind = obj["apiVersion"], obj["kind"]
    message = pb.message_for(api_version, kind)
    if message is None:
        raise ValueError(f"no protobuf form for {api_version} {kind}: it cannot be stored")
    md = obj["metadata"]
    rv = md.pop("resourceVersion", None)
    try:
        data: bytes = pb.encode_envelope(obj, api_version, kind, message)
        return data
    finally:
        if rv is not None:
            md["resourceVersion"] = rv


def decode_stored(value: bytes, rev: int) -> dict[str, Any]:
    """The object stored under a key, with its resourceVersion set to the revision."""
    if value.startswith(MAGIC):
        # kind and apiVersion come first, as upstream writes them in JSON
        obj: dict[str, Any] = codec().decode_object(value)
    else:
        obj = orjson.loads(value)
    md = obj.get("metadata")
    if md is None:
        md = obj["metadata"] = {}
    md["resourceVersion"] = str(rev)
    return obj
