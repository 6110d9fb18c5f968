"""The scheduling algorithm on the native core: the same decisions as ``algorithm.py``.

Filters split in two.  What depends only on the nodes' labels, taints and cordons and on
the pod's spec (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity) is computed by
the pure plugins once per *equivalence class* of pods (pods with the same node name, node
selector, node affinity and tolerations: the pods of one controller) and kept as a mask
over the nodes, with the static part of the scores (untolerated PreferNoSchedule taints,
preferred affinity weights) and the counts of the reasons nodes failed; it is dropped
whenever a node is added, removed or changed.  What changes with every pod placed (room
for the pod's requests) is checked by ``_native.scheduler.NodeTable`` over columnar
arrays without the GIL, which also computes the LeastAllocated and BalancedAllocation
scores, and SelectorSpread's from per-node counts of each selector set's pods, kept up to
date for the nodes whose pods change.  Pods that ask for host ports or extended resources,
or carry topology spread constraints, are decided by the pure algorithm (these checks are
not in the native core yet).
"""

from __future__ import annotations

import array
from collections import Counter
from collections.abc import Sequence
from typing import Any

import orjson

from paddock._native.scheduler import NodeTable

from .algorithm import Algorithm, FitError, nodes_to_find
from .framework import CPU, EPHEMERAL_STORAGE, MEMORY, PODS, NodeInfo, PodInfo
from .plugins import (
    SCORES,
    balanced_allocation,
    node_affinity,
    node_name,
    node_resources_fit,
    node_unschedulable,
    pod_topology_spread,
    selector_spread,
    taint_toleration,
)

STATIC_FILTERS = (node_unschedulable, node_name, taint_toleration, node_affinity)
NATIVE_RESOURCES = {CPU, MEMORY, EPHEMERAL_STORAGE, PODS}
WEIGHTS = {plugin.NAME: weight for plugin, weight in SCORES}
# PodTopologySpread scores every node alike for pods without constraints, and pods with
# them are decided by the pure algorithm
if set(WEIGHTS) != {taint_toleration.NAME, node_affinity.NAME, node_resources_fit.NAME,
                    balanced_allocation.NAME, selector_spread.NAME, pod_topology_spread.NAME}:
    raise ImportError("the native algorithm does not compute every score plugin")
DYNAMIC_REASONS = ("Too many pods", "Insufficient cpu", "Insufficient memory",
                   "Insufficient ephemeral-storage")


class _Class:
    """What the static filters and scores say of every node for one equivalence class."""

    __slots__ = ("mask", "static_reasons", "taint_scores", "affinity_scores")

    def __init__(self, pod: PodInfo, nodes: Sequence[NodeInfo]) -> None:
        self.mask = bytearray(len(nodes))
        self.static_reasons: Counter[str] = Counter()
        self.taint_scores = array.array("q", bytes(8 * len(nodes)))
        self.affinity_scores = array.array("q", bytes(8 * len(nodes)))
        for i, node in enumerate(nodes):
            for plugin in STATIC_FILTERS:
                reasons = plugin.filter(pod, node)
                if reasons:
                    self.static_reasons.update(reasons)
                    break
            else:
                self.mask[i] = 1
                self.taint_scores[i] = taint_toleration.score(pod, node)
                self.affinity_scores[i] = node_affinity.score(pod, node)


def equivalence_key(pod: PodInfo) -> bytes:
    spec = pod.pod.get("spec") or {}
    return orjson.dumps([spec.get("nodeName"), spec.get("nodeSelector"),
                         (spec.get("affinity") or {}).get("nodeAffinity"), spec.get("tolerations")],
                        option=orjson.OPT_SORT_KEYS)


