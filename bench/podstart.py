"""``paddock bench podstart``: how long a real pod takes from bound to Running.

A temporary apiserver and one ``paddock kubelet --runtime process`` in a node network
namespace of its own.  ``--pods`` one-container pods (``pause``: ``sleep infinity`` through
the image map) are created already bound to the node (``spec.nodeName``), ``--rate`` per
second, and a watch notes when each is first seen Running; the latency of a pod is that
time less the time its create was answered.  Then, with ``--burst``, the same again with
all pods created at once, and the memory of the node's pods while they all run (the pods'
cgroups: containers, their shims, the sandboxes), per pod.  This is done for each container
shim of ``--shims`` (the native nsinit.c and its Python twin), and their ratios reported.
Floor (issue 6): p99 under 1 s at the paced rate.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from typing import Any

from paddock.core.client import Client

from .report import machine, percentile, write

FLOOR_P99_SECONDS = 1.0


def _memory_bytes(node: str) -> int:
    try:
        with open(f"/sys/fs/cgroup/memory/paddock/{node}/memory.usage_in_bytes") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 0


async def _measure(kubeconfig: str, node: str, count: int, rate: float, prefix: str,
                   memory: list[int] | None = None) -> list[float]:
    async with Client.from_kubeconfig(kubeconfig, qps=0) as client:
        created: dict[str, float] = {}
        running: dict[str, float] = {}
        listed = await client.list("pods", "default")
        done = asyncio.Event()

        async def watch() -> None:
            rv = (listed.get("metadata") or {}).get("resourceVersion")
            async for _, pod in client.watch("pods", "default", resource_version=rv):
                name = (pod.get("metadata") or {}).get("name", "")
                if (pod.get("status") or {}).get("phase") == "Running" and name not in running:
                    running[name] = time.monotonic()
                    if len(running) == count:
                        done.set()
                        return

        watcher = asyncio.create_task(watch())
        await asyncio.sleep(0.2)

        async def create(i: int) -> None:
            name = f"{prefix}-{i}"
            await client.create("pods", {"metadata": {"name": name}, "spec": {
                "nodeName": node, "terminationGracePeriodSeconds": 0,
                "containers": [{"name": "c", "image": "pause"}]}}, "default")
            created[name] = time.monotonic()

        tasks = []
        for i in range(count):
            tasks.append(asyncio.create_task(create(i)))
            if rate > 0:
                await asyncio.sleep(1 / rate)
        await asyncio.gather(*tasks)
        try:
            await asyncio.wait_for(done.wait(), 120)
        except TimeoutError:
            raise SystemExit(f"only {len(running)} of {count} pods became Running") from None
        watcher.cancel()
        if memory is not None:
            memory.append(_memory_bytes(node))
        latencies = [running[n] - created[n] for n in created]
        await asyncio.gather(*(client.delete("pods", n, "default", options={"gracePeriodSeconds": 0})
                               for n in created))
        while (await client.list("pods", "default")).get("items"):
            await asyncio.sleep(0.5)
        # and the kubelet has stopped them all (until then they count against its 110)
        groups = f"/sys/fs/cgroup/pids/paddock/{node}"
        while os.path.isdir(groups) and any(d.startswith("pod") for d in os.listdir(groups)):
            await asyncio.sleep(0.2)
        return latencies


def _summary(latencies: list[float]) -> dict[str, float]:
    return {"pods": len(latencies), "p50_s": percentile(latencies, 50), "p90_s": percentile(latencies, 90),
            "p99_s": percentile(latencies, 99), "max_s": max(latencies)}


def run(count: int, rate: float, burst: bool, shim: str) -> dict[str, Any]:
    import uvloop

    from .server import temporary_apiserver

    netns = f"paddock-bench-{uuid.uuid4().hex[:8]}"
    with temporary_apiserver("paddock-bench-podstart-") as (_, kubeconfig):
        data = os.path.dirname(kubeconfig)
        log = open(os.path.join(data, "kubelet.log"), "ab")
        proc = subprocess.Popen([sys.executable, "-m", "paddock.cli", "kubelet", "--kubeconfig", kubeconfig,
                                 "--node-name", "bench-node", "--root-dir", os.path.join(data, "kubelet"),
                                 "--node-netns", netns, "--pod-cidr", "198.18.9.0/24",
                                 "--container-shim", shim],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            async def ready() -> None:
                async with Client.from_kubeconfig(kubeconfig) as client:
                    for _ in range(300):
                        nodes = (await client.list("nodes")).get("items") or []
                        if nodes:
                            return
                        await asyncio.sleep(0.1)
                raise SystemExit("the kubelet did not register")

            uvloop.run(ready())
            result: dict[str, Any] = {"paced": {"rate_per_s": rate, **_summary(
                uvloop.run(_measure(kubeconfig, "bench-node", count, rate, "paced")))}}
            if burst:
                memory: list[int] = []
                result["burst"] = _summary(uvloop.run(_measure(kubeconfig, "bench-node", count, 0, "burst",
                                                               memory)))
                result["memory_per_pod_mb"] = memory[0] / count / 2**20
        except SystemExit:
            with open(os.path.join(data, "kubelet.log"), "rb") as f:
                sys.stderr.write(f.read()[-4000:].decode(errors="replace"))
            raise
        finally:
            proc.terminate()
            proc.wait(60)
            subprocess.run(["ip", "netns", "delete", netns], capture_output=True)
    return result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pods", type=int, default=100)
    parser.add_argument("--rate", type=float, default=10.0, help="pods created per second")
    parser.add_argument("--burst", action="store_true",
                        help="also create them all at once, and measure their memory")
    parser.add_argument("--shims", default="native,python",
                        help="the container shims to measure, in turn (native needs make build)")
    parser.add_argument("--out", default="bench-podstart.json")


def main(args: argparse.Namespace) -> int:
    shims = [s for s in args.shims.split(",") if s]
    result: dict[str, Any] = {shim: run(args.pods, args.rate, args.burst, shim) for shim in shims}
    if "native" in result and "python" in result:
        native, python = result["native"], result["python"]
        ratios = {"paced_p99": python["paced"]["p99_s"] / native["paced"]["p99_s"]}
        if args.burst:
            ratios["burst_p99"] = python["burst"]["p99_s"] / native["burst"]["p99_s"]
            ratios["memory_per_pod"] = python["memory_per_pod_mb"] / max(native["memory_per_pod_mb"], 1e-9)
        result["python_over_native"] = ratios
    checks = {"p99_under_1s": result[shims[0]]["paced"]["p99_s"] < FLOOR_P99_SECONDS}
    report = {"benchmark": "podstart (process runtime, bound to Running)",
              "machine": machine(),
              "floor_p99_s": FLOOR_P99_SECONDS, "result": result, "checks": checks, "pass": all(checks.values())}
    write(args.out, report)
    return 0 if report["pass"] else 1
