"""DaemonSets: a pod on every eligible node (placed by the scheduler), none on nodes whose
taints the pods do not tolerate, and a rolling update one node at a time."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from paddock.bench.nodesim import PodSimulator
from tests.conftest import APIServerProcess, wait_for

pytestmark = pytest.mark.timeout(180)

NODES = [(f"n{i}", "zone-a") for i in range(1, 5)]
BASE = "/apis/apps/v1/namespaces/default/daemonsets"


@pytest.fixture
def cluster(fresh_apiserver: APIServerProcess) -> Iterator[tuple[APIServerProcess, PodSimulator]]:
    api = fresh_apiserver
    procs = []
    for name in ("scheduler", "controller-manager"):
        log = open(os.path.join(api.data_dir, f"{name}.log"), "ab")
        procs.append(subprocess.Popen([sys.executable, "-m", "paddock.cli", name, "--kubeconfig",
                                       api.kubeconfig], stdout=log, stderr=subprocess.STDOUT))
    with PodSimulator(api.kubeconfig, nodes=NODES, linger=0.3) as sim:
        yield api, sim
    for p in procs:
        p.terminate()
        p.wait(10)


def daemon_set(image: str = "agent:1") -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}},
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
                     "template": {"metadata": {"labels": {"app": "agent"}},
                                  "spec": {"containers": [{"name": "c", "image": image}]}}}}


def agents(api: APIServerProcess) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.request(
        "GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dagent").json()["items"]
    return [p for p in items if not p["metadata"].get("deletionTimestamp")]


def running_on(api: APIServerProcess, image: str | None = None) -> dict[str, str]:
    return {p["spec"]["nodeName"]: p["spec"]["containers"][0]["image"] for p in agents(api)
            if p.get("status", {}).get("phase") == "Running"
            and (image is None or p["spec"]["containers"][0]["image"] == image)}


def test_one_pod_per_eligible_node_and_a_rolling_update(
        cluster: tuple[APIServerProcess, PodSimulator]) -> None:
    api, _ = cluster
    wait_for(lambda: len(api.request("GET", "/api/v1/nodes").json()["items"]) == 4)
    tainted = api.request("GET", "/api/v1/nodes/n4").json()
    tainted["spec"] = {"taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]}
    assert api.request("PUT", "/api/v1/nodes/n4", tainted).status == 200
    assert api.request("POST", BASE, daemon_set()).status == 201
    wait_for(lambda: sorted(running_on(api)) == ["n1", "n2", "n3"], 60)
    assert len(agents(api)) == 3
    status = wait_for(lambda: (s := api.request("GET", f"{BASE}/agent").json().get("status", {}))
                      .get("numberAvailable") == 3 and s, 30)
    assert status["desiredNumberScheduled"] == 3 and status["updatedNumberScheduled"] == 3
    # a rolling update: never more than one node without a running agent
    worst: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            worst.append(3 - len(running_on(api)))
            time.sleep(0.02)

    observer = threading.Thread(target=watch)
    observer.start()
    r = api.request("PATCH", f"{BASE}/agent", {"spec": {"template": {"spec": {"containers": [
        {"name": "c", "image": "agent:2"}]}}}},
        headers={"Content-Type": "application/strategic-merge-patch+json"})
    assert r.status == 200
    try:
        wait_for(lambda: sorted(running_on(api, "agent:2")) == ["n1", "n2", "n3"]
                 and len(agents(api)) == 3, 60)
    finally:
        stop.set()
        observer.join()
    assert max(worst) <= 1
    out = api.kubectl("rollout", "status", "daemonset/agent", "--timeout=30s").stdout
    assert "successfully rolled out" in out
    # the taint goes: the node gets its agent
    tainted = api.request("GET", "/api/v1/nodes/n4").json()
    tainted["spec"] = {}
    api.request("PUT", "/api/v1/nodes/n4", tainted)
    wait_for(lambda: sorted(running_on(api)) == ["n1", "n2", "n3", "n4"], 60)
