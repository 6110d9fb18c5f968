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
and peak RSS of every component.  PNG plots of it go to the same directory
(``bench/plots.py``); ``--plot-only DIR`` draws them again from a saved ``report.json``.

``--content-type json|protobuf`` is the content type the harness and, with ``--start``, every
component (``--kube-api-content-type``) speaks; the report records it with the bytes on the
wire over the run, read from the apiserver's ``/metrics`` (upstream's byte metrics: request
bodies, responses and watch events; "not available" where ``/metrics`` does not answer), so
that a JSON run and a protobuf run compare side by side: ``--compare DIR1 DIR2`` prints the
CPU seconds and peak RSS of each component and the bytes of both.  ``--profile`` (with
``--start``) saves a profile of every component for the whole run in ``DIR/profiles/``
(``bench/profiles.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

from paddock.core.client import JSON, PROTOBUF, Client

from .profiles import Profiler
from .progress import Progress
from .report import machine, percentile, write
from .server import cpu_seconds, rss_mb

# The floors for a run on a 2-core machine: reported beside the SLOs, not part of them
FLOORS = {"saturation_pods_per_second": 100.0, "apiserver_peak_rss_mb": 2000.0}
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
CONTENT_TYPES = {"json": JSON, "protobuf": PROTOBUF}
# bytes on the wire: the sums of upstream's byte histograms on the apiserver's /metrics (bodies
# only: no HTTP headers, chunk framing or TLS), which paddock's apiserver exports too
WIRE_METRICS = {"apiserver_request_body_size_bytes_sum": "request_bodies",
                "apiserver_response_sizes_sum": "responses",
                "apiserver_watch_events_sizes_sum": "watch_events"}


def _stats(values: list[float]) -> dict[str, float]:
    return {"count": len(values), "p50_s": percentile(values, 50), "p90_s": percentile(values, 90),
            "p99_s": percentile(values, 99), "max_s": max(values, default=0.0)}


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
            rss = rss_mb(p.pid)
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


async def wire_bytes(client: Client) -> dict[str, float] | None:
    """The apiserver's byte counters (WIRE_METRICS) as its ``/metrics`` has them now, or None
    when it does not answer (a managed cluster may not serve it, or not to this user)."""
    try:
        async with client.session.get(client.config.server + "/metrics") as resp:
            if resp.status != 200:
                return None
            text = await resp.text()
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return None
    totals: dict[str, float] = {}
    for line in text.splitlines():
        name, _, rest = line.partition("{") if "{" in line else line.partition(" ")
        key = WIRE_METRICS.get(name)
        if key is not None:  # NAME{LABELS} VALUE [TIMESTAMP]
            value = rest.rpartition("}")[2].split()[0] if "{" in line else rest.split()[0]
            totals[key] = totals.get(key, 0.0) + float(value)
    return totals


def _wire_delta(before: dict[str, float] | None, after: dict[str, float] | None) -> dict[str, Any] | None:
    """The bytes between two readings of WIRE_METRICS, None when they are not available."""
    if before is None or not after:
        return None
    delta = {key: int(after.get(key, 0.0) - before.get(key, 0.0)) for key in WIRE_METRICS.values()}
    return {**delta, "total": sum(delta.values())}


class Density:
    def __init__(self, args: argparse.Namespace, kubeconfig: str, components: Components) -> None:
        self.args = args
        self.kubeconfig = kubeconfig
        self.components = components
        self.content_type = CONTENT_TYPES[args.content_type]
        self.run_id = uuid.uuid4().hex[:6]
        # the saturation RCs' namespaces; the first also holds the latency pods and the probe's
        self.namespaces = [f"density-{self.run_id}-{i}"
                           for i in range(max(1, -(-args.nodes * args.pods_per_node // RC_SIZE)))]
        self.namespace = self.namespaces[0]
        self.t0 = time.monotonic()
        self.running_over_time: list[tuple[float, int]] = []
        self.phase_starts_s: dict[str, float] = {}
        self.progress = Progress(args.progress)

    def _phase(self, name: str) -> None:
        self.phase_starts_s[name] = round(time.monotonic() - self.t0, 2)
        self.progress.phase(name)

    async def run(self) -> dict[str, Any]:
        try:
            return await self._run()
        finally:
            self.progress.close()

    async def _run(self) -> dict[str, Any]:
        a = self.args
        async with Client.from_kubeconfig(self.kubeconfig, content_type=self.content_type, qps=0,
                                          user_agent="density") as client:
            bytes_before = await wire_bytes(client)
            # the components are sampled over the whole run, as their CPU seconds are counted
            stop_sampling = asyncio.Event()
            sampler = asyncio.create_task(self._sample(stop_sampling))
            try:
                nodes_s = await self._nodes(client)
                for ns in self.namespaces:
                    await client.create("namespaces", {"metadata": {"name": ns}})
                await client.create("configmaps", {"metadata": {"name": "density-probe"}, "data": {}},
                                    self.namespace)
                probe = Probe(client, self.namespace, a.probe_qps)
                stop = asyncio.Event()
                prober = asyncio.create_task(probe.run(stop))
                try:
                    saturation = await self._saturation(client, probe)
                    latency = await self._latency(client)
                finally:
                    stop.set()
                    await asyncio.gather(prober, return_exceptions=True)
                cleanup_s = await self._cleanup(client)
            finally:
                stop_sampling.set()
                await asyncio.gather(sampler, return_exceptions=True)
            wire = _wire_delta(bytes_before, await wire_bytes(client))
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
                "content_type": self.content_type, "wire_bytes": wire,
                "phases_s": {"nodes": nodes_s, "saturation": saturation["seconds"],
                             "latency": latency["seconds"], "cleanup": cleanup_s},
                "phase_starts_s": self.phase_starts_s,
                "saturation": saturation, "pod_startup": latency, "api": api,
                "api_single_object": _stats(singles), "api_list": _stats(lists), "api_errors": probe.errors,
                "running_over_time": self.running_over_time, "components": self.components.summary(),
                "component_samples": self.components.samples, "slo": SLO, "checks": checks,
                "component_flags": (component_flags(self.content_type, a.nodes)
                                    if self.components.procs else {}),
                "apiserver_flags": list(a.apiserver_arg) if self.components.procs else [],
                "floors": self._floors(saturation), "pass": all(checks.values())}

    def _floors(self, saturation: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Each floor: the figure, the floor, and whether the figure meets it."""
        out = {"saturation_pods_per_second": {
            "value": saturation["pods_per_second"], "floor": FLOORS["saturation_pods_per_second"],
            "met": saturation["pods_per_second"] >= FLOORS["saturation_pods_per_second"]}}
        rss = self.components.peak_rss_mb.get("apiserver")
        if rss is not None:
            out["apiserver_peak_rss_mb"] = {"value": rss, "floor": FLOORS["apiserver_peak_rss_mb"],
                                            "met": rss < FLOORS["apiserver_peak_rss_mb"]}
        return out

    async def _sample(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.components.sample(time.monotonic() - self.t0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0)
        self.components.sample(time.monotonic() - self.t0)  # the last partial second too

    async def _nodes(self, client: Client) -> float:
        self._phase("nodes")
        start = time.monotonic()
        while True:
            nodes = [n for n in (await client.list("nodes")).get("items") or () if _ready(n)]
            self.progress.update(len(nodes), self.args.nodes, "nodes Ready")
            if len(nodes) >= self.args.nodes:
                return time.monotonic() - start
            if time.monotonic() - start > self.args.timeout:
                raise SystemExit(f"only {len(nodes)} of {self.args.nodes} nodes became Ready")
            await asyncio.sleep(1)

    async def _saturation(self, client: Client, probe: Probe) -> dict[str, Any]:
        self._phase("saturation")
        total = self.args.nodes * self.args.pods_per_node
        selector = f"density={self.run_id}"
        listed = await client.list("pods", label_selector=selector)
        running: set[str] = set()
        done = asyncio.Event()
        start = time.monotonic()
        last_point = start

        async def watch() -> None:
            nonlocal last_point
            rv = (listed.get("metadata") or {}).get("resourceVersion")
            async for _, pod in client.watch("pods", resource_version=rv, label_selector=selector):
                name = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
                if _running(pod) and name not in running:
                    running.add(name)
                    now = time.monotonic()
                    if now - last_point >= 0.1:  # the curve at up to 10 points a second
                        self.running_over_time.append((round(now - start, 2), len(running)))
                        last_point = now
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
            self.progress.update(len(running), total, "Running", rate="pods")
            if elapsed > self.args.timeout:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), 1.0)
        seconds = time.monotonic() - start
        self.running_over_time.append((round(seconds, 2), len(running)))
        self.progress.update(len(running), total, "Running", rate="pods")
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        return {"pods": total, "running": len(running), "replication_controllers": rcs, "seconds": seconds,
                "pods_per_second": len(running) / seconds if seconds > 0 else 0.0}

    async def _latency(self, client: Client) -> dict[str, Any]:
        self._phase("latency")
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
            self.progress.update(i + 1, a.latency_pods, "created", extra=f"{len(seen):,} Running")
            await asyncio.sleep(1 / a.latency_qps)
        await asyncio.gather(*tasks)
        deadline = time.monotonic() + a.timeout
        while not done.is_set() and time.monotonic() < deadline:
            self.progress.update(len(seen), a.latency_pods, "Running")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), 1.0)
        self.progress.update(len(seen), a.latency_pods, "Running")
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        latencies = sorted(seen[n] - created[n] for n in created if n in seen)
        return {**_stats(latencies), "latencies_s": [round(x, 4) for x in latencies],
                "created": len(created), "running": len(seen),
                "create_errors": errors, "seconds": time.monotonic() - start}

    async def _cleanup(self, client: Client) -> float:
        self._phase("cleanup")
        start = time.monotonic()
        left = list(self.namespaces)
        for ns in left:
            await client.delete("namespaces", ns)
        while left and time.monotonic() - start < self.args.timeout:
            self.progress.update(len(self.namespaces) - len(left), len(self.namespaces), "namespaces deleted")
            for ns in list(left):
                try:
                    await client.get("namespaces", ns)
                except Exception:
                    left.remove(ns)
            if left:
                await asyncio.sleep(1)
        self.progress.update(len(self.namespaces) - len(left), len(self.namespaces), "namespaces deleted")
        return time.monotonic() - start


def component_flags(content_type: str, nodes: int | None = None) -> dict[str, list[str]]:
    """The flags ``--start`` gives each component besides ``--kubeconfig`` (recorded in the
    report), ``nodes`` hollow nodes."""
    client = ["--kube-api-content-type", content_type]
    return {"controller-manager": ["--leader-elect=false", *client],
            "scheduler": ["--leader-elect=false", *SCHEDULER_FLAGS, *client],
            "hollow-nodes": [*client] + (["--count", str(nodes)] if nodes is not None else [])}


def _start_cluster(nodes: int, data: str, kubeconfig: str, components: Components, content_type: str,
                   profiler: Profiler | None) -> None:
    log_dir = os.path.join(data, "logs")
    os.makedirs(log_dir, exist_ok=True)
    for name, flags in component_flags(content_type, nodes).items():
        with open(os.path.join(log_dir, f"{name}.log"), "ab") as log:
            p = subprocess.Popen([sys.executable, *(profiler.python_args(name) if profiler else ()),
                                  "-m", "paddock.cli", name, *flags, "--kubeconfig", kubeconfig],
                                 stdout=log, stderr=subprocess.STDOUT)
        components.procs[name] = p
        components.cpu_start[name] = cpu_seconds(p.pid)
        if profiler:
            profiler.attach(name, p.pid, os.path.join(log_dir, f"py-spy-{name}.log"))


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def summary_text(report: dict[str, Any]) -> str:
    """The one-screen summary of a report."""
    def mark(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    result = report["result"]
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
    floors = result.get("floors") or {}
    if "saturation_pods_per_second" in floors:
        f = floors["saturation_pods_per_second"]
        lines.append(f"  {mark(f['met'])}  floor: saturation {f['value']:.1f} pods/s (at least {f['floor']:g})")
    if "apiserver_peak_rss_mb" in floors:
        f = floors["apiserver_peak_rss_mb"]
        lines.append(f"  {mark(f['met'])}  floor: apiserver peak RSS {f['value']:.0f} MB (under {f['floor']:g} MB)")
    if "content_type" in result:
        wire = result.get("wire_bytes")
        detail = (f"{_mb(wire['total'])} (responses {_mb(wire['responses'])}, watch events "
                  f"{_mb(wire['watch_events'])}, request bodies {_mb(wire['request_bodies'])})"
                  if wire else "not available (no byte metrics on the apiserver's /metrics)")
        lines.append(f"  content type {result['content_type']}; bytes on the wire: {detail}")
    if report.get("plots"):
        lines.append(f"  plots: {' '.join(report['plots'])}")
    if "profiles" in report:
        missing = sorted(set(result["components"]) - set(report["profiles"]))
        lines.append(f"  profiles ({report.get('profiler')}): {' '.join(report['profiles'].values())}"
                     + (f"; none for {', '.join(missing)} (see the cluster's logs)" if missing else ""))
    lines.append(f"  {mark(result['pass'])}  overall")
    return "\n".join(lines) + "\n"


def compare_text(dirs: list[str]) -> str:
    """Two runs side by side (say JSON against protobuf): the SLO figures, CPU seconds and
    peak RSS per component, bytes on the wire, and B/A where both have a number."""
    a, b = (_load(d)["result"] for d in dirs)
    short = {v: k for k, v in CONTENT_TYPES.items()}

    def component(name: str, field: str) -> Callable[[dict[str, Any]], Any]:
        return lambda r: (r["components"].get(name) or {}).get(field)

    def wire(key: str) -> Callable[[dict[str, Any]], Any]:
        return lambda r: r["wire_bytes"][key] / 1e6 if r.get("wire_bytes") else None

    rows: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("content type", lambda r: short.get(r.get("content_type", ""), r.get("content_type", "?"))),
        ("nodes x pods per node", lambda r: f"{r['nodes']} x {r['pods_per_node']}"),
        ("saturation pods/s", lambda r: r["saturation"]["pods_per_second"]),
        ("pod startup p99 s", lambda r: r["pod_startup"]["p99_s"]),
        ("single-object API p99 s", lambda r: r["api_single_object"]["p99_s"]),
        ("list API p99 s", lambda r: r["api_list"]["p99_s"]),
    ]
    for name in sorted(set(a["components"]) | set(b["components"])):
        rows.append((f"{name} cpu s", component(name, "cpu_seconds")))
        rows.append((f"{name} peak rss MB", component(name, "peak_rss_mb")))
    for key in ("total", "responses", "watch_events", "request_bodies"):
        rows.append((f"bytes {key.replace('_', ' ')} MB", wire(key)))

    def cell(v: Any) -> str:
        return f"{v:.3f}" if isinstance(v, float) else "n/a" if v is None else str(v)

    lines = [f"A: {dirs[0]}", f"B: {dirs[1]}", f"{'':<31} {'A':>14} {'B':>14} {'B/A':>7}"]
    for label, get in rows:
        va, vb = get(a), get(b)
        ratio = f"{vb / va:7.2f}" if isinstance(va, float) and isinstance(vb, float) and va else ""
        lines.append(f"{label:<31} {cell(va):>14} {cell(vb):>14} {ratio:>7}")
    return "\n".join(lines) + "\n"


def _load(out: str) -> dict[str, Any]:
    with open(os.path.join(out, "report.json"), "rb") as f:
        report: dict[str, Any] = orjson.loads(f.read())
    return report


def _write_report(out: str, report: dict[str, Any]) -> None:
    text = summary_text(report)
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(text)
    write(os.path.join(out, "report.json"), report, shown=text)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--start", action="store_true", help="start a paddock cluster with hollow nodes")
    what.add_argument("--kubeconfig", help="measure the cluster this kubeconfig names")
    what.add_argument("--plot-only", metavar="DIR", help="draw the plots of DIR/report.json again")
    what.add_argument("--compare", nargs=2, metavar=("DIR1", "DIR2"),
                      help="print two runs' figures side by side (e.g. json against protobuf)")
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--pods-per-node", type=int, default=30)
    parser.add_argument("--latency-pods", type=int, default=100)
    parser.add_argument("--latency-qps", type=float, default=5.0)
    parser.add_argument("--probe-qps", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds any phase may take")
    parser.add_argument("--content-type", choices=sorted(CONTENT_TYPES), default="protobuf",
                        help="what the harness and (with --start) the components speak to the apiserver")
    parser.add_argument("--profile", action="store_true",
                        help="with --start: a profile of every component in DIR/profiles/")
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    parser.add_argument("--apiserver-arg", action="append", default=[], metavar="FLAG",
                        help="with --start, a flag for the apiserver (repeatable), e.g. "
                             "--apiserver-arg=--fair-queuing-seats=0")
    parser.add_argument("--out", default="density-report",
                        help="directory for report.json, summary.txt and the plots")


def main(args: argparse.Namespace) -> int:
    if args.plot_only:
        from .plots import write_plots

        report = _load(args.plot_only)
        report["plots"] = write_plots(report["result"], args.plot_only)
        _write_report(args.plot_only, report)
        return 0
    if args.compare:
        print(compare_text(args.compare), end="")
        return 0
    if args.profile and not args.start:
        raise SystemExit("--profile profiles the components that --start starts")
    import uvloop

    components = Components()
    profiler = Profiler(args.out) if args.profile else None
    if args.start:
        from .server import temporary_apiserver

        python_args = profiler.python_args("apiserver") if profiler else []
        with temporary_apiserver("paddock-bench-density-", python_args,
                                 args.apiserver_arg) as (api, kubeconfig):
            data = os.path.dirname(kubeconfig)
            components.procs["apiserver"] = api
            components.cpu_start["apiserver"] = cpu_seconds(api.pid)
            if profiler:
                profiler.attach("apiserver", api.pid, os.path.join(data, "py-spy-apiserver.log"))
            _start_cluster(args.nodes, data, kubeconfig, components, CONTENT_TYPES[args.content_type],
                           profiler)
            try:
                result = uvloop.run(Density(args, kubeconfig, components).run())
            finally:
                if profiler:  # py-spy writes its file on SIGINT, while its process still runs
                    profiler.stop()
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
    from .plots import write_plots

    report = {"benchmark": "density", "machine": machine(), "result": result, "pass": result["pass"],
              "plots": write_plots(result, args.out)}
    if profiler:  # listed once every component has exited: pyinstrument writes on exit
        report["profiler"] = profiler.tool
        report["profiles"] = profiler.profiles()
    _write_report(args.out, report)
    return 0 if report["pass"] else 1
