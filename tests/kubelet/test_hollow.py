"""The kubelet on the hollow runtime, as ``paddock hollow-nodes`` runs it: nodes register
and stay Ready, pods are admitted, run, report status and are confirmed deleted."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import APIServerProcess, spawn, wait_for

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def cluster(fresh_apiserver: APIServerProcess) -> Iterator[APIServerProcess]:
    api = fresh_apiserver
    procs = [spawn(api, "scheduler", "scheduler"),
             spawn(api, "controller-manager", "controller-manager", "--node-monitor-grace-period=5s",
                   "--node-monitor-period=1s"),
             spawn(api, "hollow-nodes", "hollow-nodes", "--count", "100", "--cpu", "2",
                   "--node-lease-duration-seconds", "4")]
    yield api
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(20)


def nodes(api: APIServerProcess) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.request("GET", "/api/v1/nodes").json()["items"]
    return items


def ready(obj: dict[str, Any]) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in obj.get("status", {}).get("conditions", []))


def pods(api: APIServerProcess, selector: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.request(
        "GET", f"/api/v1/namespaces/default/pods?labelSelector={selector}").json()["items"]
    return items


def test_a_hundred_hollow_nodes_register_stay_ready_and_run_pods(cluster: APIServerProcess) -> None:
    api = cluster
    wait_for(lambda: len(nodes(api)) == 100 and all(ready(n) for n in nodes(api)), 60)
    node = api.request("GET", "/api/v1/nodes/hollow-node-7").json()
    assert node["metadata"]["labels"]["topology.kubernetes.io/zone"] == "zone-1"
    assert node["status"]["nodeInfo"]["kubeletVersion"].startswith("v1.32")
    assert node["status"]["capacity"]["cpu"] == "2" and node["spec"]["podCIDR"] == "198.18.7.0/24"
    lease_path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/hollow-node-7"
    first = api.request("GET", lease_path).json()["spec"]["renewTime"]
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "load"},
                  "spec": {"replicas": 200, "selector": {"matchLabels": {"app": "load"}},
                           "template": {"metadata": {"labels": {"app": "load"}}, "spec": {
                               "containers": [{"name": "c", "image": "pause",
                                               "resources": {"requests": {"cpu": "100m"}}}]}}}}
    assert api.request("POST", "/apis/apps/v1/namespaces/default/deployments", deployment).status == 201

    def all_running() -> list[dict[str, Any]] | None:
        live = pods(api, "app%3Dload")
        if len(live) == 200 and all(p["status"].get("phase") == "Running" and ready(p) for p in live):
            return live
        return None

    live = wait_for(all_running, 90)
    sample = live[0]["status"]
    assert {c["type"] for c in sample["conditions"]} == {
        "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"}
    assert sample["podIP"].startswith("198.18.") and sample["hostIP"] == "127.0.0.1"
    assert sample["containerStatuses"][0]["state"]["running"]["startedAt"]
    assert len({p["spec"]["nodeName"] for p in live}) > 50  # spread over the nodes
    # at rest, the kubelets write no status (a status that never compares equal to the
    # one read back would be posted for ever)
    def status_writes() -> float:
        metrics = api.request("GET", "/metrics").body.decode()
        return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                   if line.startswith("apiserver_request_duration_seconds_count")
                   and 'verb="patch"' in line and 'subresource="status"' in line)

    before = status_writes()
    # the nodes stayed Ready past the grace period of the node lifecycle controller
    time.sleep(6)
    assert status_writes() - before < 5
    assert all(ready(n) for n in nodes(api))
    assert api.request("GET", lease_path).json()["spec"]["renewTime"] != first
    out = api.kubectl("get", "pods", "-l", "app=load", "--no-headers").stdout
    assert out.count("Running") == 200 and "1/1" in out
    # deletion is confirmed by the kubelets: nothing is left Terminating
    api.kubectl("delete", "deployment", "load")
    wait_for(lambda: not pods(api, "app%3Dload"), 60)


def test_pods_that_do_not_fit_are_rejected_by_the_kubelet(cluster: APIServerProcess) -> None:
    api = cluster
    wait_for(lambda: len(nodes(api)) == 100, 60)
    big = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big"},
           "spec": {"nodeName": "hollow-node-3", "containers": [
               {"name": "c", "image": "x", "resources": {"requests": {"cpu": "3"}}}]}}
    assert api.request("POST", "/api/v1/namespaces/default/pods", big).status == 201
    status = wait_for(lambda: (s := api.request("GET", "/api/v1/namespaces/default/pods/big").json()[
        "status"]).get("phase") == "Failed" and s, 30)
    assert status["reason"] == "OutOfcpu"
    assert status["message"].startswith("Pod was rejected: Node didn't have enough resource: cpu")


def test_a_single_kubelet_registers_with_the_machines_capacity(
        fresh_apiserver: APIServerProcess, tmp_path: Any) -> None:
    import os

    api = fresh_apiserver
    kubelet = spawn(api, "kubelet", "kubelet", "--runtime", "hollow", "--node-name", "worker-1", "--zone", "zone-x",
                    "--root-dir", str(tmp_path / "kubelet"), "--pod-cidr", "198.18.42.0/24")
    try:
        node = wait_for(lambda: (r := api.request("GET", "/api/v1/nodes/worker-1")).status == 200
                        and ready(r.json()) and r.json(), 30)
        capacity = node["status"]["capacity"]
        assert capacity["cpu"] == str(os.cpu_count())
        with open("/proc/meminfo") as f:
            total = next(line.split()[1] for line in f if line.startswith("MemTotal:"))
        assert capacity["memory"] == f"{total}Ki" and capacity["pods"] == "110"
        assert capacity["ephemeral-storage"].endswith("Ki")
        assert node["metadata"]["labels"]["topology.kubernetes.io/zone"] == "zone-x"
        assert node["spec"]["podCIDR"] == "198.18.42.0/24"
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "on-worker"},
               "spec": {"nodeName": "worker-1", "containers": [{"name": "c", "image": "x"}]}}
        api.request("POST", "/api/v1/namespaces/default/pods", pod)
        running = wait_for(lambda: (p := api.request("GET", "/api/v1/namespaces/default/pods/on-worker")
                                    .json())["status"].get("phase") == "Running" and p, 30)
        assert running["status"]["podIP"].startswith("198.18.42.")
        # a restart of the kubelet finds its node and goes on
        kubelet.terminate()
        assert kubelet.wait(10) == 0
        kubelet = spawn(api, "kubelet-again", "kubelet", "--runtime", "hollow", "--node-name", "worker-1",
                        "--root-dir", str(tmp_path / "kubelet"))
        lease = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/worker-1"
        first = api.request("GET", lease).json()["spec"]["renewTime"]
        wait_for(lambda: api.request("GET", lease).json()["spec"]["renewTime"] != first, 30)
    finally:
        kubelet.terminate()
        kubelet.wait(10)
