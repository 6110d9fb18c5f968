"""The API type schema: every served type, looked up by kind or name, and JSON checks on it.

Importing this package registers every type module in :data:`dsl.REGISTRY`.  On top of
the registry it offers what the apiserver needs on each write:

- :func:`message_for_kind` and :func:`resolve` to find a type;
- :func:`unknown_fields` for ``fieldValidation=Strict``/``Warn`` (paths in the form of
  upstream's strict decoding errors, ``unknown field "spec.template.spec.containers[0].bogus"``);
- :func:`type_errors` for values of the wrong JSON type, which upstream's decoder rejects
  with ``json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of
  type int32`` whatever the validation mode;
- :func:`check_fields`, both in one walk, for callers that need both.

The checks run on a compiled form of the schema (one dict per message from JSON name to a
slot), built once at import, so a walk costs one dict lookup per field of the object.
Recursion follows the schema, whose depth is bounded (no API type contains itself), so a
deeply nested request body cannot make the walk recurse without bound: values the schema
does not describe (RawExtension, FieldsV1) are never entered.
"""

from __future__ import annotations

import re
from typing import Any

import paddock.core.schema.core_v1  # noqa: F401,E402  (registers the core/v1 types)
from paddock.core.schema import (  # noqa: F401  (imported to register their types)
    apps_v1,
    autoscaling,
    batch_v1,
    coordination_v1,
    discovery_v1,
    meta_v1,
    networking_v1,
    policy_v1,
    storage_v1,
)
from paddock.core.schema.dsl import REGISTRY, Message

__all__ = [
    "carries_type_meta",
    "check_fields",
    "message_for_kind",
    "resolve",
    "type_errors",
    "unknown_fields",
]

# DeleteOptions embeds TypeMeta although it is not a kind of any resource, and upstream
# registers it in every group/version (it is the body of DELETE requests).
_SHARED_KINDS = {"DeleteOptions": meta_v1.DELETE_OPTIONS}
_TYPE_META_FIELDS = ("apiVersion", "kind")


def resolve(type_name: str) -> Message | None:
    """The message registered under a full type name, or None."""
    return REGISTRY.get(type_name)


def carries_type_meta(msg: Message) -> bool:
    """Whether objects of this type carry ``apiVersion`` and ``kind`` (Go's inline TypeMeta)."""
    return msg.gvk is not None or msg.name in _SHARED_KINDS.values()


def message_for_kind(group: str, version: str, kind: str) -> Message | None:
    """The message of a kind in a group/version (group "" for the core group), or None."""
    msg = _BY_GVK.get((group, version, kind))
    if msg is None and kind in _SHARED_KINDS and (group, version) in _GROUP_VERSIONS:
        msg = REGISTRY[_SHARED_KINDS[kind]]
    return msg


def unknown_fields(group: str, version: str, kind: str, obj: dict[str, Any]) -> list[str]:
    """Paths of the fields of ``obj`` that its kind's schema does not know, in order.

    Paths have upstream's strict-decoding form: dotted field names from the root, ``[i]``
    for list items (``spec.template.spec.containers[0].bogus``), ``.key`` for map entries.
    An unknown kind yields no paths (there is nothing to check against).
    """
    return check_fields(group, version, kind, obj)[0]


def type_errors(
    group: str, version: str, kind: str, obj: dict[str, Any]
) -> list[tuple[str, str]]:
    """``(path, message)`` for every value of ``obj`` whose JSON type its field cannot hold.

    The message mirrors Go's decoder: ``json: cannot unmarshal string into Go struct field
    DeploymentSpec.spec.replicas of type int32``.  ``null`` is accepted everywhere, as Go
    does; the special scalars accept their JSON forms (Quantity: string or number,
    IntOrString: string or integer, Time/MicroTime/Duration: string).
    """
    return check_fields(group, version, kind, obj)[1]


def check_fields(
    group: str, version: str, kind: str, obj: dict[str, Any]
) -> tuple[list[str], list[tuple[str, str]]]:
    """Unknown-field paths and type errors of ``obj`` together, from a single walk."""
    unknown: list[str] = []
    errors: list[tuple[str, str]] = []
    msg = message_for_kind(group, version, kind)
    if msg is not None and type(obj) is dict:
        _walk(_COMPILED[msg.name], obj, "", unknown, errors)
    return unknown, errors


