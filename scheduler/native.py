"""The scheduling algorithm on the native core: the same decisions as ``algorithm.py``.

Filters split in two.  What depends only on the nodes' labels, taints and cordons and on
the pod's spec (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity) is computed by
the pure plugins once per *equivalence class* of pods (pods with the same node name, node
selector, node affinity and tolerations: the pods of one controller) and kept as a mask
over the nodes, with the static part of the scores (untolerated PreferNoSchedule taints,
preferred affinity weights) and each node's reasons for failing.  A class is not dropped
when nodes change: only the rows of the nodes whose labels, taints or cordon changed are
computed again, and a node added or removed remaps the rows of the others.

What changes with every pod placed lives in ``_native.scheduler.NodeTable``, columnar
arrays the filters and scores scan without the GIL: requested amounts of every resource a
pod has asked for (extended resources get a column the first time a pod asks for one),
pod counts, and per-node counts of the pods each selector matches (SelectorSpread's
selector sets, PodTopologySpread's label selectors).  Only the rows of nodes whose
generation changed since the last decision are rewritten: that is the scheduler's
snapshot.  Host ports are checked in Python against the few nodes that have any in use,
as a second mask.  PodTopologySpread's domains are per-node ids for each topology key.
"""

from __future__ import annotations

import array
import math
import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

import orjson

from .algorithm import Algorithm, FitError, nodes_to_find
from .framework import CPU, HOSTNAME_LABEL, MEMORY, PODS, NodeInfo, PodInfo
from .plugins import (
    FILTERS,
    SCORES,
    balanced_allocation,
    node_affinity,
    node_name,
    node_ports,
    node_resources_fit,
    node_unschedulable,
    pod_topology_spread,
    selector_spread,
    taint_toleration,
)

# OpenMP's idle threads must sleep, not spin: the scheduler shares two cores with the
# apiserver (read when the library loads, so before the import below)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from paddock._native import scheduler as core  # noqa: E402

STATIC_FILTERS = (node_unschedulable, node_name, taint_toleration, node_affinity)
if FILTERS != (*STATIC_FILTERS, node_ports, node_resources_fit, pod_topology_spread):
    raise ImportError("the native algorithm runs the filters in another order")
WEIGHTS = {plugin.NAME: weight for plugin, weight in SCORES}
if set(WEIGHTS) != {taint_toleration.NAME, node_affinity.NAME, node_resources_fit.NAME,
                    balanced_allocation.NAME, selector_spread.NAME, pod_topology_spread.NAME}:
    raise ImportError("the native algorithm does not compute every score plugin")

FIRST_RESOURCES = (CPU, MEMORY)
Column = tuple[str, tuple[str, ...]]  # namespace, selectors


def _zeros(n: int) -> array.array[int]:
    return array.array("q", bytes(8 * n))


def default_threads() -> int:
    """Threads for scoring: one on machines of two cores or fewer, where waking a second
    thread for each decision costs more than it saves (measured by ``paddock bench
    scheduler --parallel``: 0.6x at 5,000 nodes, 0.94x at 20,000) and a spinning one
    would take the core the apiserver needs; else every core."""
    cores = os.cpu_count() or 1
    return 1 if cores <= 2 else cores