class NativeAlgorithm(Algorithm):
    """:class:`Algorithm` with the node loops in ``_native.scheduler``."""

    def __init__(self, percentage_of_nodes_to_score: int = 0) -> None:
        super().__init__(percentage_of_nodes_to_score)
        self._source: Sequence[NodeInfo] | None = None
        self._nodes: list[NodeInfo] = []
        self._index: dict[str, int] = {}
        self._generations: list[int] = []
        self._dirty: list[NodeInfo] = []
        self._table = NodeTable(0)
        self._classes: dict[bytes, _Class] = {}
        self._spread: dict[tuple[str, tuple[str, ...]], array.array[int]] = {}
        self._spread_selectors: dict[tuple[str, tuple[str, ...]], list[Any]] = {}
        self._zones = array.array("q")
        self._zone_count = 0
        self._no_counts = array.array("q")

    def _sync(self, nodes: Sequence[NodeInfo]) -> None:
        """Bring the table up to date: rebuild it for a new node list (a node added,
        removed or changed is a new list: the cache replaces a changed node's NodeInfo),
        else rewrite only the rows of nodes that reported pods coming or going."""
        if nodes is not self._source:
            self._source = nodes
            self._nodes = list(nodes)
            self._index = {n.name: i for i, n in enumerate(nodes)}
            self._table = NodeTable(len(nodes))
            self._generations = [-1] * len(nodes)
            self._classes.clear()
            self._spread.clear()
            self._spread_selectors.clear()
            self._dirty.clear()
            zone_ids: dict[str, int] = {}
            for n in self._nodes:
                if n.zone:
                    zone_ids.setdefault(n.zone, len(zone_ids))
            self._zones = array.array("q", (zone_ids.get(n.zone, -1) if n.zone else -1
                                            for n in self._nodes))
            self._zone_count = len(zone_ids)
            self._no_counts = array.array("q", bytes(8 * len(nodes)))
            for i, node in enumerate(self._nodes):
                node.changed = self._dirty
                self._write_row(i, node)
            return
        while self._dirty:
            node = self._dirty.pop()
            row = self._index.get(node.name)
            if row is not None and self._nodes[row] is node and (
                    node.generation != self._generations[row]):
                self._write_row(row, node)

    def _write_row(self, i: int, node: NodeInfo) -> None:
        for key, counts in self._spread.items():
            counts[i] = selector_spread.kin_on(node, key[0], self._spread_selectors[key])
        a, r = node.allocatable, node.requested
        self._table.set_row(i, a.get(CPU, 0), a.get(MEMORY, 0), a.get(EPHEMERAL_STORAGE, 0),
                            a.get(PODS, 0), r.get(CPU, 0), r.get(MEMORY, 0),
                            r.get(EPHEMERAL_STORAGE, 0), len(node.pods), node.non_zero_cpu,
                            node.non_zero_memory)
        self._generations[i] = node.generation

    def schedule(self, pod: PodInfo, nodes: Sequence[NodeInfo]) -> NodeInfo:
        if (pod.ports or any(k not in NATIVE_RESOURCES for k in pod.requests) or not nodes
                or pod_topology_spread.constraints(pod)):
            return super().schedule(pod, nodes)
        self._sync(nodes)
        key = equivalence_key(pod)
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = _Class(pod, self._nodes)
        total = len(self._nodes)
        wanted = nodes_to_find(total, self.percentage)
        found = array.array("q", bytes(8 * wanted))
        reasons = array.array("q", bytes(8 * len(DYNAMIC_REASONS)))
        count, processed = self._table.find_feasible(
            cls.mask, pod.requests.get(CPU, 0), pod.requests.get(MEMORY, 0),
            pod.requests.get(EPHEMERAL_STORAGE, 0), self.next_start, wanted, found, reasons)
        self.next_start = (self.next_start + processed) % total
        if count == 0:
            counter = Counter(cls.static_reasons)
            for reason, n in zip(DYNAMIC_REASONS, reasons, strict=True):
                if n:
                    counter[reason] += n
            raise FitError(pod, total, counter)
        if count == 1:
            return self._nodes[found[0]]
        # without selectors every node spreads alike, which changes no choice
        counts = self._spread_counts(pod) if pod.spread_selectors else self._no_counts
        w = WEIGHTS
        best = self._table.choose(
            found, count, pod.non_zero_cpu, pod.non_zero_memory, pod.requests.get(CPU, 0),
            pod.requests.get(MEMORY, 0), cls.taint_scores, cls.affinity_scores, counts,
            self._zones, self._zone_count, bool(pod.spread_selectors),
            w[taint_toleration.NAME], w[node_affinity.NAME], w[node_resources_fit.NAME],
            w[balanced_allocation.NAME], w[selector_spread.NAME])
        return self._nodes[found[best]]

    def _spread_counts(self, pod: PodInfo) -> array.array[int]:
        """For each node, the pods of the placed pod's namespace its spreading selectors
        match (SelectorSpread's count), kept per selector set and refreshed for the nodes
        whose pods changed."""
        key = (pod.namespace, tuple(sorted(str(s) for s in pod.spread_selectors)))
        counts = self._spread.get(key)
        if counts is None:
            counts = array.array("q", (selector_spread.kin_on(node, pod.namespace,
                                                              pod.spread_selectors)
                                       for node in self._nodes))
            self._spread[key] = counts
            self._spread_selectors[key] = list(pod.spread_selectors)
        return counts
