"""The event recorder against a real apiserver: repeats folded into counts, and the
spam filter's 25-event burst per object."""

from __future__ import annotations

import asyncio

import pytest

from paddock.core.client import Client
from paddock.core.events import EventRecorder
from tests.conftest import APIServerProcess

pytestmark = pytest.mark.timeout(60)


def test_repeats_fold_and_an_object_gets_at_most_a_burst_of_25(
        apiserver: APIServerProcess, namespace: str) -> None:
    async def go() -> list[dict[str, object]]:
        async with Client.from_kubeconfig(apiserver.kubeconfig) as c:
            cm = await c.create("configmaps", {"metadata": {"name": "noisy"}}, namespace)
            cm.setdefault("kind", "ConfigMap")
            recorder = EventRecorder(c, "test-controller")
            for _ in range(3):
                recorder.record(cm, "Normal", "Same", "the same thing")
                await recorder.flush()
            for i in range(40):
                recorder.record(cm, "Normal", "Created", f"Created thing {i}")
            await recorder.flush()
            listed = await c.list("events", namespace)
            items: list[dict[str, object]] = listed["items"]
            return items

    events = asyncio.run(go())
    same = [e for e in events if e["reason"] == "Same"]
    assert len(same) == 1 and same[0]["count"] == 3
    created = [e for e in events if e["reason"] == "Created"]
    assert len(created) == 25 - 3  # the three repeats spent three of the burst


def test_flush_gives_up_after_its_timeout_on_events_held_by_the_rate_limit(
        apiserver: APIServerProcess, namespace: str) -> None:
    async def go() -> tuple[float, int, int]:
        async with Client.from_kubeconfig(apiserver.kubeconfig, qps=2, burst=1) as c:
            recorder = EventRecorder(c, "test-scheduler")
            for i in range(40):  # 40 objects: 20 s of writes at 2 a second
                recorder.record({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {
                    "name": f"cm-{i}", "namespace": namespace, "uid": f"uid-{i}"}},
                    "Normal", "Scheduled", "placed")
            start = asyncio.get_running_loop().time()
            await recorder.flush(timeout=1.0)
            took = asyncio.get_running_loop().time() - start
            async with Client.from_kubeconfig(apiserver.kubeconfig) as reader:
                written = len((await reader.list("events", namespace))["items"])
            return took, len(recorder._tasks), written

    took, pending, written = asyncio.run(go())
    assert took < 3.0
    assert pending == 0
    assert 1 <= written < 40
