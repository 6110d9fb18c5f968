"""When a zone dies, the application's pods come back in the other zones with nobody
acting: the node lifecycle controller, the scheduler and the controllers together."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from paddock.bench.nodesim import PodSimulator
from tests.conftest import APIServerProcess, wait_for

pytestmark = pytest.mark.timeout(180)

NODES = [(f"{zone}-{i}", zone) for zone in ("zone-a", "zone-b", "zone-c") for i in (1, 2)]


@pytest.fixture
def cluster(fresh_apiserver: APIServerProcess) -> Iterator[tuple[APIServerProcess, PodSimulator]]:
    api = fresh_apiserver
    procs = []
    for name, argv in (("scheduler", ["scheduler"]),
                       ("controller-manager", ["controller-manager", "--node-monitor-grace-period=4s",
                                               "--node-monitor-period=1s", "--node-eviction-rate=10"])):
        log = open(os.path.join(api.data_dir, f"{name}.log"), "ab")
        procs.append(subprocess.Popen([sys.executable, "-m", "paddock.cli", *argv, "--kubeconfig",
                                       api.kubeconfig], stdout=log, stderr=subprocess.STDOUT))
    with PodSimulator(api.kubeconfig, nodes=NODES) as sim:
        yield api, sim
    for p in procs:
        p.terminate()
        p.wait(10)


def deployment() -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app"},
            "spec": {"replicas": 6, "selector": {"matchLabels": {"app": "app"}},
                     "template": {"metadata": {"labels": {"app": "app"}}, "spec": {
                         "containers": [{"name": "c", "image": "app"}],
                         # evicted two seconds after their node is found unreachable
                         "tolerations": [
                             {"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                              "effect": "NoExecute", "tolerationSeconds": 2},
                             {"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                              "effect": "NoExecute", "tolerationSeconds": 2}]}}}}


def running(api: APIServerProcess) -> list[dict[str, Any]]:
    items = api.request("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dapp").json()["items"]
    return [p for p in items if not p["metadata"].get("deletionTimestamp")
            and p.get("status", {}).get("phase") == "Running"]


def test_pods_of_a_dead_zone_come_back_in_the_other_zones(
        cluster: tuple[APIServerProcess, PodSimulator]) -> None:
    api, sim = cluster
    assert api.request("POST", "/apis/apps/v1/namespaces/default/deployments", deployment()).status == 201
    pods = wait_for(lambda: len(running(api)) == 6 and running(api), 60)
    zone = {name: z for name, z in NODES}
    assert {zone[p["spec"]["nodeName"]] for p in pods} == {"zone-a", "zone-b", "zone-c"}
    sim.stop_zone("zone-a")

    def recovered() -> list[dict[str, Any]] | None:
        live = running(api)
        if len(live) == 6 and all(zone[p["spec"]["nodeName"]] != "zone-a" for p in live):
            return live
        return None

    wait_for(recovered, 60)
    node = api.request("GET", "/api/v1/nodes/zone-a-1").json()
    ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"]) == ("Unknown", "NodeStatusUnknown")
    taints = {(t["key"], t["effect"]) for t in node["spec"]["taints"]}
    assert taints == {("node.kubernetes.io/unreachable", "NoSchedule"),
                      ("node.kubernetes.io/unreachable", "NoExecute")}
    healthy = api.request("GET", "/api/v1/nodes/zone-b-1").json()
    assert not healthy.get("spec", {}).get("taints")
    events = api.request("GET", "/api/v1/namespaces/default/events").json()["items"]
    assert any(e["reason"] == "TaintManagerEviction" for e in events)


def _controller() -> Any:
    from paddock.controllers.nodelifecycle import NodeLifecycleController
    from paddock.core.informer import Informer

    dummy: Any = None
    return NodeLifecycleController(dummy, Informer(dummy, "nodes"), Informer(dummy, "leases"),
                                   Informer(dummy, "pods"), dummy)


@pytest.mark.parametrize(("up", "down", "size_state", "rate"), [
    (10, 0, "Normal", 0.1),
    (8, 2, "Normal", 0.1),               # two down is never a disruption
    (3, 4, "PartialDisruption", 0.0),    # 57% down in a small zone: stop
    (0, 5, "FullDisruption", 0.1),       # the whole zone: evict, it will not come back alone
])
def test_zone_states_and_eviction_rates_as_upstream(up: int, down: int, size_state: str,
                                                     rate: float) -> None:
    c = _controller()
    members = [({}, "True")] * up + [({}, "Unknown")] * down
    assert c._zone_state(members) == size_state
    assert c._rate(size_state, up + down) == rate
    big = [({}, "True")] * 40 + [({}, "False")] * 60
    assert c._rate(c._zone_state(big), 100) == 0.01  # mostly down, large: the secondary rate


def test_pods_are_due_for_eviction_by_their_shortest_matching_toleration() -> None:
    from paddock.controllers.nodelifecycle import NodeLifecycleController as C

    taint = {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute",
             "timeAdded": "2026-01-01T00:00:00Z"}
    added = 1767225600.0  # that time, in seconds

    def pod(*tolerations: dict[str, Any]) -> dict[str, Any]:
        return {"spec": {"tolerations": list(tolerations)}}

    tolerate = {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"}
    assert C._due(pod(), [taint], added)  # not tolerated: at once
    assert not C._due(pod(tolerate), [taint], added + 10**6)  # tolerated forever
    timed = pod({**tolerate, "tolerationSeconds": 300}, {"operator": "Exists", "tolerationSeconds": 60})
    assert not C._due(timed, [taint], added + 59)
    assert C._due(timed, [taint], added + 60)
