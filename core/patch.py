"""The three PATCH formats of the Kubernetes API, as pure functions on JSON objects.

- :func:`apply_json_patch`: RFC 6902 JSON Patch (``application/json-patch+json``);
- :func:`apply_merge_patch`: RFC 7386 JSON Merge Patch (``application/merge-patch+json``);
- :func:`apply_strategic_merge_patch`: Kubernetes' strategic merge patch
  (``application/strategic-merge-patch+json``), which merges lists by key where the
  schema says so and understands the ``$patch``, ``$retainKeys``,
  ``$setElementOrder/<list>`` and ``$deleteFromPrimitiveList/<list>`` directives.

None of them modifies its arguments.  Every PATCH request goes through here, so they do
not deep-copy either: the result is built from shallow copies of the containers on the
changed paths, and shares every untouched sub-object with the input (and may share values
with the patch).  Callers must therefore treat the input, the patch and the result as
immutable once handed over, which the apiserver does anyway (stored objects are never
edited in place).

Type information comes from the API schema through two small protocols,
:class:`MessageInfo` and :class:`FieldInfo`, which ``paddock.core.schema``'s ``Message``
and ``Field`` satisfy, plus a resolver from a type name to its message.  Where there is no
type information (an unknown kind, or a field the schema does not list), strategic merge
patch behaves as upstream does for unstructured objects: maps merge, lists are replaced.

Failures raise :class:`PatchError`, a Kubernetes ``Status`` error whose code and reason
follow upstream: a patch that is not of the right shape is ``400 BadRequest``; a JSON
patch operation that does not apply to the document (a missing path, an index out of
range, a failed ``test``) is ``422 Invalid``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from paddock.core.schema import resolve as schema_resolve
from paddock.core.status import APIError

__all__ = [
    "FieldInfo",
    "MessageInfo",
    "PatchError",
    "Resolver",
    "apply_json_patch",
    "apply_merge_patch",
    "apply_strategic_merge_patch",
    "json_equal",
    "lookup_field",
]


class FieldInfo(Protocol):
    """What the patch algorithms need to know about one field of an API type."""

    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def repeated(self) -> bool: ...
    @property
    def map_value(self) -> str | None: ...
    @property
    def required(self) -> bool: ...
    @property
    def merge_key(self) -> str | None: ...
    @property
    def patch_strategy(self) -> str | None: ...
    @property
    def list_type(self) -> str | None: ...
    @property
    def list_map_keys(self) -> tuple[str, ...]: ...


class MessageInfo(Protocol):
    """An API type: its fields.  A field with an empty name embeds another type inline."""

    @property
    def fields(self) -> Sequence[FieldInfo]: ...


# Type name -> message; None for scalars and for types the schema does not know.
Resolver = Callable[[str], "MessageInfo | None"]


class PatchError(APIError):
    """A patch that could not be applied, carried to the client as a ``Status``.

    ``code`` and ``reason`` follow upstream (400 ``BadRequest`` for a malformed patch,
    422 ``Invalid`` for a JSON patch that does not apply, 409 ``Conflict`` for server-side
    apply conflicts); ``str(err)`` is the Status message.
    """

    def __init__(
        self, code: int, reason: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(code, reason, message, details)

    def status_causes(self) -> list[dict[str, str]]:
        """The ``details.causes`` of the Status; empty unless a subclass has some."""
        return []


def _bad_request(message: str) -> PatchError:
    return PatchError(400, "BadRequest", message)


def _invalid(message: str) -> PatchError:
    return PatchError(422, "Invalid", message)


# --- schema look-ups ----------------------------------------------------------------------

# Per message: its fields by JSON name, and the types it embeds inline.  Keyed by id(), with
# the message kept alive in the value so that an id is never reused while cached; bounded by
# the number of message types, since user-supplied keys are never cached.
_FIELD_INDEX: dict[int, tuple[MessageInfo, dict[str, FieldInfo], tuple[str, ...]]] = {}


def lookup_field(message: MessageInfo, name: str, resolve: Resolver) -> FieldInfo | None:
    """The field of ``message`` whose JSON name is ``name``, looking into inline types too.

    Go's ``json:",inline"`` embedding (a field with an empty name, such as ``Volume``'s
    ``VolumeSource``) puts the embedded type's fields directly into the JSON object.
    """
    entry = _FIELD_INDEX.get(id(message))
    if entry is None:
        named = {f.name: f for f in message.fields if f.name}
        inline = tuple(f.type for f in message.fields if not f.name)
        entry = (message, named, inline)
        _FIELD_INDEX[id(message)] = entry
    found = entry[1].get(name)
    if found is None:
        for type_name in entry[2]:
            embedded = resolve(type_name)
            if embedded is not None:
                found = lookup_field(embedded, name, resolve)
                if found is not None:
                    break
    return found


class _MapOf:
    """The type of a JSON object with arbitrary keys (a Go map) whose values have ``value``."""

    __slots__ = ("value",)

    def __init__(self, value: MessageInfo | None) -> None:
        self.value = value


# The type of a JSON object being merged: a message, a map of values, or None (unknown).
_ObjType = MessageInfo | _MapOf | None


def _child_type(
    obj_type: _ObjType, key: str, resolve: Resolver
) -> tuple[FieldInfo | None, _ObjType]:
    """The field under ``key`` and the type of its value (of its items, for a list)."""
    if obj_type is None:
        return None, None
    if isinstance(obj_type, _MapOf):
        return None, obj_type.value
    field = lookup_field(obj_type, key, resolve)
    if field is None:
        return None, None
    if field.map_value:
        return field, _MapOf(resolve(field.map_value))
    return field, resolve(field.type)


def _strategy(field: FieldInfo | None) -> str:
    """The field's patch strategy without ``retainKeys``, which only matters to diffing."""
    if field is None or not field.patch_strategy:
        return ""
    for part in field.patch_strategy.split(","):
        if part in ("merge", "replace"):
            return part
    return ""


