"""Work queues for controllers: keys to reconcile, each handled by one worker at a time.

A :class:`WorkQueue` holds keys (``namespace/name``), not events: a key added many times
before a worker takes it is handled once, and a key added while a worker is handling it
comes out again after that worker calls :meth:`WorkQueue.done`, never to two workers at
once.  Keys can be added after a delay, or *rate-limited*: after the n-th failure in a row
a key waits ``base * 2**n`` (5 ms doubling up to 1,000 s), and all rate-limited adds
together are held to 10 per second with bursts of 100, upstream's default controller
rate limiter; :meth:`WorkQueue.forget` resets a key's failures after a success.

:func:`run_workers` starts N workers that take keys and call a reconcile coroutine.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from paddock.core.tasks import cancel_and_wait

log = logging.getLogger(__name__)

BASE_DELAY = 0.005
MAX_DELAY = 1000.0
OVERALL_QPS = 10.0
OVERALL_BURST = 100


class ShutDown(Exception):
    """The queue was shut down: workers stop."""


class RateLimiter:
    """Per-key exponential backoff, and a token bucket over all keys: a key's delay is the
    larger of the two, as upstream's MaxOfRateLimiter of the two."""

    def __init__(self, base: float = BASE_DELAY, cap: float = MAX_DELAY,
                 qps: float = OVERALL_QPS, burst: int = OVERALL_BURST) -> None:
        self.base, self.cap = base, cap
        self.qps, self.burst = qps, burst
        self.failures: dict[str, int] = {}
        self._tokens = float(burst)
        self._last = time.monotonic()

    def when(self, key: str) -> float:
        n = self.failures.get(key, 0)
        self.failures[key] = n + 1
        backoff = min(self.base * 2 ** n, self.cap)
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.qps)
        self._last = now
        self._tokens -= 1
        bucket = 0.0 if self._tokens >= 0 else -self._tokens / self.qps
        return max(backoff, bucket)

    def forget(self, key: str) -> None:
        self.failures.pop(key, None)


class WorkQueue:
    def __init__(self, name: str = "", rate_limiter: RateLimiter | None = None) -> None:
        self.name = name
        self.rate_limiter = rate_limiter or RateLimiter()
        self._queue: deque[str] = deque()
        self._dirty: set[str] = set()  # queued, or to be queued again when done
        self._processing: set[str] = set()
        self._waiting: list[tuple[float, int, str]] = []  # (when, sequence, key)
        self._sequence = 0
        self._ready = asyncio.Event()
        self._timer: asyncio.TimerHandle | None = None
        self._shut_down = False

    def __len__(self) -> int:
        return len(self._queue)

    def add(self, key: str) -> None:
        if self._shut_down or key in self._dirty:
            return
        self._dirty.add(key)
        if key not in self._processing:
            self._queue.append(key)
            self._wake()

    def add_after(self, key: str, delay: float) -> None:
        if self._shut_down:
            return
        if delay <= 0:
            self.add(key)
            return
        self._sequence += 1
        heapq.heappush(self._waiting, (time.monotonic() + delay, self._sequence, key))
        self._arm_timer()

    def add_rate_limited(self, key: str) -> None:
        self.add_after(key, self.rate_limiter.when(key))

    def forget(self, key: str) -> None:
        self.rate_limiter.forget(key)

    def requeues(self, key: str) -> int:
        return self.rate_limiter.failures.get(key, 0)

    async def get(self) -> str:
        """The next key; the caller must call :meth:`done` with it.  Raises ShutDown."""
        while not self._queue:
            if self._shut_down:
                raise ShutDown
            self._ready.clear()
            await self._ready.wait()
        key = self._queue.popleft()
        self._processing.add(key)
        self._dirty.discard(key)
        return key

    def done(self, key: str) -> None:
        self._processing.discard(key)
        if key in self._dirty:
            self._queue.append(key)
            self._wake()

    def shut_down(self) -> None:
        self._shut_down = True
        if self._timer is not None:
            self._timer.cancel()
        self._wake()

    def _wake(self) -> None:
        self._ready.set()

    def _arm_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        loop = asyncio.get_running_loop()
        delay = max(0.0, self._waiting[0][0] - time.monotonic())
        self._timer = loop.call_later(delay, self._release)

    def _release(self) -> None:
        self._timer = None
        now = time.monotonic()
        while self._waiting and self._waiting[0][0] <= now:
            _, _, key = heapq.heappop(self._waiting)
            self.add(key)
        if self._waiting:
            self._arm_timer()


Reconcile = Callable[[str], Awaitable[Any]]


async def _worker(queue: WorkQueue, reconcile: Reconcile) -> None:
    while True:
        try:
            key = await queue.get()
        except ShutDown:
            return
        try:
            await reconcile(key)
        except asyncio.CancelledError:
            queue.done(key)
            raise
        except Exception as e:
            log.warning("%s: %s failed (%s); retrying with backoff", queue.name, key, e,
                        exc_info=not isinstance(e, OSError))
            queue.add_rate_limited(key)
        else:
            queue.forget(key)
        queue.done(key)


class Workers:
    """N workers draining one queue into ``reconcile``."""

    def __init__(self, queue: WorkQueue, reconcile: Reconcile, count: int) -> None:
        self.queue = queue
        self.tasks = [asyncio.create_task(_worker(queue, reconcile), name=f"{queue.name} worker {i}")
                      for i in range(count)]

    async def stop(self) -> None:
        self.queue.shut_down()
        for task in self.tasks:
            await cancel_and_wait(task)


def run_workers(queue: WorkQueue, reconcile: Reconcile, count: int) -> Workers:
    return Workers(queue, reconcile, count)