class _Class:
    """What the static filters and scores say of every node for one equivalence class."""

    __slots__ = ("pod", "mask", "why", "taint_scores", "affinity_scores", "affinity_ok",
                 "taints_ok", "_reasons")

    def __init__(self, pod: PodInfo, nodes: Sequence[NodeInfo]) -> None:
        self.pod = pod
        n = len(nodes)
        self.mask = bytearray(n)
        self.why: list[list[str] | None] = [None] * n
        self.taint_scores = _zeros(n)
        self.affinity_scores = _zeros(n)
        # PodTopologySpread's inclusion policies, made when a pod of the class needs them
        self.affinity_ok: bytearray | None = None
        self.taints_ok: bytearray | None = None
        self._reasons: Counter[str] | None = None
        for i, node in enumerate(nodes):
            self.set_row(i, node)

    def set_row(self, i: int, node: NodeInfo) -> None:
        pod = self.pod
        self._reasons = None
        for plugin in STATIC_FILTERS:
            reasons = plugin.filter(pod, node)
            if reasons:
                self.why[i] = reasons
                self.mask[i] = 0
                self.taint_scores[i] = self.affinity_scores[i] = 0
                break
        else:
            self.why[i] = None
            self.mask[i] = 1
            self.taint_scores[i] = taint_toleration.score(pod, node)
            self.affinity_scores[i] = node_affinity.score(pod, node)
        if self.affinity_ok is not None:
            self.affinity_ok[i] = not node_affinity.filter(pod, node)
        if self.taints_ok is not None:
            self.taints_ok[i] = not taint_toleration.filter(pod, node)

    def remap(self, old_of_new: array.array[int], nodes: Sequence[NodeInfo]) -> None:
        """Rows for a new node list: kept where ``old_of_new`` names the old row, computed
        for the others."""
        self.mask = core.remap_bytes(self.mask, old_of_new)
        self.why = [self.why[j] if j >= 0 else None for j in old_of_new]
        self.taint_scores = core.remap_int64(self.taint_scores, old_of_new)
        self.affinity_scores = core.remap_int64(self.affinity_scores, old_of_new)
        if self.affinity_ok is not None:
            self.affinity_ok = core.remap_bytes(self.affinity_ok, old_of_new)
        if self.taints_ok is not None:
            self.taints_ok = core.remap_bytes(self.taints_ok, old_of_new)
        for i, j in enumerate(old_of_new):
            if j < 0:
                self.set_row(i, nodes[i])
        self._reasons = None

    def policies(self, nodes: Sequence[NodeInfo]) -> tuple[bytearray, bytearray]:
        if self.affinity_ok is None or self.taints_ok is None:
            self.affinity_ok = bytearray(not node_affinity.filter(self.pod, n) for n in nodes)
            self.taints_ok = bytearray(not taint_toleration.filter(self.pod, n) for n in nodes)
        return self.affinity_ok, self.taints_ok

    @property
    def reasons(self) -> Counter[str]:
        """How many nodes each static reason stopped."""
        if self._reasons is None:
            self._reasons = Counter()
            for why in self.why:
                if why:
                    self._reasons.update(why)
        return self._reasons


def equivalence_key(pod: PodInfo) -> bytes:
    spec = pod.pod.get("spec") or {}
    return orjson.dumps([spec.get("nodeName"), spec.get("nodeSelector"),
                         (spec.get("affinity") or {}).get("nodeAffinity"), spec.get("tolerations")],
                        option=orjson.OPT_SORT_KEYS)


def _static_same(a: NodeInfo, b: NodeInfo) -> bool:
    return (a.name == b.name and a.labels == b.labels and a.taints == b.taints
            and a.unschedulable == b.unschedulable)


class _Decision:
    """A pod's filtering on the native core: the nodes found, and why the others failed."""

    __slots__ = ("pod", "cls", "found", "count", "processed", "port_failures", "reasons",
                 "topology")

    def __init__(self, pod: PodInfo, cls: _Class) -> None:
        self.pod = pod
        self.cls = cls
        self.found = _zeros(0)
        self.count = self.processed = self.port_failures = 0
        self.reasons = _zeros(0)
        self.topology: tuple[Any, ...] | None = None


