"""DaemonSets: one pod on every eligible node, replaced node by node on update.

A node is eligible if the template's node selector and required node affinity match it
and its NoSchedule and NoExecute taints are tolerated (counting the tolerations upstream
adds to every daemon pod: not-ready and unreachable NoExecute without a deadline,
memory, disk and PID pressure and unschedulable NoSchedule).  Each pod is pinned to its
node by required node affinity on ``metadata.name`` and placed by the scheduler, as
upstream does since 1.12, and labelled with ``controller-revision-hash`` (a hash of the
template), which tells updated pods from old ones.

RollingUpdate with ``maxSurge`` 0 deletes old pods on at most ``maxUnavailable`` nodes
at a time (unavailable old pods first, they cost nothing), and new pods take their place
on the next sync; with ``maxSurge`` a new pod starts beside the old one on that many
nodes and the old one goes once the new one is available.  OnDelete only replaces pods
that someone deleted.  Expectations keep a lagging watch from doubling pods, as for
replica sets.  Status: desired, current, misscheduled, ready, updated, available and
unavailable counts, and observedGeneration (what ``kubectl rollout status`` reads).
"""

from __future__ import annotations

import copy
import logging
import time
from typing import Any

from paddock.core.client import Client
from paddock.core.events import EventRecorder
from paddock.core.informer import Informer, object_key
from paddock.core.status import APIError
from paddock.core.workqueue import WorkQueue
from paddock.scheduler.framework import NodeInfo, PodInfo
from paddock.scheduler.plugins import node_affinity, taint_toleration

from .base import QueueController
from .deployment import scaled_value, template_hash
from .expectations import Expectations
from .replicaset import CONTROLLER_INDEX, controller_ref, index_pods, is_available, ready_since

log = logging.getLogger(__name__)

Obj = dict[str, Any]
HASH_LABEL = "controller-revision-hash"
DAEMON_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]


def _with_tolerations(template_spec: Obj) -> Obj:
    spec = copy.deepcopy(template_spec)
    tolerations = list(spec.get("tolerations") or ())
    for t in DAEMON_TOLERATIONS:
        if not any(existing.get("key") == t["key"] and existing.get("effect") == t["effect"]
                   for existing in tolerations):
            tolerations.append(dict(t))
    spec["tolerations"] = tolerations
    return spec


def eligible(ds: Obj, node: Obj) -> bool:
    template = ((ds.get("spec") or {}).get("template") or {})
    pod = PodInfo.of({"metadata": {"name": "probe"}, "spec": _with_tolerations(template.get("spec") or {})})
    info = NodeInfo.of(node)
    return not node_affinity.filter(pod, info) and not taint_toleration.filter(pod, info)


