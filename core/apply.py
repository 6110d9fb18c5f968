"""Server-side apply and the ``metadata.managedFields`` bookkeeping behind it.

Every object records which *field manager* set which of its fields: one entry per
manager, operation (``Apply`` or ``Update``) and subresource, each holding a set of field
paths in upstream's ``FieldsV1`` form (``{"f:spec":{"f:replicas":{}}}``).

- :func:`update_managed_fields` runs on every ordinary write (create, update, the three
  patch formats): the fields the request changed move to its manager, and fields it
  removed leave every manager's set.
- :func:`server_side_apply` serves ``application/apply-patch+yaml``: the applied
  configuration is merged into the live object, fields the applier owned before but no
  longer applies are removed (unless someone else owns them too), and changing a field
  another manager owns is an :class:`ApplyConflict` unless ``force`` is set, in which
  case the applier takes it over.

The algorithms follow upstream's structured-merge-diff; what differs, because paddock's
schema does not carry it, is said where it matters:

- Go distinguishes struct fields held by value from pointers, and fields with
  ``omitempty`` from those without; the schema does not.  Where one side of a comparison
  has an object and the other lacks one of its fields, the missing field is taken to be
  what Go's zero value holds there: an empty object for a nested message (right for the
  value structs ``metadata``, ``spec``, ``template``...), null for a required list or map
  (``containers``), nothing otherwise.  So an added message field never becomes a member
  of a set on its own (no ``".":{}``) unless it appears inside a new list item or map
  entry, where upstream agrees; for pointer structs upstream would add one.  An empty
  optional list or map counts as missing, since ``omitempty`` drops it in Go.
- Maps marked ``x-kubernetes-map-type: atomic`` (``LabelSelector``) are granular here.
- Key fields of associative lists default only for ``protocol`` (``TCP``), the one key
  default upstream's schema has for the built-in types.

Field paths inside a set are strings: ``f:<name>`` for a field or map key,
``k:<json>`` for an item of an associative list (its key fields as compact JSON, sorted
by name), ``v:<json>`` for an item of a set, ``i:<n>`` for an item of a list without keys.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from paddock.core.patch import (
    FieldInfo,
    MessageInfo,
    PatchError,
    Resolver,
    json_equal,
    lookup_field,
)
from paddock.core.schema import resolve as schema_resolve

__all__ = [
    "ApplyConflict",
    "FieldSet",
    "default_manager",
    "fields_of",
    "path_text",
    "server_side_apply",
    "update_managed_fields",
]

_ABSENT: Any = object()

# Upstream's FieldManagerMaxLength.
_MAX_MANAGER_BYTES = 128

# Key fields of associative lists that have a default in upstream's schema, used when an
# item omits them (ContainerPort, ServicePort and EndpointPort default protocol to TCP).
_KEY_FIELD_DEFAULTS = {"protocol": "TCP"}

_BEFORE_FIRST_APPLY = "before-first-apply"


# --- field sets -----------------------------------------------------------------------------


class FieldSet:
    """A set of field paths, as a tree: path elements that are members, and subtrees.

    A path is a tuple of path-element strings (``("f:spec", "f:replicas")``).  A node can
    be a member and have children at once (a list item someone owns, along with fields
    inside it); FieldsV1 writes that as ``".":{}``.  Set operations never modify their
    operands, and their results may share subtrees with them, so only a set being built
    is ever inserted into.
    """

    __slots__ = ("members", "children")

    def __init__(
        self, members: set[str] | None = None, children: dict[str, FieldSet] | None = None
    ) -> None:
        self.members: set[str] = members if members is not None else set()
        self.children: dict[str, FieldSet] = children if children is not None else {}

    @classmethod
    def from_paths(cls, paths: Iterator[Sequence[str]] | Sequence[Sequence[str]]) -> FieldSet:
        """A set holding exactly ``paths``."""
        out = cls()
        for path in paths:
            out.insert(path)
        return out

    def insert(self, path: Sequence[str]) -> None:
        """Add ``path`` (in place; used while a set is being built)."""
        node = self
        for pe in path[:-1]:
            child = node.children.get(pe)
            if child is None:
                child = node.children[pe] = FieldSet()
            node = child
        node.members.add(path[-1])

    def empty(self) -> bool:
        """Whether the set holds no path."""
        return not self.members and not self.children

    def has(self, path: Sequence[str]) -> bool:
        """Whether ``path`` is a member."""
        node = self
        for pe in path[:-1]:
            child = node.children.get(pe)
            if child is None:
                return False
            node = child
        return path[-1] in node.members

    def union(self, other: FieldSet) -> FieldSet:
        """Paths in either set."""
        if other.empty():
            return self
        if self.empty():
            return other
        children = dict(self.children)
        for pe, sub in other.children.items():
            mine = children.get(pe)
            children[pe] = sub if mine is None else mine.union(sub)
        return FieldSet(self.members | other.members, children)

    def difference(self, other: FieldSet) -> FieldSet:
        """Paths of this set that ``other`` does not hold (descendants are kept)."""
        if other.empty() or self.empty():
            return self
        children = {}
        for pe, sub in self.children.items():
            theirs = other.children.get(pe)
            rest = sub if theirs is None else sub.difference(theirs)
            if not rest.empty():
                children[pe] = rest
        return FieldSet(self.members - other.members, children)

    def intersection(self, other: FieldSet) -> FieldSet:
        """Paths in both sets."""
        children = {}
        for pe, sub in self.children.items():
            theirs = other.children.get(pe)
            if theirs is not None:
                both = sub.intersection(theirs)
                if not both.empty():
                    children[pe] = both
        return FieldSet(self.members & other.members, children)

    def paths(self) -> Iterator[tuple[str, ...]]:
        """Every member path, in upstream's order (a node's members, then its subtrees)."""
        yield from self._paths(())

    def _paths(self, prefix: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        for pe in sorted(self.members, key=_cached_pe_order):
            yield (*prefix, pe)
        for pe in sorted(self.children, key=_cached_pe_order):
            yield from self.children[pe]._paths((*prefix, pe))

    def to_fields_v1(self) -> dict[str, Any]:
        """The set in upstream's FieldsV1 JSON form (keys in upstream's order)."""
        out: dict[str, Any] = {}
        for pe in sorted(self.members | self.children.keys(), key=_cached_pe_order):
            sub = self.children.get(pe)
            if sub is None:
                out[pe] = {}
            elif pe in self.members:
                out[pe] = {".": {}, **sub.to_fields_v1()}
            else:
                out[pe] = sub.to_fields_v1()
        return out

    @classmethod
    def from_fields_v1(cls, fields: Any) -> FieldSet:
        """Parse FieldsV1 JSON.  Unknown path-element kinds are skipped, as upstream does.

        Raises ValueError for anything that is not FieldsV1.
        """
        if not isinstance(fields, dict):
            raise ValueError("FieldsV1 must be a JSON object")
        return cls._parse(fields)[0]

    @classmethod
    def _parse(cls, node: dict[str, Any]) -> tuple[FieldSet, bool]:
        out = cls()
        member = False
        for key, value in node.items():
            if key == ".":
                member = True
                continue
            pe = _canonical_pe(key)
            if pe is None:
                continue
            if not isinstance(value, dict):
                raise ValueError(f"FieldsV1 value of {key!r} is not an object")
            sub, sub_member = cls._parse(value)
            if sub_member:
                out.members.add(pe)
            if not sub.empty():
                out.children[pe] = sub
        # a node with nothing under it is a leaf, and so a member
        return out, member or out.empty()

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, FieldSet)
            and self.members == other.members
            and self.children == other.children
        )

    def __repr__(self) -> str:
        return f"FieldSet({json.dumps(self.to_fields_v1())})"


def _encode(value: Any) -> str:
    """Compact JSON as Go's encoder writes it (sorted keys, HTML characters escaped)."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _encode_scalar(value: Any) -> str:
    """:func:`_encode` with a fast path for the plain names and numbers keys usually are."""
    if type(value) is int:
        return str(value)
    if type(value) is str and value.isascii() and all(c.isalnum() or c in "-._/:" for c in value):
        return f'"{value}"'
    return _encode(value)


