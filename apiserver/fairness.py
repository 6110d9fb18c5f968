"""Fair queuing of requests among clients, after upstream's API Priority and Fairness.

The apiserver runs every request on one event loop, so under load a request waits behind
every other runnable one: a controller with a thousand creates in flight makes a single GET
wait for all of them.  :class:`FairQueue` gives out a fixed number of *seats* (requests
executing at once); a request that finds none free waits in the queue of its *flow* (the
client, told apart by its User-Agent, as upstream's flows are told apart by user), and a
freed seat goes to the flows in turn, one request each.  A client with one request in
flight is then served after at most one request of each other busy client, however many
those have queued.

Long-running requests (watches, exec, logs) take no seat, as upstream's do not.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque

DEFAULT_SEATS = 32


class FairQueue:
    """``seats`` requests at once; the rest wait in per-flow queues served round robin."""

    def __init__(self, seats: int = DEFAULT_SEATS) -> None:
        if seats < 1:
            raise ValueError("a fair queue needs at least one seat")
        self.seats = seats
        self.free = seats
        # flow -> its waiting requests, oldest first; the order of flows is the turn order
        self._flows: OrderedDict[str, deque[asyncio.Future[None]]] = OrderedDict()
        self.waiting = 0

    async def acquire(self, flow: str) -> None:
        """Wait for a seat (at once when one is free and nobody waits)."""
        if self.free > 0 and not self.waiting:
            self.free -= 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._flows.get(flow)
        if queue is None:
            queue = self._flows[flow] = deque()
        queue.append(fut)
        self.waiting += 1
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # the seat came just as the client went away: pass it on
            else:
                self._forget(flow, fut)
            raise

    def release(self) -> None:
        """Give a seat back: to the next flow's oldest request, or to the free pool."""
        while self._flows:
            flow, queue = next(iter(self._flows.items()))
            fut = queue.popleft()
            self.waiting -= 1
            if queue:
                self._flows.move_to_end(flow)  # its turn is over
            else:
                del self._flows[flow]
            if not fut.done():
                fut.set_result(None)
                return
        self.free += 1

    def _forget(self, flow: str, fut: asyncio.Future[None]) -> None:
        queue = self._flows.get(flow)
        if queue is None:
            return
        try:
            queue.remove(fut)
        except ValueError:
            return
        self.waiting -= 1
        if not queue:
            del self._flows[flow]