class DaemonSetController(QueueController):
    def __init__(self, client: Client, daemon_sets: Informer, nodes: Informer, pods: Informer,
                 events: EventRecorder, *, workers: int = 2) -> None:
        self.client = client
        self.daemon_sets = daemon_sets
        self.nodes = nodes
        self.pods = pods
        self.events = events
        self.workers = workers
        self.queue = WorkQueue("daemonset")
        self.expectations = Expectations()
        index_pods(pods)
        daemon_sets.add_handler(self._on_daemon_set)
        nodes.add_handler(lambda event, node, old: self._all())
        pods.add_handler(self._on_pod)

    def _on_daemon_set(self, event: str, ds: Obj, old: Obj | None) -> None:
        if event == "DELETED":
            self.expectations.forget(object_key(ds))
        self.queue.add(object_key(ds))

    def _all(self) -> None:
        for ds in self.daemon_sets.store.values():
            self.queue.add(object_key(ds))

    def _owner(self, pod: Obj) -> str | None:
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != "DaemonSet":
            return None
        return f"{pod['metadata'].get('namespace')}/{ref.get('name')}"

    def _on_pod(self, event: str, pod: Obj, old: Obj | None) -> None:
        key = self._owner(pod)
        if key is None:
            return
        if event == "ADDED":
            self.expectations.creation_observed(key)
        elif event == "DELETED" or (pod.get("metadata") or {}).get("deletionTimestamp"):
            self.expectations.deletion_observed(key, object_key(pod))
        self.queue.add(key)

    # -- one sync

    async def sync(self, key: str) -> None:
        ds = self.daemon_sets.get(key)
        if ds is None:
            self.expectations.forget(key)
            return
        md = ds["metadata"]
        spec = ds.get("spec") or {}
        hash_ = template_hash(spec.get("template") or {})
        min_ready = int(spec.get("minReadySeconds") or 0)
        by_node: dict[str, list[Obj]] = {}
        for pod in self.pods.by_index(CONTROLLER_INDEX, md.get("uid")):
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            node = (pod.get("spec") or {}).get("nodeName") or self._pinned_node(pod)
            if node:
                by_node.setdefault(node, []).append(pod)
        wanted = {n["metadata"]["name"] for n in self.nodes.store.values() if eligible(ds, n)}
        if self.expectations.satisfied(key) and not md.get("deletionTimestamp"):
            await self._manage(ds, key, hash_, wanted, by_node, min_ready)
        await self._write_status(ds, hash_, wanted, by_node, min_ready)

    @staticmethod
    def _pinned_node(pod: Obj) -> str | None:
        terms = ((((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or ()
        for term in terms:
            for field in term.get("matchFields") or ():
                if field.get("key") == "metadata.name" and field.get("values"):
                    return str(field["values"][0])
        return None

    async def _manage(self, ds: Obj, key: str, hash_: str, wanted: set[str],
                      by_node: dict[str, list[Obj]], min_ready: int) -> None:
        spec = ds.get("spec") or {}
        strategy = spec.get("updateStrategy") or {}
        rolling = strategy.get("type", "RollingUpdate") == "RollingUpdate"
        now = time.time()
        create: list[str] = []
        delete: list[Obj] = []
        for node in sorted(wanted):
            pods = [p for p in by_node.get(node, ()) if not p["metadata"].get("deletionTimestamp")]
            if not pods:
                if not any(p["metadata"].get("deletionTimestamp") for p in by_node.get(node, ())):
                    create.append(node)
            elif len(pods) > 1 and not rolling:
                delete.extend(sorted(pods, key=lambda p: p["metadata"].get("creationTimestamp") or "")[1:])
        for node, pods in by_node.items():
            if node not in wanted:
                delete.extend(p for p in pods if not p["metadata"].get("deletionTimestamp"))
        if rolling:
            create_more, delete_more = self._rolling(ds, hash_, wanted, by_node, min_ready, now)
            create.extend(n for n in create_more if n not in create)
            delete.extend(p for p in delete_more if p not in delete)
        if create:
            self.expectations.expect_creations(key, len(create))
        elif delete:
            self.expectations.expect_deletions(key, [object_key(p) for p in delete])
        for node in create:
            await self._create(ds, node, hash_, key)
        if create:
            return  # deletions next time, once the creations are seen
        for pod in delete:
            pmd = pod["metadata"]
            try:
                await self.client.delete("pods", pmd["name"], pmd.get("namespace"))
                self.events.record(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {pmd['name']}")
            except APIError as e:
                self.expectations.deletion_observed(key, object_key(pod))
                if e.code != 404:
                    raise

    def _rolling(self, ds: Obj, hash_: str, wanted: set[str], by_node: dict[str, list[Obj]],
                 min_ready: int, now: float) -> tuple[list[str], list[Obj]]:
        """Nodes to get a new pod beside the old (surge), and old pods to delete."""
        rolling = ((ds.get("spec") or {}).get("updateStrategy") or {}).get("rollingUpdate") or {}
        total = len(wanted)
        surge = scaled_value(rolling.get("maxSurge", 0), total, True)
        unavailable = scaled_value(rolling.get("maxUnavailable", 1), total, True)
        if surge == 0 and unavailable == 0:
            unavailable = 1
        old_nodes: list[tuple[str, Obj, bool]] = []  # node, old pod, available
        unavailable_now = 0
        create: list[str] = []
        delete: list[Obj] = []
        surging = 0
        for node in sorted(wanted):
            pods = [p for p in by_node.get(node, ()) if not p["metadata"].get("deletionTimestamp")]
            new = [p for p in pods if (p["metadata"].get("labels") or {}).get(HASH_LABEL) == hash_]
            old = [p for p in pods if p not in new]
            if not pods or not any(is_available(p, min_ready, now) for p in pods):
                unavailable_now += 1
            if old and new:
                surging += 1
                if any(is_available(p, min_ready, now) for p in new):
                    delete.extend(old)  # the new one serves: the old one can go
                continue
            if old:
                old_nodes.append((node, old[0], is_available(old[0], min_ready, now)))
        if surge > 0:
            room = surge - surging
            for node, _, _ in old_nodes:
                if room <= 0:
                    break
                create.append(node)
                room -= 1
            return create, delete
        budget = unavailable - unavailable_now
        for _node, pod, available in sorted(old_nodes, key=lambda x: x[2]):
            if not available:
                delete.append(pod)  # it is down already: replacing it costs nothing
            elif budget > 0:
                delete.append(pod)
                budget -= 1
        return create, delete

    async def _create(self, ds: Obj, node: str, hash_: str, key: str) -> None:
        md = ds["metadata"]
        template = (ds.get("spec") or {}).get("template") or {}
        tmd = template.get("metadata") or {}
        spec = _with_tolerations(template.get("spec") or {})
        affinity = spec.setdefault("affinity", {}).setdefault("nodeAffinity", {})
        affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {
            "generateName": f"{md['name']}-", "namespace": md.get("namespace"),
            "labels": {**(tmd.get("labels") or {}), HASH_LABEL: hash_},
            "annotations": dict(tmd.get("annotations") or {}),
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": md["name"],
                                 "uid": md["uid"], "controller": True, "blockOwnerDeletion": True}]},
            "spec": spec}
        try:
            created = await self.client.create("pods", pod, md.get("namespace"))
        except APIError as e:
            self.expectations.creation_observed(key)
            self.events.record(ds, "Warning", "FailedCreate", f"Error creating: {e.message}")
            raise
        self.events.record(ds, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")

    async def _write_status(self, ds: Obj, hash_: str, wanted: set[str],
                            by_node: dict[str, list[Obj]], min_ready: int) -> None:
        now = time.time()
        current = misscheduled = ready = updated = available = 0
        for node, pods in by_node.items():
            live = [p for p in pods if not p["metadata"].get("deletionTimestamp")] or pods
            if node not in wanted:
                misscheduled += 1
                continue
            current += 1
            if any(ready_since(p) is not None for p in live):
                ready += 1
            if any(is_available(p, min_ready, now) for p in live):
                available += 1
            if any((p["metadata"].get("labels") or {}).get(HASH_LABEL) == hash_ for p in live):
                updated += 1
        status = {"currentNumberScheduled": current, "numberMisscheduled": misscheduled,
                  "desiredNumberScheduled": len(wanted), "numberReady": ready,
                  "updatedNumberScheduled": updated, "numberAvailable": available,
                  "numberUnavailable": max(len(wanted) - available, 0),
                  "observedGeneration": ds["metadata"].get("generation", 0)}
        old = ds.get("status") or {}
        if all((old.get(k) or 0) == v for k, v in status.items()):
            return
        try:
            await self.client.update("daemonsets", {**ds, "status": {**old, **status}}, subresource="status")
        except APIError as e:
            if e.code == 409:
                self.queue.add_after(object_key(ds), 0.2)
            elif e.code != 404:
                raise
        if min_ready > 0 and available < ready:
            self.queue.add_after(object_key(ds), min_ready + 1)
