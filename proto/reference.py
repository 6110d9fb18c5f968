"""The reference implementation of the protobuf wire format: the ``protobuf`` package.

The ``.proto`` files in this folder (written by ``generate.py`` from the schema) are compiled
with grpcio-tools into a descriptor set, ``k8s.pb`` beside them: at build time by
``make build`` (``python -m paddock.proto.reference``), and again by :func:`load` whenever
a ``.proto`` file is newer.  Message classes come from that descriptor set
(``message_factory``), which is what protoc's Python output does too, minus the import
paths: upstream's ``k8s.io/...`` directories are not Python packages.

Reference messages are built with ``ParseDict`` from the JSON-form data after turning the
special types into their message forms and the inline (Go-embedded) members into their
nested message.  Tests hold the codec to these bytes; ``paddock bench codec`` times this
path (dict, message, bytes) against the codec.
"""

from __future__ import annotations

import base64
import calendar
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message as ProtoMessage

from paddock.core.schema import REGISTRY
from paddock.core.schema.dsl import Message

from .generate import proto_name

PROTO_DIR = Path(__file__).resolve().parent
DESCRIPTORS = PROTO_DIR / "k8s.pb"


def proto_files() -> list[Path]:
    return sorted(PROTO_DIR.rglob("*.proto"))


def compile_descriptors(out: Path = DESCRIPTORS) -> Path:
    """Compile every ``.proto`` file into one descriptor set with grpcio-tools."""
    files = [str(p.relative_to(PROTO_DIR)) for p in proto_files()]
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    subprocess.run(
        [sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTO_DIR}", "--include_imports",
         f"--descriptor_set_out={tmp}", *files],
        check=True, capture_output=True)
    os.replace(tmp, out)
    return out


def load() -> Reference:
    """The reference, compiling the descriptor set first if it is missing or stale."""
    newest = max(p.stat().st_mtime for p in proto_files())
    if not DESCRIPTORS.exists() or DESCRIPTORS.stat().st_mtime < newest:
        compile_descriptors()
    pool = descriptor_pool.DescriptorPool()
    for file in descriptor_pb2.FileDescriptorSet.FromString(DESCRIPTORS.read_bytes()).file:
        pool.Add(file)
    return Reference(pool)


class Reference:
    """Message classes compiled from proto/, and the JSON-form to ParseDict-form conversion."""

    def __init__(self, pool: descriptor_pool.DescriptorPool) -> None:
        self.pool = pool

    def descriptor(self, schema_name: str) -> Descriptor:
        return self.pool.FindMessageTypeByName(proto_name(schema_name))

    def new(self, schema_name: str) -> ProtoMessage:
        return message_factory.GetMessageClass(self.descriptor(schema_name))()

    def new_by_proto_name(self, full_name: str) -> Any:
        """A message of a type that has no schema entry (``...runtime.Unknown``)."""
        return message_factory.GetMessageClass(self.pool.FindMessageTypeByName(full_name))()

    def message(self, obj: dict[str, Any], schema_name: str) -> ProtoMessage:
        msg = self.new(schema_name)
        json_format.ParseDict(
            to_proto_json(obj, REGISTRY[schema_name], self.descriptor(schema_name)), msg
        )
        return msg

    def encode(self, obj: dict[str, Any], schema_name: str) -> bytes:
        return self.message(obj, schema_name).SerializeToString(deterministic=True)


def to_proto_json(obj: dict[str, Any], message: Message, descriptor: Descriptor) -> dict[str, Any]:
    """``obj`` in the form ParseDict expects for ``descriptor``.

    Inline members move into their nested message (present iff one of them is); special
    types become the messages Go writes, with every member set.
    """
    out: dict[str, Any] = {}
    for fld in message.fields:
        proto_field = descriptor.fields_by_number[fld.number]
        if not fld.name:
            inner = to_proto_json(obj, REGISTRY[fld.type], proto_field.message_type)
            if inner:
                out[proto_field.json_name] = inner
            continue
        value = obj.get(fld.name)
        if value is None or ((fld.repeated or fld.map_value) and not value):
            continue  # an empty list or map writes nothing, so it makes no inline present
        type_name = fld.map_value or fld.type
        if fld.map_value:
            value_field = proto_field.message_type.fields_by_name["value"]
            out[proto_field.json_name] = {
                k: special_to_proto(type_name, v, value_field.message_type)
                for k, v in value.items()
            }
        elif fld.repeated:
            out[proto_field.json_name] = [
                special_to_proto(type_name, v, proto_field.message_type) for v in value
            ]
        else:
            out[proto_field.json_name] = special_to_proto(
                type_name, value, proto_field.message_type
            )
    return out


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _seconds(text: str, layout: str) -> int:
    return calendar.timegm(datetime.strptime(text, layout).timetuple())


def special_to_proto(type_name: str, value: Any, descriptor: Descriptor | None) -> Any:
    """One value in ParseDict form; plain scalars (bytes are base64 in both) stay as they are."""
    if type_name == "Quantity":
        return {"string": value}
    if type_name == "IntOrString":
        if isinstance(value, int):
            return {"type": 0, "intVal": value, "strVal": ""}
        return {"type": 1, "intVal": 0, "strVal": value}
    if type_name == "Time":
        return {"seconds": _seconds(value, "%Y-%m-%dT%H:%M:%SZ"), "nanos": 0}
    if type_name == "MicroTime":
        when = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
        return {"seconds": calendar.timegm(when.timetuple()), "nanos": when.microsecond * 1000}
    if type_name == "RawExtension":
        return {"raw": _b64(orjson.dumps(value, option=orjson.OPT_SORT_KEYS))}
    if type_name == "FieldsV1":
        return {"Raw": _b64(orjson.dumps(value, option=orjson.OPT_SORT_KEYS))}
    if type_name in REGISTRY:
        assert descriptor is not None
        return to_proto_json(value, REGISTRY[type_name], descriptor)
    return value


if __name__ == "__main__":
    print(compile_descriptors())
