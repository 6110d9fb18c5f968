"""Cascading deletion in its three modes, with kubectl, the controller-manager and a
simulated node: deployment -> replica set -> pods."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from paddock.bench.nodesim import PodSimulator
from tests.conftest import APIServerProcess, spawn, wait_for
from tests.controllers.test_deployment import BASE, deployment, pods, rolled_out

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def cluster(fresh_apiserver: APIServerProcess) -> Iterator[APIServerProcess]:
    """The controller-manager and a simulated node whose pods take two seconds to stop, so
    that a foreground deletion is seen waiting for them."""
    proc = spawn(fresh_apiserver, "controller-manager", "controller-manager")
    with PodSimulator(fresh_apiserver.kubeconfig, linger=2.0):
        yield fresh_apiserver
    proc.terminate()
    proc.wait(10)


def replica_sets(api: APIServerProcess) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.request("GET", f"{BASE}/replicasets").json()["items"]
    return items


def start(api: APIServerProcess, name: str) -> None:
    assert api.request("POST", f"{BASE}/deployments", deployment(name, 3)).status == 201
    wait_for(lambda: rolled_out(api, name, 3), 60)


def test_background_deletion_removes_the_owner_at_once_then_its_dependents(
        cluster: APIServerProcess) -> None:
    api = cluster
    start(api, "bg")
    api.kubectl("delete", "deployment", "bg")
    assert api.request("GET", f"{BASE}/deployments/bg").status == 404
    wait_for(lambda: not replica_sets(api) and not pods(api, "bg"), 30)


def test_foreground_deletion_keeps_the_owner_until_its_dependents_are_gone(
        cluster: APIServerProcess) -> None:
    api = cluster
    start(api, "fg")
    api.kubectl("delete", "deployment", "fg", "--cascade=foreground", "--wait=false")
    seen_waiting = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # terminating ones included: the owner waits until they are gone
        live_pods = api.request("GET", "/api/v1/namespaces/default/pods").json().get("items")
        r = api.request("GET", f"{BASE}/deployments/fg")
        if r.status == 404:
            break
        md = r.json()["metadata"]
        assert md.get("deletionTimestamp") and "foregroundDeletion" in md.get("finalizers", [])
        if live_pods:
            seen_waiting = True
        time.sleep(0.02)
    else:
        raise AssertionError("the deployment was never deleted")
    assert seen_waiting
    assert not replica_sets(api)
    all_pods = api.request("GET", "/api/v1/namespaces/default/pods").json()["items"]
    assert all_pods == []  # the owner went last


def test_orphan_deletion_leaves_dependents_without_the_reference(cluster: APIServerProcess) -> None:
    api = cluster
    start(api, "orph")
    api.kubectl("delete", "deployment", "orph", "--cascade=orphan")
    wait_for(lambda: api.request("GET", f"{BASE}/deployments/orph").status == 404, 30)
    rss = replica_sets(api)
    assert len(rss) == 1 and not rss[0]["metadata"].get("ownerReferences")
    time.sleep(1)
    assert len(pods(api, "orph")) == 3
    assert all(p["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet" for p in pods(api, "orph"))


def test_objects_whose_owner_never_existed_are_collected(cluster: APIServerProcess) -> None:
    api = cluster
    kept = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept"}}
    assert api.request("POST", "/api/v1/namespaces/default/configmaps", kept).status == 201
    owner_uid = api.request("GET", "/api/v1/namespaces/default/configmaps/kept").json()["metadata"]["uid"]
    for name, uid in (("orphaned", "0c9c1a3e-0000-4000-8000-000000000000"), ("owned", owner_uid)):
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "ownerReferences": [
            {"apiVersion": "v1", "kind": "ConfigMap", "name": "kept", "uid": uid}]}}
        assert api.request("POST", "/api/v1/namespaces/default/configmaps", cm).status == 201
    wait_for(lambda: api.request("GET", "/api/v1/namespaces/default/configmaps/orphaned").status == 404, 30)
    assert api.request("GET", "/api/v1/namespaces/default/configmaps/owned").status == 200
    api.request("DELETE", "/api/v1/namespaces/default/configmaps/kept")
    wait_for(lambda: api.request("GET", "/api/v1/namespaces/default/configmaps/owned").status == 404, 30)
