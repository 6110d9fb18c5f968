"""The OpenAPI v3 documents served at ``/openapi/v3`` and ``/openapi/v3/<gv path>``.

kubectl reads them for three things (see shared/KUBECTL-WIRE.md, section 2.5):

- ``create``/``apply``/``replace``/``edit`` look for a PATCH operation of the object's
  group/version/kind that lists a ``fieldValidation`` parameter; finding one, they leave
  field validation to the server instead of failing with "failed to download openapi";
- ``kubectl explain`` finds the schema whose ``x-kubernetes-group-version-kind`` names the
  kind and walks its ``$ref`` s;
- client-side ``apply`` reads ``x-kubernetes-patch-merge-key``/``-patch-strategy`` to
  build strategic merge patches.

Every document is built from the schema registry and the resource table, so it lists
exactly what is served.  Shapes follow upstream's generated documents: a field that refers
to another schema and has siblings (a description, patch metadata) wraps the reference in
``allOf``, because OpenAPI 3.0 ignores siblings of ``$ref``; Quantity, IntOrString, Time
and the other special scalars are components of their own, as upstream names them.
Documents are encoded once and cached with their hash, which the index puts in each URL
so that kubectl's HTTP cache can keep them.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from paddock.core.resources import GROUP_VERSIONS, Resource, resources_in
from paddock.core.schema import carries_type_meta, message_for_kind, resolve
from paddock.core.schema.dsl import Field, Message
from paddock.core.schema.meta_v1 import DELETE_OPTIONS, PATCH, STATUS

# The Kubernetes release whose API paddock serves, as upstream puts it in "info".
KUBERNETES_VERSION = "v1.33.0"

_REF_PREFIX = "#/components/schemas/"
_META = "io.k8s.apimachinery.pkg.apis.meta.v1."

# --- schemas ------------------------------------------------------------------------------

_SCALAR_SCHEMAS: dict[str, dict[str, str]] = {
    "string": {"type": "string"},
    "bytes": {"type": "string", "format": "byte"},
    "bool": {"type": "boolean"},
    "int32": {"type": "integer", "format": "int32"},
    "int64": {"type": "integer", "format": "int64"},
    "double": {"type": "number", "format": "double"},
    "Duration": {"type": "string"},
}

# Special scalars that upstream documents as components of their own: DSL name ->
# (component name, schema).
_WELL_KNOWN: dict[str, tuple[str, dict[str, Any]]] = {
    "Quantity": (
        "io.k8s.apimachinery.pkg.api.resource.Quantity",
        {
            "description": "A fixed-point amount such as 100m, 1.5, 2Gi or 1e3; "
            "written as a string (a plain number is also accepted).",
            "oneOf": [{"type": "string"}, {"type": "number"}],
        },
    ),
    "IntOrString": (
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
        {
            "description": "Either an integer or a string, such as a port number or "
            "name, or a count or a percentage.",
            "format": "int-or-string",
            "oneOf": [{"type": "integer"}, {"type": "string"}],
        },
    ),
    "Time": (
        _META + "Time",
        {
            "description": "A timestamp in RFC 3339 form, with second precision.",
            "format": "date-time",
            "type": "string",
        },
    ),
    "MicroTime": (
        _META + "MicroTime",
        {
            "description": "A timestamp in RFC 3339 form, with microsecond precision.",
            "format": "date-time",
            "type": "string",
        },
    ),
    "RawExtension": (
        "io.k8s.apimachinery.pkg.runtime.RawExtension",
        {"description": "An embedded object of any kind.", "type": "object"},
    ),
    "FieldsV1": (
        _META + "FieldsV1",
        {
            "description": "A set of fields as a trie, in the server-side apply format.",
            "type": "object",
        },
    ),
}

_TYPE_META_PROPERTIES = {
    "apiVersion": {
        "description": "The versioned schema of this object, such as apps/v1.",
        "type": "string",
    },
    "kind": {
        "description": "The kind of this object, in CamelCase, such as Deployment.",
        "type": "string",
    },
}

# Stands in for a type that is referred to but not registered, so that every $ref of a
# document still resolves.
_UNKNOWN_SCHEMA = {
    "description": "No schema is available for this type.",
    "type": "object",
    "x-kubernetes-preserve-unknown-fields": True,
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF_PREFIX + name}


def _value_schema(type_name: str, needed: list[str]) -> dict[str, Any]:
    """The schema of one value of a type; referenced types are appended to ``needed``."""
    scalar = _SCALAR_SCHEMAS.get(type_name)
    if scalar is not None:
        return dict(scalar)
    known = _WELL_KNOWN.get(type_name)
    name = known[0] if known is not None else type_name
    needed.append(name)
    return _ref(name)


def _field_schema(fld: Field, needed: list[str]) -> dict[str, Any]:
    value = _value_schema(fld.map_value or fld.type, needed)
    if fld.enum:
        if "$ref" in value:
            value = {"allOf": [value]}
        value["enum"] = list(fld.enum)
    if fld.map_value:
        schema: dict[str, Any] = {"type": "object", "additionalProperties": value}
    elif fld.repeated:
        schema = {"type": "array", "items": value}
    else:
        schema = value
    extras: dict[str, Any] = {}
    if fld.doc:
        extras["description"] = fld.doc
    if fld.list_type:
        extras["x-kubernetes-list-type"] = fld.list_type
    if fld.list_map_keys:
        extras["x-kubernetes-list-map-keys"] = list(fld.list_map_keys)
    if fld.merge_key:
        extras["x-kubernetes-patch-merge-key"] = fld.merge_key
    if fld.patch_strategy:
        extras["x-kubernetes-patch-strategy"] = fld.patch_strategy
    if extras:
        if "$ref" in schema:
            schema = {"allOf": [schema]}
        schema.update(extras)
    return schema


def _collect_properties(
    msg: Message, properties: dict[str, Any], required: list[str], needed: list[str]
) -> None:
    """Fill ``properties``/``required`` from a message, splicing in inline fields."""
    for fld in msg.fields:
        if not fld.name:
            # Go's json:",inline": the embedded message's fields belong to this object
            embedded = resolve(fld.type)
            if embedded is not None:
                _collect_properties(embedded, properties, required, needed)
            continue
        properties[fld.name] = _field_schema(fld, needed)
        if fld.required:
            required.append(fld.name)


def _message_schema(msg: Message, needed: list[str]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    if carries_type_meta(msg):
        properties.update(_TYPE_META_PROPERTIES)
    _collect_properties(msg, properties, required, needed)
    schema: dict[str, Any] = {"description": msg.doc, "type": "object"}
    if properties:
        schema["properties"] = properties
    if required:
        schema["required"] = required
    if msg.gvk is not None:
        group, version, kind = msg.gvk
        schema["x-kubernetes-group-version-kind"] = [
            {"group": group, "kind": kind, "version": version}
        ]
    return schema


def _component_schemas(roots: list[str]) -> dict[str, Any]:
    """Schemas of the roots and of everything they reach, by component name."""
    well_known = {name: schema for name, schema in _WELL_KNOWN.values()}
    schemas: dict[str, Any] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in schemas:
            continue
        if name in well_known:
            schemas[name] = well_known[name]
            continue
        msg = resolve(name)
        schemas[name] = _UNKNOWN_SCHEMA if msg is None else _message_schema(msg, pending)
    return schemas


# --- paths --------------------------------------------------------------------------------


def _query(name: str, description: str, type_: str = "string") -> dict[str, Any]:
    return {
        "description": description,
        "in": "query",
        "name": name,
        "schema": {"type": type_, "uniqueItems": True},
    }


_PRETTY = _query("pretty", "If 'true', the output is indented.")
_DRY_RUN = _query(
    "dryRun", "When present (the only value is All), the request is checked but not persisted."
)
_FIELD_MANAGER = _query(
    "fieldManager", "Name of the actor making the change, recorded in managedFields."
)
_FIELD_VALIDATION = _query(
    "fieldValidation",
    "What to do with unknown or duplicate fields in the body: Ignore (drop them), Warn "
    "(drop them and send a warning header, the default) or Strict (fail the request).",
)
_FORCE = _query(
    "force", "Server-side apply only: take ownership of fields other managers own.", "boolean"
)
_GRACE_PERIOD = _query(
    "gracePeriodSeconds", "Seconds the object may take to shut down; 0 deletes at once.",
    "integer",
)
_ORPHAN = _query(
    "orphanDependents", "Deprecated: use propagationPolicy. Leave dependents behind.", "boolean"
)
_PROPAGATION = _query(
    "propagationPolicy",
    "What happens to dependents: Orphan, Background (deleted afterwards) or Foreground "
    "(deleted first).",
)
_LIST_PARAMETERS = [
    _query(
        "allowWatchBookmarks", "Watch only: ask for BOOKMARK events.", "boolean",
    ),
    _query("continue", "Token from a previous page's metadata.continue."),
    _query("fieldSelector", "Return only objects whose fields match, e.g. spec.nodeName=n1."),
    _query("labelSelector", "Return only objects whose labels match, e.g. app=web,tier!=db."),
    _query("limit", "Maximum number of objects in one page.", "integer"),
    _query("resourceVersion", "The version of the collection to read or to watch from."),
    _query("resourceVersionMatch", "How resourceVersion is applied: Exact or NotOlderThan."),
    _query(
        "sendInitialEvents", "Watch only: start with the current objects as ADDED events.",
        "boolean",
    ),
    _query("timeoutSeconds", "Time limit of the list or watch call.", "integer"),
    _query("watch", "Stream changes instead of returning a list.", "boolean"),
]
_WRITE_PARAMETERS = [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION]
_PATCH_PARAMETERS = [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION, _FORCE]
_DELETE_PARAMETERS = [_DRY_RUN, _GRACE_PERIOD, _ORPHAN, _PROPAGATION]
_NAMESPACE_PARAMETER = {
    "description": "Namespace of the objects.",
    "in": "path",
    "name": "namespace",
    "required": True,
    "schema": {"type": "string", "uniqueItems": True},
}

_RESPONSE_TYPES = ("application/json", "application/yaml", "application/vnd.kubernetes.protobuf")
_WATCH_TYPES = ("application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch")
_PATCH_TYPES = (
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
)
_UNAUTHORIZED = {"description": "Unauthorized"}


def _content(type_name: str | None, media_types: tuple[str, ...]) -> dict[str, Any]:
    if type_name is None:
        return {}
    return {"content": {media: {"schema": _ref(type_name)} for media in media_types}}


def _responses(type_name: str | None, *codes: str, watch: bool = False) -> dict[str, Any]:
    media = _RESPONSE_TYPES + _WATCH_TYPES if watch else _RESPONSE_TYPES
    descriptions = {"200": "OK", "201": "Created", "202": "Accepted"}
    responses: dict[str, Any] = {
        code: {"description": descriptions[code], **_content(type_name, media)} for code in codes
    }
    responses["401"] = _UNAUTHORIZED
    return responses


def _name_parameter(kind: str) -> dict[str, Any]:
    return {
        "description": f"Name of the {kind}.",
        "in": "path",
        "name": "name",
        "required": True,
        "schema": {"type": "string", "uniqueItems": True},
    }


def _api_prefix(group: str, version: str) -> str:
    return f"/apis/{group}/{version}" if group else f"/api/{version}"


def _operation_token(group: str, version: str) -> str:
    # upstream's operation ids: "" -> CoreV1, networking.k8s.io -> NetworkingV1
    words = (group.removesuffix(".k8s.io") or "core").split(".")
    return "".join(w[:1].upper() + w[1:] for w in words) + version.capitalize()


def _tag(group: str, version: str) -> str:
    words = (group.removesuffix(".k8s.io") or "core").split(".")
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:]) + "_" + version


class _PathBuilder:
    """Writes the path items of one group/version's resources."""

    def __init__(self, group: str, version: str) -> None:
        self.group = group
        self.version = version
        self.prefix = _api_prefix(group, version)
        self.token = _operation_token(group, version)
        self.tags = [_tag(group, version)]
        self.paths: dict[str, Any] = {}
        # component names every operation refers to (bodies and responses)
        self.roots: list[str] = [DELETE_OPTIONS, STATUS, PATCH]

    def _type(self, group: str, version: str, kind: str) -> str | None:
        msg = message_for_kind(group, version, kind)
        if msg is None:
            return None
        self.roots.append(msg.name)
        return msg.name

    def _op(
        self,
        action: str,
        op_id: str,
        description: str,
        gvk: tuple[str, str, str],
        parameters: list[dict[str, Any]],
        responses: dict[str, Any],
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        op: dict[str, Any] = {
            "description": description,
            "operationId": op_id,
            "parameters": parameters,
            "responses": responses,
            "tags": self.tags,
            "x-kubernetes-action": action,
            "x-kubernetes-group-version-kind": {
                "group": gvk[0], "kind": gvk[2], "version": gvk[1],
            },
        }
        if body is not None:
            op["requestBody"] = body
        return op

    def add(self, r: Resource) -> None:
        kind, token = r.kind, self.token
        gvk = (r.group, r.version, kind)
        scope = "Namespaced" if r.namespaced else ""
        base = f"{self.prefix}/namespaces/{{namespace}}/{r.name}" if r.namespaced else (
            f"{self.prefix}/{r.name}"
        )
        scope_params = [_NAMESPACE_PARAMETER] if r.namespaced else []
        obj = self._type(r.group, r.version, kind)
        lst = self._type(r.group, r.version, r.list_kind)
        verbs = set(r.verbs)
        body = _request_body(obj)
        delete_body = {"content": {"*/*": {"schema": _ref(DELETE_OPTIONS)}}}

        collection: dict[str, Any] = {}
        if "list" in verbs:
            collection["get"] = self._op(
                "list", f"list{token}{scope}{kind}", f"list or watch objects of kind {kind}",
                gvk, _LIST_PARAMETERS, _responses(lst, "200", watch=True),
            )
        if "create" in verbs:
            collection["post"] = self._op(
                "post", f"create{token}{scope}{kind}", f"create a {kind}", gvk,
                _WRITE_PARAMETERS, _responses(obj, "200", "201", "202"), body,
            )
        if "deletecollection" in verbs:
            collection["delete"] = self._op(
                "deletecollection", f"delete{token}Collection{scope}{kind}",
                f"delete a collection of {kind}", gvk,
                _DELETE_PARAMETERS + _LIST_PARAMETERS, _responses(STATUS, "200"), delete_body,
            )
        if collection:
            collection["parameters"] = scope_params + [_PRETTY]
            self.paths[base] = collection

        item: dict[str, Any] = {}
        if "get" in verbs:
            item["get"] = self._op(
                "get", f"read{token}{scope}{kind}", f"read the specified {kind}", gvk,
                [], _responses(obj, "200"),
            )
        if "update" in verbs:
            item["put"] = self._op(
                "put", f"replace{token}{scope}{kind}", f"replace the specified {kind}", gvk,
                _WRITE_PARAMETERS, _responses(obj, "200", "201"), body,
            )
        if "patch" in verbs:
            item["patch"] = self._op(
                "patch", f"patch{token}{scope}{kind}", f"partially update the specified {kind}",
                gvk, _PATCH_PARAMETERS, _responses(obj, "200", "201"), _patch_body(),
            )
        if "delete" in verbs:
            item["delete"] = self._op(
                "delete", f"delete{token}{scope}{kind}", f"delete a {kind}", gvk,
                _DELETE_PARAMETERS, _responses(STATUS, "200", "202"), delete_body,
            )
        item_params = [_name_parameter(kind), *scope_params, _PRETTY]
        if item:
            item["parameters"] = item_params
            self.paths[f"{base}/{{name}}"] = item

        if r.namespaced and "list" in verbs:
            self.paths[f"{self.prefix}/{r.name}"] = {
                "get": self._op(
                    "list", f"list{token}{kind}ForAllNamespaces",
                    f"list or watch objects of kind {kind} in all namespaces", gvk,
                    _LIST_PARAMETERS, _responses(lst, "200", watch=True),
                ),
                "parameters": [_PRETTY],
            }

        for sub in r.subresources:
            sub_gvk = (sub.group if sub.group is not None else r.group, sub.version or r.version,
                       sub.kind)
            sub_type = self._type(*sub_gvk)
            sub_body = _request_body(sub_type)
            suffix = sub.name[:1].upper() + sub.name[1:]
            names = f"{token}{scope}{kind}{suffix}"
            ops: dict[str, Any] = {}
            if "get" in sub.verbs:
                ops["get"] = self._op(
                    "get", f"read{names}", f"read {sub.name} of the specified {kind}", sub_gvk,
                    [], _responses(sub_type, "200"),
                )
            if "update" in sub.verbs:
                ops["put"] = self._op(
                    "put", f"replace{names}", f"replace {sub.name} of the specified {kind}",
                    sub_gvk, _WRITE_PARAMETERS, _responses(sub_type, "200", "201"), sub_body,
                )
            if "patch" in sub.verbs:
                ops["patch"] = self._op(
                    "patch", f"patch{names}",
                    f"partially update {sub.name} of the specified {kind}", sub_gvk,
                    _PATCH_PARAMETERS, _responses(sub_type, "200", "201"), _patch_body(),
                )
            if "create" in sub.verbs:
                ops["post"] = self._op(
                    "post", f"create{names}", f"create {sub.name} of a {kind}", sub_gvk,
                    _WRITE_PARAMETERS, _responses(sub_type, "200", "201", "202"), sub_body,
                )
            ops["parameters"] = item_params
            self.paths[f"{base}/{{name}}/{sub.name}"] = ops


def _request_body(type_name: str | None) -> dict[str, Any] | None:
    if type_name is None:
        return None
    return {"content": {"*/*": {"schema": _ref(type_name)}}, "required": True}


def _patch_body() -> dict[str, Any]:
    return {
        "content": {media: {"schema": _ref(PATCH)} for media in _PATCH_TYPES},
        "required": True,
    }


# --- documents ----------------------------------------------------------------------------


def served_group_versions() -> list[tuple[str, str]]:
    """Every served (group, version), the core group ("", "v1") first."""
    return [("", "v1")] + [(g, v) for g, versions in GROUP_VERSIONS for v in versions]


def group_version_path(group: str, version: str) -> str:
    """The key of a group/version in the index: ``api/v1`` or ``apis/<group>/<version>``."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def openapi_v3_index(hashes: Mapping[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """The ``/openapi/v3`` root: one entry per served group/version with its document URL.

    ``hashes`` maps (group, version) to the document's hash; by default the hashes of the
    documents :func:`document_bytes` serves.  Keys have no leading slash, as upstream.
    """
    paths = {}
    for group, version in served_group_versions():
        digest = hashes[(group, version)] if hashes is not None else document_bytes(
            group, version
        )[1]
        path = group_version_path(group, version)
        paths[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": paths}


def openapi_v3_document(group: str, version: str) -> dict[str, Any]:
    """The OpenAPI v3 document of one group/version (group "" for the core group).

    Raises LookupError when the group/version is not served.
    """
    served = resources_in(group, version)
    if not served:
        raise LookupError(f"group/version {group_version_path(group, version)} is not served")
    builder = _PathBuilder(group, version)
    for r in served:
        builder.add(r)
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
        "paths": builder.paths,
        "components": {"schemas": _component_schemas(builder.roots)},
    }


@functools.cache
def document_bytes(group: str, version: str) -> tuple[bytes, str]:
    """The encoded document of a group/version and its hash, computed once.

    The hash is upstream's: the SHA-512 of the bytes in upper-case hex.  Keys are sorted so
    the bytes, and so the hash, are the same on every start.
    """
    body = orjson.dumps(openapi_v3_document(group, version), option=orjson.OPT_SORT_KEYS)
    return body, hashlib.sha512(body).hexdigest().upper()
