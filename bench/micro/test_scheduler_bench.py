"""Micro-benchmarks of one scheduling decision (filter and score, then assume), native
against pure, at 1,000 and 5,000 nodes; and the native core's equivalence-class cache.

The clusters and pods are those of ``paddock bench scheduler`` (``bench/scheduler.py``'s
``build`` over ``bench/workloads/scheduler.yaml``), built in-process with no apiserver.
Each round places the next pod of the queue with the adaptive percentage of nodes to score,
as upstream, and assumes it on its node, as the scheduler's cache does; so the native core
rewrites one row per decision, as it does in the real scheduler.  The native side is
``scheduler/native.py`` over ``_native/scheduler.pyx`` (``NodeTable.find_feasible`` and
``score``, and for TopologySpread the domain routines ``keep_keyed``, ``domain_totals``,
``domain_minimum``, ``mark_domains``, ``add_spread_scores``, ``normalize_spread``); the twin
is ``scheduler/algorithm.py``.  ``copy_rows``, ``remap_bytes`` and ``remap_int64`` keep the
native side's columns when the node list changes, state the pure twin does not have; they
are not timed here.

The cache: the native core filters nodes on labels, taints and cordons once per
*equivalence class* of pods (same node selector, affinity, tolerations) and keeps the
result.  ``shared`` places pods of one class (one controller's); ``distinct`` gives each pod
a toleration of its own (harmless: no node has that taint), so every decision computes its
class again, as it would without the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from paddock.bench.scheduler import build
from paddock.scheduler.algorithm import Algorithm
from paddock.scheduler.framework import NodeInfo, PodInfo
from paddock.scheduler.native import NativeAlgorithm

CASES = [("SchedulingBasic", 1000), ("SchedulingBasic", 5000),
         ("TopologySpread", 1000), ("TopologySpread", 5000)]
# fixed rounds (every call changes the cluster): the pure twin takes up to 15 ms a pod
ROUNDS = {"native": 60, "pure": 8}
WARMUP = 2  # the native core builds its table and the pod's class on the first decision
CACHE_NODES = 5000
CACHE_ROUNDS = 20


def _placer(algorithm: Algorithm, cluster: list[NodeInfo], queue: list[PodInfo]
            ) -> Callable[[], NodeInfo]:
    """A call that places the next pod of ``queue`` and assumes it on its node."""
    pods = iter(queue)

    def place() -> NodeInfo:
        pod = next(pods)
        node = algorithm.schedule(pod, cluster)
        node.add_pod(pod)
        return node

    return place


@pytest.mark.parametrize("impl", ["native", "pure"])
@pytest.mark.parametrize(("workload", "nodes"), CASES)
def test_schedule_pod(benchmark: Any, workload: str, nodes: int, impl: str) -> None:
    rounds = ROUNDS[impl]
    cluster, queue = build(workload, nodes, rounds + WARMUP)
    algorithm = NativeAlgorithm() if impl == "native" else Algorithm()
    benchmark.group = f"schedule_pod {workload} {nodes} nodes"
    benchmark.extra_info.update(impl=impl, nodes=nodes, workload=workload)
    node = benchmark.pedantic(_placer(algorithm, cluster, queue), rounds=rounds,
                              warmup_rounds=WARMUP)
    assert queue[-1].key in node.pods or benchmark.disabled


@pytest.mark.parametrize("classes", ["shared", "distinct"])
def test_equivalence_class_cache(benchmark: Any, classes: str) -> None:
    cluster, queue = build("SchedulingBasic", CACHE_NODES, CACHE_ROUNDS + WARMUP)
    if classes == "distinct":
        for i, pod in enumerate(queue):
            pod.pod["spec"]["tolerations"] = [{"key": f"bench/pod-{i}", "operator": "Exists"}]
            queue[i] = PodInfo.of(pod.pod)
    benchmark.group = f"equivalence_class_cache {CACHE_NODES} nodes"
    benchmark.extra_info.update(classes=classes, nodes=CACHE_NODES)
    node = benchmark.pedantic(_placer(NativeAlgorithm(), cluster, queue), rounds=CACHE_ROUNDS,
                              warmup_rounds=WARMUP)
    assert queue[-1].key in node.pods or benchmark.disabled