# --- JSON values ----------------------------------------------------------------------------

_ABSENT: Any = object()


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values.

    Unlike Python's ``==``, ``true`` and ``1`` differ; numbers compare by value (``1`` equals
    ``1.0``, as in RFC 6902 and upstream's value comparison); objects compare key by key and
    arrays item by item.
    """
    if a is b:
        return True
    ta, tb = type(a), type(b)
    if ta is bool or tb is bool:
        return ta is tb and a == b
    if ta in (int, float) and tb in (int, float):
        return bool(a == b)
    if ta is not tb:
        return False
    if ta is dict:
        return a.keys() == b.keys() and all(json_equal(v, b[k]) for k, v in a.items())
    if ta is list:
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _identity(value: Any) -> Any:
    """A hashable stand-in for a JSON value, equal exactly when the values are equal.

    The type is part of it so that ``1``, ``1.0`` and ``true`` stay apart, as they do in Go
    where they decode to different types.
    """
    if isinstance(value, dict | list):
        return ("json", json.dumps(value, sort_keys=True))
    return (type(value), value)


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if value is None:
        return "null"
    return "number"


# --- RFC 6902 JSON Patch --------------------------------------------------------------------

# Upstream refuses longer JSON patches (apiserver's maxJSONPatchOperations).
MAX_JSON_PATCH_OPERATIONS = 10000


class _CopyOnWrite:
    """A document being edited by JSON patch operations without touching the original.

    Containers are copied (shallowly) the first time an operation writes inside them; the
    copies are remembered, so a patch of many operations on one list copies it once.
    """

    def __init__(self, doc: Any) -> None:
        self.root = doc
        # id -> container for the containers this patch made; holding them keeps ids unique
        self.owned: dict[int, Any] = {}

    def _own(self, container: Any) -> Any:
        if id(container) in self.owned:
            return container
        copied = dict(container) if isinstance(container, dict) else list(container)
        self.owned[id(copied)] = copied
        return copied

    def forget_ownership(self) -> None:
        """Treat every container as shared again (after ``copy`` put one in two places)."""
        self.owned.clear()

    def get(self, tokens: list[str], op: str, path: str, what: str = "path") -> Any:
        """The value at ``tokens``, read without copying anything."""
        node = self.root
        for token in tokens:
            node = _step(node, token)
            if node is _ABSENT:
                raise _invalid(
                    f"jsonpatch {op} operation does not apply: doc is missing {what}: {path}"
                )
        return node

    def parent(self, tokens: list[str], op: str, path: str) -> Any:
        """The container holding the target of ``tokens``, made writable."""
        self.root = node = self._own(self.root) if _is_container(self.root) else self.root
        for token in tokens[:-1]:
            child = _step(node, token)
            if not _is_container(child):
                raise _invalid(
                    f"jsonpatch {op} operation does not apply: doc is missing path: {path}"
                )
            if id(child) not in self.owned:
                child = self._own(child)
                if isinstance(node, dict):
                    node[token] = child
                else:
                    node[int(token)] = child
            node = child
        if not _is_container(node):
            raise _invalid(f"jsonpatch {op} operation does not apply: doc is missing path: {path}")
        return node


def _is_container(value: Any) -> bool:
    return isinstance(value, dict | list)


def _step(node: Any, token: str) -> Any:
    """The child of ``node`` named by one pointer token, or _ABSENT."""
    if isinstance(node, dict):
        return node.get(token, _ABSENT)
    if isinstance(node, list):
        index = _array_index(token)
        if index is None or index >= len(node):
            return _ABSENT
        return node[index]
    return _ABSENT


def _array_index(token: str) -> int | None:
    # RFC 6901: decimal digits without leading zeros ("-" is handled by the callers)
    if not token.isdigit() or not token.isascii() or (len(token) > 1 and token[0] == "0"):
        return None
    return int(token)


def _pointer(op: dict[str, Any], member: str, op_name: str) -> tuple[str, list[str]]:
    """The JSON pointer in ``op[member]``, and its unescaped tokens."""
    if member not in op:
        raise _bad_request(f"operation missing {member} field")
    path = op[member]
    if not isinstance(path, str):
        raise _bad_request(f"{op_name} operation has a {member} that is not a string")
    if path == "":
        return path, []
    if not path.startswith("/"):
        raise _invalid(f"jsonpatch {op_name} operation does not apply: doc is missing path: {path}")
    # ~1 before ~0, so that "~01" becomes "~1" and not "/"
    return path, [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _value(op: dict[str, Any], op_name: str) -> Any:
    if "value" not in op:
        raise _bad_request(f"{op_name} operation missing value field")
    return op["value"]


def _add(doc: _CopyOnWrite, tokens: list[str], value: Any, op: str, path: str) -> None:
    if not tokens:
        doc.root = value
        return
    node = doc.parent(tokens, op, path)
    last = tokens[-1]
    if isinstance(node, dict):
        node[last] = value
        return
    index = len(node) if last == "-" else _array_index(last)
    if index is None or index > len(node):
        raise _invalid(
            f"jsonpatch {op} operation does not apply: Unable to access invalid index: {last}"
        )
    node.insert(index, value)


def _remove(doc: _CopyOnWrite, tokens: list[str], op: str, path: str) -> Any:
    if not tokens:
        raise _invalid(f"jsonpatch {op} operation does not apply: cannot remove the document")
    node = doc.parent(tokens, op, path)
    last = tokens[-1]
    if isinstance(node, dict):
        if last not in node:
            raise _invalid(f"jsonpatch {op} operation does not apply: doc is missing path: {path}")
        return node.pop(last)
    index = _array_index(last)
    if index is None or index >= len(node):
        raise _invalid(
            f"jsonpatch {op} operation does not apply: Unable to access invalid index: {last}"
        )
    return node.pop(index)


def _replace(doc: _CopyOnWrite, tokens: list[str], value: Any, path: str) -> None:
    if not tokens:
        doc.root = value
        return
    node = doc.parent(tokens, "replace", path)
    last = tokens[-1]
    if isinstance(node, dict):
        if last not in node:
            raise _invalid(
                f"jsonpatch replace operation does not apply: doc is missing path: {path}"
            )
        node[last] = value
        return
    index = _array_index(last)
    if index is None or index >= len(node):
        raise _invalid(
            f"jsonpatch replace operation does not apply: Unable to access invalid index: {last}"
        )
    node[index] = value


def apply_json_patch(doc: Any, ops: Any) -> Any:
    """Apply an RFC 6902 JSON Patch (a list of operations) and return the new document.

    Supports ``add``, ``remove``, ``replace``, ``move``, ``copy`` and ``test``; pointers
    use ``~0``/``~1`` escapes and ``-`` appends to an array.  Operations apply in order and
    the patch is atomic: on any failure :class:`PatchError` is raised and nothing is
    returned.  ``doc`` and ``ops`` are not modified.
    """
    if not isinstance(ops, list):
        raise _bad_request(
            f"json: cannot unmarshal {_json_type(ops)} into Go value of type jsonpatch.Patch"
        )
    if len(ops) > MAX_JSON_PATCH_OPERATIONS:
        raise PatchError(
            413,
            "RequestEntityTooLarge",
            f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, "
            f"got {len(ops)}",
        )
    result = _CopyOnWrite(doc)
    for op in ops:
        if not isinstance(op, dict):
            raise _bad_request(
                f"json: cannot unmarshal {_json_type(op)} into Go value of type "
                "jsonpatch.Operation"
            )
        name = op.get("op")
        if name not in ("add", "remove", "replace", "move", "copy", "test"):
            raise _bad_request(f"Unexpected kind: {name}")
        path, tokens = _pointer(op, "path", name)
        if name == "add":
            _add(result, tokens, _value(op, name), name, path)
        elif name == "remove":
            _remove(result, tokens, name, path)
        elif name == "replace":
            _replace(result, tokens, _value(op, name), path)
        elif name == "test":
            expected = _value(op, name)
            actual = result.get(tokens, name, path)
            if not json_equal(actual, expected):
                raise _invalid(f"testing value {path} failed: test failed")
        else:
            source, from_tokens = _pointer(op, "from", name)
            value = result.get(from_tokens, name, source, "from path")
            if name == "move":
                if source == path:
                    continue
                if path.startswith(source + "/"):
                    raise _invalid(
                        f"jsonpatch move operation does not apply: cannot move {source} "
                        f"into its own child {path}"
                    )
                _remove(result, from_tokens, name, source)
                _add(result, tokens, value, name, path)
            else:
                _add(result, tokens, value, name, path)
                # the value now sits in two places; a later write inside one of them must
                # not show through the other, so containers count as shared again
                result.forget_ownership()
    return result.root


# --- RFC 7386 JSON Merge Patch --------------------------------------------------------------


def apply_merge_patch(doc: Any, patch: Any) -> Any:
    """Apply an RFC 7386 JSON Merge Patch and return the new document.

    Objects merge key by key, ``null`` deletes a key, anything else (arrays included)
    replaces the value.  A patch that is not a JSON object would replace the whole API
    object, so it is refused with 400, as upstream does.
    """
    if not isinstance(patch, dict):
        raise _bad_request("Invalid JSON Patch")
    return _merge_patch(doc, patch)


def _merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = _merge_patch(result.get(key), value)
    return result


# --- Strategic merge patch ------------------------------------------------------------------

_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_SET_ORDER = "$setElementOrder/"
_DELETE_PRIMITIVES = "$deleteFromPrimitiveList/"


def apply_strategic_merge_patch(
    doc: Any,
    patch: Any,
    message: MessageInfo | None,
    resolve: Resolver | None = None,
) -> dict[str, Any]:
    """Apply a strategic merge patch to ``doc``, an object of the kind ``message`` describes.

    Maps merge recursively and ``null`` deletes a key.  Lists whose field has patch
    strategy ``merge`` merge: lists of objects by their merge key, lists of scalars as
    ordered sets; other lists are replaced.  Directives: ``$patch: replace|delete`` in an
    object (``merge`` is accepted as the default), ``$patch: delete|replace`` as a list
    item, ``$retainKeys``, ``$setElementOrder/<list>`` and
    ``$deleteFromPrimitiveList/<list>``.

    Order follows upstream: without ``$setElementOrder`` the items named in the patch come
    in patch order and items only on the server keep their place relative to them, so a
    new item goes *before* the existing ones it is not ordered against (upstream's
    documented ``kubectl patch`` example shows the added container first).

    ``message`` is the kind's top-level type, or None when unknown; ``resolve`` maps type
    names to messages and defaults to the API schema registry.
    """
    if not isinstance(patch, dict):
        raise _bad_request(
            f"json: cannot unmarshal {_json_type(patch)} into Go value of type "
            "map[string]interface {}"
        )
    merger = _StrategicMerge(resolve or schema_resolve)
    return merger.merge_map(doc if isinstance(doc, dict) else {}, patch, message)


class _StrategicMerge:
    """One strategic merge: the resolver plus the recursive merge of maps and lists."""

    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve

    def merge_map(
        self, original: dict[str, Any], patch: dict[str, Any], obj_type: _ObjType
    ) -> dict[str, Any]:
        """``patch`` merged into ``original`` (a new dict; neither argument changes)."""
        if _DIRECTIVE in patch:
            directive = patch[_DIRECTIVE]
            rest = {k: v for k, v in patch.items() if k != _DIRECTIVE}
            if directive == "replace":
                # the object becomes the patch, with its own directives and nulls resolved
                return self.merge_map({}, rest, obj_type)
            if directive == "delete":
                return {}
            if directive != "merge":
                raise _bad_request(f"unknown patch type: {directive} in map: {patch}")
            patch = rest

        result = dict(original)
        if _RETAIN_KEYS in patch:
            self._retain_keys(result, patch)

        ordered: set[str] = set()
        for key, value in patch.items():
            if key.startswith(_SET_ORDER):
                name = key[len(_SET_ORDER):]
                self._set_element_order(result, patch, name, value, obj_type)
                ordered.add(name)

        for key, value in patch.items():
            if key == _RETAIN_KEYS or key.startswith(_SET_ORDER) or key in ordered:
                continue
            deleting = key.startswith(_DELETE_PRIMITIVES)
            if deleting:
                key = key[len(_DELETE_PRIMITIVES):]
                if not isinstance(value, list) and value is not None:
                    raise _bad_request("invalid patch format of primitive list")
            if value is None:
                result.pop(key, None)
                continue
            current = result.get(key, _ABSENT)
            field, child_type = _child_type(obj_type, key, self.resolve)
            if isinstance(current, dict) and isinstance(value, dict):
                if _strategy(field) == "replace":
                    result[key] = self.merge_map({}, value, child_type)
                else:
                    result[key] = self.merge_map(current, value, child_type)
            elif isinstance(current, list) and isinstance(value, list):
                result[key] = self.merge_list(current, value, field, child_type, deleting)
            elif deleting:
                # nothing to delete from: upstream neither adds the list nor complains
                continue
            else:
                result[key] = self.fresh(value, field, child_type)
        return result

    def fresh(self, value: Any, field: FieldInfo | None, value_type: _ObjType) -> Any:
        """A patch value for a key the original lacks: the patch applied to nothing.

        This resolves directives and drops nulls inside it, as upstream's server-side
        merge does (``IgnoreUnmatchedNulls``).
        """
        if isinstance(value, dict):
            return self.merge_map({}, value, value_type)
        if isinstance(value, list):
            return self.merge_list([], value, field, value_type, False)
        return value

    def _retain_keys(self, result: dict[str, Any], patch: dict[str, Any]) -> None:
        keep = patch[_RETAIN_KEYS]
        if not isinstance(keep, list):
            raise _bad_request("invalid patch format of retainKeys")
        allowed = {k for k in keep if isinstance(k, str)}
        for key, value in patch.items():
            if value is None or key.startswith("$"):
                continue
            if key not in allowed:
                raise _bad_request("invalid patch format of retainKeys")
        for key in [k for k in result if k not in allowed]:
            del result[key]

    def merge_list(
        self,
        original: list[Any],
        patch: list[Any],
        field: FieldInfo | None,
        item_type: _ObjType,
        deleting: bool,
    ) -> list[Any]:
        """``patch`` merged into ``original`` according to the field's patch strategy."""
        if _strategy(field) != "merge" and not deleting:
            return [self._fresh_item(item, item_type) for item in patch if not _is_directive(item)]
        if not original and not patch:
            return []
        kind = _element_kind(original, patch)
        if kind != "object":
            if deleting:
                gone = {_identity(v) for v in patch}
                return [v for v in original if _identity(v) not in gone]
            merged: list[Any] = []
            seen: set[Any] = set()
            for value in (*original, *patch):
                ident = _identity(value)
                if ident not in seen:
                    seen.add(ident)
                    merged.append(value)
            return _order(merged, patch, original, None)

        merge_key = field.merge_key if field is not None else None
        if not merge_key:
            name = field.name if field is not None else "an untyped list"
            raise _bad_request(f"cannot merge lists without merge key for {name}")
        items = list(original)
        plain: list[dict[str, Any]] = []
        replace = False
        for item in patch:
            directive = item.get(_DIRECTIVE, _ABSENT)
            if directive is _ABSENT:
                plain.append(item)
            elif directive == "delete":
                if merge_key not in item:
                    raise _no_merge_key(item, merge_key)
                gone = _identity(item[merge_key])
                items = [o for o in items if not _has_key_value(o, merge_key, gone)]
            elif directive == "replace":
                replace = True
            elif directive == "merge":
                plain.append({k: v for k, v in item.items() if k != _DIRECTIVE})
            else:
                raise _bad_request(f"unknown patch type: {directive} in map: {item}")
        if replace:
            return [self.merge_map({}, item, item_type) for item in plain]

        positions = {
            _identity(o[merge_key]): i
            for i, o in reversed(list(enumerate(items)))
            if isinstance(o, dict) and merge_key in o
        }
        for item in plain:
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)
            at = positions.get(_identity(item[merge_key]))
            if at is None:
                positions[_identity(item[merge_key])] = len(items)
                items.append(self.merge_map({}, item, item_type))
            else:
                items[at] = self.merge_map(items[at], item, item_type)
        return _order(items, plain, original, merge_key)

    def _fresh_item(self, item: Any, item_type: _ObjType) -> Any:
        if isinstance(item, dict):
            return self.merge_map({}, item, item_type)
        return item

    def _set_element_order(
        self,
        result: dict[str, Any],
        patch: dict[str, Any],
        name: str,
        order: Any,
        obj_type: _ObjType,
    ) -> None:
        """Merge the list ``name`` and then put its items in ``$setElementOrder`` order."""
        if not isinstance(order, list):
            raise _bad_request("invalid patch format of setElementOrder list")
        field, item_type = _child_type(obj_type, name, self.resolve)
        merge_key = field.merge_key if field is not None else None
        original = result.get(name, _ABSENT)
        patch_list = patch.get(name, _ABSENT)
        for value in (original, patch_list):
            if value is not _ABSENT and not isinstance(value, list):
                raise _bad_request(
                    f"expected a []interface {{}}, but received a {_json_type(value)}"
                )
        if patch_list is not _ABSENT:
            _check_order(patch_list, order, merge_key)
        if original is _ABSENT and patch_list is _ABSENT:
            return
        if patch_list is _ABSENT:
            merged = original
        elif original is _ABSENT:
            merged = self.fresh(patch_list, field, item_type)
        else:
            merged = self.merge_list(original, patch_list, field, item_type, False)
        result[name] = _order(merged, order, original if original is not _ABSENT else [], merge_key)