# --- the compiled schema ------------------------------------------------------------------

# What a slot holds; ANY is a value the schema does not describe (RawExtension, FieldsV1, or
# a type not registered yet) and is never checked or entered.
_MSG, _STRING, _INT32, _INT64, _DOUBLE, _BOOL, _QUANTITY, _INT_OR_STRING, _ANY = range(9)
_SINGLE, _LIST, _MAP = range(3)

_SCALAR_KINDS = {
    "string": (_STRING, "string"),
    "bytes": (_STRING, "[]uint8"),  # base64 text in JSON
    "bool": (_BOOL, "bool"),
    "int32": (_INT32, "int32"),
    "int64": (_INT64, "int64"),
    "double": (_DOUBLE, "float64"),
    "Quantity": (_QUANTITY, "resource.Quantity"),
    "IntOrString": (_INT_OR_STRING, "intstr.IntOrString"),
    "Time": (_STRING, "v1.Time"),
    "MicroTime": (_STRING, "v1.MicroTime"),
    "Duration": (_STRING, "v1.Duration"),
    "RawExtension": (_ANY, "runtime.RawExtension"),
    "FieldsV1": (_ANY, "v1.FieldsV1"),
}

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class _Slot:
    """One field, compiled: what it holds, its shape, and its Go type name for messages."""

    __slots__ = ("kind", "shape", "target", "go_type")

    def __init__(self, kind: int, shape: int, target: _Compiled, go_type: str) -> None:
        self.kind = kind
        self.shape = shape
        self.target = target
        self.go_type = go_type


class _Compiled:
    """One message, compiled: JSON name -> slot, and the Go struct name for messages."""

    __slots__ = ("fields", "go_name")

    def __init__(self, go_name: str) -> None:
        self.fields: dict[str, _Slot] = {}
        self.go_name = go_name


# The target of slots that hold no message, so that a slot's target is always a message.
_NO_TARGET = _Compiled("")


def _go_name(type_name: str) -> str:
    # "io.k8s.api.apps.v1.DeploymentSpec" -> "v1.DeploymentSpec", as Go prints the type
    parts = type_name.rsplit(".", 2)
    return ".".join(parts[-2:])


def _compile_all() -> dict[str, _Compiled]:
    compiled = {name: _Compiled(name.rsplit(".", 1)[-1]) for name in REGISTRY}
    string_slot = _Slot(_STRING, _SINGLE, _NO_TARGET, "string")
    filled: set[str] = set()

    def fill(name: str) -> None:
        # Filling is recursive only through inline fields, whose fields are copied in.
        if name in filled:
            return
        filled.add(name)
        msg = REGISTRY[name]
        fields = compiled[name].fields
        if carries_type_meta(msg):
            for meta_field in _TYPE_META_FIELDS:
                fields[meta_field] = string_slot
        for fld in msg.fields:
            type_name = fld.map_value or fld.type
            if not fld.name:
                # Go's json:",inline": the embedded message's fields are this one's
                if type_name in compiled:
                    fill(type_name)
                    fields.update(compiled[type_name].fields)
                continue
            target = _NO_TARGET
            if type_name in _SCALAR_KINDS:
                kind, go_type = _SCALAR_KINDS[type_name]
            elif type_name in compiled:
                kind, go_type, target = _MSG, _go_name(type_name), compiled[type_name]
            else:
                kind, go_type = _ANY, _go_name(type_name)
            if fld.map_value:
                shape, go_type = _MAP, "map[string]" + go_type
            elif fld.repeated:
                shape, go_type = _LIST, "[]" + go_type
            else:
                shape = _SINGLE
            fields[fld.name] = _Slot(kind, shape, target, go_type)

    for name in REGISTRY:
        fill(name)
    return compiled


# --- the walk -----------------------------------------------------------------------------


