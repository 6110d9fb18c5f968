"""A compact description of the Kubernetes API types, written once and used everywhere.

Each API type is a :class:`Message` with :class:`Field` s.  A field records its JSON name,
its protobuf field number (a fact of the upstream wire format, for the protobuf codec), its
type, and the list/patch metadata that strategic merge patch, server-side apply and the
OpenAPI documents need.  Type modules (``core/schema/core_v1.py``, ``.../meta_v1.py``, ...)
call :func:`message` to register their types in :data:`REGISTRY`.

Scalar type names: ``string``, ``bytes`` (base64 in JSON), ``bool``, ``int32``, ``int64``,
``double``, and the special well-known types ``Quantity``, ``IntOrString``, ``Time``,
``MicroTime``, ``Duration``, ``RawExtension``, ``FieldsV1``.  Any other type name is the full
name of a message (``io.k8s.api.core.v1.Container``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from paddock.core.schema.go_types import OMITEMPTY, POINTERS

SCALARS = frozenset(
    {
        "string", "bytes", "bool", "int32", "int64", "double",
        "Quantity", "IntOrString", "Time", "MicroTime", "Duration", "RawExtension", "FieldsV1",
    }
)


# The scalars whose Go zero value is "" / 0 / false (the others are structs in Go)
PLAIN_SCALARS = frozenset({"string", "bytes", "bool", "int32", "int64", "double"})


@dataclass(frozen=True)
class Field:
    """One field of a message.

    ``repeated`` makes it a JSON array; ``map_value`` (a type name) makes it a JSON object
    with string keys (``type`` is then ignored).  ``merge_key``/``patch_strategy`` are the
    Go struct tags ``patchMergeKey``/``patchStrategy`` ("merge", "replace", "retainKeys",
    "merge,retainKeys"); ``list_type`` is ``atomic``/``set``/``map`` and ``list_map_keys``
    the keys of a ``map`` list, as in ``x-kubernetes-list-type``/``-list-map-keys``.
    """

    name: str
    number: int
    type: str
    repeated: bool = False
    map_value: str | None = None
    required: bool = False
    doc: str = ""
    merge_key: str | None = None
    patch_strategy: str | None = None
    list_type: str | None = None
    list_map_keys: tuple[str, ...] = ()
    enum: tuple[str, ...] = ()
    # How Go holds a singular scalar (set from core/schema/go_types.py at registration):
    # a pointer, and whether its JSON tag has omitempty (None: not ``required``)
    pointer: bool = False
    omitempty: bool | None = None

    @property
    def is_scalar(self) -> bool:
        return (self.map_value or self.type) in SCALARS

    @property
    def omits_zero(self) -> bool:
        """Whether Go's JSON leaves this field out when it holds its zero value: a
        non-pointer plain scalar with ``omitempty``."""
        if self.repeated or self.map_value or self.pointer or self.type not in PLAIN_SCALARS:
            return False
        return self.omitempty if self.omitempty is not None else not self.required


@dataclass(frozen=True)
class Message:
    """An API type: its full name, a one-line description, and its fields."""

    name: str
    doc: str
    fields: tuple[Field, ...]
    # group/version/kind for top-level kinds (ObjectMeta etc. have none)
    gvk: tuple[str, str, str] | None = None

    def field(self, json_name: str) -> Field | None:
        for f in self.fields:
            if f.name == json_name:
                return f
        return None


REGISTRY: dict[str, Message] = {}


def message(
    name: str,
    doc: str,
    *fields: Field,
    gvk: tuple[str, str, str] | None = None,
) -> Message:
    """Register and return a message type."""
    if name in REGISTRY:
        raise ValueError(f"type {name} registered twice")
    numbers = [f.number for f in fields]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"type {name} reuses a field number")
    pointers = POINTERS.get(name, ())
    fields = tuple(
        replace(fld, pointer=fld.name in pointers,
                omitempty=OMITEMPTY.get((name, fld.name), fld.omitempty))
        if fld.name in pointers or (name, fld.name) in OMITEMPTY else fld
        for fld in fields
    )
    msg = Message(name, doc, fields, gvk)
    REGISTRY[name] = msg
    return msg


def f(name: str, number: int, type: str, doc: str = "", **kw: object) -> Field:
    """Shorthand for :class:`Field` (``f("name", 1, "string", "The name.")``)."""
    return Field(name, number, type, doc=doc, **kw)  # type: ignore[arg-type]
