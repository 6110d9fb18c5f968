"""``paddock bench density``: the Kubernetes density test (ARCHITECTURE.md section 9).

With ``--start`` a cluster is started on a temporary data directory (apiserver,
controller-manager, scheduler and ``paddock hollow-nodes --count N``) and stopped after;
with ``--kubeconfig`` any Kubernetes-compatible cluster is measured, through the public API
only.  Phases:

1. **nodes**: wait until N nodes are Ready;
2. **saturation**: ReplicationControllers totalling N × P pods in a namespace of the test's
   own; the time until every pod is Running gives the saturation throughput, and the
   number Running is sampled over time;
3. **latency**: ``--latency-pods`` pods created one by one at ``--latency-qps`` on the
   loaded cluster; each one's startup latency is from its create being answered to a watch
   seeing it Running, on the client's monotonic clock (server timestamps have 1 s
   resolution);
4. **cleanup**: the namespace is deleted.

All along, an API probe issues ``--probe-qps`` requests a second in a fixed mix (GET pod,
GET node, LIST pods in the namespace, PATCH a configmap, LIST nodes) and records each
latency by verb and resource.  The report (``--out DIR``: ``report.json`` and
``summary.txt``) holds every figure and PASS/FAIL against the SLOs: pod startup p99 ≤ 5 s,
single-object API calls p99 ≤ 1 s, lists p99 ≤ 30 s; with ``--start`` also the CPU seconds
and peak RSS of every component.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from paddock.core.client import Client

from .report import machine, write
from .server import cpu_seconds

SLO = {"pod_startup_p99_s": 5.0, "single_object_p99_s": 1.0, "list_p99_s": 30.0}
# Pods per ReplicationController, and per namespace, in the saturation phase: as upstream's
# density test, the pods are spread over namespaces of one RC each, so the probe's LIST of
# the pods of a namespace lists at most this many.
RC_SIZE = 3000
# The scheduler's client rate (upstream's default is 50 requests a second, one binding each
# pod): raised for the test as upstream's own scalability jobs raise it, so that binding is
# not capped below the throughput the test measures.  Recorded in the report.
SCHEDULER_FLAGS = ("--kube-api-qps", "300", "--kube-api-burst", "300")
PROBE_MIX = (("get", "pods"), ("get", "nodes"), ("list", "pods"), ("patch", "configmaps"), ("list", "nodes"))


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = math.ceil(len(ordered) * p / 100)
    return ordered[min(len(ordered) - 1, max(0, rank - 1))]


def _stats(values: list[float]) -> dict[str, float]:
    return {"count": len(values), "p50_s": percentile(values, 50), "p90_s": percentile(values, 90),
            "p99_s": percentile(values, 99), "max_s": max(values, default=0.0)}


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Components:
    """The processes ``--start`` runs, sampled for CPU and memory."""

    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    cpu_start: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    samples: list[dict[str, Any]] = field(default_factory=list)

    def sample(self, t: float) -> None:
        row: dict[str, Any] = {"t": round(t, 2)}
        for name, p in self.procs.items():
            if p.poll() is not None:
                continue
            rss = _rss_mb(p.pid)
            self.peak_rss_mb[name] = max(self.peak_rss_mb.get(name, 0.0), rss)
            row[name] = {"cpu_s": round(cpu_seconds(p.pid) - self.cpu_start.get(name, 0.0), 2),
                         "rss_mb": round(rss, 1)}
        self.samples.append(row)

    def summary(self) -> dict[str, Any]:
        out = {}
        for name, p in self.procs.items():
            cpu = (cpu_seconds(p.pid) - self.cpu_start.get(name, 0.0)) if p.poll() is None else None
            out[name] = {"cpu_seconds": cpu, "peak_rss_mb": self.peak_rss_mb.get(name, 0.0)}
        return out


class Probe:
    """The API probe: a fixed mix of calls at a fixed rate, each latency kept."""

    def __init__(self, client: Client, namespace: str, qps: float) -> None:
        self.client = client
        self.namespace = namespace
        self.qps = qps
        self.latencies: dict[str, list[float]] = {f"{verb} {res}": [] for verb, res in PROBE_MIX}
        self.errors = 0
        self.pod = ""
        self.node = ""

    async def _one(self, verb: str, resource: str) -> None:
        c, ns = self.client, self.namespace
        start = time.monotonic()
        try:
            if verb == "get" and resource == "pods":
                if not self.pod:
                    return
                await c.get("pods", self.pod, ns)
            elif verb == "get":
                await c.get("nodes", self.node)
            elif verb == "list" and resource == "pods":
                await c.list("pods", ns)
            elif verb == "list":
                await c.list("nodes")
            else:
                await c.patch("configmaps", "density-probe", {"data": {"t": str(time.time())}}, ns,
                              patch_type="application/merge-patch+json")
        except Exception:
            self.errors += 1
            return
        self.latencies[f"{verb} {resource}"].append(time.monotonic() - start)

    async def run(self, stop: asyncio.Event) -> None:
        i = 0
        tasks: set[asyncio.Task[None]] = set()
        while not stop.is_set():
            verb, resource = PROBE_MIX[i % len(PROBE_MIX)]
            i += 1
            task = asyncio.create_task(self._one(verb, resource))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1 / self.qps)
        await asyncio.gather(*tasks, return_exceptions=True)


def _rc(name: str, replicas: int, run: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"name": name}, "template": {
                "metadata": {"labels": {"name": name, "density": run}},
                "spec": {"terminationGracePeriodSeconds": 0,
                         "containers": [{"name": "pause", "image": "registry.k8s.io/pause:3.9",
                                         "resources": {"requests": {"cpu": "1m", "memory": "1Mi"}}}]}}}}


def _running(pod: dict[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running"


def _ready(node: dict[str, Any]) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (node.get("status") or {}).get("conditions") or ())


class Density:
    def __init__(self, args: argparse.Namespace, kubeconfig: str, components: Components) -> None:
        self.args = args
        self.kubeconfig = kubeconfig
        self.components = components
        self.run_id = uuid.uuid4().hex[:6]
        # the saturation RCs' namespaces; the first also holds the latency pods and the probe's
        self.namespaces = [f"density-{self.run_id}-{i}"
                           for i in range(max(1, -(-args.nodes * args.pods_per_node // RC_SIZE)))]
        self.namespace = self.namespaces[0]
        self.t0 = time.monotonic()
        self.running_over_time: list[tuple[float, int]] = []
        self.report: dict[str, Any] = {}

    def _progress(self, text: str) -> None:
        if self.args.progress:
            sys.stderr.write(f"\r[{time.monotonic() - self.t0:7.1f} s] {text:<70}")
            sys.stderr.flush()

    async def run(self) -> dict[str, Any]:
        a = self.args
        async with Client.from_kubeconfig(self.kubeconfig, qps=0, user_agent="density") as client:
            nodes_s = await self._nodes(client)
            for ns in self.namespaces:
                await client.create("namespaces", {"metadata": {"name": ns}})
            await client.create("configmaps", {"metadata": {"name": "density-probe"}, "data": {}}, self.namespace)
            probe = Probe(client, self.namespace, a.probe_qps)
            stop = asyncio.Event()
            sampler = asyncio.create_task(self._sample(stop))
            prober = asyncio.create_task(probe.run(stop))
            try:
                saturation = await self._saturation(client, probe)
                latency = await self._latency(client)
            finally:
                stop.set()
                await asyncio.gather(prober, sampler, return_exceptions=True)
            cleanup_s = await self._cleanup(client)
        api = {k: _stats(v) for k, v in probe.latencies.items()}
        singles = [x for k, v in probe.latencies.items() if not k.startswith("list") for x in v]
        lists = [x for k, v in probe.latencies.items() if k.startswith("list") for x in v]
        checks = {
            "all_pods_running": saturation["running"] == saturation["pods"]
            and latency["running"] == self.args.latency_pods,
            "pod_startup_p99": latency["p99_s"] <= SLO["pod_startup_p99_s"],
            "single_object_api_p99": percentile(singles, 99) <= SLO["single_object_p99_s"],
            "list_api_p99": percentile(lists, 99) <= SLO["list_p99_s"],
        }
        return {"nodes": a.nodes, "pods_per_node": a.pods_per_node, "namespaces": self.namespaces,
                "phases_s": {"nodes": nodes_s, "saturation": saturation["seconds"],
                             "latency": latency["seconds"], "cleanup": cleanup_s},
                "saturation": saturation, "pod_startup": latency, "api": api,
                "api_single_object": _stats(singles), "api_list": _stats(lists), "api_errors": probe.errors,
                "running_over_time": self.running_over_time, "components": self.components.summary(),
                "component_samples": self.components.samples, "slo": SLO, "checks": checks,
                "component_flags": {"scheduler": list(SCHEDULER_FLAGS)} if self.components.procs else {},
                "pass": all(checks.values())}

    async def _sample(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.components.sample(time.monotonic() - self.t0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)

    async def _nodes(self, client: Client) -> float:
        start = time.monotonic()
        while True:
            nodes = [n for n in (await client.list("nodes")).get("items") or () if _ready(n)]
            self._progress(f"nodes: {len(nodes)}/{self.args.nodes} Ready")
            if len(nodes) >= self.args.nodes:
                return time.monotonic() - start
            if time.monotonic() - start > self.args.timeout:
                raise SystemExit(f"only {len(nodes)} of {self.args.nodes} nodes became Ready")
            await asyncio.sleep(1)

    async def _saturation(self, client: Client, probe: Probe) -> dict[str, Any]:
        total = self.args.nodes * self.args.pods_per_node
        selector = f"density={self.run_id}"
        listed = await client.list("pods", label_selector=selector)
        running: set[str] = set()
        done = asyncio.Event()
        start = time.monotonic()

        async def watch() -> None:
            rv = (listed.get("metadata") or {}).get("resourceVersion")
            async for _, pod in client.watch("pods", resource_version=rv, label_selector=selector):
                name = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
                if _running(pod) and name not in running:
                    running.add(name)
                    if not probe.pod and pod["metadata"]["namespace"] == self.namespace:
                        probe.pod = pod["metadata"]["name"]
                    probe.node = probe.node or (pod.get("spec") or {}).get("nodeName", "")
                    if len(running) >= total:
                        done.set()
                        return

        watcher = asyncio.create_task(watch())
        await asyncio.sleep(0.2)
        rcs = len(self.namespaces)
        for i, ns in enumerate(self.namespaces):
            size = total // rcs + (1 if i < total % rcs else 0)
            await client.create("replicationcontrollers", _rc(f"density-{i}", size, self.run_id), ns)
        while not done.is_set():
            elapsed = time.monotonic() - start
            self.running_over_time.append((round(elapsed, 2), len(running)))
            self._progress(f"saturation: {len(running)}/{total} pods Running")
            if elapsed > self.args.timeout:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), 1.0)
        seconds = time.monotonic() - start
        self.running_over_time.append((round(seconds, 2), len(running)))
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        return {"pods": total, "running": len(running), "replication_controllers": rcs, "seconds": seconds,
                "pods_per_second": len(running) / seconds if seconds > 0 else 0.0}

    async def _latency(self, client: Client) -> dict[str, Any]:
        a, ns = self.args, self.namespace
        created: dict[str, float] = {}
        seen: dict[str, float] = {}
        done = asyncio.Event()
        listed = await client.list("pods", ns, label_selector="density-latency=true")

        async def watch() -> None:
            rv = (listed.get("metadata") or {}).get("resourceVersion")
            async for _, pod in client.watch("pods", ns, resource_version=rv, label_selector="density-latency=true"):
                name = pod["metadata"]["name"]
                if _running(pod) and name not in seen:
                    seen[name] = time.monotonic()
                    if len(seen) >= a.latency_pods:
                        done.set()
                        return

        watcher = asyncio.create_task(watch())
        await asyncio.sleep(0.2)
        start = time.monotonic()

        errors: list[str] = []

        async def create(i: int) -> None:
            name = f"latency-{i}"
            pod = {"metadata": {"name": name, "labels": {"density-latency": "true"}},
                   "spec": {"terminationGracePeriodSeconds": 0, "containers": [
                       {"name": "pause", "image": "registry.k8s.io/pause:3.9",
                        "resources": {"requests": {"cpu": "1m", "memory": "1Mi"}}}]}}
            try:  # a failed create is a figure of the run, not the end of it
                await client.create("pods", pod, ns)
            except Exception as e:
                errors.append(f"{name}: {type(e).__name__}: {e}")
                return
            created[name] = time.monotonic()

        tasks = []
        for i in range(a.latency_pods):
            tasks.append(asyncio.create_task(create(i)))
            self._progress(f"latency: {i + 1}/{a.latency_pods} created, {len(seen)} Running")
            await asyncio.sleep(1 / a.latency_qps)
        await asyncio.gather(*tasks)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), a.timeout)
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        latencies = [seen[n] - created[n] for n in created if n in seen]
        return {**_stats(latencies), "created": len(created), "running": len(seen),
                "create_errors": errors, "seconds": time.monotonic() - start}

    async def _cleanup(self, client: Client) -> float:
        start = time.monotonic()
        left = list(self.namespaces)
        for ns in left:
            await client.delete("namespaces", ns)
        while left and time.monotonic() - start < self.args.timeout:
            self._progress(f"cleanup: deleting {len(left)} namespaces")
            for ns in list(left):
                try:
                    await client.get("namespaces", ns)
                except Exception:
                    left.remove(ns)
            await asyncio.sleep(1)
        if self.args.progress:
            sys.stderr.write("\n")
        return time.monotonic() - start


def _start_cluster(nodes: int, data: str, kubeconfig: str, components: Components) -> None:
    log_dir = os.path.join(data, "logs")
    os.makedirs(log_dir, exist_ok=True)

    def spawn(name: str, *argv: str) -> None:
        log = open(os.path.join(log_dir, f"{name}.log"), "ab")
        components.procs[name] = subprocess.Popen([sys.executable, "-m", "paddock.cli", *argv,
                                                   "--kubeconfig", kubeconfig],
                                                  stdout=log, stderr=subprocess.STDOUT)

    spawn("controller-manager", "controller-manager", "--leader-elect=false")
    spawn("scheduler", "scheduler", "--leader-elect=false", *SCHEDULER_FLAGS)
    spawn("hollow-nodes", "hollow-nodes", "--count", str(nodes))
    for name, p in components.procs.items():
        components.cpu_start[name] = cpu_seconds(p.pid)


def summary_text(result: dict[str, Any]) -> str:
    """The one-screen summary."""
    def mark(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    c, s, p = result["checks"], result["saturation"], result["pod_startup"]
    lines = [
        f"density: {result['nodes']} nodes x {result['pods_per_node']} pods",
        f"  {mark(c['all_pods_running'])}  saturation: {s['running']}/{s['pods']} pods Running in "
        f"{s['seconds']:.1f} s ({s['pods_per_second']:.1f} pods/s)",
        f"  {mark(c['pod_startup_p99'])}  pod startup: p50 {p['p50_s']:.3f} s  p90 {p['p90_s']:.3f} s  "
        f"p99 {p['p99_s']:.3f} s  (SLO p99 <= {SLO['pod_startup_p99_s']:g} s, {p['running']}/{p['created']} pods)",
        f"  {mark(c['single_object_api_p99'])}  single-object API calls: p99 "
        f"{result['api_single_object']['p99_s'] * 1000:.1f} ms (SLO <= {SLO['single_object_p99_s']:g} s)",
        f"  {mark(c['list_api_p99'])}  list API calls: p99 {result['api_list']['p99_s'] * 1000:.1f} ms "
        f"(SLO <= {SLO['list_p99_s']:g} s)",
    ]
    for key, st in sorted(result["api"].items()):
        lines.append(f"        {key:<18} n={st['count']:<5} p50 {st['p50_s'] * 1000:7.1f} ms  "
                     f"p99 {st['p99_s'] * 1000:7.1f} ms")
    for name, comp in sorted(result["components"].items()):
        cpu = comp["cpu_seconds"]
        lines.append(f"        {name:<18} cpu {cpu if cpu is not None else float('nan'):8.1f} s  "
                     f"peak rss {comp['peak_rss_mb']:8.1f} MB")
    lines.append(f"  {mark(result['pass'])}  overall")
    return "\n".join(lines) + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--start", action="store_true", help="start a paddock cluster with hollow nodes")
    where.add_argument("--kubeconfig", help="measure the cluster this kubeconfig names")
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--pods-per-node", type=int, default=30)
    parser.add_argument("--latency-pods", type=int, default=100)
    parser.add_argument("--latency-qps", type=float, default=5.0)
    parser.add_argument("--probe-qps", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds any phase may take")
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    parser.add_argument("--out", default="density-report", help="directory for report.json and summary.txt")


def main(args: argparse.Namespace) -> int:
    import uvloop

    components = Components()
    if args.start:
        from .server import temporary_apiserver

        with temporary_apiserver("paddock-bench-density-") as (api, kubeconfig):
            components.procs["apiserver"] = api
            components.cpu_start["apiserver"] = cpu_seconds(api.pid)
            _start_cluster(args.nodes, os.path.dirname(kubeconfig), kubeconfig, components)
            try:
                result = uvloop.run(Density(args, kubeconfig, components).run())
            finally:
                for name, p in list(components.procs.items()):
                    if name != "apiserver" and p.poll() is None:
                        p.terminate()
                for name, p in list(components.procs.items()):
                    if name != "apiserver":
                        try:
                            p.wait(30)
                        except subprocess.TimeoutExpired:  # never leave a component behind
                            p.kill()
                            p.wait()
    else:
        result = uvloop.run(Density(args, args.kubeconfig, components).run())
    report = {"benchmark": "density", "machine": machine(), "result": result, "pass": result["pass"]}
    os.makedirs(args.out, exist_ok=True)
    text = summary_text(result)
    with open(os.path.join(args.out, "summary.txt"), "w") as f:
        f.write(text)
    write(os.path.join(args.out, "report.json"), report, shown=text)
    return 0 if report["pass"] else 1