class NativeAlgorithm(Algorithm):
    """:class:`Algorithm` with the node loops in ``_native.scheduler``."""

    def __init__(self, percentage_of_nodes_to_score: int = 0, threads: int = 0,
                 parallel_min: int = core.PARALLEL_MIN) -> None:
        super().__init__(percentage_of_nodes_to_score)
        self.threads = threads or default_threads()
        self.parallel_min = parallel_min
        self._source: Sequence[NodeInfo] | None = None
        self._nodes: list[NodeInfo] = []
        self._index: dict[str, int] = {}
        self._generations: list[int] = []
        self._dirty: list[NodeInfo] = []
        self._resources: list[str] = list(FIRST_RESOURCES)
        self._resource_index = {name: i for i, name in enumerate(self._resources)}
        self._table = core.NodeTable(0, len(self._resources))
        self._classes: dict[bytes, _Class] = {}
        self._columns: dict[Column, array.array[int]] = {}
        self._column_selectors: dict[Column, list[Any]] = {}
        self._port_rows: set[int] = set()
        self._domains: dict[str, tuple[array.array[int], int]] = {}
        self._zones = _zeros(0)
        self._zone_count = 0
        self._no_counts = _zeros(0)
        self._wants: dict[tuple[Any, ...], array.array[int]] = {}
        self._no_constraints = (0, _zeros(1), _zeros(1), _zeros(1), _zeros(1))

    # -- keeping the columns current

    def _sync(self, nodes: Sequence[NodeInfo]) -> None:
        """Bring the table up to date with ``nodes`` (a node added, removed or changed
        comes as a new list: the cache replaces a changed node's NodeInfo), then rewrite
        the rows of the nodes that reported pods coming or going."""
        if nodes is not self._source:
            widened = self._source is None and self._table.resources != len(self._resources)
            self._source = nodes
            if not widened and len(nodes) == len(self._nodes) and all(
                    a.name == b.name for a, b in zip(nodes, self._nodes, strict=True)):
                for i, (new, old) in enumerate(zip(nodes, self._nodes, strict=True)):
                    if new is not old:
                        self._replace(i, new, old)
            else:
                self._rebuild(nodes)
        while self._dirty:
            node = self._dirty.pop()
            row = self._index.get(node.name)
            if row is not None and self._nodes[row] is node and (
                    node.generation != self._generations[row]):
                self._write_row(row, node)

    def _replace(self, i: int, new: NodeInfo, old: NodeInfo) -> None:
        """A node changed in place (same position): its rows, and its static rows in every
        class if its labels, taints or cordon changed."""
        self._nodes[i] = new
        new.changed = self._dirty
        old.changed = None
        if not _static_same(new, old):
            for cls in self._classes.values():
                cls.set_row(i, new)
            if new.labels != old.labels:
                self._domains.clear()
                self._set_zones()
        self._write_row(i, new)

    def _rebuild(self, nodes: Sequence[NodeInfo]) -> None:
        """A new node list: rows of unchanged nodes are carried over, the rest computed."""
        old_nodes, old_index, old_table = self._nodes, self._index, self._table
        old_generations = self._generations
        self._nodes = list(nodes)
        self._index = {n.name: i for i, n in enumerate(self._nodes)}
        n = len(self._nodes)
        static_map = _zeros(n)
        table_map = _zeros(n)
        for i, node in enumerate(self._nodes):
            j = old_index.get(node.name, -1)
            old = old_nodes[j] if j >= 0 else None
            static_map[i] = j if old is not None and (old is node or _static_same(old, node)) else -1
            table_map[i] = j if old is node and old_generations[j] == node.generation else -1
        for old in old_nodes:
            old.changed = None
        self._table = core.NodeTable(n, len(self._resources))
        if old_table.resources == self._table.resources:
            self._table.copy_rows(old_table, table_map)
        else:
            table_map = array.array("q", [-1] * n)
        for cls in self._classes.values():
            cls.remap(static_map, self._nodes)
        for key, counts in self._columns.items():
            self._columns[key] = core.remap_int64(counts, table_map)
        self._generations = [-1] * n
        self._port_rows.clear()
        self._domains.clear()
        self._dirty.clear()
        self._set_zones()
        self._no_counts = _zeros(n)
        for i, node in enumerate(self._nodes):
            node.changed = self._dirty
            if table_map[i] < 0:
                self._write_row(i, node)
            else:
                self._generations[i] = node.generation
                if node.used_ports:
                    self._port_rows.add(i)

    def _set_zones(self) -> None:
        zone_ids: dict[str, int] = {}
        for node in self._nodes:
            if node.zone:
                zone_ids.setdefault(node.zone, len(zone_ids))
        self._zones = array.array("q", (zone_ids.get(n.zone, -1) if n.zone else -1
                                        for n in self._nodes))
        self._zone_count = len(zone_ids)

    def _write_row(self, i: int, node: NodeInfo) -> None:
        for key, counts in self._columns.items():
            counts[i] = selector_spread.kin_on(node, key[0], self._column_selectors[key])
        a, r = node.allocatable, node.requested
        self._table.set_row(i, a.get(PODS, 0), len(node.pods), node.non_zero_cpu,
                            node.non_zero_memory,
                            array.array("q", [a.get(name, 0) for name in self._resources]),
                            array.array("q", [r.get(name, 0) for name in self._resources]))
        if node.used_ports:
            self._port_rows.add(i)
        else:
            self._port_rows.discard(i)
        self._generations[i] = node.generation

    def _column(self, namespace: str, selectors: Sequence[Any], names: tuple[str, ...]) -> array.array[int]:
        """For each node, the pods of ``namespace`` not being deleted that one of
        ``selectors`` matches, kept current with the rows."""
        key = (namespace, names)
        counts = self._columns.get(key)
        if counts is None:
            counts = array.array("q", (selector_spread.kin_on(node, namespace, selectors)
                                       for node in self._nodes))
            self._columns[key] = counts
            self._column_selectors[key] = list(selectors)
        return counts

    def _domain_ids(self, key: str) -> tuple[array.array[int], int]:
        """Each node's domain for a topology key (-1: no such label), and how many."""
        cached = self._domains.get(key)
        if cached is None:
            ids: dict[str, int] = {}
            column = array.array("q", (ids.setdefault(n.labels[key], len(ids)) if key in n.labels
                                       else -1 for n in self._nodes))
            cached = self._domains[key] = (column, len(ids))
        return cached

    # -- deciding

    def _filter(self, pod: PodInfo, nodes: Sequence[NodeInfo], start: int,
                wanted: int) -> _Decision:
        for name in pod.requests:
            if name not in self._resource_index and name != PODS:
                self._resource_index[name] = len(self._resources)
                self._resources.append(name)
                self._source = None  # a wider table: every row again
        self._sync(nodes)
        key = equivalence_key(pod)
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = _Class(pod, self._nodes)
        decision = _Decision(pod, cls)
        mask: bytearray | bytes = cls.mask
        if pod.ports and self._port_rows:
            mask = bytearray(cls.mask)
            for row in self._port_rows:
                if mask[row] and node_ports.filter(pod, self._nodes[row]):
                    mask[row] = 0
                    decision.port_failures += 1
        want_key = (len(self._resources), *pod.requests.items())
        want = self._wants.get(want_key)
        if want is None:
            want = array.array("q", [0] * len(self._resources))
            for name, amount in pod.requests.items():
                if name != PODS:
                    want[self._resource_index[name]] = amount
            if len(self._wants) > 1024:
                self._wants.clear()
            self._wants[want_key] = want
        hard = self._hard_constraints(pod, cls)
        decision.found = _zeros(max(wanted, 1))
        decision.reasons = _zeros(len(self._resources) + 3)
        decision.count, decision.processed = self._table.find_feasible(
            mask, want, start, wanted, decision.found, decision.reasons, *hard)
        return decision

    def _hard_constraints(self, pod: PodInfo, cls: _Class) -> tuple[Any, ...]:
        """find_feasible's topology arguments for the pod's DoNotSchedule constraints."""
        hard = [c for c in pod_topology_spread.compiled(pod) if c.hard]
        if not hard:
            return self._no_constraints
        n = len(self._nodes)
        keyed = bytearray(b"\x01" * n)
        domains = []
        for c in hard:
            column, _ = self._domain_ids(c.key)
            core.keep_keyed(keyed, column)
            domains.append(column)
        all_domains = array.array("q")
        all_totals = array.array("q")
        offsets = array.array("q")
        limits = array.array("q")
        for c, column in zip(hard, domains, strict=True):
            totals, seen = self._domain_totals(pod, cls, c, column, keyed)
            present, minimum = core.domain_minimum(totals, seen, len(totals))
            if present < c.min_domains:
                minimum = 0
            offsets.append(len(all_totals))
            all_domains.extend(column)
            all_totals.extend(totals)
            limits.append(c.max_skew + minimum - c.self_match)
        if not all_totals:
            all_totals.append(0)
        return len(hard), all_domains, all_totals, offsets, limits

    def _domain_totals(self, pod: PodInfo, cls: _Class, c: pod_topology_spread.Constraint,
                       column: array.array[int], keyed: bytearray,
                       only: array.array[int] | None = None) -> tuple[array.array[int], array.array[int]]:
        """The count of each domain of ``c`` over the nodes that have every key
        (``keyed``) and pass its inclusion policies."""
        included = keyed
        if c.honor_affinity or c.honor_taints:
            affinity_ok, taints_ok = cls.policies(self._nodes)
            if c.honor_affinity:
                included = core.and_masks(included, affinity_ok)
            if c.honor_taints:
                included = core.and_masks(included, taints_ok)
        counts = self._column(pod.namespace, (c.selector,), c.column)
        size = self._domain_ids(c.key)[1]
        totals, seen = _zeros(max(size, 1)), _zeros(max(size, 1))
        core.domain_totals(column, counts, included, totals, seen,
                           only if only is not None else totals, only is not None)
        return totals[:size], seen[:size]

    def _topology_scores(self, decision: _Decision) -> array.array[int] | None:
        """PodTopologySpread's normalized scores of the nodes found, by position."""
        pod, cls = decision.pod, decision.cls
        soft = [c for c in pod_topology_spread.compiled(pod) if not c.hard]
        if not soft:
            return None
        found, count = decision.found, decision.count
        scored = bytearray(b"\x01" * len(self._nodes))
        for c in soft:
            core.keep_keyed(scored, self._domain_ids(c.key)[0])
        acc = array.array("d", bytes(8 * count))
        for c in soft:
            column, size = self._domain_ids(c.key)
            marked = _zeros(max(size, 1))
            distinct, nscored = core.mark_domains(found, count, column, scored, marked)
            if c.key == HOSTNAME_LABEL:
                values = self._column(pod.namespace, (c.selector,), c.column)
                weight = math.log(nscored + 2)
                core.add_spread_scores(found, count, scored, column, values, False, weight,
                                       c.max_skew, acc)
            else:
                totals, _ = self._domain_totals(pod, cls, c, column, scored, marked)
                if not totals:
                    totals.append(0)
                core.add_spread_scores(found, count, scored, column, totals, True,
                                       math.log(distinct + 2), c.max_skew, acc)
        out = _zeros(max(count, 1))
        core.normalize_spread(found, count, scored, acc, out)
        return out

    def _score(self, decision: _Decision, totals: array.array[int]) -> int:
        pod, cls = decision.pod, decision.cls
        # without selectors every node spreads alike, which changes no choice
        counts = self._no_counts
        if pod.spread_selectors:
            counts = self._column(pod.namespace, pod.spread_selectors,
                                  tuple(sorted(str(s) for s in pod.spread_selectors)))
        topology = self._topology_scores(decision)
        w = WEIGHTS
        best: int = self._table.score(
            decision.found, decision.count, pod.non_zero_cpu, pod.non_zero_memory,
            pod.requests.get(CPU, 0), pod.requests.get(MEMORY, 0), cls.taint_scores,
            cls.affinity_scores, counts, self._zones, self._zone_count,
            bool(pod.spread_selectors), topology if topology is not None else self._no_counts,
            topology is not None, w[taint_toleration.NAME], w[node_affinity.NAME],
            w[node_resources_fit.NAME], w[balanced_allocation.NAME], w[selector_spread.NAME],
            w[pod_topology_spread.NAME], totals, self.threads, self.parallel_min)
        return best

    def _fit_error(self, decision: _Decision, total: int) -> FitError:
        counter = Counter(decision.cls.reasons)
        if decision.port_failures:
            counter[node_ports.REASON] += decision.port_failures
        r = decision.reasons
        names = ["Too many pods", *(f"Insufficient {name}" for name in self._resources),
                 pod_topology_spread.MISSING_LABEL, pod_topology_spread.REASON]
        for reason, n in zip(names, r, strict=True):
            if n:
                counter[reason] += n
        return FitError(decision.pod, total, counter)

    def schedule(self, pod: PodInfo, nodes: Sequence[NodeInfo]) -> NodeInfo:
        if not nodes:
            raise FitError(pod, 0)
        total = len(nodes)
        wanted = nodes_to_find(total, self.percentage)
        decision = self._filter(pod, nodes, self.next_start, wanted)
        self.next_start = (self.next_start + decision.processed) % total
        if decision.count == 0:
            raise self._fit_error(decision, total)
        if decision.count == 1:
            return self._nodes[decision.found[0]]
        best = self._score(decision, _zeros(decision.count))
        return self._nodes[decision.found[best]]

    def evaluate(self, pod: PodInfo, nodes: Sequence[NodeInfo]) -> tuple[
            list[NodeInfo], Counter[str], list[int]]:
        if not nodes:
            return [], Counter(), []
        decision = self._filter(pod, nodes, 0, len(nodes))
        feasible = [self._nodes[i] for i in decision.found[:decision.count]]
        reasons = self._fit_error(decision, len(nodes)).reasons
        if not feasible:
            return feasible, reasons, []
        totals = _zeros(decision.count)
        self._score(decision, totals)
        return feasible, reasons, list(totals)
