"""``paddock bench hollow``: what a hollow node costs at steady state.

A temporary apiserver and ``paddock hollow-nodes --count N``; once every node is Ready
(and, with ``--pods-per-node``, every pod bound straight to its node is Running), the
hollow-nodes process is watched for ``--seconds``: its CPU seconds over that time and its
resident memory, per node.  Floors (issue 6, on two cores): at most 2 MB per hollow node
and under 10% of one core for all of them together (upstream kubemark's hollow node:
0.09 of a core and 220 MB each).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from typing import Any

from paddock.core.client import Client

from .report import machine, write
from .server import cpu_seconds, rss_mb

FLOORS = {"mb_per_node": 2.0, "cores_for_all": 0.10}



async def _wait_ready(kubeconfig: str, count: int, pods_per_node: int, deadline: float) -> float:
    start = time.monotonic()
    async with Client.from_kubeconfig(kubeconfig, qps=0) as client:
        while True:
            nodes = (await client.list("nodes")).get("items") or []
            ready = [n for n in nodes if any(c.get("type") == "Ready" and c.get("status") == "True"
                                             for c in (n.get("status") or {}).get("conditions") or ())]
            if len(ready) == count:
                break
            if time.monotonic() - start > deadline:
                raise SystemExit(f"only {len(ready)} of {count} hollow nodes became Ready")
            await asyncio.sleep(1)
        if pods_per_node:
            gate = asyncio.Semaphore(100)

            async def create(i: int, node: str) -> None:
                async with gate:
                    await client.create("pods", {"metadata": {"name": f"{node}-{i}"}, "spec": {
                        "nodeName": node, "containers": [{"name": "c", "image": "pause"}]}}, "default")

            await asyncio.gather(*(create(i, n["metadata"]["name"]) for n in nodes
                                   for i in range(pods_per_node)))
            while True:
                # one pod of those not Running, and how many more there are: no need to
                # list 30,000 pods to count them
                page = await client.list("pods", "default", limit=1,
                                         field_selector="status.phase!=Running")
                if not page.get("items"):
                    break
                if time.monotonic() - start > deadline:
                    left = 1 + int((page.get("metadata") or {}).get("remainingItemCount") or 0)
                    raise SystemExit(f"{left} hollow pods did not start")
                await asyncio.sleep(2)
    return time.monotonic() - start


def run(count: int, pods_per_node: int, seconds: float) -> dict[str, Any]:
    import uvloop

    from .server import temporary_apiserver

    with temporary_apiserver("paddock-bench-hollow-") as (api, kubeconfig):
        log = open(os.path.join(os.path.dirname(kubeconfig), "hollow-nodes.log"), "ab")
        proc = subprocess.Popen([sys.executable, "-m", "paddock.cli", "hollow-nodes", "--kubeconfig",
                                 kubeconfig, "--count", str(count)], stdout=log, stderr=subprocess.STDOUT)
        try:
            settle = uvloop.run(_wait_ready(kubeconfig, count, pods_per_node, 600))
            time.sleep(5)  # registration and pod starts behind us
            cpu0, api0, t0 = cpu_seconds(proc.pid), cpu_seconds(api.pid), time.monotonic()
            peak = 0.0
            while time.monotonic() - t0 < seconds:
                peak = max(peak, rss_mb(proc.pid))
                time.sleep(1)
            elapsed = time.monotonic() - t0
            cpu = cpu_seconds(proc.pid) - cpu0
            api_cpu = cpu_seconds(api.pid) - api0
        finally:
            proc.terminate()
            proc.wait(30)
    return {"nodes": count, "pods_per_node": pods_per_node, "seconds_to_ready": settle,
            "measured_seconds": elapsed, "rss_mb": peak, "mb_per_node": peak / count,
            "cores_for_all": cpu / elapsed, "cores_per_node": cpu / elapsed / count,
            "apiserver_cores": api_cpu / elapsed}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--pods-per-node", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=60.0, help="steady state to measure")
    parser.add_argument("--out", default="bench-hollow.json")


def main(args: argparse.Namespace) -> int:
    result = run(args.count, args.pods_per_node, args.seconds)
    checks = {"at_most_2_mb_per_node": result["mb_per_node"] <= FLOORS["mb_per_node"],
              "under_10_percent_of_a_core": result["cores_for_all"] < FLOORS["cores_for_all"]}
    report = {"benchmark": "hollow-nodes",
              "machine": machine(),
              "floors": FLOORS, "result": result, "checks": checks, "pass": all(checks.values())}
    write(args.out, report)
    return 0 if report["pass"] else 1
