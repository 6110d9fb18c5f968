"""The controllers' work queue: one worker per key at a time, deduplication, delays and
per-key exponential backoff."""

from __future__ import annotations

import asyncio

from paddock.core.workqueue import RateLimiter, WorkQueue, run_workers


def test_a_key_added_many_times_is_handled_once_and_never_by_two_workers() -> None:
    async def go() -> tuple[list[str], int]:
        queue = WorkQueue("test")
        seen: list[str] = []
        running: set[str] = set()
        overlap = 0

        async def reconcile(key: str) -> None:
            nonlocal overlap
            if key in running:
                overlap += 1
            running.add(key)
            seen.append(key)
            await asyncio.sleep(0.05)
            running.discard(key)

        for _ in range(5):
            queue.add("a")
        queue.add("b")
        workers = run_workers(queue, reconcile, 4)
        await asyncio.sleep(0.01)
        queue.add("a")  # while "a" is being handled: once more, after it is done
        await asyncio.sleep(0.2)
        await workers.stop()
        return seen, overlap

    seen, overlap = asyncio.run(go())
    assert sorted(seen) == ["a", "a", "b"] and overlap == 0


def test_failures_back_off_exponentially_and_success_forgets() -> None:
    limiter = RateLimiter(base=0.005, cap=1000.0, qps=1e9, burst=10**9)
    delays = [limiter.when("k") for _ in range(5)]
    assert delays == [0.005, 0.01, 0.02, 0.04, 0.08]
    limiter.forget("k")
    assert limiter.when("k") == 0.005
    capped = RateLimiter(base=1.0, cap=4.0, qps=1e9, burst=10**9)
    assert [capped.when("x") for _ in range(4)] == [1.0, 2.0, 4.0, 4.0]


def test_failed_keys_are_retried_after_their_delay() -> None:
    async def go() -> list[float]:
        queue = WorkQueue("test", RateLimiter(base=0.05, qps=1e9, burst=10**9))
        loop = asyncio.get_running_loop()
        start = loop.time()
        times: list[float] = []

        async def reconcile(key: str) -> None:
            times.append(loop.time() - start)
            if len(times) < 3:
                raise RuntimeError("not yet")

        queue.add("k")
        workers = run_workers(queue, reconcile, 1)
        await asyncio.sleep(0.4)
        await workers.stop()
        return times

    times = asyncio.run(go())
    assert len(times) == 3
    assert 0.04 <= times[1] - times[0] < 0.15 and 0.09 <= times[2] - times[1] < 0.25


def test_add_after_releases_keys_in_time_order() -> None:
    async def go() -> list[str]:
        queue = WorkQueue("test")
        queue.add_after("late", 0.1)
        queue.add_after("early", 0.02)
        return [await queue.get(), await queue.get()]

    assert asyncio.run(go()) == ["early", "late"]