def _canonical_pe(key: str) -> str | None:
    """A FieldsV1 key in the canonical form used inside sets; None for unknown kinds."""
    kind, sep, rest = key.partition(":")
    if not sep or len(kind) != 1:
        return None
    if kind == "f":
        return key
    if kind == "i":
        return "i:" + str(int(rest))
    if kind in ("k", "v"):
        try:
            value = json.loads(rest)
        except ValueError as exc:
            raise ValueError(f"bad path element {key!r}: {exc}") from None
        if kind == "k" and not isinstance(value, dict):
            raise ValueError(f"bad path element {key!r}: key must be an object")
        return kind + ":" + _encode(value)
    return None


def _value_order(value: Any) -> tuple[Any, ...]:
    # upstream's total order of values: numbers, strings, booleans, lists, maps, null
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, int | float):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, list):
        return (3, tuple(_value_order(v) for v in value))
    if isinstance(value, dict):
        return (4, tuple((k, _value_order(v)) for k, v in sorted(value.items())))
    return (5,)


def _pe_order(pe: str) -> tuple[Any, ...]:
    """Sort key of a path element: fields, then keys, then values, then indices."""
    kind, rest = pe[0], pe[2:]
    if kind == "f":
        return (0, rest)
    if kind == "k":
        return (1, tuple((k, _value_order(v)) for k, v in json.loads(rest).items()))
    if kind == "v":
        return (2, _value_order(json.loads(rest)))
    return (3, int(rest))


# Sort keys of path elements, which repeat across objects and requests; bounded.
_PE_ORDER_CACHE: dict[str, tuple[Any, ...]] = {}


def _cached_pe_order(pe: str) -> tuple[Any, ...]:
    key = _PE_ORDER_CACHE.get(pe)
    if key is None:
        if len(_PE_ORDER_CACHE) > 65536:
            _PE_ORDER_CACHE.clear()
        key = _PE_ORDER_CACHE[pe] = _pe_order(pe)
    return key


def _go_value_text(value: Any) -> str:
    # Go's %v of a value, %q for strings
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def path_text(path: Sequence[str]) -> str:
    """A path as upstream prints it in conflicts: ``.spec.containers[name="c"].image``."""
    parts = []
    for pe in path:
        kind, rest = pe[0], pe[2:]
        if kind == "f":
            parts.append("." + rest)
        elif kind == "k":
            fields = json.loads(rest)
            parts.append(
                "[" + ",".join(f"{k}={_go_value_text(v)}" for k, v in fields.items()) + "]"
            )
        elif kind == "v":
            parts.append(f"[={_go_value_text(json.loads(rest))}]")
        else:
            parts.append(f"[{rest}]")
    return "".join(parts)


# What server-side apply never records as owned (upstream's stripMetaManager): type meta,
# metadata itself, and the metadata fields the server sets.
_STRIPPED = FieldSet.from_paths(
    [
        ("f:apiVersion",),
        ("f:kind",),
        ("f:metadata",),
        *(
            ("f:metadata", "f:" + name)
            for name in (
                "name", "namespace", "creationTimestamp", "selfLink", "uid",
                "clusterName", "generation", "managedFields", "resourceVersion",
            )
        ),
    ]
)


