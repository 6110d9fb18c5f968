"""The garbage collector: objects whose owners are gone are deleted, as upstream's is.

It keeps a graph of every object of every watched resource by uid, with edges from each
``ownerReferences`` entry to its owner (an owner not seen yet is a *virtual* node).  Three
queues act on it:

- **attempt to delete** a dependent: its owners are classified as *solid* (exists),
  *dangling* (gone: verified with a GET, since the cache may lag) or *waiting* (being
  deleted in the foreground).  With a solid owner left, references to the others are
  removed; with none, the dependent is deleted: in the foreground if an owner waits for
  it and it has dependents of its own (so the wait cascades), else with the policy its
  own finalizers ask for (background by default);
- **foreground deletion** of an owner (deletionTimestamp and the ``foregroundDeletion``
  finalizer): its dependents are attempted, and once none with ``blockOwnerDeletion``
  is left the finalizer is removed and the owner goes;
- **orphaning** (the ``orphan`` finalizer): the owner's reference is removed from every
  dependent, then the finalizer.

Background deletion needs nothing more: the apiserver removes the owner at once and its
dependents, now dangling, are attempted when the owner's DELETED event arrives.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from paddock.core import resources
from paddock.core.client import Client
from paddock.core.informer import Informer
from paddock.core.status import APIError
from paddock.core.workqueue import WorkQueue, run_workers

log = logging.getLogger(__name__)

Obj = dict[str, Any]
FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"
SMP = "application/strategic-merge-patch+json"
# resources the collector does not watch: short-lived records, and what nothing owns
IGNORED = {("", "events"), ("events.k8s.io", "events"), ("", "bindings"),
           ("", "componentstatuses")}


def watched_resources() -> list[str]:
    """Every listable, watchable, deletable resource, as client names (``deployments.apps``)."""
    names = []
    for r in resources.storage_resources():
        if (r.group, r.name) in IGNORED:
            continue
        if not {"list", "watch", "delete"} <= set(r.verbs):
            continue
        names.append(f"{r.name}.{r.group}" if r.group else r.name)
    return names


@dataclass
class Node:
    uid: str
    resource: str = ""  # client name; "" for a virtual node (an owner not seen yet)
    namespace: str = ""
    name: str = ""
    owners: list[Obj] = field(default_factory=list)
    dependents: set[str] = field(default_factory=set)
    deleting: bool = False
    finalizers: tuple[str, ...] = ()

    @property
    def virtual(self) -> bool:
        return not self.resource


def _group(api_version: str) -> str:
    return api_version.rpartition("/")[0] if "/" in api_version else ""


def resource_for(api_version: str, kind: str) -> tuple[str, bool] | None:
    """(client resource name, namespaced) for an owner reference's apiVersion and kind."""
    group = _group(api_version)
    r = resources.by_kind(group, kind)
    if r is None:
        return None
    return (f"{r.name}.{r.group}" if r.group else r.name), r.namespaced