def _is_directive(item: Any) -> bool:
    return isinstance(item, dict) and _DIRECTIVE in item


def _no_merge_key(item: Any, merge_key: str) -> PatchError:
    return _bad_request(f"map: {item} does not contain declared merge key: {merge_key}")


def _has_key_value(item: Any, key: str, ident: Any) -> bool:
    return isinstance(item, dict) and key in item and _identity(item[key]) == ident


def _element_kind(*lists: list[Any]) -> str:
    """'object' or 'scalar' for the items of the lists, which must all be of one kind."""
    kind = ""
    for items in lists:
        for item in items:
            if isinstance(item, list):
                raise _invalid("lists of lists are not supported")
            this = "object" if isinstance(item, dict) else "scalar"
            if kind and this != kind:
                raise _bad_request("list element types are not identical")
            kind = this
    return kind


def _key_of(item: Any, merge_key: str | None) -> Any:
    """What identifies a list item: its merge key's value, or the item itself."""
    if merge_key is None:
        return _identity(item)
    if isinstance(item, dict) and merge_key in item:
        return _identity(item[merge_key])
    return None


def _order(
    merged: list[Any], order: list[Any], server_order: list[Any], merge_key: str | None
) -> list[Any]:
    """``merged`` ordered as upstream orders a merged list.

    Items named in ``order`` (the patch list, or ``$setElementOrder``) come in that order;
    the other ("server-only") items keep their order from ``server_order`` (the original
    list) and are slotted in before the first named item that follows them there.  A named
    item that the original lacks is placed as soon as it is reached, which is why new
    items land ahead of server-only ones.
    """
    rank: dict[Any, int] = {}
    for i, item in enumerate(order):
        key = _key_of(item, merge_key)
        if key is not None and not _is_directive(item):
            rank.setdefault(key, i)
    named = [item for item in merged if _key_of(item, merge_key) in rank]
    if not named:
        return merged
    server_only = [item for item in merged if _key_of(item, merge_key) not in rank]
    named.sort(key=lambda item: rank[_key_of(item, merge_key)])
    if not server_only:
        return named
    place: dict[Any, int] = {}
    for i, item in enumerate(server_order):
        place.setdefault(_key_of(item, merge_key), i)
    server_only.sort(key=lambda item: place.get(_key_of(item, merge_key), len(server_order)))

    out: list[Any] = []
    i = j = 0
    while i < len(server_only) or j < len(named):
        if j >= len(named):
            out.append(server_only[i])
            i += 1
            continue
        if i < len(server_only):
            left = place.get(_key_of(server_only[i], merge_key))
            right = place.get(_key_of(named[j], merge_key))
            if left is not None and right is not None and left < right:
                out.append(server_only[i])
                i += 1
                continue
        out.append(named[j])
        j += 1
    return out


def _check_order(patch_list: list[Any], order: list[Any], merge_key: str | None) -> None:
    """Refuse a patch list whose items are not a subsequence of ``$setElementOrder``."""
    if not patch_list or not order:
        return
    items = [item for item in patch_list if not _is_directive(item)]
    if merge_key is not None:
        for item in (*items, *order):
            if not isinstance(item, dict) or merge_key not in item:
                raise _no_merge_key(item, merge_key)
    i = j = 0
    while i < len(items) and j < len(order):
        if _key_of(items[i], merge_key) == _key_of(order[j], merge_key):
            i += 1
        j += 1
    if i < len(items):
        raise _bad_request(
            f"The order in patch list:\n{patch_list}\n doesn't match $setElementOrder "
            f"list:\n{order}\n"
        )
