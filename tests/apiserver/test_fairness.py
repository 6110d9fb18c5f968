"""The fair queue: seats handed out in turn among flows, cancellation never loses a seat."""

from __future__ import annotations

import asyncio

import pytest

from paddock.apiserver.fairness import FairQueue


def test_a_quiet_flow_is_served_before_a_busy_flows_backlog() -> None:
    async def go() -> list[str]:
        fq = FairQueue(seats=1)
        order: list[str] = []

        async def request(flow: str, i: int) -> None:
            await fq.acquire(flow)
            try:
                order.append(f"{flow}{i}")
                await asyncio.sleep(0)
            finally:
                fq.release()

        await fq.acquire("holder")  # every seat taken: what follows queues
        busy = [asyncio.create_task(request("busy", i)) for i in range(5)]
        await asyncio.sleep(0)
        quiet = asyncio.create_task(request("quiet", 0))
        await asyncio.sleep(0)
        fq.release()
        await asyncio.gather(*busy, quiet)
        return order

    order = asyncio.run(go())
    assert order.index("quiet0") == 1  # after one busy request, not after all five
    assert [o for o in order if o.startswith("busy")] == [f"busy{i}" for i in range(5)]


def test_free_seats_are_taken_at_once_and_counted_back() -> None:
    async def go() -> tuple[int, int]:
        fq = FairQueue(seats=3)
        for _ in range(3):
            await fq.acquire("a")
        taken = fq.free
        for _ in range(3):
            fq.release()
        return taken, fq.free

    assert asyncio.run(go()) == (0, 3)


def test_a_cancelled_waiter_gives_up_its_place_and_no_seat_is_lost() -> None:
    async def go() -> tuple[int, int]:
        fq = FairQueue(seats=1)
        await fq.acquire("a")
        gone = asyncio.create_task(fq.acquire("b"))
        stays = asyncio.create_task(fq.acquire("c"))
        await asyncio.sleep(0)
        gone.cancel()
        with pytest.raises(asyncio.CancelledError):
            await gone
        fq.release()  # to c, since b left
        await asyncio.wait_for(stays, 1)
        fq.release()
        return fq.free, fq.waiting

    assert asyncio.run(go()) == (1, 0)


def test_a_seat_granted_to_a_request_cancelled_in_the_same_turn_is_passed_on() -> None:
    async def go() -> int:
        fq = FairQueue(seats=1)
        await fq.acquire("a")
        late = asyncio.create_task(fq.acquire("b"))
        await asyncio.sleep(0)
        fq.release()  # the seat goes to b ...
        late.cancel()  # ... which is cancelled before it runs
        with pytest.raises(asyncio.CancelledError):
            await late
        return fq.free

    assert asyncio.run(go()) == 1


def test_zero_seats_is_refused() -> None:
    with pytest.raises(ValueError):
        FairQueue(0)
