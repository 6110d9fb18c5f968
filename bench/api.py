"""``paddock bench api``: API throughput and latency, measured from a separate load process.

Phases, each open-loop at a fixed rate (requests are sent on schedule whether or not the
previous ones have returned, so a slow server shows up as latency, not as a lower rate):

1. single-object GET at ``--get-rate`` for ``--duration`` seconds;
2. pod create at ``--create-rate`` for ``--duration`` seconds;
3. LIST of ``--list-pods`` pods in one namespace, 20 times;
4. watch fan-out: ``--watchers`` watchers of one namespace, then ``--watchers`` kubelet-style
   watchers each selecting its own ``spec.nodeName``; events are stamped with their send
   time and the delay to every watcher is recorded.

The report is JSON (``--out``) with per-phase throughput and latency percentiles, the
floors of the foundation issue and whether each was met, and the machine it ran on.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ssl
import sys
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
import yaml

from .report import machine, write
from .server import temporary_apiserver

FLOORS = {
    "get_p99_s": 0.050,
    "create_p99_s": 0.100,
    "list_p99_s": 1.0,
    "watch_max_delay_s": 1.0,
}


@dataclass
class Target:
    server: str
    token: str
    ssl: ssl.SSLContext

    @classmethod
    def from_kubeconfig(cls, path: str) -> Target:
        with open(path) as f:
            cfg = yaml.safe_load(f)
        cluster = cfg["clusters"][0]["cluster"]
        ctx = ssl.create_default_context(cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())
        return cls(cluster["server"], cfg["users"][0]["user"].get("token", ""), ctx)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


def summary(latencies: list[float], errors: int, elapsed: float) -> dict[str, Any]:
    return {"count": len(latencies), "errors": errors, "throughput_per_s": len(latencies) / elapsed if elapsed else 0,
            "p50_s": percentile(latencies, 50), "p90_s": percentile(latencies, 90),
            "p99_s": percentile(latencies, 99), "max_s": max(latencies) if latencies else float("nan")}


def _pod(name: str, node: str | None = None, stamp: float | None = None) -> dict[str, Any]:
    md: dict[str, Any] = {"name": name, "labels": {"app": "bench"}}
    if stamp is not None:
        md["annotations"] = {"bench/sent": repr(stamp)}
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.9",
                                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec}


class Bench:
    """One run against one apiserver."""

    def __init__(self, target: Target, args: argparse.Namespace) -> None:
        self.t = target
        self.args = args
        self.headers = {"Authorization": f"Bearer {target.token}", "Content-Type": "application/json",
                        "Accept": "application/json"}
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Bench:
        conn = aiohttp.TCPConnector(ssl=self.t.ssl, limit=0)
        self.session = aiohttp.ClientSession(connector=conn, headers=self.headers,
                                             timeout=aiohttp.ClientTimeout(total=None))
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.session is not None
        await self.session.close()

    async def req(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        assert self.session is not None
        data = orjson.dumps(body) if body is not None else None
        async with self.session.request(method, self.t.server + path, data=data) as r:
            return r.status, await r.read()

    async def open_loop(self, rate: float, duration: float, make: Any) -> dict[str, Any]:
        """Send make(i) at ``rate``/s for ``duration`` s; latency of each from its schedule."""
        lat: list[float] = []
        errors = 0
        n = int(rate * duration)
        start = time.monotonic()

        async def one(i: int) -> None:
            nonlocal errors
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            method, path, body = make(i)
            try:
                code, _ = await self.req(method, path, body)
            except aiohttp.ClientError:
                errors += 1
                return
            if code >= 300:
                errors += 1
                return
            lat.append(time.monotonic() - due)

        await asyncio.gather(*(one(i) for i in range(n)))
        return summary(lat, errors, time.monotonic() - start)

    async def ensure_namespace(self, name: str) -> None:
        await self.req("POST", "/api/v1/namespaces", {"metadata": {"name": name}})

    async def run(self) -> dict[str, Any]:
        a = self.args
        ns = f"bench-{int(time.time())}"
        await self.ensure_namespace(ns)
        base = f"/api/v1/namespaces/{ns}/pods"
        results: dict[str, Any] = {}
        await self.req("POST", base, _pod("target"))
        # warm-up: connections and code paths
        await self.open_loop(100, 1, lambda i: ("GET", base + "/target", None))
        results["get"] = await self.open_loop(a.get_rate, a.duration, lambda i: ("GET", base + "/target", None))
        results["get"]["rate_per_s"] = a.get_rate
        results["create"] = await self.open_loop(a.create_rate, a.duration,
                                                 lambda i: ("POST", base, _pod(f"c-{i}")))
        results["create"]["rate_per_s"] = a.create_rate
        # fill the list namespace as fast as the server takes it
        lns = ns + "-list"
        await self.ensure_namespace(lns)
        lbase = f"/api/v1/namespaces/{lns}/pods"
        sem = asyncio.Semaphore(64)

        async def create(i: int) -> None:
            async with sem:
                await self.req("POST", lbase, _pod(f"l-{i:05d}"))
        t0 = time.monotonic()
        await asyncio.gather(*(create(i) for i in range(a.list_pods)))
        fill = time.monotonic() - t0
        lat = []
        for _ in range(20):
            s = time.monotonic()
            code, body = await self.req("GET", lbase)
            lat.append(time.monotonic() - s)
            assert code == 200
        count = len(orjson.loads(body)["items"])
        results["list"] = {**summary(lat, 0, sum(lat)), "items": count, "fill_s": fill,
                           "fill_creates_per_s": a.list_pods / fill if fill else 0}
        results["watch_namespace"] = await self.fanout(ns + "-w1", by_node=False)
        results["watch_by_node"] = await self.fanout(ns + "-w2", by_node=True)
        return results

    async def fanout(self, ns: str, by_node: bool) -> dict[str, Any]:
        """Open N watchers, send events, record each event's delay to each watcher."""
        a = self.args
        await self.ensure_namespace(ns)
        assert self.session is not None
        delays: list[float] = []
        received = 0
        ready = 0
        n = a.watchers
        events = 50 if not by_node else n
        expected = n * events if not by_node else n
        done = asyncio.Event()

        async def watcher(i: int) -> None:
            nonlocal received, ready
            q = "?watch=true&timeoutSeconds=120"
            if by_node:
                q += f"&fieldSelector=spec.nodeName%3Dbench-node-{i}"
            assert self.session is not None
            async with self.session.get(self.t.server + f"/api/v1/namespaces/{ns}/pods{q}") as r:
                ready += 1
                async for line in r.content:
                    if not line.strip():
                        continue
                    now = time.time()
                    ev = orjson.loads(line)
                    sent = (ev["object"]["metadata"].get("annotations") or {}).get("bench/sent")
                    if ev["type"] == "ADDED" and sent:
                        delays.append(now - float(sent))
                        received += 1
                        if received >= expected:
                            done.set()
                        if by_node:
                            return

        tasks = [asyncio.ensure_future(watcher(i)) for i in range(n)]
        deadline = time.monotonic() + 60
        while ready < n and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        t0 = time.monotonic()
        if by_node:
            sem = asyncio.Semaphore(64)

            async def send(i: int) -> None:
                async with sem:
                    await self.req("POST", f"/api/v1/namespaces/{ns}/pods",
                                   _pod(f"n-{i}", f"bench-node-{i}", time.time()))
            await asyncio.gather(*(send(i) for i in range(events)))
        else:
            for i in range(events):
                await self.req("POST", f"/api/v1/namespaces/{ns}/pods", _pod(f"e-{i}", None, time.time()))
                await asyncio.sleep(0.01)
        try:
            await asyncio.wait_for(done.wait(), 60)
        except TimeoutError:
            pass
        elapsed = time.monotonic() - t0
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return {"watchers": n, "events_sent": events, "deliveries_expected": expected,
                "deliveries": received, "deliveries_per_s": received / elapsed if elapsed else 0,
                "delay_p50_s": percentile(delays, 50), "delay_p99_s": percentile(delays, 99),
                "delay_max_s": max(delays) if delays else float("nan")}


