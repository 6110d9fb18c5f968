"""The hollow runtime: pods that run nothing and move through their phases on timers.

``paddock hollow-nodes`` runs the real kubelet above it, so that load tests exercise the
kubelet's own code (registration, Leases, pod workers, status) without processes.  Init
containers complete after ``init_seconds`` each, then every container is running and
ready after ``start_seconds``; they run until the pod is stopped, which takes
``stop_seconds`` (never more than the grace period).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from typing import Any

from paddock.core.meta import now_rfc3339

from .runtime import Sandbox

Obj = dict[str, Any]
_ids = itertools.count(1)



class HollowRuntime:
    name = "hollow://0.1"

    def __init__(self, start_seconds: float = 0.0, init_seconds: float = 0.0,
                 stop_seconds: float = 0.0) -> None:
        self.start_seconds = start_seconds
        self.init_seconds = init_seconds
        self.stop_seconds = stop_seconds
        self._runs: dict[str, asyncio.Task[None]] = {}

    async def run_pod(self, pod: Obj, ip: str, changed: Callable[[], None]) -> Sandbox:
        sandbox = Sandbox.for_pod(pod, ip)
        self._runs[sandbox.uid] = asyncio.create_task(self._run(sandbox, changed))
        return sandbox

    async def _run(self, sandbox: Sandbox, changed: Callable[[], None]) -> None:
        for c in sandbox.init:
            c.state, c.reason, c.started_at = "running", "", now_rfc3339()
            c.container_id = f"hollow://{next(_ids):x}"
            changed()
            await asyncio.sleep(self.init_seconds)
            c.state, c.reason, c.exit_code, c.finished_at = "terminated", "Completed", 0, now_rfc3339()
            changed()
        if self.start_seconds:
            await asyncio.sleep(self.start_seconds)
        now = now_rfc3339()
        for c in sandbox.containers:
            c.state, c.reason, c.started_at, c.ready = "running", "", now, True
            c.container_id = f"hollow://{next(_ids):x}"
        changed()

    async def stop_pod(self, sandbox: Sandbox, pod: Obj, grace_seconds: float) -> None:
        run = self._runs.pop(sandbox.uid, None)
        if run is not None:
            run.cancel()
        await asyncio.sleep(min(self.stop_seconds, max(grace_seconds, 0)))
        now = now_rfc3339()
        for c in sandbox.containers:
            if c.state == "running":
                c.state, c.reason, c.exit_code, c.finished_at, c.ready = "terminated", "Completed", 0, now, False
            elif c.state == "waiting":
                c.state, c.reason, c.exit_code, c.finished_at = "terminated", "ContainerStatusUnknown", 137, now

    def update_pod(self, pod: Obj) -> None:
        pass