def _scalar_ok(kind: int, value: Any) -> bool:
    """Whether a (non-null) JSON value can be decoded into a scalar of this kind."""
    t = type(value)
    if kind == _STRING:
        return t is str
    if kind == _INT32:
        return t is int and _INT32_MIN <= value <= _INT32_MAX
    if kind == _INT64:
        return t is int and _INT64_MIN <= value <= _INT64_MAX
    if kind == _BOOL:
        return t is bool
    if kind == _DOUBLE:
        return t is float or t is int
    if kind == _QUANTITY:
        # Quantity parses a JSON string or the text of a JSON number
        return t is str or t is int or t is float
    if kind == _INT_OR_STRING:
        return t is str or (t is int and _INT32_MIN <= value <= _INT32_MAX)
    return True  # _ANY


_JSON_TYPE_NAMES = {str: "string", bool: "bool", list: "array", dict: "object"}
_LIST_INDEX = re.compile(r"\[\d+\]")


def _type_error(
    errors: list[tuple[str, str]],
    path: str,
    field_path: str,
    owner: _Compiled,
    slot: _Slot,
    value: Any,
    element: bool,
) -> None:
    """Record Go's message for a value of the wrong JSON type at ``path``.

    ``field_path`` is the path of the field itself (for a list item or map value, the
    path of the list or map): Go names fields without list indices or map keys.
    """
    described = _JSON_TYPE_NAMES.get(type(value))
    if described is None:
        # Go names the number itself when the type fits but the value does not
        # (a fraction or an overflow into an integer field); otherwise just "number".
        numeric = slot.kind in (_INT32, _INT64, _INT_OR_STRING)
        described = f"number {value}" if numeric else "number"
    go_type = slot.go_type
    if element:
        # an item of a list or a map value: Go reports the element type
        go_type = go_type[2:] if slot.shape == _LIST else go_type.split("]", 1)[1]
    go_field = _LIST_INDEX.sub("", field_path)
    errors.append(
        (
            path,
            f"json: cannot unmarshal {described} into Go struct field "
            f"{owner.go_name}.{go_field} of type {go_type}",
        )
    )


def _walk(
    shape: _Compiled,
    obj: dict[str, Any],
    prefix: str,
    unknown: list[str],
    errors: list[tuple[str, str]],
) -> None:
    fields = shape.fields
    for key, value in obj.items():
        slot = fields.get(key)
        if slot is None:
            unknown.append(prefix + key)
            continue
        if value is None:
            continue  # Go decodes null into the zero value of any field
        kind = slot.kind
        if kind == _ANY:
            continue
        path = prefix + key
        if slot.shape == _SINGLE:
            if kind == _MSG:
                if type(value) is dict:
                    _walk(slot.target, value, path + ".", unknown, errors)
                else:
                    _type_error(errors, path, path, shape, slot, value, False)
            elif not _scalar_ok(kind, value):
                _type_error(errors, path, path, shape, slot, value, False)
        elif slot.shape == _LIST:
            if type(value) is not list:
                _type_error(errors, path, path, shape, slot, value, False)
                continue
            for i, item in enumerate(value):
                if item is None:
                    continue
                if kind == _MSG:
                    if type(item) is dict:
                        _walk(slot.target, item, f"{path}[{i}].", unknown, errors)
                        continue
                elif _scalar_ok(kind, item):
                    continue
                _type_error(errors, f"{path}[{i}]", path, shape, slot, item, True)
        else:
            if type(value) is not dict:
                _type_error(errors, path, path, shape, slot, value, False)
                continue
            for map_key, item in value.items():
                if item is None:
                    continue
                if kind == _MSG:
                    if type(item) is dict:
                        _walk(
                            slot.target, item, f"{path}.{map_key}.", unknown, errors
                        )
                        continue
                elif _scalar_ok(kind, item):
                    continue
                _type_error(errors, f"{path}.{map_key}", path, shape, slot, item, True)


# Built once every type module above has registered its types.
_COMPILED = _compile_all()
_BY_GVK: dict[tuple[str, str, str], Message] = {
    msg.gvk: msg for msg in REGISTRY.values() if msg.gvk is not None
}
_GROUP_VERSIONS = frozenset((g, v) for g, v, _ in _BY_GVK)
