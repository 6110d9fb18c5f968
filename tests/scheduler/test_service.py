"""``paddock scheduler`` as a process against a real apiserver: pods bound, unschedulable
pods reported and placed once a node fits them, events and conditions as upstream."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import APIServerProcess, wait_for

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def scheduler(fresh_apiserver: APIServerProcess) -> Iterator[subprocess.Popen[bytes]]:
    log = open(os.path.join(fresh_apiserver.data_dir, "scheduler.log"), "ab")
    proc = subprocess.Popen([sys.executable, "-m", "paddock.cli", "scheduler", "--kubeconfig",
                             fresh_apiserver.kubeconfig], stdout=log, stderr=subprocess.STDOUT)
    yield proc
    proc.terminate()
    proc.wait(10)


def node(name: str, cpu: str = "2", memory: str = "4Gi", **labels: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels},
            "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": "110"},
                       "capacity": {"cpu": cpu, "memory": memory, "pods": "110"},
                       "conditions": [{"type": "Ready", "status": "True"}]}}


def pod(name: str, cpu: str = "100m") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "pause",
                                     "resources": {"requests": {"cpu": cpu}}}]}}




def get_pod(api: APIServerProcess, name: str) -> dict[str, Any]:
    r = api.request("GET", f"/api/v1/namespaces/default/pods/{name}")
    assert r.status == 200, r.body
    result: dict[str, Any] = r.json()
    return result


def events_for(api: APIServerProcess, name: str) -> list[dict[str, Any]]:
    items = api.request("GET", "/api/v1/namespaces/default/events").json()["items"]
    return [e for e in items if e["involvedObject"]["name"] == name]


def test_pods_are_bound_with_a_scheduled_event(
        fresh_apiserver: APIServerProcess, scheduler: subprocess.Popen[bytes]) -> None:
    api = fresh_apiserver
    for n in ("n1", "n2", "n3"):
        assert api.request("POST", "/api/v1/nodes", node(n)).status == 201
    for i in range(6):
        assert api.request("POST", "/api/v1/namespaces/default/pods", pod(f"p{i}")).status == 201
    bound = wait_for(lambda: all(get_pod(api, f"p{i}")["spec"].get("nodeName") for i in range(6)))
    assert bound
    placed = [get_pod(api, f"p{i}")["spec"]["nodeName"] for i in range(6)]
    assert sorted(set(placed)) == ["n1", "n2", "n3"]  # LeastAllocated spreads them
    scheduled = wait_for(lambda: [e for e in events_for(api, "p0") if e["reason"] == "Scheduled"])
    assert scheduled[0]["type"] == "Normal"
    assert scheduled[0]["message"] == f"Successfully assigned default/p0 to {placed[0]}"
    assert scheduled[0]["source"]["component"] == "default-scheduler"


def test_unschedulable_pod_is_reported_then_placed_when_a_node_fits(
        fresh_apiserver: APIServerProcess, scheduler: subprocess.Popen[bytes]) -> None:
    api = fresh_apiserver
    for n in ("small-1", "small-2"):
        api.request("POST", "/api/v1/nodes", node(n, cpu="1"))
    api.request("POST", "/api/v1/nodes", {**node("tainted", cpu="8"), "spec": {"taints": [
        {"key": "dedicated", "value": "db", "effect": "NoSchedule"}]}})
    assert api.request("POST", "/api/v1/namespaces/default/pods", pod("big", cpu="4")).status == 201
    failed = wait_for(lambda: [e for e in events_for(api, "big")
                               if e["reason"] == "FailedScheduling"])
    message = ("0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, "
               "2 Insufficient cpu.")
    assert failed[0]["type"] == "Warning" and failed[0]["message"] == message
    condition = wait_for(lambda: [c for c in get_pod(api, "big")["status"].get("conditions", [])
                                  if c["type"] == "PodScheduled"])
    assert (condition[0]["status"], condition[0]["reason"]) == ("False", "Unschedulable")
    assert condition[0]["message"] == message
    # a node that fits arrives: the pod is placed without anyone asking again
    api.request("POST", "/api/v1/nodes", node("large", cpu="8"))
    assert wait_for(lambda: get_pod(api, "big")["spec"].get("nodeName")) == "large"


def test_pods_for_another_scheduler_are_left_alone(
        fresh_apiserver: APIServerProcess, scheduler: subprocess.Popen[bytes]) -> None:
    api = fresh_apiserver
    api.request("POST", "/api/v1/nodes", node("n1"))
    other = pod("other")
    other["spec"]["schedulerName"] = "my-scheduler"
    api.request("POST", "/api/v1/namespaces/default/pods", other)
    api.request("POST", "/api/v1/namespaces/default/pods", pod("mine"))
    assert wait_for(lambda: get_pod(api, "mine")["spec"].get("nodeName")) == "n1"
    assert not get_pod(api, "other")["spec"].get("nodeName")


def test_a_standby_scheduler_takes_over_when_the_leader_stops(
        fresh_apiserver: APIServerProcess) -> None:
    api = fresh_apiserver
    api.request("POST", "/api/v1/nodes", node("n1"))

    def start(name: str) -> subprocess.Popen[bytes]:
        log = open(os.path.join(api.data_dir, f"{name}.log"), "ab")
        return subprocess.Popen(
            [sys.executable, "-m", "paddock.cli", "scheduler", "--kubeconfig", api.kubeconfig,
             "--leader-elect-lease-duration", "3s", "--leader-elect-renew-deadline", "2s",
             "--leader-elect-retry-period", "200ms"], stdout=log, stderr=subprocess.STDOUT)

    leader = start("leader")
    lease_path = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler"
    wait_for(lambda: api.request("GET", lease_path).status == 200)
    standby = start("standby")
    try:
        api.request("POST", "/api/v1/namespaces/default/pods", pod("a"))
        assert wait_for(lambda: get_pod(api, "a")["spec"].get("nodeName")) == "n1"
        holder = api.request("GET", lease_path).json()["spec"]["holderIdentity"]
        leader.terminate()
        assert leader.wait(10) == 0
        # released on SIGTERM: the standby holds the lease well within the 3 s duration
        new_holder = wait_for(lambda: (h := api.request("GET", lease_path).json()["spec"].get(
            "holderIdentity")) and h != holder and h, timeout=5)
        assert new_holder
        api.request("POST", "/api/v1/namespaces/default/pods", pod("b"))
        assert wait_for(lambda: get_pod(api, "b")["spec"].get("nodeName")) == "n1"
    finally:
        for proc in (leader, standby):
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)


def test_an_rcs_pods_spread_evenly_over_three_zones(
        fresh_apiserver: APIServerProcess, scheduler: subprocess.Popen[bytes]) -> None:
    api = fresh_apiserver
    for zone in ("a", "b", "c"):
        for i in (1, 2):
            api.request("POST", "/api/v1/nodes", node(
                f"{zone}{i}", cpu="8", **{"topology.kubernetes.io/zone": f"zone-{zone}"}))
    # the controller's selector is what spreads them (no controller-manager runs here)
    r = api.request("POST", "/api/v1/namespaces/default/replicationcontrollers", {
        "apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "web"},
        "spec": {"replicas": 0, "selector": {"app": "web"}, "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "pause"}]}}}})
    assert r.status == 201, r.body
    time.sleep(0.5)  # the scheduler's informer sees the controller
    for i in range(9):
        p = pod(f"web-{i}")
        p["metadata"]["labels"] = {"app": "web"}
        api.request("POST", "/api/v1/namespaces/default/pods", p)
    placed = wait_for(lambda: all(get_pod(api, f"web-{i}")["spec"].get("nodeName")
                                  for i in range(9)))
    assert placed
    zones = [get_pod(api, f"web-{i}")["spec"]["nodeName"][0] for i in range(9)]
    per_zone = [zones.count(z) for z in "abc"]
    assert max(per_zone) - min(per_zone) <= 1, per_zone


def test_a_binding_conflict_forgets_the_assumed_pod(fresh_apiserver: APIServerProcess) -> None:
    """Someone else bound the pod between the choice and the binding: the POST fails with
    409, the scheduler forgets its assumption and leaves the pod where it is."""
    import asyncio

    from paddock.core.client import Client
    from paddock.scheduler.framework import PodInfo
    from paddock.scheduler.queue import QueuedPod
    from paddock.scheduler.service import Scheduler

    api = fresh_apiserver
    for n in ("n1", "n2"):
        api.request("POST", "/api/v1/nodes", node(n))
    created = api.request("POST", "/api/v1/namespaces/default/pods", pod("raced")).json()

    async def go() -> tuple[bool, int]:
        async with Client.from_kubeconfig(api.kubeconfig) as c:
            scheduler = Scheduler(c)
            scheduler.cache.set_node(node("n2"))
            info = PodInfo.of(created)
            scheduler.cache.assume(info, "n2")
            await c.bind("default", "raced", "n1")  # the other binder wins
            await scheduler._bind(QueuedPod(created, info.key, 0, 0.0), info, "n2")
            requested = scheduler.cache.nodes["n2"].requested.get("cpu", 0)
            return scheduler.cache.is_assumed(info.key), requested

    assumed, requested = asyncio.run(go())
    assert not assumed and requested == 0
    assert get_pod(api, "raced")["spec"]["nodeName"] == "n1"


def test_kubectl_describe_tells_the_scheduling_story(
        fresh_apiserver: APIServerProcess, scheduler: subprocess.Popen[bytes]) -> None:
    api = fresh_apiserver
    api.request("POST", "/api/v1/nodes", node("n1", cpu="1"))
    api.request("POST", "/api/v1/namespaces/default/pods", pod("fits"))
    api.request("POST", "/api/v1/namespaces/default/pods", pod("too-big", cpu="2"))
    wait_for(lambda: get_pod(api, "fits")["spec"].get("nodeName"))
    wait_for(lambda: [e for e in events_for(api, "too-big") if e["reason"] == "FailedScheduling"])
    fits = api.kubectl("describe", "pod", "fits").stdout
    assert "Scheduled" in fits and "Successfully assigned default/fits to n1" in fits
    big = api.kubectl("describe", "pod", "too-big").stdout
    assert "FailedScheduling" in big and "0/1 nodes are available: 1 Insufficient cpu." in big
    assert "PodScheduled" in big and "False" in big
