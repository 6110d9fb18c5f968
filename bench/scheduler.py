"""``paddock bench scheduler``: scheduling decisions per second, in-process, no apiserver.

The cluster and pods come from ``bench/workloads/scheduler.yaml``; ``--nodes`` and
``--pods`` size them.  Each pod is placed by the scheduler's algorithm (adaptive
percentage of nodes to score, as upstream) and assumed on its node before the next, as the
real scheduler's cache does; the report (JSON) gives pods per second and the latency
percentiles of one decision.  ``--impl native`` (the default) is the native core
(``scheduler/native.py`` over ``_native/scheduler.pyx``), ``--impl python`` the pure-Python
algorithm (``scheduler/algorithm.py``), its twin; both run by default and the report
gives their ratio per workload, and checks issue 4's floors (SchedulingBasic at 5,000
nodes and 10,000 pods: at least 1,500 pods/s native, at least 10x the twin).
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
from paddock.scheduler.native import NativeAlgorithm

WORKLOADS = Path(__file__).resolve().parent / "workloads" / "scheduler.yaml"
FLOORS = {"native_pods_per_s": 1500, "native_over_python": 10}


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


def run(workload: str, nodes: int, pods: int, impl: str) -> dict[str, Any]:
    cluster, queue = build(workload, nodes, pods)
    algorithm = NativeAlgorithm() if impl == "native" else Algorithm()
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
    impls = args.impl or ["native", "python"]
    results = [dict(run(w, args.nodes, args.pods, impl), impl=impl)
               for w in workloads for impl in impls]
    ratios = {}
    if set(impls) == {"native", "python"}:
        for w in workloads:
            by_impl = {r["impl"]: r for r in results if r["workload"] == w}
            ratios[w] = by_impl["native"]["pods_per_s"] / by_impl["python"]["pods_per_s"]
    checks = {}
    basic = [r for r in results if r["workload"] == "SchedulingBasic" and r["impl"] == "native"]
    if basic and args.nodes >= 5000 and args.pods >= 10000:
        checks["scheduling_basic_5000_nodes_at_least_1500_pods_per_s"] = (
            basic[0]["pods_per_s"] >= FLOORS["native_pods_per_s"])
    for w, ratio in ratios.items():
        checks[f"{w}_native_at_least_10x_python"] = ratio >= FLOORS["native_over_python"]
    report = {"benchmark": "scheduler",
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform()},
              "params": {"nodes": args.nodes, "pods": args.pods, "impls": impls},
              "floors": FLOORS, "results": results, "native_over_python": ratios,
              "checks": checks, "pass": all(checks.values())}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=2)
    print(json.dumps(results, indent=2))
    return 0 if report["pass"] else 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--impl", choices=["native", "python"], action="append",
                        help="the native core and/or the pure-Python algorithm, its twin "
                             "(repeatable; both by default, compared within the run)")
    parser.add_argument("--workload", action="append",
                        help="a workload of bench/workloads/scheduler.yaml (repeatable)")
    parser.add_argument("--out", default="bench-scheduler.json")
