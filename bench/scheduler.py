"""``paddock bench scheduler``: scheduling decisions per second, in-process, no apiserver.

The cluster and pods come from ``bench/workloads/scheduler.yaml``; ``--nodes`` and
``--pods`` size them.  Each pod is placed by the scheduler's algorithm (adaptive
percentage of nodes to score, as upstream) and assumed on its node before the next, as the
real scheduler's cache does; the report (JSON) gives pods per second and the latency
percentiles of one decision.  ``--impl python`` is the pure-Python algorithm
(``scheduler/algorithm.py``), the twin the native core is measured against.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import yaml

from paddock.core.labels import selector_from_set
from paddock.scheduler.algorithm import Algorithm, FitError
from paddock.scheduler.framework import NodeInfo, PodInfo

WORKLOADS = Path(__file__).resolve().parent / "workloads" / "scheduler.yaml"


def build(workload: str, nodes: int, pods: int) -> tuple[list[NodeInfo], list[PodInfo]]:
    with open(WORKLOADS) as f:
        spec = yaml.safe_load(f)
    w = spec["workloads"][workload]
    cluster = []
    for i in range(nodes):
        labels = {"kubernetes.io/hostname": f"node-{i}"}
        if "zones" in w:
            labels["topology.kubernetes.io/zone"] = f"zone-{i % w['zones']}"
        if "labelled_share" in w and i < nodes * w["labelled_share"]:
            labels.update(w["label"])
        cluster.append(NodeInfo.of({"metadata": {"name": f"node-{i:05d}", "labels": labels},
                                    "status": {"allocatable": spec["node"]["allocatable"]}}))
    queue = []
    for i in range(pods):
        requests = dict(spec["pod"]["requests"])
        if "unschedulable_every" in w and i % w["unschedulable_every"] == 0:
            requests["cpu"] = w["unschedulable_cpu"]
        pod_spec: dict[str, Any] = {"containers": [{"name": "c", "image": "pause",
                                                    "resources": {"requests": requests}}]}
        if "label" in w:
            pod_spec["nodeSelector"] = dict(w["label"])
        labels = dict(w.get("spread_selector") or {})
        info = PodInfo.of({"metadata": {"name": f"pod-{i}", "namespace": "bench",
                                        "labels": labels}, "spec": pod_spec})
        if "spread_selector" in w:
            info.spread_selectors = [selector_from_set(w["spread_selector"])]
        queue.append(info)
    return cluster, queue


def run(workload: str, nodes: int, pods: int) -> dict[str, Any]:
    cluster, queue = build(workload, nodes, pods)
    algorithm = Algorithm()
    latencies = []
    placed = failed = 0
    start = time.perf_counter()
    for pod in queue:
        t0 = time.perf_counter()
        try:
            node = algorithm.schedule(pod, cluster)
            node.add_pod(pod)
            placed += 1
        except FitError:
            failed += 1
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    return {"workload": workload, "nodes": nodes, "pods": pods, "placed": placed,
            "unschedulable": failed, "seconds": elapsed, "pods_per_s": pods / elapsed,
            "latency_p50_ms": pct(50) * 1e3, "latency_p90_ms": pct(90) * 1e3,
            "latency_p99_ms": pct(99) * 1e3}


def main(args: argparse.Namespace) -> int:
    workloads = args.workload or ["SchedulingBasic", "NodeAffinity", "ZoneSpreading",
                                  "Unschedulable"]
    results = [dict(run(w, args.nodes, args.pods), impl=args.impl) for w in workloads]
    report = {"benchmark": "scheduler",
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform()},
              "results": results}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(results, indent=2))
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--impl", choices=["python"], default="python",
                        help="the algorithm to measure (the native core joins this)")
    parser.add_argument("--workload", action="append",
                        help="a workload of bench/workloads/scheduler.yaml (repeatable)")
    parser.add_argument("--out", default="bench-scheduler.json")
