"""A node simulator for controller tests (until the hollow kubelet exists): it binds
every pending pod to one node, marks it Running and Ready after a delay (never, for
images named ``never-ready``), and confirms deletions at once, as a kubelet would."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from typing import Any

from paddock.core.client import Client
from paddock.core.informer import Informer
from paddock.core.status import APIError

NEVER_READY = "never-ready"


class PodSimulator:
    def __init__(self, kubeconfig: str, node: str = "sim-node", ready_after: float = 0.2,
                 linger: float = 0.0) -> None:
        self.kubeconfig = kubeconfig
        self.node = node
        self.ready_after = ready_after
        self.linger = linger  # seconds a deleted pod takes to stop
        self._ips = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._stopped = asyncio.Event()
        self._done: Any = None

    def __enter__(self) -> PodSimulator:
        self._thread.start()
        self._done = asyncio.run_coroutine_threadsafe(self._run(), self._loop)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stopped.set)
        self._done.result(20)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _run(self) -> None:
        async with Client.from_kubeconfig(self.kubeconfig) as client:
            self.client = client
            pods = Informer(client, "pods")
            pods.add_handler(self._on_pod)
            pods.start()
            await self._stopped.wait()
            await pods.stop()

    def _on_pod(self, event: str, pod: dict[str, Any], old: dict[str, Any] | None) -> None:
        if event == "DELETED":
            return
        asyncio.get_running_loop().create_task(self._act(pod))

    async def _act(self, pod: dict[str, Any]) -> None:
        md, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
        ns, name = md.get("namespace"), md["name"]
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
        except APIError:
            pass  # gone or changed: the next event says what to do
