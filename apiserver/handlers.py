"""REST handlers for resource requests: parse the request (path, query, body, content
types), call the store, and encode the answer (object, List, Table, Status, watch stream).

The path grammar is upstream's:

    /api/v1/<resource>[/<name>[/<subresource>]]
    /api/v1/namespaces/<ns>/<resource>[/<name>[/<subresource>]]
    /apis/<group>/<version>/...      (the same below)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
import yaml
from aiohttp import web

from ..core import status as st
from ..core.meta import now_rfc3339
from ..core.resources import Resource, lookup
from . import conversion
from .metrics import Metrics
from .registry import Registry, Store, WriteOptions, copy_object
from .storage import Compacted
from .watchcache.ring import CachedObject, WatchEvent

MAX_BODY = 3 * 1024 * 1024
JSON = "application/json"
YAML = "application/yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml")
BOOKMARK_INTERVAL = 60.0
# resources whose upstream strategy allows a PUT to create a missing object
CREATE_ON_UPDATE = frozenset({"endpoints", "events", "leases", "limitranges", "services"})


@dataclass
class Target:
    """What a resource path names."""

    resource: Resource
    namespace: str | None
    name: str | None
    subresource: str


@dataclass
class Reply:
    """A response being built: body bytes, code, content type and extra headers."""

    body: bytes
    code: int = 200
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)


def parse_resource_path(parts: list[str]) -> Target | None:
    """Parse the segments after /api or /apis.  None when not a resource path."""
    if not parts:
        return None
    if parts[0] == "v1" and (len(parts) < 2 or "." not in parts[0]):
        group, version, rest = "", parts[0], parts[1:]
    else:
        if len(parts) < 2:
            return None
        group, version, rest = parts[0], parts[1], parts[2:]
    if not rest:
        return None
    namespace: str | None = None
    if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in ("status", "finalize"):
        namespace = rest[1]
        rest = rest[2:]
    res = lookup(group, version, rest[0])
    if res is None or len(rest) > 3:
        return None
    name = rest[1] if len(rest) > 1 else None
    sub = rest[2] if len(rest) > 2 else ""
    return Target(res, namespace, name, sub)


# -- content negotiation -------------------------------------------------------------------

@dataclass
class Accept:
    """What the client can take: a Table, YAML or JSON (protobuf later)."""

    table: bool = False
    yaml: bool = False
    protobuf: bool = False
    include_object: str = "Metadata"


def negotiate(header: str, query: Any) -> Accept:
    """Pick the response format from the Accept header, as upstream's negotiation does:
    the first acceptable entry wins; Table only for the meta.k8s.io v1/v1beta1 variants."""
    acc = Accept(include_object=query.get("includeObject", "Metadata") or "Metadata")
    if acc.include_object not in ("None", "Metadata", "Object"):
        raise st.bad_request(f'includeObject: Unsupported value: "{acc.include_object}": '
                             'supported values: "Metadata", "None", "Object"')
    if not header:
        return acc
    for entry in header.split(","):
        parts = [p.strip() for p in entry.split(";")]
        mime = parts[0].lower()
        params = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
        if mime in ("application/json", "*/*", "application/*"):
            if params.get("as") == "Table":
                if params.get("g") == "meta.k8s.io" and params.get("v") in ("v1", "v1beta1"):
                    acc.table = True
                    return acc
                continue
            if "as" in params:
                continue
            return acc
        if mime in ("application/yaml",) and "as" not in params:
            acc.yaml = True
            return acc
        if mime == PROTOBUF and "as" not in params:
            acc.protobuf = True
            return acc
    raise st.not_acceptable("application/json, application/yaml, application/vnd.kubernetes.protobuf")


def encode_reply(obj: Any, accept: Accept, code: int = 200) -> Reply:
    if accept.protobuf and isinstance(obj, dict) and obj.get("kind") and obj.get("apiVersion"):
        return Reply(protobuf_bytes(obj), code, PROTOBUF)
    if accept.yaml:
        return Reply(yaml.safe_dump(obj, sort_keys=False).encode(), code, YAML)
    return Reply(orjson.dumps(obj), code)


def protobuf_bytes(obj: dict[str, Any], api_version: str | None = None, kind: str | None = None) -> bytes:
    """An object in the Kubernetes protobuf envelope."""
    from ..core.protobuf import codec

    pb = codec()
    api_version = api_version or obj.get("apiVersion", "")
    kind = kind or obj.get("kind", "")
    msg = pb.message_for(api_version, kind)
    if msg is None:
        raise st.not_acceptable("application/json")
    return pb.encode_envelope(obj, api_version, kind, msg)


def decode_protobuf_body(raw: bytes) -> dict[str, Any]:
    """A protobuf request body (envelope + typed message) as the JSON-form dict."""
    from ..core.protobuf import codec

    pb = codec()
    try:
        api_version, kind, payload = pb.decode_envelope(raw)
    except pb.ProtobufError as e:
        raise st.bad_request(f"error decoding protobuf request body: {e}") from None
    msg = pb.message_for(api_version, kind)
    if msg is None:
        raise st.bad_request(f'no kind "{kind}" is registered for version "{api_version}"')
    try:
        obj: dict[str, Any] = pb.decode(payload, msg)
    except pb.ProtobufError as e:
        raise st.bad_request(f"error decoding protobuf {kind}: {e}") from None
    # the zeros a Go client sends for every non-pointer field were dropped by the decoder
    # where Go's JSON omits them (core/schema/go_types.py)
    obj["apiVersion"] = api_version
    obj["kind"] = kind
    return obj


# -- bodies -------------------------------------------------------------------------------

def decode_body(raw: bytes, content_type: str) -> Any:
    """Decode a request body; a missing Content-Type means JSON (the Python client)."""
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == PROTOBUF:
        return decode_protobuf_body(raw)
    if not raw.strip():
        raise st.bad_request("request body must not be empty")
    if mime not in ("", JSON, YAML, "application/json-patch+json", "application/merge-patch+json",
                    "application/strategic-merge-patch+json", "application/apply-patch+yaml", "*/*"):
        raise st.unsupported_media_type(content_type)
    if mime in ("", JSON, "application/json-patch+json", "application/merge-patch+json",
                "application/strategic-merge-patch+json", "*/*"):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            if mime in ("", JSON) or raw.lstrip()[:1] in (b"{", b"["):
                raise st.bad_request(f"error decoding request body: invalid JSON: {e}") from None
            # tolerate YAML sent as plain text, as upstream's serializer sniffing does
    try:
        docs = [d for d in yaml.safe_load_all(raw) if d is not None]
    except yaml.YAMLError as e:
        raise st.bad_request(f"error decoding YAML: {str(e).splitlines()[0]}") from None
    if len(docs) != 1:
        raise st.bad_request("the request body must contain exactly one YAML document")
    return docs[0]


def _require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise st.bad_request("the request body must be a JSON object")
    return body


def _check_type_meta(body: dict[str, Any], res: Resource, kind: str | None = None) -> None:
    kind = kind or res.kind
    api_version = body.get("apiVersion")
    if api_version not in (None, "", res.group_version):
        raise st.bad_request(f"the API version in the data ({api_version}) does not match the "
                             f"expected API version ({res.group_version})")
    if body.get("kind") not in (None, "", kind):
        raise st.bad_request(f"the kind in the data ({body.get('kind')}) does not match the expected "
                             f"kind ({kind})")


def _prune(obj: dict[str, Any], path: str) -> None:
    """Remove one unknown field named by a strict-decoding path (``spec.a[0].b``)."""
    node: Any = obj
    tokens: list[str | int] = []
    for part in path.split("."):
        while "[" in part:
            head, _, tail = part.partition("[")
            if head:
                tokens.append(head)
            idx, _, part = tail.partition("]")
            tokens.append(int(idx) if idx.isdigit() else idx)
        if part:
            tokens.append(part)
    for t in tokens[:-1]:
        try:
            node = node[t]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(node, dict):
        node.pop(tokens[-1], None)


def check_fields(res: Resource, body: dict[str, Any], validation: str, warnings: list[str]) -> None:
    """Reject wrongly typed fields (always) and unknown fields (Strict), warn (Warn), and
    drop unknown fields from what is stored."""
    from ..core.schema import check_fields as schema_check

    unknown, errors = schema_check(res.group, res.version, res.kind, body)
    if errors:
        msg = errors[0][1]
        raise st.bad_request(f'{res.kind} in version "{res.version}" cannot be handled as a '
                             f"{res.kind}: {msg}")
    if not unknown:
        return
    if validation == "Strict":
        prefix = f'{res.kind} in version "{res.version}" cannot be handled as a {res.kind}: strict decoding error: '
        raise st.bad_request(prefix + ", ".join(f'unknown field "{u}"' for u in unknown))
    if validation != "Ignore":
        warnings.extend(f'unknown field "{u}"' for u in unknown)
    for u in unknown:
        _prune(body, u)


# -- selectors ------------------------------------------------------------------------------

def build_filter(res: Resource, query: Any) -> tuple[Callable[[dict[str, Any]], bool] | None,
                                                      str | None, str | None]:
    """(object predicate or None, exact metadata.name, exact spec.nodeName) for a request's
    labelSelector and fieldSelector."""
    label_s = query.get("labelSelector", "")
    field_s = query.get("fieldSelector", "")
    label_match = None
    field_pred = None
    name = node = None
    if label_s:
        from ..core import labels as lsel

        try:
            label_match = lsel.compile_selector(lsel.parse_selector(label_s))
        except lsel.SelectorError as e:
            raise st.bad_request(str(e)) from None
    if field_s:
        from ..core import fields as fsel

        try:
            fs = fsel.convert_field_selector(res.name, fsel.parse_field_selector(field_s))
        except fsel.FieldSelectorError as e:
            raise st.bad_request(str(e)) from None
        name = fs.exact_value("metadata.name")
        if res.name == "pods":
            node = fs.exact_value("spec.nodeName")
        resource_name = res.name

        def field_pred(obj: dict[str, Any]) -> bool:
            return fs.matches(fsel.object_fields(resource_name, obj))

    if label_match is None and field_pred is None:
        return None, name, node
    if field_pred is None:
        assert label_match is not None
        lm = label_match

        def pred(obj: dict[str, Any]) -> bool:
            return lm(obj["metadata"].get("labels"))
        return pred, name, node
    if label_match is None:
        return field_pred, name, node
    lm2, fp = label_match, field_pred

    def both(obj: dict[str, Any]) -> bool:
        return lm2(obj["metadata"].get("labels")) and fp(obj)
    return both, name, node


# -- the handler ---------------------------------------------------------------------------

class ResourceHandler:
    """Serves every request under /api/v1 and /apis/<g>/<v> that names a resource."""

    def __init__(self, registry: Registry, watch_queue_limit: int = 10_000,
                 metrics: Metrics | None = None) -> None:
        self.registry = registry
        self.watch_queue_limit = watch_queue_limit
        self.metrics = metrics or Metrics()
        self.active_watches = 0

    def store(self, res: Resource) -> Store:
        return self.registry.stores[res.name]

    # -- reads --------------------------------------------------------------------------

    def _out(self, res: Resource, obj: dict[str, Any]) -> dict[str, Any]:
        if conversion.needs_conversion(res.group, res.version, res.kind):
            return conversion.from_storage(res.group, res.version, res.kind, obj)
        return obj

    def _protobuf_list_body(self, res: Resource, items: list[CachedObject],
                            meta: dict[str, Any]) -> bytes:
        """A protobuf List: the list metadata, then each item's cached message as it is."""
        from ..core.protobuf import codec

        if conversion.needs_conversion(res.group, res.version, res.kind):
            objs = [self._out(res, c.obj) for c in items]
            return protobuf_bytes({"metadata": meta, "items": objs}, res.group_version,
                                  res.list_kind)
        pb = codec()
        message = pb.message_for(res.group_version, res.list_kind)
        if message is None:
            raise st.not_acceptable(JSON)
        parts: list[Any] = [pb.encode({"metadata": meta}, message)]
        for c in items:
            item = c.protobuf_message()
            parts.append(pb.list_item_prefix(len(item)))
            parts.append(item)
        body: bytes = pb.wrap_envelope(res.group_version, res.list_kind, parts)
        return body

    def _list_body(self, res: Resource, items: list[CachedObject], meta: dict[str, Any]) -> bytes:
        head = (b'{"kind":"' + res.list_kind.encode() + b'","apiVersion":"' + res.group_version.encode()
                + b'","metadata":' + orjson.dumps(meta) + b',"items":[')
        if conversion.needs_conversion(res.group, res.version, res.kind):
            body = b",".join(orjson.dumps(self._out(res, c.obj)) for c in items)
        else:
            body = b",".join(c.json for c in items)
        return head + body + b"]}"

    def get(self, t: Target, accept: Accept, query: Any) -> Reply:
        assert t.name is not None
        rv = query.get("resourceVersion", "")
        if rv and not rv.isdigit():
            raise st.bad_request(f"invalid resource version: {rv}")
        c = self.store(t.resource).get(t.namespace, t.name)
        if accept.table:
            from .printers import build_table

            obj = self._out(t.resource, c.obj)
            table = build_table(t.resource.name, [obj], {"resourceVersion": str(c.rev)},
                                accept.include_object)
            return Reply(orjson.dumps(table))
        if accept.protobuf:
            return Reply(c.protobuf() if not conversion.needs_conversion(
                t.resource.group, t.resource.version, t.resource.kind)
                else protobuf_bytes(self._out(t.resource, c.obj)), 200, PROTOBUF)
        if accept.yaml or conversion.needs_conversion(t.resource.group, t.resource.version, t.resource.kind):
            return encode_reply(self._out(t.resource, c.obj), accept)
        return Reply(c.json)

    def list_collection(self, t: Target, query: Any, accept: Accept) -> Reply:
        pred, name, _node = build_filter(t.resource, query)
        limit = max(0, _int_param(query, "limit", 0))  # upstream: limit <= 0 means no limit
        rv = query.get("resourceVersion", "")
        if rv and not rv.isdigit():
            raise st.bad_request(f"invalid resource version: {rv}")
        if query.get("continue") and rv not in ("", "0"):
            raise st.bad_request("specifying resource version is not allowed when using continue")
        keep = (lambda c: pred(c.obj)) if pred is not None else None
        items, meta = self.store(t.resource).list_objects(t.namespace, keep, limit, query.get("continue", ""), name)
        if accept.table:
            from .printers import build_table

            objs = [self._out(t.resource, c.obj) for c in items]
            return Reply(orjson.dumps(build_table(t.resource.name, objs, meta, accept.include_object)))
        if accept.protobuf:
            return Reply(self._protobuf_list_body(t.resource, items, meta), 200, PROTOBUF)
        if accept.yaml:
            objs = [self._out(t.resource, c.obj) for c in items]
            return encode_reply({"kind": t.resource.list_kind, "apiVersion": t.resource.group_version,
                                 "metadata": meta, "items": objs}, accept)
        return Reply(self._list_body(t.resource, items, meta))

    async def watch(self, request: web.BaseRequest, t: Target, accept: Accept) -> web.StreamResponse:
        query = request.query
        res = t.resource
        pred, name, node = build_filter(res, query)
        if name is not None and pred is None:
            pred = _name_pred(name)
        rv_s = query.get("resourceVersion", "")
        try:
            revision = None if rv_s in ("", "0") else int(rv_s)
        except ValueError:
            raise st.bad_request(f"invalid resource version: {rv_s}") from None
        timeout = _int_param(query, "timeoutSeconds", 0) or 1800
        bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
        namespace = t.namespace if res.namespaced else None
        ctype = PROTOBUF + ";stream=watch" if accept.protobuf else JSON
        resp = web.StreamResponse(status=200, headers={"Content-Type": ctype, "Cache-Control": "no-cache"})
        resp.enable_chunked_encoding()
        cache = self.registry.cache
        # each event's bytes, as upstream's apiserver_watch_events_sizes
        sizes, sizes_key = self.metrics.watch_events_sizes, (res.group, res.version, res.name)
        try:
            watcher = cache.watch(res.name, revision, namespace, node, pred, self.watch_queue_limit)
        except Compacted:
            await resp.prepare(request)
            err = st.expired(f"too old resource version: {revision} ({cache.revision})").status()
            frame = self._encode_event(accept, "ERROR", err)
            await resp.write(frame)
            sizes.observe(sizes_key, len(frame))
            await resp.write_eof()
            return resp
        self.active_watches += 1
        convert = conversion.needs_conversion(res.group, res.version, res.kind)
        first_table = True
        try:
            await resp.prepare(request)
            deadline = time.monotonic() + timeout
            last_sent = time.monotonic()
            while True:
                while watcher.queue:
                    chunk: list[bytes] = []
                    q = watcher.queue
                    while q:
                        typ, ev = q.popleft()
                        if accept.protobuf:
                            chunk.append(_pb_frame(typ, protobuf_bytes(self._out(res, ev.cur.obj)))
                                         if convert else ev.protobuf_frame(typ))
                        elif accept.table:
                            chunk.append(self._table_event(res, typ, ev, first_table, accept))
                            first_table = False
                        elif convert:
                            chunk.append(orjson.dumps({"type": typ, "object": self._out(res, ev.cur.obj)}) + b"\n")
                        else:
                            chunk.append(ev.json_line(typ))
                    await resp.write(b"".join(chunk))
                    sizes.observe_each(sizes_key, map(len, chunk))
                    last_sent = time.monotonic()
                if watcher.closed:
                    break
                now = time.monotonic()
                if now >= deadline:
                    if bookmarks:
                        # tell the client how far it got, so its next watch resumes from here
                        frame = self._bookmark(res, cache.revision, accept)
                        await resp.write(frame)
                        sizes.observe(sizes_key, len(frame))
                    break
                watcher.wakeup.clear()
                wait = deadline - now
                if bookmarks:
                    wait = min(wait, max(0.05, last_sent + BOOKMARK_INTERVAL - now))
                try:
                    await asyncio.wait_for(watcher.wakeup.wait(), wait)
                except TimeoutError:
                    if bookmarks and time.monotonic() - last_sent >= BOOKMARK_INTERVAL:
                        frame = self._bookmark(res, cache.revision, accept)
                        await resp.write(frame)
                        sizes.observe(sizes_key, len(frame))
                        last_sent = time.monotonic()
            await resp.write_eof()
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            cache.stop_watch(res.name, watcher)
            self.active_watches -= 1
        return resp

    @staticmethod
    def _encode_event(accept: Accept, typ: str, obj: dict[str, Any]) -> bytes:
        if accept.protobuf:
            return _pb_frame(typ, protobuf_bytes(obj))
        return orjson.dumps({"type": typ, "object": obj}) + b"\n"

    def _bookmark(self, res: Resource, revision: int, accept: Accept) -> bytes:
        return self._encode_event(accept, "BOOKMARK", {
            "kind": res.kind, "apiVersion": res.group_version,
            "metadata": {"resourceVersion": str(revision)}})

    def _table_event(self, res: Resource, typ: str, ev: WatchEvent, with_columns: bool, accept: Accept) -> bytes:
        from .printers import build_table

        table = build_table(res.name, [self._out(res, ev.cur.obj)], {"resourceVersion": str(ev.rev)},
                            accept.include_object, with_columns=with_columns)
        return orjson.dumps({"type": typ, "object": table}) + b"\n"

    # -- writes --------------------------------------------------------------------------

    def _write_opts(self, query: Any, manager: str, subresource: str = "") -> WriteOptions:
        dry = query.getall("dryRun", [])
        for d in dry:
            if d != "All":
                raise st.bad_request(f'dryRun: Unsupported value: "{d}": supported values: "All"')
        fv = query.get("fieldValidation", "")
        if fv not in ("", "Strict", "Warn", "Ignore"):
            raise st.bad_request(f'fieldValidation: Unsupported value: "{fv}": supported values: '
                                 f'"Ignore", "Strict", "Warn"')
        return WriteOptions(dry_run=bool(dry), manager=manager, subresource=subresource)

    async def create(self, t: Target, body: Any, query: Any, manager: str, warnings: list[str]) -> Reply:
        res = t.resource
        obj = _require_object(body)
        _check_type_meta(obj, res)
        validation = query.get("fieldValidation", "Warn") or "Warn"
        opts = self._write_opts(query, manager)
        check_fields(res, obj, validation, warnings)
        md = obj.get("metadata") or {}
        if res.namespaced:
            ns_in_body = md.get("namespace") if isinstance(md, dict) else None
            if ns_in_body and ns_in_body != t.namespace:
                raise st.bad_request("the namespace of the provided object does not match the namespace "
                                     "sent on the request")
            if t.namespace is None:
                raise st.no_route()
        stored = self._to_storage(res, obj)
        if not (stored.get("metadata") or {}).get("name") and not (stored.get("metadata") or {}).get("generateName"):
            raise st.invalid(res.kind, "", [{"reason": "FieldValueRequired", "message": "Required value: name or generateName is required", "field": "metadata.name"}], res.group)
        created = await self.store(res).create(t.namespace, stored, opts)
        return Reply(orjson.dumps(self._out(res, created)), 201)

    def _to_storage(self, res: Resource, obj: dict[str, Any]) -> dict[str, Any]:
        if conversion.needs_conversion(res.group, res.version, res.kind):
            obj = conversion.to_storage(res.group, res.version, res.kind, obj)
            obj["apiVersion"] = f"{res.group}/{res.storage_version}"
        else:
            obj["apiVersion"] = res.group_version
        obj["kind"] = res.kind
        return obj

    async def update(self, t: Target, body: Any, query: Any, manager: str, warnings: list[str]) -> Reply:
        res = t.resource
        assert t.name is not None
        obj = _require_object(body)
        _check_type_meta(obj, res)
        check_fields(res, obj, query.get("fieldValidation", "Warn") or "Warn", warnings)
        opts = self._write_opts(query, manager, t.subresource)
        rv = (obj.get("metadata") or {}).get("resourceVersion")
        opts.precondition_rv = rv or None
        new_obj = self._to_storage(res, obj)

        def mutate(_cur: dict[str, Any]) -> dict[str, Any]:
            return orjson.loads(orjson.dumps(new_obj))

        create = None
        if not rv and t.subresource == "" and res.name in CREATE_ON_UPDATE:
            body_name = (new_obj.get("metadata") or {}).get("name")
            if body_name not in (None, "", t.name):
                raise st.bad_request(f"the name of the object ({body_name}) does not match the name on "
                                     f"the URL ({t.name})")

            def create() -> dict[str, Any]:
                obj = orjson.loads(orjson.dumps(new_obj))
                obj.setdefault("metadata", {})["name"] = t.name
                return obj  # type: ignore[no-any-return]
        out, created = await self.store(res).update(t.namespace, t.name, mutate, opts, create)
        return Reply(orjson.dumps(self._out(res, out)), 201 if created else 200)

    async def patch(self, t: Target, raw: bytes, content_type: str, query: Any, manager: str,
                    warnings: list[str]) -> Reply:
        from ..core import apply as ssa
        from ..core import patch as patches
        from ..core.schema import message_for_kind

        res = t.resource
        assert t.name is not None
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime not in PATCH_TYPES:
            raise st.unsupported_patch_type(content_type)
        body = decode_body(raw, "" if mime != "application/apply-patch+yaml" else YAML)
        validation = query.get("fieldValidation", "Warn") or "Warn"
        opts = self._write_opts(query, manager, t.subresource)
        msg = message_for_kind(res.group, res.version, res.kind)
        force = query.get("force") in ("true", "1")
        is_apply = mime == "application/apply-patch+yaml"
        opts.apply = is_apply
        if is_apply:
            body = _require_object(body)
            _check_type_meta(body, res)
            if not manager:
                raise st.bad_request("PATCH /apply requests require a fieldManager")
            if query.get("force") not in (None, "", "true", "false", "1", "0"):
                raise st.bad_request("invalid force")
            check_fields(res, body, validation, warnings)
        elif mime == "application/json-patch+json":
            if not isinstance(body, list):
                raise st.bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        elif not isinstance(body, dict):
            raise st.bad_request("the patch must be a JSON object")

        def mutate(cur: dict[str, Any]) -> dict[str, Any]:
            live = self._out(res, cur)
            # PatchError and ApplyConflict are APIErrors with upstream's code, reason and causes
            if is_apply:
                new = ssa.server_side_apply(live, body, manager, force, msg, now_rfc3339())
            elif mime == "application/json-patch+json":
                new = patches.apply_json_patch(live, body)
            elif mime == "application/merge-patch+json":
                new = patches.apply_merge_patch(live, body)
            else:
                new = patches.apply_strategic_merge_patch(live, body, msg)
            if not isinstance(new, dict):
                raise st.bad_request("the patched object must be a JSON object")
            if not is_apply:
                _check_type_meta(new, res)
                check_fields(res, new, validation, warnings)
            return self._to_storage(res, new)

        create = None
        if is_apply and t.subresource == "":
            def create() -> dict[str, Any]:
                obj = ssa.server_side_apply(None, body, manager, force, msg, now_rfc3339())
                md = obj.setdefault("metadata", {})
                md["name"] = t.name
                return self._to_storage(res, obj)
        out, created = await self.store(res).update(t.namespace, t.name, mutate, opts, create)
        return Reply(orjson.dumps(self._out(res, out)), 201 if created else 200)

    async def delete(self, t: Target, raw: bytes, query: Any) -> Reply:
        assert t.name is not None
        options: dict[str, Any] = {}
        if raw.strip():
            options = _require_object(decode_body(raw, JSON))
        if "gracePeriodSeconds" in query:
            options["gracePeriodSeconds"] = _int_param(query, "gracePeriodSeconds", 0)
        if "propagationPolicy" in query:
            options["propagationPolicy"] = query["propagationPolicy"]
        if query.getall("dryRun", []):
            options["dryRun"] = query.getall("dryRun")
        dry = options.get("dryRun") or []
        if not isinstance(dry, list) or any(d != "All" for d in dry):
            raise st.bad_request(f'dryRun: Unsupported value: {dry!r}: supported values: "All"')
        policy = options.get("propagationPolicy")
        if policy not in (None, "Orphan", "Background", "Foreground"):
            raise st.bad_request(f'propagationPolicy: Unsupported value: "{policy}": supported values: '
                                 f'"Foreground", "Background", "Orphan"')
        grace = options.get("gracePeriodSeconds")
        if grace is not None and not isinstance(grace, int):
            raise st.bad_request("gracePeriodSeconds must be an integer")
        body, code = await self.store(t.resource).delete(t.namespace, t.name, options)
        if body.get("kind") != "Status":
            body = self._out(t.resource, body)
        return Reply(orjson.dumps(body), code)

    async def delete_collection(self, t: Target, raw: bytes, query: Any) -> Reply:
        res = t.resource
        pred, name, _ = build_filter(res, query)
        keep = (lambda c: pred(c.obj)) if pred is not None else None
        store = self.store(res)
        items, meta = store.list_objects(t.namespace, keep, 0, "", name)
        options: dict[str, Any] = {}
        if raw.strip():
            options = _require_object(decode_body(raw, JSON))
        deleted = []
        for c in items:
            try:
                body, _ = await store.delete(c.namespace or None, c.obj["metadata"]["name"], options)
            except st.APIError as e:
                if e.code == 404:
                    continue
                raise
            deleted.append(c.obj if body.get("kind") == "Status" else body)
        return Reply(orjson.dumps({"kind": res.list_kind, "apiVersion": res.group_version,
                                   "metadata": meta, "items": [self._out(res, o) for o in deleted]}))

    # -- subresources ------------------------------------------------------------------------

    def scale_of(self, res: Resource, obj: dict[str, Any]) -> dict[str, Any]:
        from ..core import labels as lsel

        md = obj["metadata"]
        spec = obj.get("spec") or {}
        sel = spec.get("selector")
        if res.name == "replicationcontrollers":
            selector = lsel.selector_string_from_set(sel or {})
        else:
            selector = lsel.selector_string_from_label_selector(sel) if sel else ""
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {"name": md["name"], "namespace": md.get("namespace"), "uid": md.get("uid"),
                             "resourceVersion": md.get("resourceVersion"),
                             "creationTimestamp": md.get("creationTimestamp")},
                "spec": {"replicas": spec.get("replicas", 0)},
                "status": {"replicas": (obj.get("status") or {}).get("replicas", 0), "selector": selector}}

    async def scale(self, request_method: str, t: Target, raw: bytes, content_type: str, query: Any,
                    manager: str = "") -> Reply:
        from ..core import patch as patches

        res = t.resource
        assert t.name is not None
        store = self.store(res)
        if request_method == "GET":
            return Reply(orjson.dumps(self.scale_of(res, store.get(t.namespace, t.name).obj)))
        opts = self._write_opts(query, manager, "scale")
        if request_method == "PUT":
            body = _require_object(decode_body(raw, content_type))
            if body.get("kind") not in (None, "Scale"):
                raise st.bad_request(f"the kind in the data ({body.get('kind')}) does not match the expected kind (Scale)")
            opts.precondition_rv = (body.get("metadata") or {}).get("resourceVersion") or None
        elif request_method == "PATCH":
            mime = content_type.split(";", 1)[0].strip().lower()
            if mime not in PATCH_TYPES[:3]:
                raise st.unsupported_patch_type(content_type)
            body = decode_body(raw, "")
        else:
            raise st.method_not_supported("scale", request_method)

        def mutate(cur: dict[str, Any]) -> dict[str, Any]:
            scale = self.scale_of(res, cur)
            if request_method == "PUT":
                new_scale = body
            else:
                if mime == "application/json-patch+json":
                    new_scale = patches.apply_json_patch(scale, body)
                elif mime == "application/strategic-merge-patch+json":
                    new_scale = patches.apply_strategic_merge_patch(scale, body, None)
                else:
                    new_scale = patches.apply_merge_patch(scale, body)
            replicas = (new_scale.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
                raise st.invalid("Scale", t.name or "", [{"reason": "FieldValueInvalid",
                                  "message": f"Invalid value: {replicas}: must be greater than or equal to 0",
                                  "field": "spec.replicas"}], "autoscaling")
            cur.setdefault("spec", {})["replicas"] = replicas
            return cur

        out, _ = await store.update(t.namespace, t.name, mutate, opts)
        return Reply(orjson.dumps(self.scale_of(res, out)))

    async def binding(self, namespace: str | None, pod_name: str | None, body: Any, query: Any) -> Reply:
        obj = _require_object(body)
        md = obj.get("metadata") or {}
        name = pod_name or md.get("name")
        if not name:
            raise st.invalid("Binding", "", [{"reason": "FieldValueRequired", "message": "Required value",
                                              "field": "metadata.name"}])
        target = (obj.get("target") or {}).get("name")
        if not target:
            raise st.invalid("Binding", name, [{"reason": "FieldValueRequired", "message": "Required value",
                                                "field": "target.name"}])
        opts = self._write_opts(query, "")
        pods = self.registry.stores["pods"]

        def mutate(cur: dict[str, Any]) -> dict[str, Any]:
            spec = cur.setdefault("spec", {})
            if cur["metadata"].get("deletionTimestamp"):
                raise st.conflict("pods", name, "", "pod is being deleted, cannot be assigned to a host")
            if spec.get("nodeName"):
                raise st.conflict("pods", name, "",
                                  f"pod {name} is already assigned to node \"{spec['nodeName']}\"")
            spec["nodeName"] = target
            conds = [c for c in (cur.get("status") or {}).get("conditions") or [] if c.get("type") != "PodScheduled"]
            conds.append({"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                          "lastTransitionTime": now_rfc3339()})
            cur.setdefault("status", {})["conditions"] = conds
            return cur

        # the binding writes spec and status at once, which neither main nor status updates may
        opts.subresource = "binding"
        await pods.update(namespace, name, mutate, opts)
        return Reply(orjson.dumps(st.success_status()), 201)

    async def eviction(self, t: Target, body: Any) -> Reply:
        obj = _require_object(body)
        options = obj.get("deleteOptions") or {}
        await self.store(t.resource).delete(t.namespace, t.name or "", options)
        return Reply(orjson.dumps(st.success_status()), 201)


def _pb_frame(typ: str, obj_bytes: bytes) -> bytes:
    from ..core import protobuf as pb

    return pb.frame(pb.encode_watch_event(typ, obj_bytes))


def _name_pred(name: str) -> Callable[[dict[str, Any]], bool]:
    def pred(obj: dict[str, Any]) -> bool:
        return bool(obj["metadata"].get("name") == name)
    return pred


def _int_param(query: Any, key: str, default: int) -> int:
    v = query.get(key)
    if v in (None, ""):
        return default
    try:
        return int(v)
    except ValueError:
        raise st.bad_request(f"invalid value for {key}: {v!r}") from None


__all__ = ["ResourceHandler", "parse_resource_path", "negotiate", "copy_object"]