class GarbageCollector:
    def __init__(self, client: Client, informers: dict[str, Informer], *, workers: int = 10) -> None:
        self.client = client
        self.informers = informers
        self.graph: dict[str, Node] = {}
        self.attempts = WorkQueue("garbagecollector-delete")
        self.orphans = WorkQueue("garbagecollector-orphan")
        self.workers = workers
        self._running: list[Any] = []
        for resource, informer in informers.items():
            informer.add_handler(lambda event, obj, old, r=resource: self._on_event(r, event, obj))

    @staticmethod
    def informers_for(client: Client, shared: dict[str, Informer]) -> dict[str, Informer]:
        """An informer per watched resource, reusing ``shared`` ones (keyed by plural)."""
        out = {}
        for name in watched_resources():
            plural = name.partition(".")[0]
            out[name] = shared.get(plural) or shared.get(name) or Informer(client, name)
        return out

    # -- the graph

    def _on_event(self, resource: str, event: str, obj: Obj) -> None:
        md = obj.get("metadata") or {}
        uid = md.get("uid")
        if not uid:
            return
        if event == "DELETED":
            node = self.graph.pop(uid, None)
            if node is None:
                return
            for ref in node.owners:
                owner = self.graph.get(ref.get("uid", ""))
                if owner is not None:
                    owner.dependents.discard(uid)
                    if owner.deleting and FOREGROUND in owner.finalizers:
                        self.attempts.add(owner.uid)
                    if owner.virtual and not owner.dependents:
                        del self.graph[owner.uid]
            for dependent in node.dependents:
                self.attempts.add(dependent)
            if node.dependents:  # they may outlive us as dependents of a virtual node
                self.graph[uid] = Node(uid, dependents=node.dependents)
            return
        node = self.graph.get(uid)
        if node is None:
            node = self.graph[uid] = Node(uid)
        was_virtual = node.virtual
        node.resource, node.namespace, node.name = resource, md.get("namespace") or "", md.get("name") or ""
        old_owners = {ref.get("uid") for ref in node.owners}
        node.owners = [dict(ref) for ref in md.get("ownerReferences") or () if ref.get("uid")]
        new_owners = {ref["uid"] for ref in node.owners}
        for gone in old_owners - new_owners:
            owner = self.graph.get(gone or "")
            if owner is not None:
                owner.dependents.discard(uid)
                if owner.deleting and FOREGROUND in owner.finalizers:
                    self.attempts.add(owner.uid)
        absent = False
        for ref in node.owners:
            owner = self.graph.get(ref["uid"])
            if owner is None:
                owner = self.graph[ref["uid"]] = Node(ref["uid"])
            if owner.virtual:
                absent = True
            elif owner.deleting:
                self.attempts.add(uid)  # its owner waits or is gone: look again
            owner.dependents.add(uid)
        node.deleting = bool(md.get("deletionTimestamp"))
        node.finalizers = tuple(md.get("finalizers") or ())
        if absent and (event == "ADDED" or new_owners != old_owners):
            self.attempts.add(uid)  # an owner we have not seen: verify it exists
        if was_virtual and node.dependents and node.deleting:
            for dependent in node.dependents:
                self.attempts.add(dependent)
        if node.deleting:
            if FOREGROUND in node.finalizers:
                self.attempts.add(uid)
            if ORPHAN in node.finalizers:
                self.orphans.add(uid)

    # -- running

    def start(self) -> None:
        self._running = [run_workers(self.attempts, self._attempt, self.workers),
                         run_workers(self.orphans, self._orphan, 2)]

    async def stop(self) -> None:
        for workers in self._running:
            await workers.stop()

    def _cached(self, node: Node) -> Obj | None:
        informer = self.informers.get(node.resource)
        if informer is None:
            return None
        key = f"{node.namespace}/{node.name}" if node.namespace else node.name
        return informer.get(key)

    async def _owner_state(self, ref: Obj, namespace: str) -> str:
        """'solid', 'waiting' (being deleted in the foreground) or 'dangling'."""
        owner = self.graph.get(ref["uid"])
        if owner is not None and not owner.virtual:
            if owner.deleting and FOREGROUND in owner.finalizers:
                return "waiting"
            return "solid"
        found = resource_for(ref.get("apiVersion", ""), ref.get("kind", ""))
        if found is None:
            return "solid"  # a kind we do not know: never delete for it
        resource, namespaced = found
        try:
            live = await self.client.get(resource, ref.get("name", ""), namespace if namespaced else None)
        except APIError as e:
            if e.code == 404:
                return "dangling"
            raise
        if (live.get("metadata") or {}).get("uid") != ref["uid"]:
            return "dangling"
        lmd = live["metadata"]
        if lmd.get("deletionTimestamp") and FOREGROUND in (lmd.get("finalizers") or ()):
            return "waiting"
        return "solid"

    async def _attempt(self, uid: str) -> None:
        node = self.graph.get(uid)
        if node is None or node.virtual:
            return
        if node.deleting and FOREGROUND in node.finalizers:
            await self._foreground(node)
            return
        if not node.owners:
            return
        states: dict[str, list[Obj]] = {"solid": [], "waiting": [], "dangling": []}
        for ref in node.owners:
            states[await self._owner_state(ref, node.namespace)].append(ref)
        if states["solid"]:
            stale = states["dangling"] + [r for r in states["waiting"] if r.get("blockOwnerDeletion")]
            if stale:
                await self._remove_owner_refs(node, [r["uid"] for r in stale])
            return
        if node.deleting:
            return  # on its way already
        if states["waiting"] and node.dependents:
            policy = "Foreground"
        elif ORPHAN in node.finalizers:
            policy = "Orphan"
        elif FOREGROUND in node.finalizers:
            policy = "Foreground"
        else:
            policy = "Background"
        log.info("deleting %s %s/%s: its owners are gone (%s)", node.resource, node.namespace,
                 node.name, policy)
        try:
            await self.client.delete(node.resource, node.name, node.namespace or None, options={
                "propagationPolicy": policy, "preconditions": {"uid": uid}})
        except APIError as e:
            if e.code not in (404, 409):
                raise

    async def _foreground(self, node: Node) -> None:
        blocking = []
        for dependent in list(node.dependents):
            d = self.graph.get(dependent)
            if d is None or d.virtual:
                continue
            self.attempts.add(dependent)
            if any(ref["uid"] == node.uid and ref.get("blockOwnerDeletion") for ref in d.owners):
                blocking.append(d)
        if not blocking:
            await self._remove_finalizer(node, FOREGROUND)

    async def _orphan(self, uid: str) -> None:
        node = self.graph.get(uid)
        if node is None or node.virtual or not node.deleting or ORPHAN not in node.finalizers:
            return
        for dependent in list(node.dependents):
            d = self.graph.get(dependent)
            if d is not None and not d.virtual:
                await self._remove_owner_refs(d, [uid])
        await self._remove_finalizer(node, ORPHAN)

    async def _remove_owner_refs(self, node: Node, uids: list[str]) -> None:
        patch = {"metadata": {"ownerReferences": [{"$patch": "delete", "uid": u} for u in uids],
                              "uid": node.uid}}
        try:
            await self.client.patch(node.resource, node.name, patch, node.namespace or None,
                                    patch_type=SMP)
        except APIError as e:
            if e.code not in (404, 409, 422):
                raise

    async def _remove_finalizer(self, node: Node, finalizer: str) -> None:
        for _ in range(5):
            try:
                live = await self.client.get(node.resource, node.name, node.namespace or None)
            except APIError as e:
                if e.code == 404:
                    return
                raise
            finalizers = list((live.get("metadata") or {}).get("finalizers") or ())
            if live["metadata"].get("uid") != node.uid or finalizer not in finalizers:
                return
            live["metadata"]["finalizers"] = [f for f in finalizers if f != finalizer]
            try:
                await self.client.update(node.resource, live)
                return
            except APIError as e:
                if e.code == 404:
                    return
                if e.code != 409:
                    raise
        raise RuntimeError(f"could not remove {finalizer} from {node.resource} {node.name}")
