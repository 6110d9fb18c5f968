"""``paddock bench scheduler``: scheduling decisions per second, in-process, no apiserver.

The cluster and pods come from ``bench/workloads/scheduler.yaml``; ``--nodes`` and
``--pods`` size them.  Each pod is placed by the scheduler's algorithm (adaptive
percentage of nodes to score, as upstream) and assumed on its node before the next, as the
real scheduler's cache does; the report (JSON) gives pods per second and the latency
percentiles of one decision.  ``--impl native`` (the default) is the native core
(``scheduler/native.py`` over ``_native/scheduler.pyx``), ``--impl python`` the pure-Python
algorithm (``scheduler/algorithm.py``), its twin; both run by default and the report
gives their ratio per workload, and checks issue 4's floors (SchedulingBasic at 5,000
nodes and 10,000 pods: at least 1,500 pods/s native, at least 10x the twin).  With
``--e2e`` it also creates ``--e2e-nodes`` nodes on a temporary apiserver, runs
``paddock scheduler`` against it and times ``--e2e-pods`` pods from their creation until
a watch has seen each bound (floor: 300 pods bound per second at 1,000 nodes).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import yaml

from paddock.core.labels import selector_from_set
from paddock.scheduler.algorithm import Algorithm, FitError
from paddock.scheduler.framework import NodeInfo, PodInfo
from paddock.scheduler.native import NativeAlgorithm

from .report import machine, write

WORKLOADS = Path(__file__).resolve().parent / "workloads" / "scheduler.yaml"
FLOORS = {"native_pods_per_s": 1500, "native_over_python": 10, "end_to_end_pods_bound_per_s": 300}


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
        labels = dict(w.get("spread_selector") or w.get("topology_selector") or {})
        if "topology_selector" in w:
            pod_spec["topologySpreadConstraints"] = [
                {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": when,
                 "labelSelector": {"matchLabels": dict(w["topology_selector"])}}
                for key, when in (("topology.kubernetes.io/zone", "DoNotSchedule"),
                                  ("kubernetes.io/hostname", "ScheduleAnyway"))]
        info = PodInfo.of({"metadata": {"name": f"pod-{i}", "namespace": "bench",
                                        "labels": labels}, "spec": pod_spec})
        if "spread_selector" in w:
            info.spread_selectors = [selector_from_set(w["spread_selector"])]
        queue.append(info)
    return cluster, queue


def run(workload: str, nodes: int, pods: int, impl: str, percentage: int = 0,
        threads: int = 0, parallel_min: int | None = None) -> dict[str, Any]:
    with open(WORKLOADS) as f:
        cap = yaml.safe_load(f)["workloads"][workload].get("python_pods")
    if impl == "python" and cap:
        pods = min(pods, cap)
    cluster, queue = build(workload, nodes, pods)
    algorithm = (NativeAlgorithm(percentage, threads, *(
        () if parallel_min is None else (parallel_min,))) if impl == "native"
                 else Algorithm(percentage))
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
                                  "TopologySpread", "Unschedulable"]
    impls = args.impl or ["native", "python"]
    results = [dict(run(w, args.nodes, args.pods, impl, args.percentage_of_nodes_to_score),
                    impl=impl)
               for w in workloads for impl in impls]
    parallel: dict[str, Any] | None = None
    if args.parallel and "native" in impls:
        # prange where it has the most work: every node scored (percentage 100), serial
        # against two threads from the first node on
        runs: list[dict[str, Any]] = []
        parallel = {"percentage_of_nodes_to_score": 100, "runs": runs}
        for size in (args.nodes, 4 * args.nodes):
            serial = run("SchedulingBasic", size, 1000, "native", 100, threads=1)
            threaded = run("SchedulingBasic", size, 1000, "native", 100, threads=2,
                           parallel_min=0)
            runs.append({"nodes": size, "serial_pods_per_s": serial["pods_per_s"],
                                     "parallel_pods_per_s": threaded["pods_per_s"],
                                     "parallel_over_serial":
                                         threaded["pods_per_s"] / serial["pods_per_s"]})
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
    e2e = None
    if args.e2e:
        e2e = end_to_end(args.e2e_nodes, args.e2e_pods)
        checks["end_to_end_at_least_300_pods_bound_per_s"] = (
            e2e["bound"] == args.e2e_pods
            and e2e["pods_bound_per_s"] >= FLOORS["end_to_end_pods_bound_per_s"])
    report = {"benchmark": "scheduler",
              "machine": machine(),
              "params": {"nodes": args.nodes, "pods": args.pods, "impls": impls},
              "floors": FLOORS, "results": results, "native_over_python": ratios,
              "parallel_scoring": parallel, "end_to_end": e2e, "checks": checks, "pass": all(checks.values())}
    write(args.out, report, results)
    return 0 if report["pass"] else 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--impl", choices=["native", "python"], action="append",
                        help="the native core and/or the pure-Python algorithm, its twin "
                             "(repeatable; both by default, compared within the run)")
    parser.add_argument("--workload", action="append",
                        help="a workload of bench/workloads/scheduler.yaml (repeatable)")
    parser.add_argument("--percentage-of-nodes-to-score", type=int, default=0,
                        help="as the scheduler's flag (0: adaptive, as upstream)")
    parser.add_argument("--parallel", action="store_true",
                        help="also time SchedulingBasic scoring every node, serial against "
                             "prange on two threads, at --nodes and at four times as many")
    parser.add_argument("--e2e", action="store_true",
                        help="also bind pods through a temporary apiserver and the scheduler "
                             "process, and report pods bound per second")
    parser.add_argument("--e2e-nodes", type=int, default=1000)
    parser.add_argument("--e2e-pods", type=int, default=3000)
    parser.add_argument("--out", default="bench-scheduler.json")


# --- end to end: a real apiserver and the scheduler process -------------------------------


async def _end_to_end(kubeconfig: str, nodes: int, pods: int) -> dict[str, Any]:
    """Create ``nodes`` nodes, start ``paddock scheduler``, create ``pods`` pods at once and
    time until every one is bound (seen through a watch)."""
    import asyncio
    import subprocess
    import sys

    from paddock.core.client import Client

    with open(WORKLOADS) as f:
        spec = yaml.safe_load(f)
    async with Client.from_kubeconfig(kubeconfig, qps=-1) as c:
        sem = asyncio.Semaphore(64)

        async def create(resource: str, obj: dict[str, Any], namespace: str | None = None) -> None:
            async with sem:
                await c.create(resource, obj, namespace)

        await asyncio.gather(*(create("nodes", {
            "metadata": {"name": f"node-{i:05d}", "labels": {
                "topology.kubernetes.io/zone": f"zone-{i % 3}"}},
            "status": {"allocatable": spec["node"]["allocatable"],
                       "capacity": spec["node"]["allocatable"]}}) for i in range(nodes)))
        await c.create("namespaces", {"metadata": {"name": "bench"}})
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "paddock.cli", "scheduler", "--kubeconfig", kubeconfig,
             "--kube-api-qps", "5000", "--kube-api-burst", "5000", "--leader-elect=false"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            start_rv = (await c.list("pods", "bench"))["metadata"]["resourceVersion"]
            await asyncio.sleep(2)  # the scheduler has listed the nodes
            bound: set[str] = set()
            done = asyncio.Event()

            async def watch() -> None:
                async for _, obj in c.watch("pods", "bench", resource_version=start_rv,
                                            timeout_seconds=600):
                    if (obj.get("spec") or {}).get("nodeName"):
                        bound.add(obj["metadata"]["name"])
                        if len(bound) >= pods:
                            done.set()
                            return

            watcher = asyncio.create_task(watch())
            loop = asyncio.get_running_loop()
            t0 = loop.time()
            await asyncio.gather(*(create("pods", {
                "metadata": {"name": f"pod-{i:05d}"},
                "spec": {"containers": [{"name": "c", "image": "pause", "resources": {
                    "requests": spec["pod"]["requests"]}}]}}, "bench") for i in range(pods)))
            created = loop.time() - t0
            try:
                await asyncio.wait_for(done.wait(), 300)
            except TimeoutError:
                pass
            elapsed = loop.time() - t0
            watcher.cancel()
        finally:
            scheduler.terminate()
            scheduler.wait(20)
    return {"nodes": nodes, "pods": pods, "bound": len(bound), "seconds": elapsed,
            "create_seconds": created, "pods_bound_per_s": len(bound) / elapsed}


def end_to_end(nodes: int, pods: int) -> dict[str, Any]:
    import uvloop

    from .server import temporary_apiserver

    with temporary_apiserver("paddock-bench-scheduler-") as (_proc, kubeconfig):
        result: dict[str, Any] = uvloop.run(_end_to_end(kubeconfig, nodes, pods))
    return result
