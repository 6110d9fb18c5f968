"""cgroup v1 groups for pods and containers: limits, accounting, OOM kills, killing.

Every pod of a node gets ``paddock/<node>/pod<uid>`` in the memory, cpu, cpuacct and pids
hierarchies, and each of its containers a group below it.  Limits are upstream's: memory
``limits`` as ``memory.limit_in_bytes``; CPU ``limits`` as a CFS quota over a 100 ms period;
CPU ``requests`` as ``cpu.shares`` (1024 per core, at least 2).  The pod's own group is
limited to the sum of its containers' limits when every container has one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from typing import Any

from paddock.scheduler.framework import resource_list

ROOT = "/sys/fs/cgroup"
CONTROLLERS = ("memory", "cpu", "cpuacct", "pids")
CFS_PERIOD_US = 100_000
MIN_SHARES = 2


def available() -> bool:
    """Whether this machine has the cgroup v1 hierarchies and we may write them."""
    return all(os.access(os.path.join(ROOT, c), os.W_OK) for c in CONTROLLERS)


def _write(path: str, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def _read(path: str, default: str = "") -> str:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def limits_of(containers: list[dict[str, Any]]) -> tuple[dict[str, int], dict[str, int]]:
    """(limits, requests) of a set of containers, in bytes and millicores; a limit only when
    every container has one (a container without one may use the node's whole)."""
    limits: dict[str, int] = {}
    requests: dict[str, int] = {}
    for name in ("cpu", "memory"):
        per = [resource_list((c.get("resources") or {}).get("limits")).get(name) for c in containers]
        if per and all(v for v in per):
            limits[name] = sum(v or 0 for v in per)
        requests[name] = sum(resource_list((c.get("resources") or {}).get("requests")).get(name, 0)
                             for c in containers)
    return limits, requests


class Cgroup:
    def __init__(self, relative: str) -> None:
        self.relative = relative.strip("/")

    def dirs(self) -> list[str]:
        return [os.path.join(ROOT, c, self.relative) for c in CONTROLLERS]

    def _file(self, controller: str, name: str) -> str:
        return os.path.join(ROOT, controller, self.relative, name)

    def create(self, limits: dict[str, int], requests: dict[str, int]) -> None:
        for d in self.dirs():
            os.makedirs(d, exist_ok=True)
        memory = limits.get("memory")
        if memory:
            _write(self._file("memory", "memory.limit_in_bytes"), str(memory))
            with contextlib.suppress(OSError):  # no swap past the limit either
                _write(self._file("memory", "memory.memsw.limit_in_bytes"), str(memory))
        cpu = limits.get("cpu")
        if cpu:
            _write(self._file("cpu", "cpu.cfs_period_us"), str(CFS_PERIOD_US))
            _write(self._file("cpu", "cpu.cfs_quota_us"), str(max(cpu * CFS_PERIOD_US // 1000, 1000)))
        shares = max(requests.get("cpu", 0) * 1024 // 1000, MIN_SHARES)
        _write(self._file("cpu", "cpu.shares"), str(shares))

    def add(self, pid: int) -> None:
        for d in self.dirs():
            with contextlib.suppress(OSError):
                _write(os.path.join(d, "cgroup.procs"), str(pid))

    def pids(self) -> list[int]:
        """Every process in the group and the groups below it."""
        out: list[int] = []
        base = os.path.join(ROOT, "pids", self.relative)
        for d, _, _ in os.walk(base):
            out.extend(int(p) for p in _read(os.path.join(d, "cgroup.procs")).split())
        return out

    def kill(self) -> None:
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def remove(self) -> bool:
        """Remove the group and those below it (deepest first); False if processes linger."""
        ok = True
        for c in CONTROLLERS:
            base = os.path.join(ROOT, c, self.relative)
            for d, _, _ in sorted(os.walk(base), key=lambda w: -len(w[0])):
                try:
                    os.rmdir(d)
                except FileNotFoundError:
                    pass
                except OSError:
                    ok = False
        return ok

    def destroy(self, seconds: float = 1.0) -> bool:
        """Kill every process in the group and remove it, giving the processes ``seconds``
        to be gone (blocks: run it off the event loop); False if they are not."""
        self.kill()
        deadline = time.monotonic() + seconds
        while not self.remove():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def oom_kills(self) -> int:
        for line in _read(self._file("memory", "memory.oom_control")).splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def cpu_ns(self) -> int:
        return int(_read(self._file("cpuacct", "cpuacct.usage"), "0").strip() or 0)

    def memory(self) -> dict[str, int]:
        """usage, working set (usage less inactive file pages, as upstream) and RSS, in bytes."""
        usage = int(_read(self._file("memory", "memory.usage_in_bytes"), "0").strip() or 0)
        stat: dict[str, int] = {}
        for line in _read(self._file("memory", "memory.stat")).splitlines():
            key, _, value = line.partition(" ")
            if key in ("total_inactive_file", "total_rss"):
                stat[key] = int(value)
        inactive = stat.get("total_inactive_file", 0)
        return {"usage": usage, "working_set": max(usage - inactive, 0) if usage > inactive else 0,
                "rss": stat.get("total_rss", 0)}
