"""Deployments end to end: the controller-manager process, a simulated node that runs the
pods, and the real kubectl reading rollout status, history and undoing."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from paddock.bench.nodesim import NEVER_READY, PodSimulator
from tests.conftest import APIServerProcess, spawn, wait_for

pytestmark = pytest.mark.timeout(180)

BASE = "/apis/apps/v1/namespaces/default"


@pytest.fixture
def cluster(fresh_apiserver: APIServerProcess) -> Iterator[APIServerProcess]:
    proc = spawn(fresh_apiserver, "controller-manager", "controller-manager")
    with PodSimulator(fresh_apiserver.kubeconfig):
        yield fresh_apiserver
    proc.terminate()
    proc.wait(10)


def deployment(name: str, replicas: int, image: str = "v1", surge: Any = 3,
               unavailable: Any = 2, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "strategy": {"type": "RollingUpdate", "rollingUpdate": {
                         "maxSurge": surge, "maxUnavailable": unavailable}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": image}]}},
                     **spec}}


def get(api: APIServerProcess, name: str) -> dict[str, Any]:
    d: dict[str, Any] = api.request("GET", f"{BASE}/deployments/{name}").json()
    return d


def pods(api: APIServerProcess, app: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.request(
        "GET", f"/api/v1/namespaces/default/pods?labelSelector=app%3D{app}").json()["items"]
    return [p for p in items if not p["metadata"].get("deletionTimestamp")]


def replica_sets(api: APIServerProcess, app: str) -> dict[str, dict[str, Any]]:
    items = api.request("GET", f"{BASE}/replicasets?labelSelector=app%3D{app}").json()["items"]
    return {rs["spec"]["template"]["spec"]["containers"][0]["image"]: rs for rs in items}


def is_ready(pod: dict[str, Any]) -> bool:
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in pod.get("status", {}).get("conditions", []))


def rolled_out(api: APIServerProcess, name: str, replicas: int) -> bool:
    s = get(api, name).get("status", {})
    return (s.get("updatedReplicas") == replicas == s.get("availableReplicas")
            and s.get("replicas") == replicas)


def set_image(api: APIServerProcess, name: str, image: str) -> None:
    r = api.request("PATCH", f"{BASE}/deployments/{name}", {"spec": {"template": {"spec": {
        "containers": [{"name": "c", "image": image}]}}}},
        headers={"Content-Type": "application/strategic-merge-patch+json"})
    assert r.status == 200, r.body


def test_rolling_update_keeps_surge_and_availability_bounds_and_completes(
        cluster: APIServerProcess) -> None:
    api = cluster
    assert api.request("POST", f"{BASE}/deployments", deployment("web", 10)).status == 201
    wait_for(lambda: rolled_out(api, "web", 10), 60)
    assert len(pods(api, "web")) == 10
    violations: list[str] = []
    watching = threading.Event()

    def watch() -> None:
        while not watching.is_set():
            live = pods(api, "web")
            ready = sum(1 for p in live if is_ready(p))
            if len(live) > 13:
                violations.append(f"{len(live)} pods")
            if ready < 8:
                violations.append(f"{ready} ready")
            time.sleep(0.02)

    observer = threading.Thread(target=watch)
    observer.start()
    set_image(api, "web", "v2")
    try:
        wait_for(lambda: rolled_out(api, "web", 10) and "v2" in replica_sets(api, "web")
                 and get(api, "web")["status"]["observedGeneration"] == 2, 90)
    finally:
        watching.set()
        observer.join()
    assert violations == []
    live = pods(api, "web")
    assert len(live) == 10 and {p["spec"]["containers"][0]["image"] for p in live} == {"v2"}
    rss = replica_sets(api, "web")
    assert rss["v1"]["spec"]["replicas"] == 0 and rss["v2"]["spec"]["replicas"] == 10
    assert rss["v2"]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert rss["v2"]["metadata"]["name"] == f"web-{rss['v2']['metadata']['labels']['pod-template-hash']}"
    conditions = {c["type"]: c for c in get(api, "web")["status"]["conditions"]}
    assert conditions["Available"]["status"] == "True"
    assert conditions["Progressing"]["reason"] == "NewReplicaSetAvailable"
    out = api.kubectl("rollout", "status", "deployment/web", "--timeout=30s").stdout
    assert 'deployment "web" successfully rolled out' in out
    events = [e for e in api.request("GET", "/api/v1/namespaces/default/events").json()["items"]
              if e["reason"] == "ScalingReplicaSet"]
    assert any(e["message"].startswith("Scaled up replica set web-") for e in events)


def test_history_and_undo_with_kubectl(cluster: APIServerProcess) -> None:
    api = cluster
    api.request("POST", f"{BASE}/deployments", deployment("app", 2))
    wait_for(lambda: rolled_out(api, "app", 2), 60)
    set_image(api, "app", "v2")
    wait_for(lambda: rolled_out(api, "app", 2) and "v2" in replica_sets(api, "app"), 60)
    history = api.kubectl("rollout", "history", "deployment/app").stdout
    assert "REVISION" in history and "1 " in history and "2 " in history
    api.kubectl("rollout", "undo", "deployment/app")
    wait_for(lambda: get(api, "app")["spec"]["template"]["spec"]["containers"][0]["image"] == "v1")
    wait_for(lambda: rolled_out(api, "app", 2) and {
        p["spec"]["containers"][0]["image"] for p in pods(api, "app")} == {"v1"}, 60)
    # the old set is reused, and takes the next revision
    rss = replica_sets(api, "app")
    assert len(rss) == 2
    assert rss["v1"]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    api.kubectl("rollout", "undo", "deployment/app", "--to-revision=2")
    wait_for(lambda: get(api, "app")["spec"]["template"]["spec"]["containers"][0]["image"] == "v2")


def test_pause_stops_the_rollout_and_resume_continues_it(cluster: APIServerProcess) -> None:
    api = cluster
    api.request("POST", f"{BASE}/deployments", deployment("paused", 3))
    wait_for(lambda: rolled_out(api, "paused", 3), 60)
    api.kubectl("rollout", "pause", "deployment/paused")
    wait_for(lambda: any(c["reason"] == "DeploymentPaused"
                         for c in get(api, "paused")["status"].get("conditions", [])))
    set_image(api, "paused", "v2")
    time.sleep(1.5)
    assert "v2" not in replica_sets(api, "paused")
    assert {p["spec"]["containers"][0]["image"] for p in pods(api, "paused")} == {"v1"}
    api.kubectl("rollout", "resume", "deployment/paused")
    wait_for(lambda: rolled_out(api, "paused", 3) and {
        p["spec"]["containers"][0]["image"] for p in pods(api, "paused")} == {"v2"}, 60)


def test_scaling_mid_rollout_is_proportional(cluster: APIServerProcess) -> None:
    api = cluster
    api.request("POST", f"{BASE}/deployments", deployment("prop", 10))
    wait_for(lambda: rolled_out(api, "prop", 10), 60)
    set_image(api, "prop", NEVER_READY)
    # stuck: the new set grows to 5 and the old shrinks to 8 (13 = 10 + surge, 8 available)
    wait_for(lambda: NEVER_READY in replica_sets(api, "prop") and (
        replica_sets(api, "prop")[NEVER_READY]["spec"]["replicas"],
        replica_sets(api, "prop")["v1"]["spec"]["replicas"]) == (5, 8), 60)
    r = api.request("PATCH", f"{BASE}/deployments/prop/scale", {"spec": {"replicas": 30}},
                    headers={"Content-Type": "application/merge-patch+json"})
    assert r.status == 200, r.body
    # 20 more within 33: old 8 * 33 / 13 -> 20, new 5 * 33 / 13 -> 13
    wait_for(lambda: (replica_sets(api, "prop")[NEVER_READY]["spec"]["replicas"],
                      replica_sets(api, "prop")["v1"]["spec"]["replicas"]) == (13, 20), 30)


def test_a_stuck_rollout_exceeds_its_deadline_and_rollout_status_fails(
        cluster: APIServerProcess) -> None:
    api = cluster
    api.request("POST", f"{BASE}/deployments", deployment(
        "stuck", 2, image=NEVER_READY, surge=1, unavailable=0, progressDeadlineSeconds=3))

    def exceeded() -> bool:
        conditions = get(api, "stuck").get("status", {}).get("conditions", [])
        return any(c["type"] == "Progressing" and c["reason"] == "ProgressDeadlineExceeded"
                   and c["status"] == "False" for c in conditions)

    wait_for(exceeded, 30)
    result = subprocess.run(["kubectl", "--kubeconfig", api.kubeconfig, "rollout", "status",
                             "deployment/stuck", "--timeout=20s"], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode != 0
    assert 'deployment "stuck" exceeded its progress deadline' in result.stderr
    available = {c["type"]: c for c in get(api, "stuck")["status"]["conditions"]}["Available"]
    assert available["status"] == "False"


def test_recreate_removes_every_old_pod_before_the_first_new_one(cluster: APIServerProcess) -> None:
    api = cluster
    spec = deployment("recreate", 3)
    spec["spec"]["strategy"] = {"type": "Recreate"}
    api.request("POST", f"{BASE}/deployments", spec)
    wait_for(lambda: rolled_out(api, "recreate", 3), 60)
    mixed: list[set[str]] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            images = {p["spec"]["containers"][0]["image"]
                      for p in api.request("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Drecreate").json()["items"]}
            if len(images) > 1:
                mixed.append(images)
            time.sleep(0.02)

    observer = threading.Thread(target=watch)
    observer.start()
    set_image(api, "recreate", "v2")
    try:
        wait_for(lambda: rolled_out(api, "recreate", 3) and "v2" in replica_sets(api, "recreate"), 60)
    finally:
        stop.set()
        observer.join()
    assert mixed == []


def test_old_replica_sets_beyond_the_history_limit_are_deleted(cluster: APIServerProcess) -> None:
    api = cluster
    api.request("POST", f"{BASE}/deployments", deployment("hist", 1, revisionHistoryLimit=1))
    wait_for(lambda: rolled_out(api, "hist", 1), 60)
    for image in ("v2", "v3", "v4"):
        set_image(api, "hist", image)
        wait_for(lambda image=image: image in replica_sets(api, "hist") and rolled_out(api, "hist", 1), 60)
    # one old set kept beside the new one; the older empty ones deleted
    wait_for(lambda: set(replica_sets(api, "hist")) == {"v3", "v4"}, 30)