# --- the schema, seen as shapes ---------------------------------------------------------------


class _Struct:
    """A JSON object with named fields (a message)."""

    __slots__ = ("message",)

    def __init__(self, message: MessageInfo) -> None:
        self.message = message


class _Map:
    """A JSON object with arbitrary keys whose values all have one shape."""

    __slots__ = ("value",)

    def __init__(self, value: _Shape) -> None:
        self.value = value


class _List:
    """A JSON array: ``atomic`` (one value), ``set`` (of scalars) or ``map`` (keyed items)."""

    __slots__ = ("kind", "keys", "item")

    def __init__(self, kind: str, keys: tuple[str, ...], item: _Shape) -> None:
        self.kind = kind
        self.keys = keys
        self.item = item


class _Untyped:
    """A value the schema does not describe: objects merge key by key, arrays are atomic."""

    __slots__ = ()


_UNTYPED = _Untyped()
_Shape = _Struct | _Map | _List | _Untyped


@dataclass
class _Comparison:
    """The paths an update added, changed and removed."""

    added: FieldSet
    modified: FieldSet
    removed: FieldSet

    def same(self) -> bool:
        return self.added.empty() and self.modified.empty() and self.removed.empty()


class _Schema:
    """The walks over objects that server-side apply needs, driven by their shapes."""

    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve
        # id(field) -> (field, shape); the field is held so that its id stays unique
        self._field_shapes: dict[int, tuple[FieldInfo, _Shape]] = {}

    def top(self, message: MessageInfo | None) -> _Shape:
        return _Struct(message) if message is not None else _UNTYPED

    def _type_shape(self, type_name: str) -> _Shape:
        message = self.resolve(type_name)
        return _Struct(message) if message is not None else _UNTYPED

    def field_shape(self, field: FieldInfo) -> _Shape:
        cached = self._field_shapes.get(id(field))
        if cached is not None:
            return cached[1]
        shape: _Shape
        if field.map_value:
            shape = _Map(self._type_shape(field.map_value))
        elif field.repeated:
            item = self._type_shape(field.type)
            kind = field.list_type
            keys = field.list_map_keys
            if kind is None:
                # upstream's schema conversion: a merge list with a key is a map list, a
                # merge list of scalars a set, anything else atomic
                merging = "merge" in (field.patch_strategy or "").split(",")
                if merging and field.merge_key:
                    kind, keys = "map", (field.merge_key,)
                else:
                    kind = "set" if merging else "atomic"
            if kind == "map" and not keys:
                keys = (field.merge_key,) if field.merge_key else ()
                kind = "map" if keys else "atomic"
            shape = _List(kind, keys, item)
        else:
            shape = self._type_shape(field.type)
        self._field_shapes[id(field)] = (field, shape)
        return shape

    def child(self, shape: _Shape, key: str) -> tuple[_Shape, bool]:
        """The shape of an object's value under ``key``, and whether it is a named field."""
        if isinstance(shape, _Struct):
            field = lookup_field(shape.message, key, self.resolve)
            if field is not None:
                return self.field_shape(field), True
            return _UNTYPED, False
        if isinstance(shape, _Map):
            return shape.value, False
        return _UNTYPED, False

    def item_pe(self, shape: _List, item: Any, index: int, strict: bool) -> str:
        """The path element of a list item.

        ``strict`` (the applied configuration) refuses items that have no key; a live
        object's odd items fall back to their index so they can still be compared.
        """
        if shape.kind == "set":
            if not isinstance(item, dict | list):
                return "v:" + _encode_scalar(item)
            problem = "set items must be scalars"
        elif not isinstance(item, dict):
            problem = "associative list with keys may not have non-map elements"
        else:
            parts = []
            for name in sorted(shape.keys):
                if name in item:
                    parts.append(f"{_encode(name)}:{_encode_scalar(item[name])}")
                elif name in _KEY_FIELD_DEFAULTS:
                    parts.append(f"{_encode(name)}:{_encode(_KEY_FIELD_DEFAULTS[name])}")
            if parts:
                return "k:{" + ",".join(parts) + "}"
            problem = (
                f"associative list with keys has an element that omits all key fields "
                f"{list(shape.keys)}"
            )
        if strict:
            raise PatchError(400, "BadRequest", f"element {index}: {problem}")
        return f"i:{index}"

    def zero(self, shape: _Shape, key: str) -> tuple[_Shape, Any, bool]:
        """The shape under ``key``, what Go's zero value of the object holds there, and
        whether Go drops an empty value there (``omitempty``).

        A message held by value is an empty object; a required list or map (which Go
        declares without ``omitempty``) is null; anything else is absent.
        """
        if isinstance(shape, _Struct):
            field = lookup_field(shape.message, key, self.resolve)
            if field is not None:
                sub = self.field_shape(field)
                if isinstance(sub, _Struct):
                    return sub, {}, False
                if field.repeated or field.map_value:
                    if field.required:
                        return sub, None, False
                    return sub, _ABSENT, True
                return sub, _ABSENT, False
        return self.child(shape, key)[0], _ABSENT, False

    def pe_shape(self, shape: _Shape, pe: str) -> tuple[_Shape, bool]:
        """Like :meth:`child`, for a path element of any kind (list items too)."""
        if pe[0] == "f":
            return self.child(shape, pe[2:])
        return (shape.item if isinstance(shape, _List) else _UNTYPED), False

    # -- what a value holds --------------------------------------------------------------

    def fields_of(self, value: Any, shape: _Shape, strict: bool = True) -> FieldSet:
        """The paths ``value`` sets.  ``strict`` (for applied configurations) refuses list
        items without a key or with a duplicate one; live objects are taken as they are."""
        out = FieldSet()
        self._collect(value, shape, out, strict)
        return out

    def _collect(self, value: Any, shape: _Shape, node: FieldSet, strict: bool) -> bool:
        """Add the paths below ``value`` to ``node``; whether the value's own path is one.

        Upstream's rules: scalars and atomic values are members; items of a granular list
        are members; a map entry is a member when it is null, empty, or not a named field.
        """
        kind = _kind(shape, value)
        if kind == "list":
            assert isinstance(shape, _List)
            seen: set[str] = set()
            for index, item in enumerate(value):
                pe = self.item_pe(shape, item, index, strict)
                if pe in seen and strict:
                    raise PatchError(
                        400, "BadRequest", f"duplicate entries for key {path_text([pe])}"
                    )
                seen.add(pe)
                node.members.add(pe)
                self._collect_child(node, pe, item, shape.item, strict)
            return False
        if kind == "map":
            for key, sub in value.items():
                pe = "f:" + key
                sub_shape, named = self.child(shape, key)
                member = self._collect_child(node, pe, sub, sub_shape, strict)
                if member or sub is None or sub == {} or not named:
                    node.members.add(pe)
            return False
        # an empty granular list is not tracked at all, as upstream
        return not (isinstance(value, list) and isinstance(shape, _List) and shape.kind != "atomic")

    def _collect_child(
        self, node: FieldSet, pe: str, value: Any, shape: _Shape, strict: bool
    ) -> bool:
        child = node.children.get(pe)
        fresh = child is None
        if child is None:
            child = FieldSet()
        member = self._collect(value, shape, child, strict)
        if fresh and not child.empty():
            node.children[pe] = child
        return member

    # -- comparing two versions of an object ---------------------------------------------

    def compare(self, old: Any, new: Any, shape: _Shape) -> _Comparison:
        out = _Comparison(FieldSet(), FieldSet(), FieldSet())
        self._compare(old, new, shape, (), out)
        return out

    def _compare(
        self, lhs: Any, rhs: Any, shape: _Shape, path: tuple[str, ...], out: _Comparison
    ) -> None:
        if lhs is rhs:
            # the patch functions share untouched sub-objects, so this skips most of a walk
            return
        if type(lhs) is type(rhs) and isinstance(lhs, dict | list) and lhs == rhs:
            # equal containers (a PUT of an unchanged body), compared in C; == only misses
            # true versus 1 deep inside, which schema type checks reject anyway
            return
        kind = _kind(shape, lhs, rhs)
        if kind == "leaf":
            if lhs is _ABSENT:
                out.added.insert(path)
            elif rhs is _ABSENT:
                out.removed.insert(path)
            elif not json_equal(lhs, rhs):
                out.modified.insert(path)
            return
        if kind == "map":
            left = lhs if isinstance(lhs, dict) else {}
            right = rhs if isinstance(rhs, dict) else {}
            for key in (*left, *(k for k in right if k not in left)):
                sub_shape, zero, omitempty = self.zero(shape, key)
                lsub = left.get(key, _ABSENT)
                rsub = right.get(key, _ABSENT)
                if omitempty:
                    # Go serializes an empty optional map or list as nothing at all
                    if lsub == {} or lsub == []:
                        lsub = _ABSENT
                    if rsub == {} or rsub == []:
                        rsub = _ABSENT
                # a field missing beside a present one may be there in Go's zero value of
                # its parent (see the module docstring), if the parent is there on that side
                if lsub is _ABSENT and isinstance(lhs, dict):
                    lsub = zero
                if rsub is _ABSENT and isinstance(rhs, dict):
                    rsub = zero
                self._compare(lsub, rsub, sub_shape, (*path, "f:" + key), out)
        else:
            assert isinstance(shape, _List)
            self._compare_items(lhs, rhs, shape, path, out)
        if lhs is _ABSENT:
            out.added.insert(path)
        elif rhs is _ABSENT:
            out.removed.insert(path)

    def _compare_items(
        self, lhs: Any, rhs: Any, shape: _List, path: tuple[str, ...], out: _Comparison
    ) -> None:
        left = self._index(lhs, shape)
        right = self._index(rhs, shape)
        for pe in (*left, *(p for p in right if p not in left)):
            litems = left.get(pe, [])
            ritems = right.get(pe, [])
            item_path = (*path, pe)
            if len(litems) <= 1 and len(ritems) <= 1:
                self._compare(
                    litems[0] if litems else _ABSENT,
                    ritems[0] if ritems else _ABSENT,
                    shape.item,
                    item_path,
                    out,
                )
            elif len(litems) >= 2 and len(ritems) >= 2:
                # duplicated keys (tolerated in live objects) compare as one value
                if not json_equal(litems, ritems):
                    out.modified.insert(item_path)
            elif len(litems) >= 2:
                if ritems:
                    self._compare(_ABSENT, ritems[0], shape.item, item_path, out)
                out.removed.insert(item_path)
            else:
                if litems:
                    self._compare(litems[0], _ABSENT, shape.item, item_path, out)
                out.added.insert(item_path)

    def _index(self, items: Any, shape: _List) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        if isinstance(items, list):
            for index, item in enumerate(items):
                out.setdefault(self.item_pe(shape, item, index, False), []).append(item)
        return out

    # -- merging an applied configuration into the live object ---------------------------

    def merge(self, lhs: Any, rhs: Any, shape: _Shape) -> Any:
        """``rhs`` (applied) merged over ``lhs`` (live): rhs wins on every leaf it sets."""
        if rhs is _ABSENT:
            return lhs
        if lhs is _ABSENT or rhs is None:
            return _without_nulls(rhs)
        kind = _kind(shape, lhs, rhs)
        if kind == "leaf":
            return _without_nulls(rhs)
        if kind == "map":
            out = dict(lhs) if isinstance(lhs, dict) else {}
            for key, sub in rhs.items():
                merged = self.merge(out.get(key, _ABSENT), sub, self.child(shape, key)[0])
                if merged is None:
                    # a null in the configuration leaves the field unset, as decoding into
                    # a typed object does upstream
                    out.pop(key, None)
                else:
                    out[key] = merged
            return out
        assert isinstance(shape, _List)
        return self._merge_items(lhs, rhs, shape)

    def _merge_items(self, lhs: Any, rhs: Any, shape: _List) -> list[Any]:
        """Merge two granular lists item by item, ordered as upstream orders them.

        Applied items come in applied order; live-only items keep their place, each
        emitted when the walk over the live list reaches it.  A shared item met in the
        live list before its turn in the applied order is skipped there and emitted at its
        applied position.
        """
        left = lhs if isinstance(lhs, list) else []
        right = rhs if isinstance(rhs, list) else []
        lpes = [self.item_pe(shape, item, i, False) for i, item in enumerate(left)]
        rpes = [self.item_pe(shape, item, i, True) for i, item in enumerate(right)]
        lfirst: dict[str, Any] = {}
        for pe, item in zip(lpes, left, strict=True):
            lfirst.setdefault(pe, item)
        rfirst = dict(zip(rpes, right, strict=True))
        shared = [pe for pe in rpes if pe in lfirst]
        next_shared = 0

        def pending() -> str | None:
            return shared[next_shared] if next_shared < len(shared) else None

        out: list[Any] = []
        done: set[str] = set()
        i = j = 0
        while i < len(left) or j < len(right):
            if i < len(left) and j < len(right):
                pe = lpes[i]
                if pe == rpes[j]:
                    done.add(pe)
                    out.append(self.merge(lfirst[pe], rfirst[pe], shape.item))
                    i += 1
                    j += 1
                    next_shared += 1
                    continue
                waiting = pending()
                if pe in rfirst and waiting is not None and waiting != pe:
                    i += 1
                    continue
            if i < len(left):
                pe = lpes[i]
                if pe not in rfirst:
                    out.append(left[i])
                    i += 1
                    continue
                if pe in done:
                    i += 1
            if j < len(right):
                pe = rpes[j]
                done.add(pe)
                out.append(self.merge(lfirst.get(pe, _ABSENT), rfirst[pe], shape.item))
                j += 1
                if pending() == pe:
                    next_shared += 1
        return out

    # -- removing paths ------------------------------------------------------------------

    def remove(self, value: Any, paths: FieldSet, shape: _Shape) -> Any:
        """``value`` without the members of ``paths`` (and whatever lies under them).

        Objects and lists emptied by the removal disappear from their parent, as they do
        upstream (they become null, which decoding drops).
        """
        if paths.empty():
            return value
        result = self._remove(value, paths, shape)
        return {} if result is _ABSENT else result

    def _remove(self, value: Any, paths: FieldSet, shape: _Shape) -> Any:
        if isinstance(value, dict) and value and not (isinstance(shape, _List)):
            out = {}
            for key, sub in value.items():
                pe = "f:" + key
                if pe in paths.members:
                    continue
                below = paths.children.get(pe)
                if below is not None:
                    sub = self._remove(sub, below, self.child(shape, key)[0])
                    if sub is _ABSENT:
                        continue
                out[key] = sub
            return out if out else _ABSENT
        if (
            isinstance(value, list) and value
            and isinstance(shape, _List) and shape.kind != "atomic"
        ):
            items = []
            for index, item in enumerate(value):
                pe = self.item_pe(shape, item, index, False)
                if pe in paths.members:
                    continue
                below = paths.children.get(pe)
                if below is not None:
                    item = self._remove(item, below, shape.item)
                    if item is _ABSENT:
                        item = {}
                items.append(item)
            return items if items else _ABSENT
        return value

    def named_fields_as_members(self, paths: FieldSet, shape: _Shape) -> FieldSet:
        """``paths`` plus every named field that has paths below it (upstream's
        EnsureNamedFieldsAreMembers), so that pruning can remove a whole struct."""
        members = set(paths.members)
        children = {}
        for pe, sub in paths.children.items():
            sub_shape, named = self.pe_shape(shape, pe)
            if named:
                members.add(pe)
            children[pe] = self.named_fields_as_members(sub, sub_shape)
        return FieldSet(members, children)


