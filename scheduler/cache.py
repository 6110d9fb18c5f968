"""The scheduler's view of the cluster: nodes, and the pods bound or assumed on each.

A pod is *assumed* on its node the moment it is chosen, before the binding is written, so
that the next decision already counts it; the binding runs in the background and either
is confirmed (the pod's watch event arrives with ``spec.nodeName``) or fails, and then the
pod is *forgotten* and goes back to the queue::

    (chosen) ──assume──> ASSUMED ──watch shows it bound──> BOUND ──deleted──> gone
                            │
                            └── binding failed ──forget──> gone (requeued)

Pods bound by someone else (or before the scheduler started) come in as BOUND directly.
"""

from __future__ import annotations

from typing import Any

from .framework import NodeInfo, PodInfo


class SchedulerCache:
    def __init__(self) -> None:
        self.nodes: dict[str, NodeInfo] = {}
        self._node_order: list[NodeInfo] | None = None
        self._positions: dict[str, int] = {}
        # pod key -> (node name, assumed?)
        self._pods: dict[str, tuple[str, bool]] = {}
        # pods bound to nodes the cache has not seen yet, by node name
        self._waiting: dict[str, dict[str, PodInfo]] = {}

    # -- nodes

    def node_list(self) -> list[NodeInfo]:
        """Every node, zones taken in turn (one node of each zone, then the next of each),
        as upstream's node tree lists them: a decision that looks at only some of the nodes
        still sees every zone.  Within a zone, by name."""
        if self._node_order is None:
            zones: dict[str, list[NodeInfo]] = {}
            for name in sorted(self.nodes):
                node = self.nodes[name]
                zones.setdefault(node.zone, []).append(node)
            columns = [zones[z] for z in sorted(zones)]
            self._node_order = [column[i] for i in range(max(map(len, columns), default=0))
                                for column in columns if i < len(column)]
            self._positions = {n.name: i for i, n in enumerate(self._node_order)}
        return self._node_order

    def set_node(self, node: dict[str, Any]) -> None:
        name = node["metadata"]["name"]
        old = self.nodes.get(name)
        pods = list(old.pods.values()) if old is not None else list(
            self._waiting.pop(name, {}).values())
        info = NodeInfo.of(node, pods)
        self.nodes[name] = info
        if old is not None:
            info.generation = old.generation + 1
            if self._node_order is not None and old.zone == info.zone:
                # same place in the order: a new list (so that users see a change) with
                # the node replaced, rather than sorting them all again
                order = list(self._node_order)
                order[self._positions[name]] = info
                self._node_order = order
                return
        self._node_order = None

    def remove_node(self, name: str) -> None:
        old = self.nodes.pop(name, None)
        if old is not None and old.pods:
            self._waiting[name] = dict(old.pods)
        self._node_order = None

    # -- pods

    def assume(self, pod: PodInfo, node_name: str) -> None:
        self._place(pod, node_name)
        self._pods[pod.key] = (node_name, True)

    def forget(self, key: str) -> None:
        """An assumed pod whose binding failed."""
        placed = self._pods.get(key)
        if placed is not None and placed[1]:
            self._unplace(key, placed[0])
            del self._pods[key]

    def is_assumed(self, key: str) -> bool:
        placed = self._pods.get(key)
        return placed is not None and placed[1]

    def set_bound_pod(self, pod: dict[str, Any]) -> None:
        """A pod with ``spec.nodeName`` as the apiserver has it (confirms an assumption)."""
        info = PodInfo.of(pod)
        node_name = pod["spec"]["nodeName"]
        placed = self._pods.get(info.key)
        if placed is not None and placed[0] != node_name:
            self._unplace(info.key, placed[0])
        self._place(info, node_name)
        self._pods[info.key] = (node_name, False)

    def remove_pod(self, key: str) -> None:
        placed = self._pods.pop(key, None)
        if placed is not None:
            self._unplace(key, placed[0])

    def _place(self, pod: PodInfo, node_name: str) -> None:
        node = self.nodes.get(node_name)
        if node is not None:
            node.add_pod(pod)
        else:
            self._waiting.setdefault(node_name, {})[pod.key] = pod

    def _unplace(self, key: str, node_name: str) -> None:
        node = self.nodes.get(node_name)
        if node is not None:
            node.remove_pod(key)
        else:
            self._waiting.get(node_name, {}).pop(key, None)
