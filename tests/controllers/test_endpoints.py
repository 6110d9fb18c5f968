"""Endpoints and EndpointSlices follow the pods a service selects: ready and not-ready
addresses, named ports, terminating pods dropped at once, slices of at most 100."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from paddock.bench.nodesim import PodSimulator
from tests.conftest import APIServerProcess, spawn, wait_for

pytestmark = pytest.mark.timeout(180)

NS = "/api/v1/namespaces/default"


@pytest.fixture
def cluster(fresh_apiserver: APIServerProcess) -> Iterator[APIServerProcess]:
    proc = spawn(fresh_apiserver, "controller-manager", "controller-manager")
    with PodSimulator(fresh_apiserver.kubeconfig, linger=3.0):
        yield fresh_apiserver
    proc.terminate()
    proc.wait(10)


def rc(name: str, replicas: int) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"app": name}, "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "web", "ports": [
                    {"name": "http", "containerPort": 8080}]}]}}}}


def service(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": {"tier": "web"}},
            "spec": {"selector": {"app": name}, "ports": [
                {"name": "web", "port": 80, "targetPort": "http"},
                {"name": "metrics", "port": 9090, "targetPort": 9090}]}}


def endpoints(api: APIServerProcess, name: str) -> dict[str, Any]:
    r = api.request("GET", f"{NS}/endpoints/{name}")
    return r.json() if r.status == 200 else {}


def slices(api: APIServerProcess, name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.request(
        "GET", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"
               f"?labelSelector=kubernetes.io%2Fservice-name%3D{name}").json()["items"]
    return items


def addresses(ep: dict[str, Any], field: str = "addresses") -> list[str]:
    return sorted(a["ip"] for s in ep.get("subsets") or () for a in s.get(field) or ())


def test_endpoints_and_slices_follow_ready_not_ready_and_terminating_pods(
        cluster: APIServerProcess) -> None:
    api = cluster
    api.request("POST", f"{NS}/replicationcontrollers", rc("web", 3))
    assert api.request("POST", f"{NS}/services", service("web")).status == 201
    ep = wait_for(lambda: len(addresses(endpoints(api, "web"))) == 3 and endpoints(api, "web"), 60)
    subset = ep["subsets"][0]
    assert sorted((p["name"], p["port"]) for p in subset["ports"]) == [("metrics", 9090), ("web", 8080)]
    assert all(a["targetRef"]["kind"] == "Pod" and a["nodeName"] == "sim-node" for a in subset["addresses"])
    assert ep["metadata"]["labels"] == {"tier": "web"}
    got = wait_for(lambda: (s := slices(api, "web")) and len(s[0].get("endpoints") or []) == 3 and s, 30)
    sl = got[0]
    assert sl["addressType"] == "IPv4"
    assert sl["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io"
    assert sl["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert all(e["conditions"] == {"ready": True, "serving": True, "terminating": False}
               for e in sl["endpoints"])
    pods = api.request("GET", f"{NS}/pods?labelSelector=app%3Dweb").json()["items"]
    # one pod stops being ready
    unready = pods[0]
    api.request("PATCH", f"{NS}/pods/{unready['metadata']['name']}/status",
                {"status": {"conditions": [{"type": "Ready", "status": "False"}]}},
                headers={"Content-Type": "application/merge-patch+json"})
    ip = unready["status"]["podIP"]
    wait_for(lambda: addresses(endpoints(api, "web"), "notReadyAddresses") == [ip])
    assert ip not in addresses(endpoints(api, "web"))
    # one starts terminating: out of the Endpoints at once, terminating in the slice
    leaving = pods[1]
    api.request("DELETE", f"{NS}/pods/{leaving['metadata']['name']}")
    gone_ip = leaving["status"]["podIP"]
    wait_for(lambda: gone_ip not in addresses(endpoints(api, "web")), 2.5)
    assert api.request("GET", f"{NS}/pods/{leaving['metadata']['name']}").json()["metadata"][
        "deletionTimestamp"]  # still there: the kubelet has not stopped it yet

    def terminating() -> bool:
        return any(e["addresses"] == [gone_ip] and e["conditions"]["terminating"]
                   and not e["conditions"]["ready"] for e in slices(api, "web")[0]["endpoints"])

    wait_for(terminating, 2.5)
    # the service goes: its endpoints and slices follow
    api.request("DELETE", f"{NS}/services/web")
    wait_for(lambda: not endpoints(api, "web") and not slices(api, "web"), 30)


def test_slices_hold_at_most_a_hundred_endpoints(cluster: APIServerProcess) -> None:
    api = cluster
    api.request("POST", f"{NS}/replicationcontrollers", rc("big", 130))
    api.request("POST", f"{NS}/services", service("big"))

    def counts() -> list[int]:
        return sorted(len(s.get("endpoints") or []) for s in slices(api, "big"))

    wait_for(lambda: counts() == [30, 100], 120)
    api.request("PATCH", f"{NS}/replicationcontrollers/big", {"spec": {"replicas": 50}},
                headers={"Content-Type": "application/merge-patch+json"})
    wait_for(lambda: counts() == [50], 60)


def test_services_without_a_selector_keep_their_own_endpoints(cluster: APIServerProcess) -> None:
    api = cluster
    api.request("POST", f"{NS}/services", {"apiVersion": "v1", "kind": "Service",
                                          "metadata": {"name": "external"},
                                          "spec": {"ports": [{"port": 5432}]}})
    manual = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "external"},
              "subsets": [{"addresses": [{"ip": "198.18.200.1"}], "ports": [{"port": 5432}]}]}
    assert api.request("POST", f"{NS}/endpoints", manual).status == 201
    api.request("POST", f"{NS}/replicationcontrollers", rc("other", 1))
    wait_for(lambda: addresses(endpoints(api, "external")) == ["198.18.200.1"])
    import time
    time.sleep(1.5)
    assert addresses(endpoints(api, "external")) == ["198.18.200.1"]
