"""Leader election on a Lease against a real apiserver: one leader at a time, a quick
hand-over on release, a take-over when the holder stops renewing."""

from __future__ import annotations

import asyncio

import pytest

from paddock.core.client import Client
from paddock.core.leaderelection import LeaderElector
from tests.conftest import APIServerProcess

pytestmark = pytest.mark.timeout(60)


def test_one_leader_then_hand_over_on_release(apiserver: APIServerProcess, namespace: str) -> None:
    async def go() -> None:
        async with Client.from_kubeconfig(apiserver.kubeconfig) as c:
            first = LeaderElector(c, "lock", namespace, identity="first", retry_period=0.1,
                                  lease_duration=5, renew_deadline=2)
            second = LeaderElector(c, "lock", namespace, identity="second", retry_period=0.1,
                                   lease_duration=5, renew_deadline=2)
            await asyncio.wait_for(first.acquire(), 5)
            waiting = asyncio.create_task(second.acquire())
            await asyncio.sleep(0.5)
            assert not second.leading.is_set()  # the lease is held and renewed
            lease = await c.get("leases.coordination.k8s.io", "lock", namespace)
            assert lease["spec"]["holderIdentity"] == "first"
            await first.stop()  # released: the second need not wait out 5 s
            await asyncio.wait_for(waiting, 2)
            lease = await c.get("leases.coordination.k8s.io", "lock", namespace)
            assert lease["spec"]["holderIdentity"] == "second"
            assert lease["spec"]["leaseTransitions"] == 0  # released, not taken over
            await second.stop()

    asyncio.run(go())


def test_a_silent_holder_is_taken_over_after_the_lease_duration(
        apiserver: APIServerProcess, namespace: str) -> None:
    async def go() -> float:
        async with Client.from_kubeconfig(apiserver.kubeconfig) as c:
            await c.create("leases.coordination.k8s.io", {
                "metadata": {"name": "lock"},
                "spec": {"holderIdentity": "crashed", "leaseDurationSeconds": 1,
                         "renewTime": "2026-11-28T04:50:00.000000Z"}}, namespace)
            candidate = LeaderElector(c, "lock", namespace, identity="next", retry_period=0.1)
            loop = asyncio.get_running_loop()
            start = loop.time()
            await asyncio.wait_for(candidate.acquire(), 5)
            took = loop.time() - start
            lease = await c.get("leases.coordination.k8s.io", "lock", namespace)
            assert lease["spec"]["holderIdentity"] == "next"
            assert lease["spec"]["leaseTransitions"] == 1
            await candidate.stop()
            return took

    assert 0.9 <= asyncio.run(go()) < 3  # waited for the record to stay unchanged 1 s
