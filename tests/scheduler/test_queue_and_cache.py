"""The scheduling queue's order and backoff, and the cache's assume/forget bookkeeping."""

from __future__ import annotations

import asyncio
from typing import Any

from paddock.scheduler.cache import SchedulerCache
from paddock.scheduler.framework import PodInfo
from paddock.scheduler.queue import SchedulingQueue


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def pod(name: str, priority: int = 0, node: str = "", cpu: str = "100m") -> dict[str, Any]:
    spec: dict[str, Any] = {"priority": priority, "containers": [
        {"name": "c", "resources": {"requests": {"cpu": cpu}}}]}
    if node:
        spec["nodeName"] = node
    return {"metadata": {"name": name, "namespace": "ns"}, "spec": spec}


def node(name: str) -> dict[str, Any]:
    return {"metadata": {"name": name}, "status": {"allocatable": {"cpu": "4", "pods": "10"}}}


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_active_queue_orders_by_priority_then_arrival() -> None:
    async def go() -> list[str]:
        clock = Clock()
        q = SchedulingQueue(clock)
        for name, prio in (("low-1", 0), ("high", 10), ("low-2", 0), ("mid", 5)):
            q.add(f"ns/{name}", pod(name, prio))
            clock.now += 1
        return [(await q.pop()).key for _ in range(4)]

    assert run(go()) == ["ns/high", "ns/mid", "ns/low-1", "ns/low-2"]


def test_backoff_doubles_up_to_ten_seconds() -> None:
    assert [SchedulingQueue.backoff_for(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_unschedulable_pods_wait_for_a_cluster_event_and_their_backoff() -> None:
    async def go() -> None:
        clock = Clock()
        q = SchedulingQueue(clock)
        q.add("ns/a", pod("a"))
        queued = await q.pop()
        q.unschedulable(queued)
        assert not q._active  # waiting for an event
        q.move_all_to_active()  # a node was added, but the 1 s backoff is not over
        assert not q._in_active
        clock.now += 1.5
        again = await asyncio.wait_for(q.pop(), 1)
        assert again.key == "ns/a" and again.attempts == 2

    run(go())


def test_unschedulable_pods_are_retried_after_five_minutes_without_events() -> None:
    async def go() -> None:
        clock = Clock()
        q = SchedulingQueue(clock)
        q.add("ns/a", pod("a"))
        q.unschedulable(await q.pop())
        clock.now += 301
        assert (await asyncio.wait_for(q.pop(), 1)).key == "ns/a"

    run(go())


def test_deleted_pods_never_come_out() -> None:
    async def go() -> str:
        q = SchedulingQueue(Clock())
        q.add("ns/a", pod("a"))
        q.add("ns/b", pod("b"))
        q.delete("ns/a")
        return (await q.pop()).key

    assert run(go()) == "ns/b"


def test_failed_bindings_come_back_after_backoff() -> None:
    async def go() -> None:
        clock = Clock()
        q = SchedulingQueue(clock)
        q.add("ns/a", pod("a"))
        q.done((await q.pop()).key)
        q.add_after_backoff("ns/a", pod("a"))
        assert not q._in_active
        clock.now += 1.1
        assert (await asyncio.wait_for(q.pop(), 1)).key == "ns/a"

    run(go())


def test_assumed_pods_count_until_forgotten_and_bound_pods_confirm_them() -> None:
    cache = SchedulerCache()
    cache.set_node(node("n1"))
    generation = cache.nodes["n1"].generation
    info = PodInfo.of(pod("a", cpu="1"))
    cache.assume(info, "n1")
    assert cache.nodes["n1"].requested["cpu"] == 1000 and cache.is_assumed("ns/a")
    assert cache.nodes["n1"].generation > generation
    cache.forget("ns/a")
    assert cache.nodes["n1"].requested["cpu"] == 0 and not cache.is_assumed("ns/a")
    cache.assume(info, "n1")
    cache.set_bound_pod(pod("a", node="n1", cpu="1"))  # the watch confirms it
    assert not cache.is_assumed("ns/a") and cache.nodes["n1"].requested["cpu"] == 1000
    cache.forget("ns/a")  # no effect on a bound pod
    assert cache.nodes["n1"].requested["cpu"] == 1000
    cache.remove_pod("ns/a")
    assert cache.nodes["n1"].requested["cpu"] == 0


def test_pods_seen_before_their_node_are_counted_when_it_arrives() -> None:
    cache = SchedulerCache()
    cache.set_bound_pod(pod("early", node="n2", cpu="2"))
    cache.set_node(node("n2"))
    assert cache.nodes["n2"].requested["cpu"] == 2000
    cache.set_node(node("n2"))  # an update keeps the pods
    assert cache.nodes["n2"].requested["cpu"] == 2000
    assert [n.name for n in cache.node_list()] == ["n2"]


def test_a_changed_node_keeps_its_place_in_a_new_list_and_its_pods() -> None:
    cache = SchedulerCache()
    for name, zone in (("a1", "a"), ("a2", "a"), ("b1", "b")):
        cache.set_node({"metadata": {"name": name, "labels": {"topology.kubernetes.io/zone": zone}}})
    cache.assume(PodInfo.of({"metadata": {"name": "p", "namespace": "ns"}, "spec": {}}), "a2")
    before = cache.node_list()
    cache.set_node({"metadata": {"name": "a2", "labels": {"topology.kubernetes.io/zone": "a",
                                                          "disk": "ssd"}}})
    after = cache.node_list()
    assert after is not before
    assert [n.name for n in after] == [n.name for n in before] == ["a1", "b1", "a2"]
    assert after[2].labels["disk"] == "ssd" and list(after[2].pods) == ["ns/p"]
    assert after[2].generation > before[2].generation
    # a zone change moves it
    cache.set_node({"metadata": {"name": "a2", "labels": {"topology.kubernetes.io/zone": "b"}}})
    assert [n.name for n in cache.node_list()] == ["a1", "a2", "b1"]
