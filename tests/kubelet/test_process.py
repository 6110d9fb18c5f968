"""The process runtime as ``paddock kubelet --runtime process`` runs it (as root): real
processes in namespaces of their own, exit codes, restarts and graceful termination."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import APIServerProcess, spawn, wait_for

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(os.geteuid() != 0, reason="namespaces need root")]


@pytest.fixture
def node(fresh_apiserver: APIServerProcess, tmp_path: Any) -> Iterator[tuple[APIServerProcess, str]]:
    root = str(tmp_path / "kubelet")
    proc = spawn(fresh_apiserver, "kubelet", "kubelet", "--runtime", "process", "--node-name",
                 "worker", "--root-dir", root)
    wait_for(lambda: fresh_apiserver.request("GET", "/api/v1/nodes/worker").status == 200, 30)
    yield fresh_apiserver, root
    proc.terminate()
    proc.wait(20)


def run(api: APIServerProcess, name: str, script: str, restart: str = "Never",
        **container: Any) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
           "spec": {"nodeName": "worker", "restartPolicy": restart,
                    "terminationGracePeriodSeconds": 5,
                    "containers": [{"name": "c", "image": "busybox",
                                    "command": ["sh", "-c", script], **container}]}}
    r = api.request("POST", "/api/v1/namespaces/default/pods", pod)
    assert r.status == 201, r.body


def get(api: APIServerProcess, name: str) -> dict[str, Any]:
    r = api.request("GET", f"/api/v1/namespaces/default/pods/{name}")
    return r.json() if r.status == 200 else {}


def log_of(root: str, pod: dict[str, Any]) -> str:
    with open(os.path.join(root, "pods", pod["metadata"]["uid"], "c.log")) as f:
        return f.read()


def test_a_container_runs_as_pid_1_with_the_pods_hostname_and_env(
        node: tuple[APIServerProcess, str]) -> None:
    api, root = node
    run(api, "hello", 'echo "host $(hostname) pid $$ greeting $GREETING"; '
                      'echo "interfaces $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " ")"',
        env=[{"name": "GREETING", "value": "hi"}])
    pod = wait_for(lambda: get(api, "hello")["status"].get("phase") == "Succeeded" and get(api, "hello"))
    assert "host hello pid 1 greeting hi" in log_of(root, pod)
    assert "interfaces lo\n" in log_of(root, pod)  # a network namespace of its own
    state = pod["status"]["containerStatuses"][0]["state"]["terminated"]
    assert (state["exitCode"], state["reason"]) == (0, "Completed")


def test_exit_codes_fail_the_pod_and_restarts_back_off(node: tuple[APIServerProcess, str]) -> None:
    api, _ = node
    run(api, "fails", "exit 3")
    pod = wait_for(lambda: get(api, "fails")["status"].get("phase") == "Failed" and get(api, "fails"))
    state = pod["status"]["containerStatuses"][0]["state"]["terminated"]
    assert (state["exitCode"], state["reason"]) == (3, "Error")
    run(api, "crashes", "exit 1", restart="Always")

    def backing_off() -> dict[str, Any] | None:
        statuses = get(api, "crashes")["status"].get("containerStatuses") or [{}]
        s = statuses[0]
        return s if s.get("state", {}).get("waiting", {}).get("reason") == "CrashLoopBackOff" else None

    status = wait_for(backing_off)
    assert status["restartCount"] == 1 and status["lastState"]["terminated"]["exitCode"] == 1


def test_sigterm_reaches_a_container_that_traps_it_and_others_are_killed_after_the_grace_period(
        node: tuple[APIServerProcess, str]) -> None:
    api, root = node
    run(api, "polite", 'trap "echo got TERM; exit 0" TERM; echo started; while true; do sleep 0.1; done')
    run(api, "stubborn", "echo started; exec sleep 1000", terminationGracePeriodSeconds=2)
    for name in ("polite", "stubborn"):
        wait_for(lambda n=name: get(api, n)["status"].get("phase") == "Running")
    polite = get(api, "polite")
    time.sleep(0.5)
    start = time.monotonic()
    api.request("DELETE", "/api/v1/namespaces/default/pods/polite")
    wait_for(lambda: not get(api, "polite"), 10)
    assert time.monotonic() - start < 4  # it left on SIGTERM, well within its 5 s
    assert "got TERM" in log_of(root, polite)
    r = api.request("DELETE", "/api/v1/namespaces/default/pods/stubborn?gracePeriodSeconds=2")
    assert r.status == 200
    start = time.monotonic()
    wait_for(lambda: not get(api, "stubborn"), 15)
    assert time.monotonic() - start >= 1.5  # PID 1 without a handler waits for SIGKILL
