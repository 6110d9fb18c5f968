"""ReplicaSets and ReplicationControllers: keep ``spec.replicas`` pods of the template alive.

One controller class serves both kinds (upstream runs the ReplicaSet code for
ReplicationControllers too); they differ in resource, kind and selector form.  A sync of
one owner:

1. *claims* its pods: pods it controls whose labels no longer match are released
   (their ownerReference removed), orphans whose labels match are adopted (an
   ownerReference with ``controller: true`` added), unless the owner is being deleted;
2. if every creation and deletion it asked for has been seen by the pod informer
   (:mod:`.expectations`), creates the missing pods in batches of 1, 2, 4, ... (a failing
   batch stops the rest: slow start) or deletes the surplus, least valuable first:
   unassigned before assigned, pending before unknown before running, not ready before
   ready, pods doubled up on a node before lone ones, ready for less time before more,
   more restarts before fewer, newer before older; at most ``burst`` per sync;
3. writes ``status``: replicas, fullyLabeledReplicas, readyReplicas, availableReplicas
   (ready for ``minReadySeconds``), observedGeneration, and the ReplicaFailure condition
   while creating or deleting fails.

Events: SuccessfulCreate, FailedCreate, SuccessfulDelete, FailedDelete.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from paddock.core.client import Client
from paddock.core.events import EventRecorder
from paddock.core.informer import NAMESPACE_INDEX, Informer, object_key
from paddock.core.labels import Selector, selector_from_label_selector, selector_from_set
from paddock.core.meta import now_rfc3339, timestamp
from paddock.core.status import APIError
from paddock.core.workqueue import WorkQueue

from .base import QueueController
from .expectations import Expectations

log = logging.getLogger(__name__)

BURST_REPLICAS = 500
STATUS_REFRESH_SECONDS = 1.0
CONTROLLER_INDEX = "controller"  # pods by the uid of their controller
ORPHAN_INDEX = "orphans"  # pods without a controller, by namespace
SMP = "application/strategic-merge-patch+json"

Obj = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    resource: str
    kind: str
    api_version: str
    name: str  # the controller's name in logs and leader election

    def selector(self, owner: Obj) -> Selector:
        spec = owner.get("spec") or {}
        if self.kind == "ReplicationController":
            chosen = spec.get("selector") or ((spec.get("template") or {}).get("metadata")
                                              or {}).get("labels")
            return selector_from_set(chosen) if chosen else selector_from_label_selector(None)
        return selector_from_label_selector(spec.get("selector"))


REPLICA_SET = Kind("replicasets", "ReplicaSet", "apps/v1", "replicaset")
REPLICATION_CONTROLLER = Kind("replicationcontrollers", "ReplicationController", "v1",
                              "replicationcontroller")


def controller_ref(obj: Obj) -> Obj | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("controller"):
            return dict(ref)
    return None


def index_pods(pods: Informer) -> None:
    """The pod indexes the workload controllers share."""
    if not pods.has_index(CONTROLLER_INDEX):
        pods.add_index(CONTROLLER_INDEX, lambda p: (ref["uid"],) if (ref := controller_ref(p)) else ())
        pods.add_index(ORPHAN_INDEX, lambda p: () if controller_ref(p) else (
            (p.get("metadata") or {}).get("namespace") or "",))


def is_active(pod: Obj) -> bool:
    return ((pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
            and not (pod.get("metadata") or {}).get("deletionTimestamp"))



def ready_since(pod: Obj) -> float | None:
    """When the pod became ready (epoch seconds), or None if it is not."""
    for c in (pod.get("status") or {}).get("conditions") or ():
        if c.get("type") == "Ready":
            return timestamp(c.get("lastTransitionTime")) if c.get("status") == "True" else None
    return None


def is_available(pod: Obj, min_ready_seconds: int, now: float) -> bool:
    since = ready_since(pod)
    return since is not None and (min_ready_seconds <= 0 or since + min_ready_seconds <= now)


PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def deletion_order(pods: list[Obj], related: list[Obj]) -> list[Obj]:
    """``pods`` least valuable first, as upstream ranks them (``related``: the active pods
    of the owner and its siblings, counted per node for doubling up)."""
    on_node = Counter((p.get("spec") or {}).get("nodeName") or "" for p in related)

    def key(pod: Obj) -> tuple[Any, ...]:
        spec, status = pod.get("spec") or {}, pod.get("status") or {}
        node = spec.get("nodeName") or ""
        since = ready_since(pod)
        restarts = max((c.get("restartCount") or 0 for c in status.get("containerStatuses") or ()),
                       default=0)
        created = timestamp((pod.get("metadata") or {}).get("creationTimestamp"))
        return (bool(node), PHASE_RANK.get(status.get("phase") or "Pending", 0),
                since is not None, -(on_node[node] if node else 0),
                -(since or 0.0), -restarts, -created)

    return sorted(pods, key=key)


def pod_from_template(kind: Kind, owner: Obj) -> Obj:
    md = owner["metadata"]
    template = (owner.get("spec") or {}).get("template") or {}
    tmd = template.get("metadata") or {}
    meta: Obj = {
        "generateName": f"{md['name']}-",
        "namespace": md.get("namespace"),
        "ownerReferences": [{"apiVersion": kind.api_version, "kind": kind.kind,
                             "name": md["name"], "uid": md["uid"], "controller": True,
                             "blockOwnerDeletion": True}],
    }
    for field in ("labels", "annotations", "finalizers"):
        if tmd.get(field):
            meta[field] = tmd[field]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": template.get("spec") or {}}


async def slow_start(count: int, make: Callable[[], Awaitable[Any]]) -> tuple[int, Exception | None]:
    """Call ``make`` ``count`` times in batches of 1, 2, 4, ...; stop after the first batch
    with a failure.  Returns (successes, first error)."""
    done = 0
    batch = min(count, 1)
    while batch > 0:
        results = await asyncio.gather(*(make() for _ in range(batch)), return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        done += batch - len(errors)
        for e in errors:
            if isinstance(e, asyncio.CancelledError):
                raise e
            if not isinstance(e, Exception):
                raise e
        if errors:
            first = errors[0]
            assert isinstance(first, Exception)
            return done, first
        remaining = count - done
        batch = min(2 * batch, remaining)
    return done, None



class ReplicaSetController(QueueController):
    def __init__(self, client: Client, kind: Kind, owners: Informer, pods: Informer,
                 events: EventRecorder, *, workers: int = 5, burst: int = BURST_REPLICAS) -> None:
        self.client = client
        self.kind = kind
        self.owners = owners
        self.pods = pods
        self.events = events
        self.burst = burst
        self.workers = workers
        self.expectations = Expectations()
        self.queue = WorkQueue(kind.name)
        index_pods(pods)
        owners.add_handler(self._on_owner)
        pods.add_handler(self._on_pod)
        self._refreshing: set[str] = set()
        # key -> the owner as this controller's last status write returned it: the informer
        # may not have seen that write yet, and a status written from its older copy would
        # only meet a conflict
        self._written: dict[str, Obj] = {}

    # -- events to keys

    def _on_owner(self, event: str, obj: Obj, old: Obj | None) -> None:
        key = object_key(obj)
        if event == "DELETED":
            self.expectations.forget(key)
            self._written.pop(key, None)
        self.queue.add(key)

    def _owner_of(self, pod: Obj) -> str | None:
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != self.kind.kind:
            return None
        key = f"{pod['metadata'].get('namespace')}/{ref.get('name')}"
        owner = self.owners.get(key)
        if owner is None or owner["metadata"].get("uid") != ref.get("uid"):
            return None
        return key

    def _matching_owners(self, pod: Obj) -> list[str]:
        """Owners of this kind whose selector matches an orphan (adoption candidates)."""
        md = pod.get("metadata") or {}
        labels = md.get("labels") or {}
        return [object_key(o) for o in self.owners.by_index(NAMESPACE_INDEX, md.get("namespace") or "")
                if self.kind.selector(o).matches(labels)]

    def _on_pod(self, event: str, pod: Obj, old: Obj | None) -> None:
        key = self._owner_of(pod)
        pod_key = object_key(pod)
        if event == "ADDED":
            if key is not None:
                if (pod.get("metadata") or {}).get("deletionTimestamp"):
                    self.expectations.deletion_observed(key, pod_key)
                else:
                    self.expectations.creation_observed(key)
                self._poke(key)
            elif controller_ref(pod) is None:
                for owner in self._matching_owners(pod):
                    self.queue.add(owner)
            return
        if event == "DELETED":
            if key is not None:
                self.expectations.deletion_observed(key, pod_key)
                self._poke(key)
            return
        # MODIFIED
        old_key = self._owner_of(old) if old is not None else None
        if old_key is not None and old_key != key:
            self.queue.add(old_key)
        if (pod.get("metadata") or {}).get("deletionTimestamp") and key is not None:
            self.expectations.deletion_observed(key, pod_key)
        if key is not None:
            self._poke(key)
            owner = self.owners.get(key)
            min_ready = int(((owner or {}).get("spec") or {}).get("minReadySeconds") or 0)
            if min_ready > 0 and old is not None and ready_since(pod) is not None and (
                    ready_since(old) is None):
                self.queue.add_after(key, min_ready + 1)
        elif controller_ref(pod) is None:
            labels_changed = old is None or (old.get("metadata") or {}).get("labels") != (
                pod.get("metadata") or {}).get("labels")
            if labels_changed or (old is not None and controller_ref(old) is not None):
                for owner in self._matching_owners(pod):
                    self.queue.add(owner)

    def _poke(self, key: str) -> None:
        """A pod of this owner changed: sync it now if it waits for nothing, else only
        refresh its status now and then (each sync reads all its pods: syncing on every
        one of 500 creations in flight would cost quadratic time for nothing)."""
        if self.expectations.satisfied(key):
            self.queue.add(key)
        elif key not in self._refreshing:
            self._refreshing.add(key)
            self.queue.add_after(key, STATUS_REFRESH_SECONDS)

    # -- running

    # -- one sync

    async def sync(self, key: str) -> None:
        self._refreshing.discard(key)
        owner = self.owners.get(key)
        if owner is None:
            self.expectations.forget(key)
            return
        namespace = owner["metadata"].get("namespace") or ""
        selector = self.kind.selector(owner)
        owned = await self._claim(owner, selector)
        active = [p for p in owned if is_active(p)]
        error: tuple[str, Exception] | None = None
        if self.expectations.satisfied(key) and not owner["metadata"].get("deletionTimestamp"):
            error = await self._manage(key, owner, active, namespace)
        await self._write_status(owner, active, error)
        if error is not None:
            raise error[1]
        min_ready = int((owner.get("spec") or {}).get("minReadySeconds") or 0)
        if min_ready > 0:
            now = time.time()
            waiting = [since + min_ready - now for p in active
                       if (since := ready_since(p)) is not None and since + min_ready > now]
            if waiting:
                self.queue.add_after(key, min(waiting) + 0.5)

    async def _claim(self, owner: Obj, selector: Selector) -> list[Obj]:
        """The pods this owner controls after releasing and adopting as its selector says."""
        md = owner["metadata"]
        uid = md.get("uid")
        deleting = bool(md.get("deletionTimestamp"))
        owned: list[Obj] = []
        for pod in self.pods.by_index(CONTROLLER_INDEX, uid):
            if selector.matches((pod.get("metadata") or {}).get("labels") or {}) or deleting:
                owned.append(pod)
            else:
                await self._patch_owner(pod, {"$patch": "delete", "uid": uid})
        if deleting:
            return owned
        orphans = [p for p in self.pods.by_index(ORPHAN_INDEX, md.get("namespace") or "")
                   if not (p.get("metadata") or {}).get("deletionTimestamp")
                   and selector.matches((p.get("metadata") or {}).get("labels") or {})]
        if orphans:
            # adopt only for an owner that still exists as we know it (upstream's recheck)
            try:
                fresh = await self.client.get(self.kind.resource, md["name"], md.get("namespace"))
            except APIError as e:
                if e.code == 404:
                    return owned
                raise
            if fresh["metadata"].get("uid") != uid or fresh["metadata"].get("deletionTimestamp"):
                return owned
            ref = {"apiVersion": self.kind.api_version, "kind": self.kind.kind,
                   "name": md["name"], "uid": uid, "controller": True,
                   "blockOwnerDeletion": True}
            for pod in orphans:
                adopted = await self._patch_owner(pod, ref)
                if adopted is not None:
                    owned.append(adopted)
        return owned

    async def _patch_owner(self, pod: Obj, ref: Obj) -> Obj | None:
        md = pod["metadata"]
        patch = {"metadata": {"ownerReferences": [ref], "uid": md.get("uid")}}
        try:
            result: Obj = await self.client.patch("pods", md["name"], patch, md.get("namespace"),
                                                  patch_type=SMP)
            return result
        except APIError as e:
            if e.code in (404, 409, 422):  # gone, or changed under us: the next sync sees
                return None
            raise

    async def _manage(self, key: str, owner: Obj, active: list[Obj],
                      namespace: str) -> tuple[str, Exception] | None:
        wanted = int((owner.get("spec") or {}).get("replicas", 1) or 0)
        diff = len(active) - wanted
        if diff < 0:
            count = min(-diff, self.burst)
            self.expectations.expect_creations(key, count)
            template = pod_from_template(self.kind, owner)

            async def create() -> None:
                try:
                    pod = await self.client.create("pods", template, namespace)
                except APIError as e:
                    self.events.record(owner, "Warning", "FailedCreate", f"Error creating: {e.message}")
                    raise
                self.events.record(owner, "Normal", "SuccessfulCreate",
                                   f"Created pod: {pod['metadata']['name']}")

            created, error = await slow_start(count, create)
            for _ in range(count - created):
                self.expectations.creation_observed(key)  # never coming
            if error is not None:
                return "FailedCreate", error
        elif diff > 0:
            count = min(diff, self.burst)
            victims = deletion_order(active, active)[:count]
            self.expectations.expect_deletions(key, [object_key(p) for p in victims])

            async def delete(pod: Obj) -> Exception | None:
                md = pod["metadata"]
                try:
                    await self.client.delete("pods", md["name"], namespace)
                except APIError as e:
                    self.expectations.deletion_observed(key, object_key(pod))
                    if e.code == 404:
                        return None
                    self.events.record(owner, "Warning", "FailedDelete", f"Error deleting: {e.message}")
                    return e
                self.events.record(owner, "Normal", "SuccessfulDelete", f"Deleted pod: {md['name']}")
                return None

            errors = [e for e in await asyncio.gather(*(delete(p) for p in victims)) if e]
            if errors:
                return "FailedDelete", errors[0]
        return None

    async def _write_status(self, owner: Obj, active: list[Obj],
                            error: tuple[str, Exception] | None) -> None:
        spec = owner.get("spec") or {}
        template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        min_ready = int(spec.get("minReadySeconds") or 0)
        now = time.time()
        owner = self._newest(owner)
        status = dict(owner.get("status") or {})
        labelled = ready = available = 0
        for p in active:
            labels = (p.get("metadata") or {}).get("labels") or {}
            if all(labels.get(k) == v for k, v in template_labels.items()):
                labelled += 1
            since = ready_since(p)
            if since is not None:
                ready += 1
                if min_ready <= 0 or since + min_ready <= now:
                    available += 1
        new: Obj = {"replicas": len(active), "fullyLabeledReplicas": labelled,
                    "readyReplicas": ready, "availableReplicas": available,
                    "observedGeneration": owner["metadata"].get("generation", 0)}
        conditions = [c for c in status.get("conditions") or () if c.get("type") != "ReplicaFailure"]
        if error is not None:
            old = next((c for c in status.get("conditions") or ()
                        if c.get("type") == "ReplicaFailure"), None)
            conditions.append({"type": "ReplicaFailure", "status": "True", "reason": error[0],
                               "message": str(getattr(error[1], "message", error[1])),
                               "lastTransitionTime": (old or {}).get("lastTransitionTime") or now_rfc3339()})
        if conditions:
            new["conditions"] = conditions
        if status.get("labelSelector"):
            new["labelSelector"] = status["labelSelector"]
        current = {k: status.get(k) for k in new}
        zeros_equal = all((status.get(k) or 0) == v for k, v in new.items() if isinstance(v, int))
        if zeros_equal and current.get("conditions") == new.get("conditions"):
            return
        md = owner["metadata"]
        body = {**owner, "status": new}
        key = object_key(owner)
        try:
            self._written[key] = await self.client.update(self.kind.resource, body,
                                                          subresource="status")
        except APIError as e:
            if e.code == 404:
                return
            if e.code != 409:
                raise
            fresh = await self.client.get(self.kind.resource, md["name"], md.get("namespace"))
            self._written[key] = await self.client.update(
                self.kind.resource, {**fresh, "status": new}, subresource="status")

    def _newest(self, owner: Obj) -> Obj:
        """``owner``, or the copy the last status write returned when that is newer."""
        key = object_key(owner)
        written = self._written.get(key)
        if written is None:
            return owner
        md, wmd = owner["metadata"], written.get("metadata") or {}
        try:
            newer = (wmd.get("uid") == md.get("uid")
                     and int(wmd.get("resourceVersion") or 0) > int(md.get("resourceVersion") or 0))
        except ValueError:  # not paddock's numeric versions: trust the informer
            newer = False
        if newer:
            return written
        del self._written[key]
        return owner
