"""``paddock bench controllers``: how fast the controller-manager creates pods, and a
rolling update of a large deployment.

*Creation*: ``--rcs`` ReplicationControllers totalling ``--pods`` pods are created on a
temporary apiserver with ``paddock controller-manager`` running; the time from the first
RC to the last pod seen by a watch gives pods created per second (floor: 500 on two
cores; upstream's controller-manager is held to 20 requests per second by default).
No scheduler runs: the pods stay Pending, so only the controllers are measured.

*Rolling update*: a deployment of ``--rollout-replicas`` replicas (maxSurge 25%,
maxUnavailable 25%) on ``--rollout-nodes`` simulated nodes, with the scheduler unthrottled (``bench/nodesim.py``: they
register, renew their Leases, and run pods the scheduler binds to them) rolls to a new
image; the report gives the time to complete and the most pods and fewest available
pods seen by a watch throughout, against replicas + maxSurge and replicas -
maxUnavailable.  CPU seconds of each component are read from /proc.
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
from .server import cpu_seconds

FLOORS = {"pods_created_per_s": 500}



def _spawn(name: str, kubeconfig: str, log_dir: str, *extra: str) -> subprocess.Popen[bytes]:
    log = open(os.path.join(log_dir, f"{name}.log"), "ab")
    return subprocess.Popen([sys.executable, "-m", "paddock.cli", name, "--kubeconfig", kubeconfig,
                             "--leader-elect=false", *extra], stdout=log, stderr=subprocess.STDOUT)


def _rc(name: str, replicas: int) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"app": name}, "template": {
                "metadata": {"labels": {"app": name, "bench": "density"}},
                "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.9",
                                         "resources": {"requests": {"cpu": "1m", "memory": "1Mi"}}}]}}}}


async def _creation(kubeconfig: str, pods: int, rcs: int, deadline: float) -> dict[str, Any]:
    async with Client.from_kubeconfig(kubeconfig, qps=0) as client:
        listed = await client.list("pods", "default")
        seen: set[str] = set()
        done = asyncio.Event()

        async def watch() -> None:
            async for event, obj in client.watch("pods", "default", resource_version=listed[
                    "metadata"]["resourceVersion"], timeout_seconds=int(deadline) + 60):
                if event == "ADDED":
                    seen.add(obj["metadata"]["name"])
                    if len(seen) >= pods:
                        done.set()
                        return

        watcher = asyncio.create_task(watch())
        await asyncio.sleep(0.5)
        start = time.monotonic()
        per_rc = [pods // rcs + (1 if i < pods % rcs else 0) for i in range(rcs)]
        await asyncio.gather(*(client.create("replicationcontrollers", _rc(f"density-{i}", n), "default")
                               for i, n in enumerate(per_rc)))
        try:
            await asyncio.wait_for(done.wait(), deadline)
        except TimeoutError:
            pass
        elapsed = time.monotonic() - start
        watcher.cancel()
        return {"pods": pods, "rcs": rcs, "created": len(seen), "seconds": elapsed,
                "pods_created_per_s": len(seen) / elapsed}


def creation(pods: int, rcs: int, deadline: float) -> dict[str, Any]:
    import uvloop

    from .server import temporary_apiserver

    with temporary_apiserver("paddock-bench-controllers-") as (api, kubeconfig):
        manager = _spawn("controller-manager", kubeconfig, os.path.dirname(kubeconfig))
        try:
            time.sleep(2.0)
            cpu = {"apiserver": cpu_seconds(api.pid), "controller-manager": cpu_seconds(manager.pid)}
            result: dict[str, Any] = uvloop.run(_creation(kubeconfig, pods, rcs, deadline))
            result["cpu_seconds"] = {
                "apiserver": cpu_seconds(api.pid) - cpu["apiserver"],
                "controller-manager": cpu_seconds(manager.pid) - cpu["controller-manager"]}
        finally:
            manager.terminate()
            manager.wait(20)
    return result


async def _rollout(kubeconfig: str, replicas: int, deadline: float) -> dict[str, Any]:
    surge = -(-replicas * 25 // 100)
    unavailable = replicas * 25 // 100
    async with Client.from_kubeconfig(kubeconfig, qps=0) as client:
        deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "roll"},
                      "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "roll"}},
                               "template": {"metadata": {"labels": {"app": "roll"}}, "spec": {
                                   "containers": [{"name": "c", "image": "app:1"}]}}}}
        await client.create("deployments", deployment, "default")

        async def status() -> dict[str, Any]:
            d = await client.get("deployments", "roll", "default")
            s: dict[str, Any] = d.get("status") or {}
            s["generation"] = d["metadata"].get("generation")
            return s

        def complete(s: dict[str, Any]) -> bool:
            return (s.get("updatedReplicas") == replicas == s.get("availableReplicas")
                    and s.get("replicas") == replicas and s.get("observedGeneration") == s["generation"])

        start = time.monotonic()
        while not complete(await status()):
            if time.monotonic() - start > deadline:
                return {"error": "the first rollout did not complete", "status": await status()}
            await asyncio.sleep(0.2)
        initial = time.monotonic() - start
        pods: dict[str, dict[str, Any]] = {}
        listed = await client.list("pods", "default", label_selector="app=roll")
        for p in listed["items"]:
            pods[p["metadata"]["name"]] = p
        most = 0
        fewest_available = replicas

        def ready(p: dict[str, Any]) -> bool:
            return any(c.get("type") == "Ready" and c.get("status") == "True"
                       for c in (p.get("status") or {}).get("conditions") or ())

        async def watch() -> None:
            nonlocal most, fewest_available
            async for event, obj in client.watch("pods", "default", label_selector="app=roll",
                                                 resource_version=listed["metadata"]["resourceVersion"],
                                                 timeout_seconds=int(deadline) + 60):
                name = obj["metadata"]["name"]
                if event == "DELETED" or obj["metadata"].get("deletionTimestamp"):
                    pods.pop(name, None)
                else:
                    pods[name] = obj
                most = max(most, len(pods))
                fewest_available = min(fewest_available, sum(1 for p in pods.values() if ready(p)))

        watcher = asyncio.create_task(watch())
        await asyncio.sleep(0.2)
        start = time.monotonic()
        await client.patch("deployments", "roll", {"spec": {"template": {"spec": {"containers": [
            {"name": "c", "image": "app:2"}]}}}}, "default",
            patch_type="application/strategic-merge-patch+json")
        await asyncio.sleep(0.5)
        while not complete(await status()):
            if time.monotonic() - start > deadline:
                break
            await asyncio.sleep(0.2)
        elapsed = time.monotonic() - start
        watcher.cancel()
        final = await status()
        return {"replicas": replicas, "initial_rollout_seconds": initial,
                "update_seconds": elapsed, "completed": complete(final),
                "most_pods": most, "max_allowed_pods": replicas + surge,
                "fewest_available": fewest_available, "min_allowed_available": replicas - unavailable,
                "invariant_held": most <= replicas + surge and fewest_available >= replicas - unavailable}


def rollout(replicas: int, nodes: int, deadline: float) -> dict[str, Any]:
    import uvloop

    from .nodesim import PodSimulator
    from .server import temporary_apiserver

    with temporary_apiserver("paddock-bench-rollout-") as (api, kubeconfig):
        log_dir = os.path.dirname(kubeconfig)
        # the scheduler unthrottled (its default is upstream's 50 requests per second):
        # what is measured here is the controllers
        procs = {"scheduler": _spawn("scheduler", kubeconfig, log_dir, "--kube-api-qps=0"),
                 "controller-manager": _spawn("controller-manager", kubeconfig, log_dir)}
        try:
            names = [(f"hollow-{i:03d}", f"zone-{i % 3}") for i in range(nodes)]
            with PodSimulator(kubeconfig, nodes=names, ready_after=0.5, linger=0.5, renew_every=10.0):
                time.sleep(2.0)
                cpu = {n: cpu_seconds(p.pid) for n, p in [("apiserver", api), *procs.items()]}
                result: dict[str, Any] = uvloop.run(_rollout(kubeconfig, replicas, deadline))
                result["nodes"] = nodes
                result["cpu_seconds"] = {n: cpu_seconds(p.pid) - cpu[n]
                                         for n, p in [("apiserver", api), *procs.items()]}
        finally:
            for p in procs.values():
                p.terminate()
                p.wait(20)
    return result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pods", type=int, default=30000)
    parser.add_argument("--rcs", type=int, default=30)
    parser.add_argument("--rollout-replicas", type=int, default=1000)
    parser.add_argument("--rollout-nodes", type=int, default=100)
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds for each phase")
    parser.add_argument("--skip-rollout", action="store_true")
    parser.add_argument("--out", default="bench-controllers.json")


def main(args: argparse.Namespace) -> int:
    created = creation(args.pods, args.rcs, args.deadline)
    rolled = None if args.skip_rollout else rollout(args.rollout_replicas, args.rollout_nodes,
                                                     args.deadline)
    checks = {"all_pods_created": created["created"] == args.pods,
              "at_least_500_pods_created_per_s": created["pods_created_per_s"] >= FLOORS["pods_created_per_s"]}
    if rolled is not None:
        checks["rollout_completed"] = bool(rolled.get("completed"))
        checks["rollout_invariant_held"] = bool(rolled.get("invariant_held"))
    report = {"benchmark": "controllers",
              "machine": machine(),
              "floors": FLOORS, "creation": created, "rollout": rolled, "checks": checks,
              "pass": all(checks.values())}
    write(args.out, report)
    return 0 if report["pass"] else 1
