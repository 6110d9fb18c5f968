"""The generic store: create, read, update, patch and delete of one resource, with the
semantics of upstream's registry (optimistic concurrency on resourceVersion, generation,
graceful deletion, finalizers, namespace admission, dry run, managed fields).

Objects are read from the watch cache, which reflects every acknowledged write, and
written to storage with compare-and-swap on the revision that was read; a lost race is
retried unless the client itself named a resourceVersion (then it is a 409 Conflict).
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson

from ..core import status as st
from ..core.meta import collection_prefix, generate_name, new_uid, now_rfc3339, storage_key
from ..core.resources import Resource, storage_resources
from .allocators import AllocationError, IPAllocator, PortAllocator, service_node_ports
from .storage import KeyExists, KeyNotFound, RevisionMismatch, StorageBackend
from .storage.encoding import encode_for_storage
from .strategies import Strategy, strategy_for
from .watchcache.cacher import WatchCache
from .watchcache.ring import CachedObject

Mutation = Callable[[dict[str, Any]], dict[str, Any]]

_CONTINUE_VERSION = "meta.k8s.io/v1"
_MAX_RETRIES = 16


@dataclass
class WriteOptions:
    """What a create/update/patch request asked for besides the object."""

    dry_run: bool = False
    manager: str = ""
    subresource: str = ""
    # set by the handler when the client named a resourceVersion it expects
    precondition_rv: str | None = None
    # server-side apply computes managedFields itself; other writes are tracked as Update
    apply: bool = False


class Registry:
    """All stores plus what they share: storage, watch cache, allocators."""

    def __init__(self, storage: StorageBackend, cache: WatchCache,
                 service_cidr: str = "198.19.0.0/16") -> None:
        self.storage = storage
        self.cache = cache
        self.ips = IPAllocator(service_cidr)
        self.node_ports = PortAllocator()
        self.stores: dict[str, Store] = {}
        for r in storage_resources():
            self.stores[r.name] = Store(self, r, strategy_for(r))

    def rebuild_allocations(self) -> None:
        """Mark the cluster IPs and node ports of stored services as taken."""
        for c in self.cache.caches["services"].objects.values():
            spec = c.obj.get("spec") or {}
            for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]:
                self.ips.mark(ip)
            for p in service_node_ports(c.obj):
                self.node_ports.mark(p)

    def namespace_state(self, name: str) -> str | None:
        """"Active", "Terminating", or None when the namespace does not exist."""
        c = self.cache.caches["namespaces"].get(storage_key("namespaces", None, name))
        if c is None:
            return None
        if c.obj["metadata"].get("deletionTimestamp"):
            return "Terminating"
        return (c.obj.get("status") or {}).get("phase", "Active")


def encode_continue(rev: int, key: str) -> str:
    raw = orjson.dumps({"v": _CONTINUE_VERSION, "rv": rev, "start": key})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, str]:
    try:
        pad = "=" * (-len(token) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(token + pad))
        if data.get("v") != _CONTINUE_VERSION or not isinstance(data.get("start"), str):
            raise ValueError
        return int(data["rv"]), data["start"]
    except (ValueError, binascii.Error, orjson.JSONDecodeError, TypeError) as e:
        raise st.bad_request("continue key is not valid: incorrect encoded start resourceVersion "
                             "(version meta.k8s.io/v1)") from e


def copy_object(c: CachedObject) -> dict[str, Any]:
    """A private deep copy of a cached object (one orjson round trip of cached bytes)."""
    return orjson.loads(c.json)  # type: ignore[no-any-return]


class Store:
    """Create/read/update/delete for one resource."""

    def __init__(self, registry: Registry, resource: Resource, strategy: Strategy) -> None:
        self.registry = registry
        self.resource = resource
        self.strategy = strategy
        self.cache = registry.cache.caches[resource.name]
        self.name = resource.name
        self.group = resource.group

    # -- reads ----------------------------------------------------------------------------

    def key(self, namespace: str | None, name: str) -> str:
        return storage_key(self.name, namespace if self.resource.namespaced else None, name)

    def get(self, namespace: str | None, name: str) -> CachedObject:
        c = self.cache.get(self.key(namespace, name))
        if c is None:
            raise st.not_found(self.name, name, self.group)
        return c

    def list_objects(
        self,
        namespace: str | None,
        keep: Callable[[CachedObject], bool] | None,
        limit: int = 0,
        continue_token: str = "",
        name: str | None = None,
    ) -> tuple[list[CachedObject], dict[str, Any]]:
        """Objects and the ListMeta for a LIST request."""
        rev = self.registry.cache.revision
        if name is not None:
            # metadata.name=X: one key lookup instead of a scan
            c = self.cache.get(self.key(namespace, name)) if namespace or not self.resource.namespaced else None
            if c is None and self.resource.namespaced and not namespace:
                items = [x for x in self.cache.list(self.cache.prefix, None)[0]
                         if x.obj["metadata"].get("name") == name]
            else:
                items = [c] if c is not None else []
            items = [x for x in items if keep is None or keep(x)]
            return items, {"resourceVersion": str(rev)}
        start = None
        if continue_token:
            _, start = decode_continue(continue_token)
        prefix = collection_prefix(self.name, namespace if self.resource.namespaced else None)
        items, last, remaining = self.cache.list(prefix, keep, limit, start)
        meta: dict[str, Any] = {"resourceVersion": str(rev)}
        if last is not None:
            meta["continue"] = encode_continue(rev, last)
            if remaining > 0:
                meta["remainingItemCount"] = remaining
        return items, meta

    # -- create ---------------------------------------------------------------------------

    async def create(self, namespace: str | None, obj: dict[str, Any], opts: WriteOptions) -> dict[str, Any]:
        from ..core.defaults import apply_defaults
        from ..core.validation import validate

        md = obj.get("metadata")
        if not isinstance(md, dict):
            md = obj["metadata"] = {}
        if self.resource.namespaced:
            assert namespace is not None
            md["namespace"] = namespace
        else:
            md.pop("namespace", None)
        generated = not md.get("name") and bool(md.get("generateName"))
        if generated:
            md["name"] = generate_name(md["generateName"])
        name = md.get("name") or ""
        # what clients may not set
        for k in ("uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds",
                  "selfLink"):
            md.pop(k, None)
        md["uid"] = new_uid()
        md["creationTimestamp"] = now_rfc3339()
        md.pop("generation", None)
        if self.resource.namespaced:
            state = self.registry.namespace_state(namespace or "")
            if state is None:
                raise st.not_found("namespaces", namespace or "")
            if state == "Terminating":
                raise st.forbidden(self.name, name,
                                   f"unable to create new content in namespace {namespace} because it "
                                   f"is being terminated", self.group)
        self.strategy.prepare_create(obj)
        apply_defaults(self.group, self.resource.kind, obj)
        causes = validate(self.group, self.resource.kind, obj, None)
        if causes:
            raise st.invalid(self.resource.kind, name, causes, self.group)
        self._track_fields(None, obj, opts)
        md = obj["metadata"]  # managed-field tracking replaces the metadata dict
        allocated = self._allocate(obj, None)
        if opts.dry_run:
            self._release(obj, allocated)
            return obj
        for attempt in range(8):
            try:
                kv = await self.registry.storage.create(self.key(namespace, md["name"]),
                                                        encode_for_storage(obj))
                break
            except KeyExists:
                # a generated name taken already: another one, as upstream retries
                if generated and attempt < 7:
                    md["name"] = generate_name(md["generateName"])
                    continue
                self._release(obj, allocated)
                raise st.already_exists(self.name, md["name"], self.group) from None
            except BaseException:
                self._release(obj, allocated)
                raise
        md["resourceVersion"] = str(kv.mod_revision)
        return obj

    # -- update ---------------------------------------------------------------------------

    async def update(
        self,
        namespace: str | None,
        name: str,
        mutate: Mutation | Callable[[dict[str, Any]], Awaitable[dict[str, Any]]],
        opts: WriteOptions,
        create: Callable[[], dict[str, Any]] | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Read-modify-write with retries.  ``mutate`` gets a private copy of the current
        object and returns the new one.  Returns (object, created)."""
        from ..core.validation import validate

        key = self.key(namespace, name)
        for _ in range(_MAX_RETRIES):
            cur = self.cache.get(key)
            if cur is None:
                if create is None:
                    raise st.not_found(self.name, name, self.group)
                return await self.create(namespace, create(), opts), True
            old = cur.obj
            new = mutate(copy_object(cur))
            if hasattr(new, "__await__"):
                new = await new  # type: ignore[misc]
            assert isinstance(new, dict)
            nmd = new.get("metadata")
            if not isinstance(nmd, dict):
                nmd = new["metadata"] = {}
            if nmd.get("name") not in (None, name):
                raise st.bad_request(
                    f"the name of the object ({nmd.get('name')}) does not match the name on the URL ({name})")
            nmd["name"] = name
            want_rv = opts.precondition_rv if opts.precondition_rv is not None else nmd.get("resourceVersion")
            if want_rv and want_rv != str(cur.rev):
                raise st.conflict(self.name, name, self.group)
            omd = old["metadata"]
            if self.resource.namespaced:
                if nmd.get("namespace") not in (None, "", namespace):
                    raise st.bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request")
                nmd["namespace"] = namespace
            # immutable metadata is kept from the stored object
            for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                      "generation"):
                if k in omd:
                    nmd[k] = omd[k]
                else:
                    nmd.pop(k, None)
            nmd["resourceVersion"] = str(cur.rev)
            self.strategy.prepare_update(new, old, opts.subresource)
            from ..core.defaults import apply_defaults
            apply_defaults(self.group, self.resource.kind, new)
            if new == old:
                # a no-op write changes nothing, not even resourceVersion (kubectl reports
                # "(no change)" by comparing objects)
                return copy_object(cur), False
            # the binding subresource is the one way to set spec.nodeName; upstream does not run
            # pod update validation on it
            causes = [] if opts.subresource == "binding" else validate(self.group, self.resource.kind, new, old)
            if causes:
                raise st.invalid(self.resource.kind, name, causes, self.group)
            if omd.get("deletionTimestamp") and not nmd.get("finalizers") and self._finalized(new):
                # the last finalizer is gone: the deletion that was waiting for it happens now
                if opts.dry_run:
                    return new, False
                try:
                    kv = await self.registry.storage.delete(key, cur.rev)
                except RevisionMismatch:
                    continue
                except KeyNotFound:
                    raise st.not_found(self.name, name, self.group) from None
                self._release(old, None)
                new["metadata"]["resourceVersion"] = str(kv.mod_revision)
                return new, False
            self._track_fields(old, new, opts)
            allocated = self._allocate(new, old)
            if opts.dry_run:
                self._release(new, allocated)
                return new, False
            try:
                kv = await self.registry.storage.update(key, encode_for_storage(new), cur.rev)
            except RevisionMismatch:
                self._release(new, allocated)
                if opts.precondition_rv is not None:
                    raise st.conflict(self.name, name, self.group) from None
                continue
            except KeyNotFound:
                self._release(new, allocated)
                continue
            self._release_replaced(old, new)
            new["metadata"]["resourceVersion"] = str(kv.mod_revision)
            return new, False
        raise st.conflict(self.name, name, self.group, "too many concurrent updates, try again")

    def _finalized(self, obj: dict[str, Any]) -> bool:
        if self.name == "namespaces":
            return not (obj.get("spec") or {}).get("finalizers")
        return True

    # -- delete ---------------------------------------------------------------------------

    async def delete(self, namespace: str | None, name: str, options: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Delete per DeleteOptions.  Returns (body, http code): the object while a graceful
        deletion or finalizers keep it, else the deleted object or a Success Status."""
        key = self.key(namespace, name)
        dry_run = bool(options.get("dryRun"))
        for _ in range(_MAX_RETRIES):
            cur = self.cache.get(key)
            if cur is None:
                raise st.not_found(self.name, name, self.group)
            obj = cur.obj
            md = obj["metadata"]
            pre = options.get("preconditions") or {}
            if pre.get("uid") and pre["uid"] != md.get("uid"):
                raise st.conflict(self.name, name, self.group,
                                  f"Precondition failed: UID in precondition: {pre['uid']}, "
                                  f"UID in object meta: {md.get('uid')}")
            if pre.get("resourceVersion") and pre["resourceVersion"] != str(cur.rev):
                raise st.conflict(self.name, name, self.group,
                                  f"Precondition failed: ResourceVersion in precondition: "
                                  f"{pre['resourceVersion']}, ResourceVersion in object meta: {cur.rev}")
            new = self._deferred_deletion(obj, options)
            if new is not None:
                if new == obj:
                    return copy_object(cur), 200
                if dry_run:
                    return new, 200
                try:
                    kv = await self.registry.storage.update(key, encode_for_storage(new), cur.rev)
                except (RevisionMismatch, KeyNotFound):
                    continue
                new["metadata"]["resourceVersion"] = str(kv.mod_revision)
                return new, 200
            if dry_run:
                return self._deleted_reply(copy_object(cur)), 200
            try:
                kv = await self.registry.storage.delete(key, cur.rev)
            except RevisionMismatch:
                continue
            except KeyNotFound:
                raise st.not_found(self.name, name, self.group) from None
            gone = copy_object(cur)
            gone["metadata"]["resourceVersion"] = str(kv.mod_revision)
            self._release(gone, None)
            return self._deleted_reply(gone), 200
        raise st.conflict(self.name, name, self.group, "too many concurrent updates, try again")

    def _deleted_reply(self, gone: dict[str, Any]) -> dict[str, Any]:
        # upstream returns the deleted object for pods (and a few others), a Status otherwise;
        # the Python client parses the pod reply as a V1Pod
        if self.name in ("pods", "namespaces", "nodes", "persistentvolumes", "persistentvolumeclaims"):
            return gone
        md = gone["metadata"]
        details: dict[str, Any] = {"name": md.get("name"), "kind": self.name, "uid": md.get("uid")}
        if self.group:
            details["group"] = self.group
        return st.success_status(details)

    def _deferred_deletion(self, obj: dict[str, Any], options: dict[str, Any]) -> dict[str, Any] | None:
        """The object as it must be stored instead of being removed (graceful pod deletion,
        finalizers, namespace termination), or None to remove it now."""
        md = obj["metadata"]
        policy = options.get("propagationPolicy")
        if policy is None and options.get("orphanDependents") is not None:
            policy = "Orphan" if options["orphanDependents"] else "Background"
        finalizers = list(md.get("finalizers") or [])
        if policy == "Orphan" and "orphan" not in finalizers:
            finalizers.append("orphan")
        elif policy == "Foreground" and "foregroundDeletion" not in finalizers:
            finalizers.append("foregroundDeletion")
        grace = options.get("gracePeriodSeconds")
        if self.name == "pods":
            spec = obj.get("spec") or {}
            phase = (obj.get("status") or {}).get("phase")
            if grace is None:
                grace = spec.get("terminationGracePeriodSeconds", 30)
            if not spec.get("nodeName") or phase in ("Succeeded", "Failed"):
                grace = 0  # nobody runs it: nothing to wait for
        elif self.name == "namespaces":
            grace = 0
            if (obj.get("spec") or {}).get("finalizers"):
                new = orjson.loads(orjson.dumps(obj))
                nmd = new["metadata"]
                nmd.setdefault("deletionTimestamp", now_rfc3339())
                nmd.setdefault("deletionGracePeriodSeconds", 0)
                if finalizers:
                    nmd["finalizers"] = finalizers
                new.setdefault("status", {})["phase"] = "Terminating"
                return new
        else:
            grace = 0
        if not finalizers and (not grace or grace <= 0):
            if md.get("deletionTimestamp") and md.get("finalizers"):
                return obj
            return None
        new = orjson.loads(orjson.dumps(obj))
        nmd = new["metadata"]
        if finalizers:
            nmd["finalizers"] = finalizers
        if grace and grace > 0:
            prev = md.get("deletionGracePeriodSeconds")
            if prev is not None and prev <= grace:
                return obj  # an earlier, shorter deletion stands
            nmd["deletionTimestamp"] = now_rfc3339(time.time() + grace)
            nmd["deletionGracePeriodSeconds"] = grace
        else:
            nmd.setdefault("deletionTimestamp", now_rfc3339())
            nmd["deletionGracePeriodSeconds"] = 0
        return new

    # -- managed fields, allocation -------------------------------------------------------

    def _track_fields(self, old: dict[str, Any] | None, new: dict[str, Any], opts: WriteOptions) -> None:
        if not opts.manager or opts.apply:
            return
        from ..core import apply as ssa
        from ..core.schema import message_for_kind

        msg = message_for_kind(self.group, self.resource.version, self.resource.kind)
        ssa.update_managed_fields(old, new, opts.manager, "Update", opts.subresource,
                                  message=msg, now=now_rfc3339())

    def _allocate(self, new: dict[str, Any], old: dict[str, Any] | None) -> list[tuple[str, Any]]:
        """Allocate cluster IPs / node ports a service needs; returns what was taken."""
        if self.name != "services":
            return []
        taken: list[tuple[str, Any]] = []
        spec = new.setdefault("spec", {})
        ospec = (old or {}).get("spec") or {}
        try:
            if spec.get("type") == "ExternalName":
                spec.pop("clusterIP", None)
                spec.pop("clusterIPs", None)
            elif old is not None and ospec.get("clusterIP"):
                spec["clusterIP"] = ospec["clusterIP"]
                spec["clusterIPs"] = ospec.get("clusterIPs") or [ospec["clusterIP"]]
            elif spec.get("clusterIP") == "None":
                spec["clusterIPs"] = ["None"]
            else:
                ip = self.registry.ips.allocate(spec.get("clusterIP") or None)
                taken.append(("ip", ip))
                spec["clusterIP"] = ip
                spec["clusterIPs"] = [ip]
            old_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort")
                         for p in ospec.get("ports") or []}
            if spec.get("type") in ("NodePort", "LoadBalancer"):
                for p in spec.get("ports") or []:
                    keep = old_ports.get((p.get("port"), p.get("protocol")))
                    if p.get("nodePort") and p["nodePort"] == keep:
                        continue
                    if not p.get("nodePort") and keep:
                        p["nodePort"] = keep
                        continue
                    port = self.registry.node_ports.allocate(p.get("nodePort") or None)
                    taken.append(("port", port))
                    p["nodePort"] = port
            else:
                for p in spec.get("ports") or []:
                    p.pop("nodePort", None)
        except AllocationError as e:
            self._release(new, taken)
            field = "spec.clusterIPs" if "IP" in str(e) or "serviceIP" in str(e) else "spec.ports[0].nodePort"
            raise st.invalid("Service", new["metadata"].get("name", ""),
                             [{"reason": "FieldValueInvalid", "message": str(e), "field": field}]) from None
        return taken

    def _release(self, obj: dict[str, Any], taken: list[tuple[str, Any]] | None) -> None:
        """Give back allocations: those just taken, or (taken None) all of a deleted service."""
        if self.name != "services":
            return
        if taken is None:
            spec = obj.get("spec") or {}
            for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]:
                self.registry.ips.release(ip)
            for p in service_node_ports(obj):
                self.registry.node_ports.release(p)
            return
        for kind, value in taken:
            if kind == "ip":
                self.registry.ips.release(value)
            else:
                self.registry.node_ports.release(value)

    def _release_replaced(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if self.name != "services":
            return
        ospec, nspec = old.get("spec") or {}, new.get("spec") or {}
        kept_ips = set(nspec.get("clusterIPs") or [nspec.get("clusterIP")])
        for ip in ospec.get("clusterIPs") or [ospec.get("clusterIP")]:
            if ip not in kept_ips:
                self.registry.ips.release(ip)
        kept = set(service_node_ports(new))
        for p in service_node_ports(old):
            if p not in kept:
                self.registry.node_ports.release(p)
