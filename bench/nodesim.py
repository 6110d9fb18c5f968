"""A node simulator for controller tests and benchmarks (until the hollow kubelet exists).

Without ``nodes`` it binds every pending pod to one node itself.  With ``nodes``
(name, zone) it registers those Nodes and renews their Leases every second, as kubelets
do, and leaves binding to the scheduler; :meth:`PodSimulator.stop_zone` makes a zone's
nodes fall silent.  Pods on live nodes are marked Running and Ready with an IP after a
delay (never, for images named ``never-ready``), and their deletions confirmed (after
``linger`` seconds), as a kubelet would."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

import aiohttp

from paddock.core.client import Client
from paddock.core.informer import Informer
from paddock.core.status import APIError

NEVER_READY = "never-ready"


class PodSimulator:
    def __init__(self, kubeconfig: str, node: str = "sim-node", ready_after: float = 0.2,
                 linger: float = 0.0, nodes: list[tuple[str, str]] | None = None,
                 renew_every: float = 1.0) -> None:
        self.renew_every = renew_every
        self.nodes = dict(nodes or [])
        self.dead: set[str] = set()
        self.kubeconfig = kubeconfig
        self.node = node
        self.ready_after = ready_after
        self.linger = linger  # seconds a deleted pod takes to stop
        self._ips = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._stopped = asyncio.Event()
        self._done: Any = None
        self._acting: set[asyncio.Task[None]] = set()

    def __enter__(self) -> PodSimulator:
        self._thread.start()
        self._done = asyncio.run_coroutine_threadsafe(self._run(), self._loop)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stopped.set)
        self._done.result(20)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def stop_zone(self, zone: str) -> None:
        self._loop.call_soon_threadsafe(
            self.dead.update, {n for n, z in self.nodes.items() if z == zone})

    async def _run(self) -> None:
        async with Client.from_kubeconfig(self.kubeconfig, qps=0) as client:
            self.client = client
            for name, zone in self.nodes.items():
                await client.create("nodes", {"metadata": {"name": name, "labels": {
                    "topology.kubernetes.io/zone": zone, "kubernetes.io/hostname": name}},
                    "status": {"capacity": {"cpu": "8", "memory": "16Gi", "pods": "110"},
                               "allocatable": {"cpu": "8", "memory": "16Gi", "pods": "110"},
                               "conditions": [{"type": "Ready", "status": "True",
                                               "reason": "KubeletReady"}]}})
            renewing = asyncio.get_running_loop().create_task(self._renew())
            pods = Informer(client, "pods")
            pods.add_handler(self._on_pod)
            pods.start()
            await self._stopped.wait()
            renewing.cancel()
            await pods.stop()
            for task in list(self._acting):
                task.cancel()
            await asyncio.gather(*self._acting, renewing, return_exceptions=True)

    async def _renew(self) -> None:
        while True:
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            for name in self.nodes:
                if name in self.dead:
                    continue
                lease = {"metadata": {"name": name, "namespace": "kube-node-lease"},
                         "spec": {"holderIdentity": name, "leaseDurationSeconds": 40,
                                  "renewTime": now}}
                try:
                    current = await self.client.get("leases", name, "kube-node-lease")
                    await self.client.update("leases", {**current, "spec": lease["spec"]})
                except APIError as e:
                    if e.code == 404:
                        await self.client.create("leases", lease, "kube-node-lease")
            await asyncio.sleep(self.renew_every)

    def _on_pod(self, event: str, pod: dict[str, Any], old: dict[str, Any] | None) -> None:
        if event == "DELETED":
            return
        task = asyncio.get_running_loop().create_task(self._act(pod))
        self._acting.add(task)
        task.add_done_callback(self._acting.discard)

    async def _act(self, pod: dict[str, Any]) -> None:
        md, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
        ns, name = md.get("namespace"), md["name"]
        if self.nodes and (not spec.get("nodeName") or spec["nodeName"] in self.dead):
            return  # the scheduler binds; a dead node does nothing
        try:
            if md.get("deletionTimestamp"):
                await asyncio.sleep(self.linger)
                await self.client.delete("pods", name, ns, options={"gracePeriodSeconds": 0})
            elif not spec.get("nodeName"):
                await self.client.bind(ns, name, self.node, md.get("uid"))
            elif status.get("phase") != "Running" and not any(
                    c.get("image") == NEVER_READY for c in spec.get("containers") or ()):
                await asyncio.sleep(self.ready_after)
                now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                self._ips += 1
                ip = f"198.18.{self._ips // 250}.{self._ips % 250 + 2}"
                await self.client.patch("pods", name, {"status": {
                    "phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                    "hostIP": "127.0.0.1", "conditions": [
                        {"type": "Ready", "status": "True", "lastTransitionTime": now}]}},
                    ns, subresource="status")
        except (APIError, OSError, aiohttp.ClientError):
            pass  # gone or changed (the next event says what to do), or shutting down
