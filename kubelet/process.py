"""The process runtime: each container a real process in namespaces of its pod's own.

This first step runs every container's ``command`` and ``args`` (images are not pulled:
the command runs from the host's filesystem) under ``unshare`` in new PID (the command is
PID 1), UTS (the hostname is the pod's name), IPC, mount (with its own /proc) and network
(loopback only, until pod networking lands) namespaces, with the container's ``env``
values and ``workingDir``; its output goes to ``<root>/pods/<uid>/<container>.log``.
Init containers run one after another first; a container that exits is restarted after
10 s doubling to 5 minutes (CrashLoopBackOff meanwhile) when ``restartPolicy`` says so.
Stopping sends SIGTERM to every process of the container and SIGKILL after the grace
period.  Not yet: one shared sandbox per pod, cgroup limits, volumes, probes, hooks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable
from typing import Any

from paddock.core.meta import now_rfc3339

from .runtime import ContainerState, Sandbox

Obj = dict[str, Any]
BACKOFF_START = 10.0
BACKOFF_MAX = 300.0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


class ProcessRuntime:
    name = "paddock-process://0.1"

    def __init__(self, root_dir: str) -> None:
        self.root_dir = root_dir
        self._runs: dict[str, asyncio.Task[None]] = {}
        self._procs: dict[str, dict[str, asyncio.subprocess.Process]] = {}

    def _log_path(self, uid: str, name: str) -> str:
        return os.path.join(self.root_dir, "pods", uid, f"{name}.log")

    async def run_pod(self, pod: Obj, ip: str, changed: Callable[[], None]) -> Sandbox:
        sandbox = Sandbox.for_pod(pod, ip)
        uid = sandbox.uid
        os.makedirs(os.path.join(self.root_dir, "pods", uid), exist_ok=True)
        self._procs[uid] = {}
        self._runs[uid] = asyncio.create_task(self._run(pod, sandbox, changed))
        return sandbox

    async def _start(self, pod: Obj, spec: Obj, state: ContainerState, uid: str) -> asyncio.subprocess.Process:
        argv = [str(a) for a in (spec.get("command") or []) + (spec.get("args") or [])]
        if not argv:
            raise ValueError(f'container "{state.name}" has no command: images cannot be run here')
        env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "HOSTNAME": pod["metadata"]["name"]}
        for e in spec.get("env") or ():
            if "value" in e:
                env[str(e["name"])] = str(e.get("value") or "")
        log = open(self._log_path(uid, state.name), "ab")
        try:
            return await asyncio.create_subprocess_exec(
                "unshare", "--pid", "--fork", "--mount-proc", "--uts", "--ipc", "--net", "--",
                "sh", "-c", 'hostname "$0" && ip link set lo up 2>/dev/null; exec "$@"',
                pod["metadata"]["name"], *argv,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log, env=env,
                cwd=spec.get("workingDir") or None, start_new_session=True)
        finally:
            log.close()

    async def _run_one(self, pod: Obj, spec: Obj, state: ContainerState, uid: str,
                       changed: Callable[[], None]) -> int:
        try:
            proc = await self._start(pod, spec, state, uid)
        except (OSError, ValueError) as e:
            state.state, state.reason, state.message = "waiting", "RunContainerError", str(e)
            changed()
            return -1
        self._procs[uid][state.name] = proc
        state.state, state.reason, state.started_at = "running", "", now_rfc3339()
        state.container_id = f"paddock-process://{proc.pid}"
        state.ready = True
        changed()
        code = await proc.wait()
        code = 128 - code if code < 0 else code  # killed by a signal: 128 + its number
        state.state, state.exit_code, state.finished_at, state.ready = (
            "terminated", code, now_rfc3339(), False)
        state.reason = "Completed" if code == 0 else "Error"
        changed()
        return code

    async def _run(self, pod: Obj, sandbox: Sandbox, changed: Callable[[], None]) -> None:
        spec = pod.get("spec") or {}
        policy = spec.get("restartPolicy") or "Always"
        specs = {c.get("name"): c for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])}
        for state in sandbox.init:
            if await self._run_one(pod, specs[state.name], state, sandbox.uid, changed) != 0:
                return  # a failed init container stops the pod (restarts: not yet)
        await asyncio.gather(*(self._keep(pod, specs[s.name], s, sandbox.uid, policy, changed)
                               for s in sandbox.containers))

    async def _keep(self, pod: Obj, spec: Obj, state: ContainerState, uid: str, policy: str,
                    changed: Callable[[], None]) -> None:
        backoff = BACKOFF_START
        while True:
            code = await self._run_one(pod, spec, state, uid, changed)
            if policy == "Never" or (policy == "OnFailure" and code == 0) or code == -1:
                return
            state.last_state = {"terminated": {"exitCode": state.exit_code, "reason": state.reason,
                                               "startedAt": state.started_at,
                                               "finishedAt": state.finished_at}}
            state.restart_count += 1
            state.state, state.reason = "waiting", "CrashLoopBackOff"
            state.message = f"back-off {int(backoff)}s restarting failed container={state.name}"
            changed()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)

    async def stop_pod(self, sandbox: Sandbox, pod: Obj, grace_seconds: float) -> None:
        run = self._runs.pop(sandbox.uid, None)
        procs = self._procs.pop(sandbox.uid, {})
        live = [p for p in procs.values() if p.returncode is None]
        for p in live:
            # the container's PID 1, not unshare (which would go and leave it running):
            # like any init, it gets SIGTERM only if it handles it
            for child in _children(p.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, signal.SIGTERM)
        if live:
            _, pending = await asyncio.wait([asyncio.create_task(p.wait()) for p in live],
                                            timeout=max(grace_seconds, 0))
            for p in live:
                if p.returncode is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(p.pid, signal.SIGKILL)
            for task in pending:
                await task
        if run is not None:
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
        now = now_rfc3339()
        for c in sandbox.containers:
            if c.state != "terminated":
                c.state, c.finished_at, c.ready = "terminated", now, False
                c.reason = "Completed" if c.exit_code == 0 else "Error"