def verdict(results: dict[str, Any]) -> dict[str, Any]:
    checks = {
        "get_p99_under_50ms_at_rate": results["get"]["p99_s"] < FLOORS["get_p99_s"] and results["get"]["errors"] == 0,
        "create_p99_under_100ms_at_rate": results["create"]["p99_s"] < FLOORS["create_p99_s"]
        and results["create"]["errors"] == 0,
        "list_p99_under_1s": results["list"]["p99_s"] < FLOORS["list_p99_s"],
        "watch_namespace_all_delivered_within_1s":
            results["watch_namespace"]["deliveries"] == results["watch_namespace"]["deliveries_expected"]
            and results["watch_namespace"]["delay_max_s"] < FLOORS["watch_max_delay_s"],
        "watch_by_node_all_delivered_within_1s":
            results["watch_by_node"]["deliveries"] == results["watch_by_node"]["deliveries_expected"]
            and results["watch_by_node"]["delay_max_s"] < FLOORS["watch_max_delay_s"],
    }
    return {"checks": checks, "pass": all(checks.values())}


def main(args: argparse.Namespace) -> int:
    if not (args.start or args.kubeconfig):
        print("paddock bench api: give --kubeconfig or --start", file=sys.stderr)
        return 2
    import uvloop

    async def go(kubeconfig: str) -> dict[str, Any]:
        async with Bench(Target.from_kubeconfig(kubeconfig), args) as b:
            return await b.run()

    if args.start:
        with temporary_apiserver("paddock-bench-") as (_proc, kubeconfig):
            results = uvloop.run(go(kubeconfig))
    else:
        results = uvloop.run(go(args.kubeconfig))
    report = {
        "benchmark": "api",
        "machine": machine(),
        "params": {k: getattr(args, k) for k in ("duration", "get_rate", "create_rate", "list_pods", "watchers")},
        "floors": FLOORS,
        "results": results,
        **verdict(results),
    }
    write(args.out, report, {"results": results, "checks": report["checks"], "pass": report["pass"]})
    return 0 if report["pass"] else 1