def _kind(shape: _Shape, *values: Any) -> str:
    """How a node is walked: 'map' (key by key), 'list' (item by item) or 'leaf'.

    Only present values count, and null counts as an empty container (as upstream reads a
    nil map or list); if every present value is empty the node is a leaf, which keeps the
    difference between an empty value and a missing one.
    """
    # a plain loop: this runs for every node of every object the managed fields compare
    if type(shape) is _List:
        if shape.kind == "atomic":
            return "leaf"
        container: type = list
    else:
        container = dict
    nonempty = False
    for v in values:
        if v is _ABSENT or v is None:
            continue
        if not isinstance(v, container):
            return "leaf"
        if v:
            nonempty = True
    if not nonempty:
        return "leaf"
    return "list" if container is list else "map"


def _without_nulls(value: Any) -> Any:
    """``value`` with null object members dropped at every depth (copies only if needed)."""
    if isinstance(value, dict):
        if any(v is None or isinstance(v, dict | list) for v in value.values()):
            return {k: _without_nulls(v) for k, v in value.items() if v is not None}
        return value
    if isinstance(value, list):
        if any(isinstance(v, dict | list) for v in value):
            return [_without_nulls(v) for v in value]
        return value
    return value


def _without_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` as the field walks see it: without ``metadata.managedFields``."""
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        return {**obj, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}
    return obj


# --- FieldsV1 trees, edited along changed paths --------------------------------------------
#
# An object's managedFields can be much larger than what one write changes, so the
# bookkeeping of ordinary writes edits the stored FieldsV1 trees along the changed paths
# only, sharing everything else, instead of decoding every entry into a FieldSet and
# encoding it back (measured on a six-container Deployment: about 2 ms a write that way).
# Trees stored by paddock are in canonical form (keys as _canonical_pe writes them, in
# upstream's order); trees a client sends are canonicalised once on the way in.

def _raw_split(node: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    """Whether a FieldsV1 node is a member itself, and its children."""
    if not node:
        return True, node
    if "." in node:
        return True, {k: v for k, v in node.items() if k != "."}
    return False, node


def _raw_node(member: bool, children: dict[str, Any]) -> dict[str, Any] | None:
    """The FieldsV1 node for a member flag and children; None when it holds nothing."""
    if not children:
        return {} if member else None
    return {".": {}, **children} if member else children


def _raw_subtract(raw: dict[str, Any], paths: FieldSet) -> dict[str, Any]:
    """FieldsV1 ``raw`` without the members of ``paths`` (``raw`` itself if none is there)."""
    out: dict[str, Any] | None = None
    for pe in paths.members:
        node = raw.get(pe)
        if node is None:
            continue
        member, children = _raw_split(node)
        if member:
            out = dict(raw) if out is None else out
            if children:
                out[pe] = children
            else:
                del out[pe]
    for pe, below in paths.children.items():
        node = (raw if out is None else out).get(pe)
        if not node:
            continue  # absent, or a leaf with nothing below it
        member, children = _raw_split(node)
        rest = _raw_subtract(children, below)
        if rest is not children:
            out = dict(raw) if out is None else out
            replacement = _raw_node(member, rest)
            if replacement is None:
                del out[pe]
            else:
                out[pe] = replacement
    return raw if out is None else out


def _raw_add(raw: dict[str, Any], paths: FieldSet) -> dict[str, Any]:
    """FieldsV1 ``raw`` with the paths of ``paths`` added (``raw`` itself if all were there)."""
    out: dict[str, Any] | None = None
    new_key = False
    for pe in paths.members:
        node = raw.get(pe)
        if node is None:
            out = dict(raw) if out is None else out
            out[pe] = {}
            new_key = True
        elif not _raw_split(node)[0]:
            out = dict(raw) if out is None else out
            out[pe] = {".": {}, **node}
    for pe, below in paths.children.items():
        node = (raw if out is None else out).get(pe)
        member, children = _raw_split(node) if node is not None else (False, {})
        grown = _raw_add(children, below)
        if grown is not children:
            out = dict(raw) if out is None else out
            new_key = new_key or node is None
            out[pe] = _raw_node(member, grown)
    if out is None:
        return raw
    if new_key:
        out = dict(sorted(out.items(), key=lambda kv: (kv[0] != ".", _cached_pe_order(kv[0])
                                                        if kv[0] != "." else ())))
    return out


def _raw_intersect(raw: dict[str, Any], paths: FieldSet) -> FieldSet:
    """The members of ``paths`` that FieldsV1 ``raw`` holds."""
    out = FieldSet()
    for pe in paths.members:
        node = raw.get(pe)
        if node is not None and _raw_split(node)[0]:
            out.members.add(pe)
    for pe, below in paths.children.items():
        node = raw.get(pe)
        if node:
            found = _raw_intersect(_raw_split(node)[1], below)
            if not found.empty():
                out.children[pe] = found
    return out


# --- managedFields entries ------------------------------------------------------------------


@dataclass
class _Entry:
    """One managedFields entry; ``fields`` is its FieldsV1 tree in canonical form."""

    manager: str
    operation: str
    api_version: str
    subresource: str
    time: str | None
    fields: dict[str, Any]

    @property
    def identity(self) -> tuple[str, str, str, str]:
        # upstream's manager identifier: an applier is the same manager whatever the
        # apiVersion it applied with; an updater is not
        version = "" if self.operation == "Apply" else self.api_version
        return (self.manager, self.operation, self.subresource, version)

    def describe(self) -> str:
        """The manager as upstream prints it in conflict messages."""
        text = json.dumps(self.manager, ensure_ascii=False)
        if self.subresource:
            text += f" with subresource {json.dumps(self.subresource, ensure_ascii=False)}"
        if self.operation == "Update":
            text += f" using {self.api_version}"
        return text

    def encode(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
        }
        if self.time is not None:
            out["time"] = self.time
        out["fieldsType"] = "FieldsV1"
        out["fieldsV1"] = self.fields
        if self.subresource:
            out["subresource"] = self.subresource
        return out


_Managers = dict[tuple[str, str, str, str], _Entry]


def _decode(entries: Any, trusted: bool) -> _Managers:
    """managedFields entries by manager identity; ValueError if they are not valid.

    ``trusted`` entries were stored by paddock, so their FieldsV1 is already canonical;
    others are parsed and re-encoded, which also checks them.
    """
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise ValueError("managedFields must be a list")
    out: _Managers = {}
    for i, raw in enumerate(entries):
        if not isinstance(raw, dict):
            raise ValueError(f"managed fields entry {i} is not an object")
        operation = raw.get("operation")
        if operation not in ("Apply", "Update"):
            raise ValueError("operation must be `Apply` or `Update`")
        if not raw.get("apiVersion"):
            raise ValueError("apiVersion must not be empty")
        if raw.get("fieldsType") != "FieldsV1":
            raise ValueError(f"invalid fieldsType in managed fields entry {i}")
        fields = raw.get("fieldsV1")
        if fields is None:
            fields = {}
        elif not trusted or not isinstance(fields, dict):
            fields = FieldSet.from_fields_v1(fields).to_fields_v1()
        entry = _Entry(
            manager=str(raw.get("manager") or ""),
            operation=operation,
            api_version=raw["apiVersion"],
            subresource=str(raw.get("subresource") or ""),
            time=raw.get("time"),
            fields=fields,
        )
        out[entry.identity] = entry
    return out


def _encode_managers(managers: _Managers) -> list[dict[str, Any]]:
    """The entries in upstream's order: operation, time, manager, apiVersion, subresource."""
    entries = [e for e in managers.values() if e.fields]
    entries.sort(
        key=lambda e: (e.operation, e.time or "", e.manager, e.api_version, e.subresource)
    )
    return [e.encode() for e in entries]


def _set_managed_fields(obj: dict[str, Any], encoded: list[dict[str, Any]]) -> None:
    """Store ``encoded`` as ``obj``'s managedFields, replacing (never editing) its metadata,
    which may be shared with another object."""
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "managedFields"}
    if encoded:
        meta["managedFields"] = encoded
    obj["metadata"] = meta


# --- public API -----------------------------------------------------------------------------


class ApplyConflict(PatchError):
    """A server-side apply that would change fields other managers own (409 Conflict).

    ``conflicts`` holds ``(manager, path)`` pairs in upstream's printed forms:
    ``('"kubectl-client-side-apply" using apps/v1', '.spec.replicas')``.
    """

    def __init__(self, conflicts: list[tuple[str, str]]) -> None:
        self.conflicts = conflicts
        super().__init__(409, "Conflict", _conflict_message(conflicts), None)
        self.details = {"causes": self.status_causes()}

    def status_causes(self) -> list[dict[str, str]]:
        """One ``FieldManagerConflict`` cause per conflicting field, as kubectl reads them."""
        return [
            {"reason": "FieldManagerConflict", "message": f"conflict with {manager}", "field": path}
            for manager, path in self.conflicts
        ]


def _conflict_message(conflicts: list[tuple[str, str]]) -> str:
    if len(conflicts) == 1:
        manager, path = conflicts[0]
        return f"Apply failed with 1 conflict: conflict with {manager}: {path}"
    by_manager: dict[str, list[str]] = {}
    for manager, path in conflicts:
        by_manager.setdefault(manager, []).append(path)
    lines = []
    for manager, paths in by_manager.items():
        lines.append(f"conflicts with {manager}:")
        lines.extend(f"- {path}" for path in paths)
    return f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)


def default_manager(user_agent: str) -> str:
    """The field manager of a request that names none: its User-Agent up to the first "/".

    ``kubectl/v1.32.4 (linux/amd64) kubernetes/abc`` gives ``kubectl``.  As upstream,
    unprintable characters are dropped and the name is cut to 128 bytes.
    """
    out = []
    size = 0
    for char in user_agent.split("/", 1)[0]:
        if not char.isprintable():
            continue
        size += len(char.encode())
        if size > _MAX_MANAGER_BYTES:
            break
        out.append(char)
    return "".join(out)


def fields_of(
    obj: dict[str, Any], message: MessageInfo | None, resolve: Resolver | None = None
) -> FieldSet:
    """The fields ``obj`` sets, as server-side apply records an applied configuration.

    Raises :class:`PatchError` (400) for list items that have no key or share one.
    """
    schema = _Schema(resolve or schema_resolve)
    return schema.fields_of(obj, schema.top(message))


def server_side_apply(
    live: dict[str, Any] | None,
    applied: dict[str, Any],
    manager: str,
    force: bool,
    message: MessageInfo | None,
    now: str,
    resolve: Resolver | None = None,
    subresource: str = "",
) -> dict[str, Any]:
    """Apply ``applied`` (the configuration ``manager`` wants) to ``live`` (None to create).

    Returns the new object with ``metadata.managedFields`` updated; neither argument is
    modified.  The manager's entry (operation ``Apply``) records exactly the fields of
    ``applied``; fields it held before and no longer applies are removed from the object
    unless another manager holds them too.  Changing a field another manager holds raises
    :class:`ApplyConflict`, or with ``force`` moves the field to this manager.  ``now``
    (RFC 3339) stamps the entry when the object changes.
    """
    if not isinstance(applied, dict):
        raise PatchError(400, "BadRequest", "error decoding YAML: the body is not an object")
    applied_meta = applied.get("metadata")
    if isinstance(applied_meta, dict) and applied_meta.get("managedFields") is not None:
        raise PatchError(400, "BadRequest", "metadata.managedFields must be nil")
    schema = _Schema(resolve or schema_resolve)
    shape = schema.top(message)
    api_version = str(applied.get("apiVersion") or (live or {}).get("apiVersion") or "")

    live_body: dict[str, Any] = {}
    managers: _Managers = {}
    if live is not None:
        live_body = _without_managed_fields(live)
        try:
            managers = _decode((live.get("metadata") or {}).get("managedFields"), True)
        except ValueError:
            managers = {}
        if not managers:
            # upstream gives an object nobody is recorded as managing to a made-up
            # updater first, so that applying over it reports conflicts
            owned = schema.compare({}, live_body, shape)
            fields = owned.added.union(owned.modified).difference(_STRIPPED)
            if not fields.empty():
                first = _Entry(
                    _BEFORE_FIRST_APPLY, "Update", api_version, "", now, fields.to_fields_v1()
                )
                managers[first.identity] = first

    applied_fields = schema.fields_of(applied, shape)
    merged = schema.merge(live_body, applied, shape)
    identity = (manager, "Apply", subresource, "")
    previous = managers.pop(identity, None)
    if previous is not None and previous.fields:
        merged = _prune(schema, shape, merged, previous.fields, applied_fields, managers)

    changes = schema.compare(live_body, merged, shape)
    touched = changes.added.union(changes.modified)
    conflicts: list[tuple[str, str]] = []
    taken: dict[tuple[str, str, str, str], FieldSet] = {}
    for other, entry in sorted(managers.items()):
        clash = _raw_intersect(entry.fields, touched)
        if not clash.empty():
            taken[other] = clash
            conflicts.extend((entry.describe(), path_text(p)) for p in clash.paths())
    if conflicts and not force:
        raise ApplyConflict(conflicts)

    for other, entry in managers.items():
        lost = changes.removed
        if other in taken:
            lost = lost.union(taken[other])
        entry.fields = _raw_subtract(entry.fields, lost)
    # the entry's time moves only when the object changes, as upstream
    time = previous.time if previous is not None and changes.same() else now
    managers[identity] = _Entry(
        manager, "Apply", api_version, subresource, time,
        applied_fields.difference(_STRIPPED).to_fields_v1(),
    )

    result = dict(merged)
    _set_managed_fields(result, _encode_managers(managers))
    return result


def _prune(
    schema: _Schema,
    shape: _Shape,
    merged: dict[str, Any],
    last_fields: dict[str, Any],
    applied_fields: FieldSet,
    others: _Managers,
) -> dict[str, Any]:
    """Remove from ``merged`` what the applier owned before and nobody owns now.

    As upstream: remove everything the applier's previous set held, then add back what
    any manager (the applier's new configuration included) still owns, then keep only the
    removals of paths the applier did own (so that fields that merely lay under a removed
    item, such as defaults, go with it but nothing else does).
    """
    last = schema.named_fields_as_members(FieldSet.from_fields_v1(last_fields), shape)
    owned = applied_fields
    for entry in others.values():
        owned = owned.union(FieldSet.from_fields_v1(entry.fields))
    owned = schema.named_fields_as_members(owned, shape)

    def present(value: Any) -> FieldSet:
        return schema.named_fields_as_members(schema.fields_of(value, shape, strict=False), shape)

    everything = present(merged)
    kept = present(schema.remove(merged, last, shape))
    candidate = schema.remove(merged, everything.difference(kept.union(owned)), shape)
    gone = everything.difference(present(candidate)).intersection(last)
    result: dict[str, Any] = schema.remove(merged, gone, shape)
    return result


def update_managed_fields(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    manager: str,
    operation: str = "Update",
    subresource: str = "",
    *,
    message: MessageInfo | None,
    now: str,
    resolve: Resolver | None = None,
) -> None:
    """Record in ``new``'s managedFields what an ordinary write changed (``old`` None: create).

    The fields the write added or changed join the entry of ``manager`` (with
    ``operation`` and ``subresource``; its time becomes ``now``) and leave every other
    manager's set; fields it removed leave every set.  As upstream, managedFields the
    request itself carries replace the live ones (``[]`` or ``[{}]`` clears them), unless
    they are absent or invalid or the write is to a subresource.  A write that changes
    nothing leaves managedFields exactly as they were, so a no-op stays a no-op.

    ``new["metadata"]`` is replaced, not edited, since it may be shared with ``old``.
    """
    schema = _Schema(resolve or schema_resolve)
    shape = schema.top(message)
    api_version = str(new.get("apiVersion") or (old or {}).get("apiVersion") or "")

    old_entries = ((old or {}).get("metadata") or {}).get("managedFields")
    new_entries = (new.get("metadata") or {}).get("managedFields")
    entries: Any = None  # the managedFields the managers were read from
    managers: _Managers = {}
    if subresource:
        pass  # a subresource write cannot set managedFields
    elif new_entries == [] or new_entries == [{}]:
        # upstream's way to reset managedFields: an empty list, or one empty entry
        entries = []
    elif new_entries:
        # what the live object holds is trusted; anything else the request brought is checked
        trusted = new_entries is old_entries or new_entries == old_entries
        try:
            managers = _decode(new_entries, trusted)
            entries = new_entries if trusted else _encode_managers(managers)
        except ValueError:
            pass  # invalid: keep the live object's, as upstream
    if entries is None and old_entries:
        try:
            managers, entries = _decode(old_entries, True), old_entries
        except ValueError:
            pass

    old_body = _without_managed_fields(old) if old is not None else {}
    changes = schema.compare(old_body, _without_managed_fields(new), shape)
    if changes.same():
        _set_managed_fields(new, list(entries or []))
        return

    touched = changes.added.union(changes.modified)
    lost = touched.union(changes.removed)
    for entry in managers.values():
        entry.fields = _raw_subtract(entry.fields, lost)
    mine = touched.difference(_STRIPPED)
    if not mine.empty():
        me = _Entry(manager, operation, api_version, subresource, now, {})
        previous = managers.get(me.identity)
        me.fields = _raw_add(previous.fields if previous is not None else {}, mine)
        managers[me.identity] = me
    _set_managed_fields(new, _encode_managers(managers))
