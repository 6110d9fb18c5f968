"""What every queue-driven controller shares: a work queue, N workers calling ``sync``."""

from __future__ import annotations

from paddock.core.workqueue import Workers, WorkQueue, run_workers


class QueueController:
    """A controller whose ``sync(key)`` is called by ``workers`` workers of ``queue``."""

    queue: WorkQueue
    workers: int
    _running: Workers | None = None

    async def sync(self, key: str) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self._running = run_workers(self.queue, self.sync, self.workers)

    async def stop(self) -> None:
        if self._running is not None:
            await self._running.stop()
