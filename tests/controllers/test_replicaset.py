"""ReplicationControllers and ReplicaSets against a real apiserver: the controller-manager
as a process for what users see, and in-process where a test must hold the watch back."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from paddock.controllers.replicaset import (
    REPLICATION_CONTROLLER,
    ReplicaSetController,
    deletion_order,
    slow_start,
)
from paddock.core.client import Client
from paddock.core.events import EventRecorder
from paddock.core.informer import Informer
from tests.conftest import APIServerProcess, wait_for

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def manager(fresh_apiserver: APIServerProcess) -> Iterator[subprocess.Popen[bytes]]:
    log = open(os.path.join(fresh_apiserver.data_dir, "controller-manager.log"), "ab")
    proc = subprocess.Popen([sys.executable, "-m", "paddock.cli", "controller-manager",
                             "--kubeconfig", fresh_apiserver.kubeconfig],
                            stdout=log, stderr=subprocess.STDOUT)
    yield proc
    proc.terminate()
    proc.wait(10)




def rc(name: str, replicas: int, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"app": name},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "pause"}]}},
                     **spec}}


def pods_of(api: APIServerProcess, app: str, *, active: bool = True) -> list[dict[str, Any]]:
    items = api.request("GET", f"/api/v1/namespaces/default/pods?labelSelector=app%3D{app}").json()["items"]
    return [p for p in items if not (active and p["metadata"].get("deletionTimestamp"))]


def rc_status(api: APIServerProcess, name: str) -> dict[str, Any]:
    status: dict[str, Any] = api.request(
        "GET", f"/api/v1/namespaces/default/replicationcontrollers/{name}").json()["status"]
    return status


def test_rc_creates_owned_pods_recreates_deleted_ones_and_reports_status(
        fresh_apiserver: APIServerProcess, manager: subprocess.Popen[bytes]) -> None:
    api = fresh_apiserver
    assert api.request("POST", "/api/v1/namespaces/default/replicationcontrollers",
                       rc("web", 3)).status == 201
    pods = wait_for(lambda: len(pods_of(api, "web")) == 3 and pods_of(api, "web"))
    uid = api.request("GET", "/api/v1/namespaces/default/replicationcontrollers/web").json()[
        "metadata"]["uid"]
    for p in pods:
        assert p["metadata"]["name"].startswith("web-")
        assert p["metadata"]["ownerReferences"] == [{
            "apiVersion": "v1", "kind": "ReplicationController", "name": "web", "uid": uid,
            "controller": True, "blockOwnerDeletion": True}]
    status = wait_for(lambda: rc_status(api, "web").get("replicas") == 3 and rc_status(api, "web"))
    assert status["fullyLabeledReplicas"] == 3 and status["observedGeneration"] == 1
    assert status.get("readyReplicas", 0) == 0
    victim = pods[0]["metadata"]["name"]
    assert api.request("DELETE", f"/api/v1/namespaces/default/pods/{victim}").status == 200
    replaced = wait_for(lambda: len(pods_of(api, "web")) == 3
                        and victim not in {p["metadata"]["name"] for p in pods_of(api, "web")})
    assert replaced
    events = api.request("GET", "/api/v1/namespaces/default/events").json()["items"]
    created = [e for e in events if e["reason"] == "SuccessfulCreate"
               and e["involvedObject"]["name"] == "web"]
    assert created and created[0]["message"].startswith("Created pod: web-")
    assert created[0]["source"]["component"] == "replication-controller"


def mark(api: APIServerProcess, name: str, node: str | None = None, ready: bool = False) -> None:
    if node:
        r = api.request("POST", f"/api/v1/namespaces/default/pods/{name}/binding", {
            "apiVersion": "v1", "kind": "Binding", "metadata": {"name": name},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node}})
        assert r.status == 201, r.body
    if ready:
        r = api.request("PATCH", f"/api/v1/namespaces/default/pods/{name}/status", {"status": {
            "phase": "Running", "conditions": [{"type": "Ready", "status": "True",
                                                "lastTransitionTime": "2026-01-01T00:00:00Z"}]}},
            headers={"Content-Type": "application/merge-patch+json"})
        assert r.status == 200, r.body


def test_scaling_down_deletes_unassigned_then_not_ready_pods_first(
        fresh_apiserver: APIServerProcess, manager: subprocess.Popen[bytes]) -> None:
    api = fresh_apiserver
    api.request("POST", "/api/v1/namespaces/default/replicationcontrollers", rc("db", 5))
    names = sorted(p["metadata"]["name"] for p in wait_for(
        lambda: len(pods_of(api, "db")) == 5 and pods_of(api, "db")))
    ready, assigned, unassigned = names[:2], names[2:4], names[4]
    for n in ready:
        mark(api, n, node="node-1", ready=True)
    for n in assigned:
        mark(api, n, node="node-2")
    wait_for(lambda: rc_status(api, "db").get("readyReplicas") == 2)
    assert rc_status(api, "db")["availableReplicas"] == 2
    r = api.request("PATCH", "/api/v1/namespaces/default/replicationcontrollers/db",
                    {"spec": {"replicas": 2}}, headers={"Content-Type": "application/merge-patch+json"})
    assert r.status == 200
    left = wait_for(lambda: len(pods_of(api, "db")) == 2 and pods_of(api, "db"))
    assert sorted(p["metadata"]["name"] for p in left) == ready
    assert unassigned not in {p["metadata"]["name"] for p in pods_of(api, "db", active=False)}


def test_orphans_matching_the_selector_are_adopted_and_relabelled_pods_released(
        fresh_apiserver: APIServerProcess, manager: subprocess.Popen[bytes]) -> None:
    api = fresh_apiserver
    orphan = {"apiVersion": "v1", "kind": "Pod",
              "metadata": {"name": "stray", "labels": {"app": "cache"}},
              "spec": {"containers": [{"name": "c", "image": "pause"}]}}
    assert api.request("POST", "/api/v1/namespaces/default/pods", orphan).status == 201
    api.request("POST", "/api/v1/namespaces/default/replicationcontrollers", rc("cache", 2))
    pods = wait_for(lambda: len(pods_of(api, "cache")) == 2 and all(
        p["metadata"].get("ownerReferences") for p in pods_of(api, "cache")) and pods_of(api, "cache"))
    assert "stray" in {p["metadata"]["name"] for p in pods}  # adopted: only one more created
    r = api.request("PATCH", "/api/v1/namespaces/default/pods/stray",
                    {"metadata": {"labels": {"app": "debug"}}},
                    headers={"Content-Type": "application/merge-patch+json"})
    assert r.status == 200
    released = wait_for(lambda: not api.request("GET", "/api/v1/namespaces/default/pods/stray").json()[
        "metadata"].get("ownerReferences"))
    assert released
    assert wait_for(lambda: len(pods_of(api, "cache")) == 2)


def test_replica_sets_with_expression_selectors_and_min_ready_seconds(
        fresh_apiserver: APIServerProcess, manager: subprocess.Popen[bytes]) -> None:
    api = fresh_apiserver
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "front"},
          "spec": {"replicas": 2, "minReadySeconds": 3600,
                   "selector": {"matchExpressions": [{"key": "tier", "operator": "In",
                                                      "values": ["front"]}]},
                   "template": {"metadata": {"labels": {"tier": "front"}},
                                "spec": {"containers": [{"name": "c", "image": "pause"}]}}}}
    assert api.request("POST", "/apis/apps/v1/namespaces/default/replicasets", rs).status == 201
    items = wait_for(lambda: len(pods_of_tier(api)) == 2 and pods_of_tier(api))
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for p in items:
        api.request("PATCH", f"/api/v1/namespaces/default/pods/{p['metadata']['name']}/status",
                    {"status": {"phase": "Running", "conditions": [
                        {"type": "Ready", "status": "True", "lastTransitionTime": now}]}},
                    headers={"Content-Type": "application/merge-patch+json"})

    def status() -> dict[str, Any]:
        s: dict[str, Any] = api.request("GET", "/apis/apps/v1/namespaces/default/replicasets/front").json()["status"]
        return s

    wait_for(lambda: status().get("readyReplicas") == 2)
    assert status().get("availableReplicas", 0) == 0  # ready, but not for an hour yet


def pods_of_tier(api: APIServerProcess) -> list[dict[str, Any]]:
    items = api.request("GET", "/api/v1/namespaces/default/pods?labelSelector=tier%3Dfront").json()["items"]
    return [p for p in items if not p["metadata"].get("deletionTimestamp")]


class LaggingInformer(Informer):
    """An informer whose store and handlers see every watch event ``lag`` seconds late, in
    order, as behind a slow watch."""

    lag = 2.0

    def start(self) -> None:
        self._late: asyncio.Queue[tuple[float, Callable[[], None]]] = asyncio.Queue()
        self._deliverer = asyncio.create_task(self._deliver())
        super().start()

    async def _deliver(self) -> None:
        while True:
            due, action = await self._late.get()
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            action()

    def _later(self, action: Callable[[], None]) -> None:
        if not self.synced.is_set():
            action()  # the first list arrives on time
            return
        self._late.put_nowait((time.monotonic() + self.lag, action))

    def _put(self, key: str, obj: dict[str, Any]) -> None:
        self._later(lambda: Informer._put(self, key, obj))

    def _drop(self, key: str) -> None:
        self._later(lambda: Informer._drop(self, key))

    def _emit(self, event: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        self._later(lambda: Informer._emit(self, event, obj, old))

    async def stop(self) -> None:
        self._deliverer.cancel()
        await super().stop()


def test_a_slow_watch_never_causes_double_creation_or_deletion(
        fresh_apiserver: APIServerProcess) -> None:
    """Pod events (and the pod cache) reach the controller two seconds late while it is
    asked to sync over and over: expectations hold it back until it has seen its own
    creations and deletions."""
    api = fresh_apiserver
    api.request("POST", "/api/v1/namespaces/default/replicationcontrollers", rc("slow", 20))

    async def go() -> None:
        async with Client.from_kubeconfig(api.kubeconfig) as client:
            pods = LaggingInformer(client, "pods")
            owners = Informer(client, "replicationcontrollers")
            controller = ReplicaSetController(client, REPLICATION_CONTROLLER, owners, pods,
                                              EventRecorder(client, "test"))
            for informer in (pods, owners):
                informer.start()
            await asyncio.gather(pods.synced.wait(), owners.synced.wait())
            controller.start()

            async def hammer(seconds: float) -> None:
                for _ in range(int(seconds * 10)):
                    controller.queue.add("default/slow")
                    await asyncio.sleep(0.1)

            await hammer(4.0)
            assert len(pods_of(api, "slow")) == 20
            await client.patch("replicationcontrollers", "slow", {"spec": {"replicas": 5}},
                               "default")
            await hammer(4.0)
            assert len(pods_of(api, "slow")) == 5
            await controller.stop()
            for informer in (pods, owners):
                await informer.stop()

    asyncio.run(go())


def test_deletion_order_follows_upstream_ranking() -> None:
    def pod(name: str, node: str = "", phase: str = "Pending", ready: str | None = None,
            restarts: int = 0, created: str = "2026-01-01T00:00:00Z") -> dict[str, Any]:
        conditions = [{"type": "Ready", "status": "True", "lastTransitionTime": ready}] if ready else []
        return {"metadata": {"name": name, "creationTimestamp": created},
                "spec": {"nodeName": node},
                "status": {"phase": phase, "conditions": conditions,
                           "containerStatuses": [{"restartCount": restarts}]}}

    pods = [
        pod("ready-old", "n1", "Running", ready="2026-01-01T00:00:00Z"),
        pod("ready-new", "n2", "Running", ready="2026-01-02T00:00:00Z"),
        pod("running", "n3", "Running"),
        pod("crashy", "n3", "Running", restarts=5),
        pod("pending-assigned", "n4"),
        pod("unassigned-old"),
        pod("unassigned-new", created="2026-01-05T00:00:00Z"),
        pod("doubled", "n5", "Running", ready="2026-01-01T00:00:00Z"),
        pod("doubled-2", "n5", "Running", ready="2026-01-01T00:00:00Z", created="2026-01-02T00:00:00Z"),
    ]
    order = [p["metadata"]["name"] for p in deletion_order(pods, pods)]
    assert order == ["unassigned-new", "unassigned-old", "pending-assigned", "crashy", "running",
                     "doubled-2", "doubled", "ready-new", "ready-old"]


def test_slow_start_doubles_batches_and_stops_at_the_first_failing_one() -> None:
    calls: list[int] = []

    async def go(fail_at: int) -> tuple[int, Exception | None]:
        async def make() -> None:
            calls.append(1)
            if len(calls) == fail_at:
                raise RuntimeError("quota")
        return await slow_start(20, make)

    assert asyncio.run(go(0)) == (20, None)
    calls.clear()
    done, error = asyncio.run(go(5))  # batches 1, 2, then 4 (the 5th call fails)
    assert (done, str(error), len(calls)) == (6, "quota", 7)


def test_a_standby_controller_manager_takes_over_when_the_leader_dies(
        fresh_apiserver: APIServerProcess) -> None:
    api = fresh_apiserver

    def start(name: str) -> subprocess.Popen[bytes]:
        log = open(os.path.join(api.data_dir, f"{name}.log"), "ab")
        return subprocess.Popen(
            [sys.executable, "-m", "paddock.cli", "controller-manager", "--kubeconfig",
             api.kubeconfig, "--leader-elect-lease-duration", "3s",
             "--leader-elect-renew-deadline", "2s", "--leader-elect-retry-period", "200ms"],
            stdout=log, stderr=subprocess.STDOUT)

    leader = start("leader")
    lease_path = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager"
    wait_for(lambda: api.request("GET", lease_path).status == 200)
    standby = start("standby")
    try:
        api.request("POST", "/api/v1/namespaces/default/replicationcontrollers", rc("ha", 2))
        wait_for(lambda: len(pods_of(api, "ha")) == 2)
        holder = api.request("GET", lease_path).json()["spec"]["holderIdentity"]
        leader.kill()  # no release: the standby waits out the lease
        leader.wait(10)
        new_holder = wait_for(lambda: (h := api.request("GET", lease_path).json()["spec"].get(
            "holderIdentity")) and h != holder and h, timeout=15)
        assert new_holder
        api.request("PATCH", "/api/v1/namespaces/default/replicationcontrollers/ha",
                    {"spec": {"replicas": 4}}, headers={"Content-Type": "application/merge-patch+json"})
        wait_for(lambda: len(pods_of(api, "ha")) == 4)
        time.sleep(1)
        assert len(pods_of(api, "ha")) == 4  # one controller at work: no more than asked
    finally:
        for proc in (leader, standby):
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
