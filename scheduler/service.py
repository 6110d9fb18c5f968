"""``paddock scheduler``: watch pending pods and nodes, place each pod, bind it.

The scheduling cycle (take the next pod, filter and score the nodes, assume the pod on the
chosen node) runs one pod at a time; the binding cycle (``POST pods/NAME/binding``, the
``Scheduled`` event) runs in the background, so the next pod is considered while the last
binding is in flight.  A pod no node fits gets a ``FailedScheduling`` event and the
``PodScheduled=False`` condition with reason ``Unschedulable``, and waits in the queue for
a node to be added or changed or a pod to leave.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
from datetime import UTC, datetime
from typing import Any

from paddock.core.client import Client, add_client_flags, client_from_flags
from paddock.core.events import EventRecorder
from paddock.core.informer import Informer, object_key
from paddock.core.labels import selector_from_label_selector, selector_from_set
from paddock.core.leaderelection import add_leader_election_flags, lead_until_stopped
from paddock.core.status import APIError

from . import algorithm
from .cache import SchedulerCache
from .framework import PodInfo
from .native import NativeAlgorithm
from .queue import QueuedPod, SchedulingQueue

log = logging.getLogger(__name__)

SCHEDULER_NAME = "default-scheduler"
SPREADING_OWNERS = ("services", "replicationcontrollers", "replicasets.apps",
                    "statefulsets.apps")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def owner_selector(resource: str, owner: dict[str, Any]) -> Any:
    """The compiled selector of a service, RC, RS or StatefulSet; None for one without a
    selector (it spreads nothing)."""
    raw = (owner.get("spec") or {}).get("selector")
    if not raw:
        return None
    if resource in ("services", "replicationcontrollers"):
        return selector_from_set(raw)
    if not (raw.get("matchLabels") or raw.get("matchExpressions")):
        return None
    try:
        return selector_from_label_selector(raw)
    except ValueError:
        return None


def is_pending(pod: dict[str, Any]) -> bool:
    """A pod this scheduler should place: unbound, ours, not finished, not being deleted."""
    spec = pod.get("spec") or {}
    md = pod.get("metadata") or {}
    phase = (pod.get("status") or {}).get("phase")
    return (not spec.get("nodeName")
            and (spec.get("schedulerName") or SCHEDULER_NAME) == SCHEDULER_NAME
            and not md.get("deletionTimestamp")
            and phase not in ("Succeeded", "Failed"))


class Scheduler:
    def __init__(self, client: Client, percentage_of_nodes_to_score: int = 0,
                 parallelism: int = 0, event_client: Client | None = None) -> None:
        self.client = client
        self.algorithm = (
            algorithm.Algorithm(percentage_of_nodes_to_score)
            if os.environ.get("PADDOCK_PURE") == "1"
            else NativeAlgorithm(percentage_of_nodes_to_score, parallelism))
        self.cache = SchedulerCache()
        self.queue = SchedulingQueue()
        # events have a client (and rate limit) of their own, as upstream's scheduler's: a
        # Scheduled event per pod must not halve the rate at which pods are bound
        self.events = EventRecorder(event_client or client, SCHEDULER_NAME, socket.gethostname())
        self.pods = Informer(client, "pods")
        self.nodes = Informer(client, "nodes")
        self.pods.add_handler(self._on_pod)
        self.nodes.add_handler(self._on_node)
        # the owners whose pods SelectorSpread spreads
        self.spreaders = [Informer(client, r) for r in SPREADING_OWNERS]
        # their compiled selectors, by namespace and (resource, name): made once per change
        self._owner_selectors: dict[str, dict[tuple[str, str], Any]] = {}
        for informer in self.spreaders:
            informer.add_handler(self._owner_handler(informer.resource))
        self._bindings: set[asyncio.Task[None]] = set()
        self.scheduled = 0

    # -- informer events

    def _on_node(self, event_type: str, node: dict[str, Any], old: dict[str, Any] | None) -> None:
        if event_type == "DELETED":
            self.cache.remove_node(node["metadata"]["name"])
            return
        self.cache.set_node(node)
        self.queue.move_all_to_active()

    def _on_pod(self, event_type: str, pod: dict[str, Any], old: dict[str, Any] | None) -> None:
        key = object_key(pod)
        if event_type == "DELETED":
            self.queue.delete(key)
            if (pod.get("spec") or {}).get("nodeName") or self.cache.is_assumed(key):
                self.cache.remove_pod(key)
                self.queue.move_all_to_active()
            return
        if (pod.get("spec") or {}).get("nodeName"):
            self.queue.delete(key)
            self.cache.set_bound_pod(pod)
        elif is_pending(pod):
            if not self.cache.is_assumed(key):
                self.queue.add(key, pod)
        else:
            self.queue.delete(key)

    # -- the scheduling cycle

    def _owner_handler(self, resource: str) -> Any:
        def on_owner(event_type: str, owner: dict[str, Any], old: dict[str, Any] | None) -> None:
            md = owner["metadata"]
            in_namespace = self._owner_selectors.setdefault(md.get("namespace") or "", {})
            selector = None if event_type == "DELETED" else owner_selector(resource, owner)
            if selector is None:
                in_namespace.pop((resource, md["name"]), None)
            else:
                in_namespace[(resource, md["name"])] = selector
        return on_owner

    def spread_selectors(self, pod: PodInfo) -> list[Any]:
        """Selectors of the services, RCs, RSs and StatefulSets in the pod's namespace that
        select it."""
        owners = self._owner_selectors.get(pod.namespace) or {}
        return [s for s in owners.values() if s.matches(pod.labels)]

    async def run(self) -> None:
        self.nodes.start()
        self.pods.start()
        for informer in self.spreaders:
            informer.start()
        await self.nodes.synced.wait()
        await self.pods.synced.wait()
        for informer in self.spreaders:
            await informer.synced.wait()
        log.info("scheduler synced: %d nodes, %d pending pods", len(self.cache.nodes),
                 len(self.queue))
        while True:
            queued = await self.queue.pop()
            self.schedule_one(queued)

    def schedule_one(self, queued: QueuedPod) -> None:
        pod = PodInfo.of(queued.pod)
        pod.spread_selectors = self.spread_selectors(pod)
        try:
            node = self.algorithm.schedule(pod, self.cache.node_list())
        except algorithm.FitError as e:
            self.queue.unschedulable(queued)
            self._report_unschedulable(queued.pod, e.message)
            return
        self.cache.assume(pod, node.name)
        self.queue.done(queued.key)
        task = asyncio.create_task(self._bind(queued, pod, node.name))
        self._bindings.add(task)
        task.add_done_callback(self._bindings.discard)

    async def _bind(self, queued: QueuedPod, pod: PodInfo, node_name: str) -> None:
        try:
            await self.client.bind(pod.namespace, pod.name, node_name, uid=pod.uid or None)
        except (APIError, OSError) as e:
            log.info("binding %s to %s failed: %s", pod.key, node_name, e)
            self.cache.forget(pod.key)
            if isinstance(e, APIError) and e.code == 404:
                return  # the pod is gone
            current = self.pods.store.get(pod.key)
            if current is not None and is_pending(current):
                self.queue.add_after_backoff(pod.key, current)
            return
        self.scheduled += 1
        self.events.record(pod.pod, "Normal", "Scheduled",
                           f"Successfully assigned {pod.key} to {node_name}")

    def _report_unschedulable(self, pod: dict[str, Any], message: str) -> None:
        # the event (not the condition) is cut to 1024 characters, as upstream's
        event_message = message if len(message) <= 1024 else message[:1020] + " ..."
        self.events.record(pod, "Warning", "FailedScheduling", event_message)
        conditions = (pod.get("status") or {}).get("conditions") or []
        for c in conditions:
            if (c.get("type") == "PodScheduled" and c.get("status") == "False"
                    and c.get("message") == message):
                return  # already says so
        task = asyncio.create_task(self._set_unschedulable(pod, message))
        self._bindings.add(task)
        task.add_done_callback(self._bindings.discard)

    async def _set_unschedulable(self, pod: dict[str, Any], message: str) -> None:
        md = pod["metadata"]
        patch = {"status": {"conditions": [{
            "type": "PodScheduled", "status": "False", "reason": "Unschedulable",
            "message": message, "lastProbeTime": None, "lastTransitionTime": _now()}]}}
        try:
            await self.client.patch("pods", md["name"], patch, md.get("namespace"),
                                    subresource="status",
                                    patch_type="application/strategic-merge-patch+json")
        except (APIError, OSError) as e:
            log.info("could not mark %s/%s unschedulable: %s", md.get("namespace"),
                     md.get("name"), e)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_client_flags(parser)
    add_leader_election_flags(parser, "kube-scheduler")
    parser.add_argument("--percentage-of-nodes-to-score", type=int, default=0,
                        help="share of nodes to find feasible before scoring (0: adaptive)")
    parser.add_argument("--parallelism", type=int, default=0,
                        help="threads that score nodes (0: one on machines of two cores or "
                             "fewer, else one per core)")


def main(args: argparse.Namespace) -> int:
    import uvloop

    async def go() -> int:
        # informers keep objects without managedFields, as upstream's: the scheduler never
        # reads them, and they are half of what decoding a pod costs
        async with (client_from_flags(args, SCHEDULER_NAME, strip_managed_fields=True) as client,
                    client_from_flags(args, SCHEDULER_NAME) as event_client):
            scheduler = Scheduler(client, args.percentage_of_nodes_to_score, args.parallelism,
                                  event_client)
            return await lead_until_stopped(client, args, scheduler.run, scheduler.events.flush)

    try:
        return uvloop.run(go())
    except KeyboardInterrupt:
        return 0
