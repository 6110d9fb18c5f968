"""The scheduling queue: which pod to try next, and when to try again.

Three places a pending pod can be::

    add ──> ACTIVE ──pop──> (being scheduled) ──fit──> gone (bound)
              ^                   │
              │                   ├── bind failed / error ──> BACKOFF ──(backoff over)──> ACTIVE
              │                   └── no node fits ─────────> UNSCHEDULABLE
              └── cluster event (node added or changed, pod deleted), or 5 minutes ──┘

- **active**: ordered by priority (highest first), then by when the pod was first seen;
- **backoff**: a pod waits ``1s * 2^(attempts-1)``, at most 10 s, before it is active again
  (upstream's podInitialBackoffSeconds and podMaxBackoffSeconds);
- **unschedulable**: pods no node fitted; a cluster event that could make them fit moves
  them back (through backoff if their backoff is not over), and none stays longer than
  five minutes (checked every 30 seconds, as upstream checks).

Single-threaded (asyncio): callers are the informer handlers and the scheduling loop.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

INITIAL_BACKOFF = 1.0
MAX_BACKOFF = 10.0
MAX_UNSCHEDULABLE_SECONDS = 300.0
UNSCHEDULABLE_CHECK_SECONDS = 30.0


@dataclass
class QueuedPod:
    pod: dict[str, Any]
    key: str
    priority: int
    first_seen: float
    attempts: int = 0
    backoff_until: float = 0.0
    unschedulable_since: float = 0.0
    seq: int = field(default=0)


def _priority(pod: dict[str, Any]) -> int:
    return int((pod.get("spec") or {}).get("priority") or 0)


class SchedulingQueue:
    """Active, backoff and unschedulable pods, by ``namespace/name``."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self.clock = clock
        self._pods: dict[str, QueuedPod] = {}
        self._active: list[tuple[int, float, int, str]] = []  # (-priority, first seen, seq, key)
        self._in_active: set[str] = set()
        self._backoff: list[tuple[float, int, str]] = []  # (until, seq, key)
        self._unschedulable: set[str] = set()
        self._in_flight: set[str] = set()
        self._unschedulable_check_at = 0.0
        self._seq = itertools.count()
        self._wakeup = asyncio.Event()

    def __len__(self) -> int:
        return len(self._pods)

    # -- what the informers report

    def add(self, key: str, pod: dict[str, Any]) -> None:
        """A pending pod appeared or changed: (re)queue it as active, keeping its history."""
        queued = self._pods.get(key)
        if queued is None:
            queued = QueuedPod(pod, key, _priority(pod), self.clock())
            self._pods[key] = queued
        else:
            queued.pod = pod
            queued.priority = _priority(pod)
        if key in self._in_flight:
            return  # being scheduled now; the loop sees the new version when it requeues
        self._unschedulable.discard(key)
        if queued.backoff_until > self.clock():
            self._push_backoff(queued)
        else:
            self._push_active(queued)

    def add_after_backoff(self, key: str, pod: dict[str, Any]) -> None:
        """A pod whose binding failed: back in the queue once its backoff is over."""
        queued = self._pods.get(key)
        if queued is None:
            queued = QueuedPod(pod, key, _priority(pod), self.clock(), attempts=1)
            self._pods[key] = queued
        queued.pod = pod
        self._in_flight.discard(key)
        self._unschedulable.discard(key)
        queued.backoff_until = self.clock() + self.backoff_for(queued.attempts)
        self._push_backoff(queued)

    def delete(self, key: str) -> None:
        """The pod is gone or bound: forget it (stale heap entries are skipped later)."""
        self._pods.pop(key, None)
        self._in_active.discard(key)
        self._unschedulable.discard(key)

    def move_all_to_active(self) -> None:
        """A cluster event that may let unschedulable pods fit (node added or changed, a
        pod deleted): they all go back, through backoff where it is not over."""
        for key in list(self._unschedulable):
            self._unschedulable.discard(key)
            queued = self._pods.get(key)
            if queued is None:
                continue
            if queued.backoff_until > self.clock():
                self._push_backoff(queued)
            else:
                self._push_active(queued)

    # -- what the scheduling loop does

    async def pop(self) -> QueuedPod:
        """The next pod to schedule, waiting for one if need be."""
        while True:
            self._flush()
            while self._active:
                _, _, _, key = heapq.heappop(self._active)
                if key not in self._in_active:
                    continue  # deleted or moved since
                self._in_active.discard(key)
                queued = self._pods.get(key)
                if queued is None:
                    continue
                queued.attempts += 1
                self._in_flight.add(key)
                return queued
            self._wakeup.clear()
            wait = self._next_due() - self.clock()
            try:
                await asyncio.wait_for(self._wakeup.wait(), max(wait, 0.001) if wait < 1e9 else None)
            except TimeoutError:
                pass

    def done(self, key: str) -> None:
        """Scheduled and bound (or assumed): no longer the queue's business."""
        self._in_flight.discard(key)
        self.delete(key)

    def unschedulable(self, queued: QueuedPod) -> None:
        """No node fits now: wait for a cluster event."""
        self._in_flight.discard(queued.key)
        if queued.key not in self._pods:
            return
        queued.backoff_until = self.clock() + self.backoff_for(queued.attempts)
        queued.unschedulable_since = self.clock()
        self._unschedulable.add(queued.key)

    def backoff(self, queued: QueuedPod) -> None:
        """An error (binding failed, conflict): try again after the backoff."""
        self._in_flight.discard(queued.key)
        if queued.key not in self._pods:
            return
        queued.backoff_until = self.clock() + self.backoff_for(queued.attempts)
        self._push_backoff(queued)

    @staticmethod
    def backoff_for(attempts: int) -> float:
        return min(INITIAL_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)

    # -- inside

    def _push_active(self, queued: QueuedPod) -> None:
        self._in_active.add(queued.key)
        heapq.heappush(self._active, (-queued.priority, queued.first_seen, next(self._seq),
                                      queued.key))
        self._wakeup.set()

    def _push_backoff(self, queued: QueuedPod) -> None:
        self._in_active.discard(queued.key)
        heapq.heappush(self._backoff, (queued.backoff_until, next(self._seq), queued.key))
        self._wakeup.set()

    def _flush(self) -> None:
        """Backoffs that are over become active; long-unschedulable pods get another go."""
        now = self.clock()
        while self._backoff and self._backoff[0][0] <= now:
            _, _, key = heapq.heappop(self._backoff)
            queued = self._pods.get(key)
            if (queued is not None and key not in self._in_active and key not in self._in_flight
                    and key not in self._unschedulable and queued.backoff_until <= now):
                self._push_active(queued)
        if self._unschedulable and now >= self._unschedulable_check_at:
            # a scan of every unschedulable pod, so not on each pop: every 30 s, as upstream
            self._unschedulable_check_at = now + UNSCHEDULABLE_CHECK_SECONDS
            for key in [k for k in self._unschedulable
                        if now - self._pods[k].unschedulable_since >= MAX_UNSCHEDULABLE_SECONDS]:
                self._unschedulable.discard(key)
                self._push_active(self._pods[key])

    def _next_due(self) -> float:
        due = [self._backoff[0][0]] if self._backoff else []
        if self._unschedulable:
            due.append(self._unschedulable_check_at)
        return min(due, default=float("inf"))
