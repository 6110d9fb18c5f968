"""The official ``kubernetes`` Python client (strict pydantic models) against paddock."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from tests.conftest import APIServerProcess


@pytest.fixture
def api(apiserver: APIServerProcess) -> client.ApiClient:
    return config.new_client_from_config(config_file=apiserver.kubeconfig)


def _pod(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": labels or {"app": "py"}},
            "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "1000"]}]}}


def _deployment(name: str, replicas: int = 1) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def test_pod_create_read_list_patch_replace_delete(api: client.ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api)
    created = core.create_namespaced_pod(namespace, _pod("p1"))
    assert created.metadata.name == "p1" and created.status.phase == "Pending"
    assert created.spec.dns_policy == "ClusterFirst"
    read = core.read_namespaced_pod("p1", namespace)
    assert read.metadata.uid == created.metadata.uid
    pods = core.list_namespaced_pod(namespace, label_selector="app=py", limit=10)
    assert [p.metadata.name for p in pods.items] == ["p1"]
    patched = core.patch_namespaced_pod("p1", namespace, {"metadata": {"labels": {"extra": "1"}}})
    assert patched.metadata.labels == {"app": "py", "extra": "1"}
    patched = core.patch_namespaced_pod("p1", namespace, [{"op": "add", "path": "/metadata/annotations",
                                                           "value": {"a": "b"}}])
    assert patched.metadata.annotations == {"a": "b"}
    patched.metadata.labels["replaced"] = "yes"
    replaced = core.replace_namespaced_pod("p1", namespace, patched)
    assert replaced.metadata.labels["replaced"] == "yes"
    assert int(replaced.metadata.resource_version) > int(patched.metadata.resource_version)
    deleted = core.delete_namespaced_pod("p1", namespace)
    assert deleted.metadata.name == "p1"
    with pytest.raises(ApiException) as e:
        core.read_namespaced_pod("p1", namespace)
    assert e.value.status == 404


def test_replace_with_stale_resource_version_is_409(api: client.ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api)
    p = core.create_namespaced_pod(namespace, _pod("stale"))
    core.patch_namespaced_pod("stale", namespace, {"metadata": {"labels": {"v": "2"}}})
    with pytest.raises(ApiException) as e:
        core.replace_namespaced_pod("stale", namespace, p)
    assert e.value.status == 409


def test_deployment_crud_and_scale(api: client.ApiClient, namespace: str) -> None:
    apps = client.AppsV1Api(api)
    d = apps.create_namespaced_deployment(namespace, _deployment("d1"))
    assert d.spec.strategy.type == "RollingUpdate" and d.spec.revision_history_limit == 10
    assert d.spec.progress_deadline_seconds == 600
    apps.patch_namespaced_deployment_scale("d1", namespace, {"spec": {"replicas": 3}})
    assert apps.read_namespaced_deployment_scale("d1", namespace).spec.replicas == 3
    d = apps.read_namespaced_deployment("d1", namespace)
    d.spec.template.spec.containers[0].image = "nginx:2"
    d2 = apps.replace_namespaced_deployment("d1", namespace, d)
    assert d2.metadata.generation == 3
    assert [x.metadata.name for x in apps.list_namespaced_deployment(namespace).items] == ["d1"]
    apps.patch_namespaced_deployment("d1", namespace, _deployment("d1", 4), field_manager="py",
                                     _content_type="application/apply-patch+yaml", force=True)
    assert apps.read_namespaced_deployment("d1", namespace).spec.replicas == 4
    apps.delete_namespaced_deployment("d1", namespace)
    assert apps.list_namespaced_deployment(namespace).items == []


def test_watch_stream_receives_added_modified_deleted(api: client.ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api)
    seen: list[tuple[str, str]] = []

    def watcher() -> None:
        w = watch.Watch()
        for ev in w.stream(core.list_namespaced_pod, namespace, timeout_seconds=8):
            seen.append((ev["type"], ev["object"].metadata.name))
            if ev["type"] == "DELETED":
                w.stop()

    t = threading.Thread(target=watcher)
    t.start()
    time.sleep(1)
    core.create_namespaced_pod(namespace, _pod("w"))
    core.patch_namespaced_pod("w", namespace, {"metadata": {"labels": {"x": "y"}}})
    core.delete_namespaced_pod("w", namespace)
    t.join(15)
    assert seen == [("ADDED", "w"), ("MODIFIED", "w"), ("DELETED", "w")]


def test_list_paging_with_limit_and_continue(api: client.ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(api)
    for i in range(7):
        core.create_namespaced_config_map(namespace, {"metadata": {"name": f"cm{i}"}, "data": {"i": str(i)}})
    names: list[str] = []
    token = None
    pages = 0
    while True:
        page = core.list_namespaced_config_map(namespace, limit=3, _continue=token)
        names += [c.metadata.name for c in page.items]
        pages += 1
        token = page.metadata._continue
        if not token:
            break
    assert pages == 3 and names == [f"cm{i}" for i in range(7)]
