"""Node lifecycle: nodes that stop reporting become Unknown, get tainted, and lose their pods.

Every ``monitor_period`` each node's last sign of life is taken as the last time, on this
controller's clock, that its Lease in ``kube-node-lease`` was renewed or its Ready
condition's heartbeat moved (a node first seen gets a full grace period).  A node silent
for longer than ``grace_period`` (40 s) gets Ready, MemoryPressure, DiskPressure and
PIDPressure set to Unknown ("Kubelet stopped posting node status.") and a NodeNotReady
event.

Taints follow the Ready condition: ``node.kubernetes.io/not-ready`` (False) or
``node.kubernetes.io/unreachable`` (Unknown) with effect NoSchedule at once, so the
scheduler looks elsewhere, and with effect NoExecute through a rate limiter per zone,
as upstream's:

- a zone with some nodes down evicts ``eviction_rate`` nodes per second (0.1);
- a zone where at least ``unhealthy_threshold`` (55%) of the nodes, and more than 2,
  are down is *partially disrupted*: ``secondary_rate`` (0.01), or none at all in a
  zone of ``large_cluster_size`` (50) nodes or fewer;
- a zone whose every node is down is *fully disrupted* and evicted at the normal rate,
  so that its pods come back in the other zones; but if every zone is fully disrupted
  the fault is more likely this controller's own network: no evictions, and the
  NoExecute taints are lifted.

A pod on a node with NoExecute taints is deleted (a TaintManagerEviction event) at once
if it does not tolerate one of them, or when the shortest ``tolerationSeconds`` of its
matching tolerations has passed since the taint was added (300 s, the default the
apiserver gives every pod); tolerations without seconds keep it forever.  Its controller
then makes a replacement, which the scheduler places on a healthy node.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from paddock.core.client import Client
from paddock.core.events import EventRecorder
from paddock.core.informer import Informer
from paddock.core.meta import now_rfc3339, timestamp
from paddock.core.status import APIError
from paddock.core.tasks import cancel_and_wait, every
from paddock.scheduler.framework import LEGACY_ZONE_LABEL, ZONE_LABEL
from paddock.scheduler.plugins.taint_toleration import tolerates

log = logging.getLogger(__name__)

Obj = dict[str, Any]
NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
NODE_INDEX = "node"




def ready_status(node: Obj) -> str:
    for c in (node.get("status") or {}).get("conditions") or ():
        if c.get("type") == "Ready":
            return str(c.get("status") or "Unknown")
    return "Unknown"


def zone_of(node: Obj) -> str:
    labels = (node.get("metadata") or {}).get("labels") or {}
    return str(labels.get(ZONE_LABEL) or labels.get(LEGACY_ZONE_LABEL) or "")


@dataclass
class _Probe:
    renew: str | None = None
    heartbeat: str | None = None
    seen: float = 0.0  # local time of the last change


class _Bucket:
    def __init__(self) -> None:
        self.tokens = 1.0
        self.last = time.monotonic()

    def take(self, rate: float) -> bool:
        now = time.monotonic()
        self.tokens = min(1.0, self.tokens + (now - self.last) * rate)
        self.last = now
        if rate > 0 and self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class NodeLifecycleController:
    def __init__(self, client: Client, nodes: Informer, leases: Informer, pods: Informer,
                 events: EventRecorder, *, grace_period: float = 40.0,
                 monitor_period: float = 5.0, eviction_rate: float = 0.1,
                 secondary_rate: float = 0.01, unhealthy_threshold: float = 0.55,
                 large_cluster_size: int = 50) -> None:
        self.client = client
        self.nodes = nodes
        self.leases = leases
        self.pods = pods
        self.events = events
        self.grace_period = grace_period
        self.monitor_period = monitor_period
        self.eviction_rate = eviction_rate
        self.secondary_rate = secondary_rate
        self.unhealthy_threshold = unhealthy_threshold
        self.large_cluster_size = large_cluster_size
        self._probes: dict[str, _Probe] = {}
        self._buckets: dict[str, _Bucket] = {}
        self._waiting: dict[str, list[str]] = {}  # zone -> nodes waiting for a NoExecute taint
        self._tasks: list[asyncio.Task[None]] = []
        if not pods.has_index(NODE_INDEX):
            pods.add_index(NODE_INDEX, lambda p: ((p.get("spec") or {}).get("nodeName"),)
                           if (p.get("spec") or {}).get("nodeName") else ())

    def start(self) -> None:
        self._tasks = [asyncio.create_task(every(self.monitor_period, self.monitor, log, "node lifecycle")),
                       asyncio.create_task(every(0.5, self.evict, log, "taint eviction"))]

    async def stop(self) -> None:
        for task in self._tasks:
            await cancel_and_wait(task)

    # -- health

    def _last_seen(self, name: str, node: Obj, now: float) -> float:
        probe = self._probes.get(name)
        lease = self.leases.get(f"kube-node-lease/{name}")
        renew = ((lease or {}).get("spec") or {}).get("renewTime")
        heartbeat = next((c.get("lastHeartbeatTime") for c in (node.get("status") or {}).get(
            "conditions") or () if c.get("type") == "Ready"), None)
        if probe is None:
            probe = self._probes[name] = _Probe(renew, heartbeat, now)
        elif probe.renew != renew or probe.heartbeat != heartbeat:
            probe.renew, probe.heartbeat, probe.seen = renew, heartbeat, now
        return probe.seen

    async def monitor(self) -> None:
        now = time.monotonic()
        by_zone: dict[str, list[tuple[Obj, str]]] = {}
        for name in list(self._probes):
            if self.nodes.get(name) is None:
                del self._probes[name]
        for node in list(self.nodes.store.values()):
            name = node["metadata"]["name"]
            status = ready_status(node)
            if now - self._last_seen(name, node, now) > self.grace_period and status != "Unknown":
                node = await self._mark_unknown(node) or node
                status = "Unknown"
            by_zone.setdefault(zone_of(node), []).append((node, status))
            await self._set_no_schedule_taint(node, status)
        states = {zone: self._zone_state(members) for zone, members in by_zone.items()}
        everything_down = bool(states) and all(s == "FullDisruption" for s in states.values())
        for zone, members in by_zone.items():
            for node, status in members:
                if status == "True" or everything_down:
                    await self._untaint(node, (NOT_READY, UNREACHABLE), "NoExecute")
                    waiting = self._waiting.get(zone)
                    if waiting and node["metadata"]["name"] in waiting:
                        waiting.remove(node["metadata"]["name"])
                elif not self._has_taint(node, NOT_READY if status == "False" else UNREACHABLE, "NoExecute"):
                    queue = self._waiting.setdefault(zone, [])
                    if node["metadata"]["name"] not in queue:
                        queue.append(node["metadata"]["name"])
            if everything_down:
                continue
            rate = self._rate(states[zone], len(members))
            bucket = self._buckets.setdefault(zone, _Bucket())
            queue = self._waiting.get(zone, [])
            while queue and bucket.take(rate):
                name = queue.pop(0)
                node = self.nodes.get(name)
                if node is None:
                    continue
                status = ready_status(node)
                if status != "True":
                    await self._taint_no_execute(node, UNREACHABLE if status == "Unknown" else NOT_READY)

    def _zone_state(self, members: list[tuple[Obj, str]]) -> str:
        down = sum(1 for _, status in members if status != "True")
        up = len(members) - down
        if up == 0 and down > 0:
            return "FullDisruption"
        if down > 2 and down / len(members) >= self.unhealthy_threshold:
            return "PartialDisruption"
        return "Normal"

    def _rate(self, state: str, size: int) -> float:
        if state == "PartialDisruption":
            return self.secondary_rate if size > self.large_cluster_size else 0.0
        return self.eviction_rate

    async def _mark_unknown(self, node: Obj) -> Obj | None:
        name = node["metadata"]["name"]
        now = now_rfc3339()
        conditions = [dict(c) for c in (node.get("status") or {}).get("conditions") or ()]
        present = {c.get("type") for c in conditions}
        for c in conditions:
            if c.get("type") in CONDITIONS and c.get("status") != "Unknown":
                c.update(status="Unknown", reason="NodeStatusUnknown",
                         message="Kubelet stopped posting node status.", lastTransitionTime=now)
        for kind in CONDITIONS:
            if kind not in present:
                conditions.append({"type": kind, "status": "Unknown", "reason": "NodeStatusNeverUpdated",
                                   "message": "Kubelet never posted node status.",
                                   "lastHeartbeatTime": now, "lastTransitionTime": now})
        body = {**node, "status": {**(node.get("status") or {}), "conditions": conditions}}
        try:
            updated: Obj = await self.client.update("nodes", body, subresource="status")
        except APIError as e:
            if e.code in (404, 409):
                return None
            raise
        log.info("node %s stopped reporting: Ready is Unknown", name)
        self.events.record(updated, "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady")
        self.nodes._put(name, updated)
        return updated

    # -- taints

    @staticmethod
    def _has_taint(node: Obj, key: str, effect: str) -> bool:
        return any(t.get("key") == key and t.get("effect") == effect
                   for t in (node.get("spec") or {}).get("taints") or ())

    async def _set_no_schedule_taint(self, node: Obj, status: str) -> None:
        wanted = {"False": NOT_READY, "Unknown": UNREACHABLE}.get(status)
        taints = list((node.get("spec") or {}).get("taints") or ())
        kept = [t for t in taints if not (t.get("effect") == "NoSchedule"
                                          and t.get("key") in (NOT_READY, UNREACHABLE)
                                          and t.get("key") != wanted)]
        if wanted and not any(t.get("key") == wanted and t.get("effect") == "NoSchedule" for t in kept):
            kept.append({"key": wanted, "effect": "NoSchedule"})
        if kept != taints:
            await self._write_taints(node, kept)

    async def _taint_no_execute(self, node: Obj, key: str) -> None:
        other = UNREACHABLE if key == NOT_READY else NOT_READY
        taints = [t for t in (node.get("spec") or {}).get("taints") or ()
                  if not (t.get("key") == other and t.get("effect") == "NoExecute")]
        if not any(t.get("key") == key and t.get("effect") == "NoExecute" for t in taints):
            taints.append({"key": key, "effect": "NoExecute", "timeAdded": now_rfc3339()})
            await self._write_taints(node, taints)

    async def _untaint(self, node: Obj, keys: tuple[str, ...], effect: str) -> None:
        taints = list((node.get("spec") or {}).get("taints") or ())
        kept = [t for t in taints if not (t.get("key") in keys and t.get("effect") == effect)]
        if kept != taints:
            await self._write_taints(node, kept)

    async def _write_taints(self, node: Obj, taints: list[Obj]) -> None:
        name = node["metadata"]["name"]
        for _ in range(3):
            body = {**node, "spec": {**(node.get("spec") or {}), "taints": taints}}
            if not taints:
                body["spec"].pop("taints")
            try:
                updated = await self.client.update("nodes", body)
                self.nodes._put(name, updated)
                return
            except APIError as e:
                if e.code == 404:
                    return
                if e.code != 409:
                    raise
                node = await self.client.get("nodes", name)

    # -- eviction

    async def evict(self) -> None:
        now = time.time()
        for node in list(self.nodes.store.values()):
            taints = [t for t in (node.get("spec") or {}).get("taints") or ()
                      if t.get("effect") == "NoExecute"]
            if not taints:
                continue
            for pod in self.pods.by_index(NODE_INDEX, node["metadata"]["name"]):
                if (pod.get("metadata") or {}).get("deletionTimestamp"):
                    continue
                if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                    continue
                if self._due(pod, taints, now):
                    await self._evict(pod)

    @staticmethod
    def _due(pod: Obj, taints: list[Obj], now: float) -> bool:
        tolerations = (pod.get("spec") or {}).get("tolerations") or ()
        deadline = float("inf")
        for taint in taints:
            matching = [t for t in tolerations if tolerates(t, taint)]
            if not matching:
                return True
            seconds = [t.get("tolerationSeconds") for t in matching if t.get("tolerationSeconds") is not None]
            if seconds:
                wait = max(0, min(int(s) for s in seconds))
                deadline = min(deadline, timestamp(taint.get("timeAdded")) + wait)
        return now >= deadline

    async def _evict(self, pod: Obj) -> None:
        md = pod["metadata"]
        self.events.record(pod, "Normal", "TaintManagerEviction",
                           f"Marking for deletion Pod {md.get('namespace')}/{md.get('name')}")
        try:
            await self.client.delete("pods", md["name"], md.get("namespace"),
                                     options={"preconditions": {"uid": md.get("uid")}})
        except APIError as e:
            if e.code not in (404, 409):
                raise
