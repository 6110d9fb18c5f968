"""Kubelets in-process against a real apiserver: each pod's status is written once when
nothing changes, however late the pod's own events come back."""

from __future__ import annotations

import asyncio

import pytest

from paddock.core.client import Client
from paddock.kubelet.hollow import HollowRuntime
from paddock.kubelet.kubelet import Kubelet
from tests.conftest import APIServerProcess

pytestmark = pytest.mark.timeout(60)


def status_writes(api: APIServerProcess) -> float:
    metrics = api.request("GET", "/metrics").body.decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
               if line.startswith("apiserver_request_duration_seconds_count")
               and 'verb="patch"' in line and 'subresource="status"' in line)


def test_each_pod_status_is_written_once_under_a_burst_of_pods(
        fresh_apiserver: APIServerProcess) -> None:
    api = fresh_apiserver

    async def go() -> None:
        async with Client.from_kubeconfig(api.kubeconfig, qps=0, strip_managed_fields=True) as c:
            runtime = HollowRuntime()
            kubelets = [Kubelet(c, f"n{i}", runtime) for i in range(3)]
            for k in kubelets:
                await k.start()
            await asyncio.gather(*(c.create("pods", {
                "metadata": {"name": f"p{i}-{j}"},
                "spec": {"nodeName": f"n{i}", "containers": [{"name": "c", "image": "pause"}]}},
                "default") for i in range(3) for j in range(30)))
            for _ in range(100):
                pods = (await c.list("pods", "default")).get("items") or []
                if sum(1 for p in pods if p["status"].get("phase") == "Running") == 90:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(2)  # time for any write-back loop to show
            for k in kubelets:
                await k.stop()

    asyncio.run(go())
    assert status_writes(api) == 90
