"""The pod status the kubelet writes from its runtime's view, as upstream's kubelet
writes it: phase, conditions, container states."""

from __future__ import annotations

from typing import Any

from paddock.kubelet.kubelet import pod_status
from paddock.kubelet.runtime import ContainerState, Sandbox


def pod(restart: str = "Always") -> dict[str, Any]:
    return {"metadata": {"name": "p", "namespace": "ns", "uid": "u"},
            "spec": {"restartPolicy": restart, "containers": [{"name": "a"}, {"name": "b"}]},
            "status": {"qosClass": "BestEffort", "conditions": [
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}


def sandbox(*states: tuple[str, bool, int], init: tuple[str, int] | None = None) -> Sandbox:
    box = Sandbox(uid="u", ip="198.18.0.5")
    for name, (state, ready, code) in zip("ab", states, strict=True):
        box.containers.append(ContainerState(name, "img", state=state, ready=ready, exit_code=code,
                                             reason="Completed" if state == "terminated" else "",
                                             started_at="2026-01-01T00:00:01Z"))
    if init is not None:
        box.init.append(ContainerState("setup", "img", state=init[0], exit_code=init[1]))
    return box


def conditions(status: dict[str, Any]) -> dict[str, str]:
    return {c["type"]: c["status"] for c in status["conditions"]}


def test_running_and_ready_pods_report_every_condition() -> None:
    status = pod_status(pod(), sandbox(("running", True, 0), ("running", True, 0)), "10.0.0.1",
                        "2026-01-01T00:00:00Z")
    assert status["phase"] == "Running" and status["podIP"] == "198.18.0.5"
    assert conditions(status) == {"PodReadyToStartContainers": "True", "Initialized": "True",
                                  "Ready": "True", "ContainersReady": "True", "PodScheduled": "True"}
    assert status["qosClass"] == "BestEffort" and status["hostIPs"] == [{"ip": "10.0.0.1"}]
    assert status["containerStatuses"][0]["state"] == {"running": {"startedAt": "2026-01-01T00:00:01Z"}}


def test_one_unready_container_keeps_the_pod_unready_and_says_which() -> None:
    status = pod_status(pod(), sandbox(("running", True, 0), ("running", False, 0)), "h", "t")
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False" and ready["reason"] == "ContainersNotReady"
    assert ready["message"] == "containers with unready status: [b]"


def test_phases_follow_the_restart_policy() -> None:
    done = (("terminated", False, 0), ("terminated", False, 0))
    failed = (("terminated", False, 0), ("terminated", False, 2))
    assert pod_status(pod("Never"), sandbox(*done), "h", "t")["phase"] == "Succeeded"
    assert pod_status(pod("Never"), sandbox(*failed), "h", "t")["phase"] == "Failed"
    assert pod_status(pod("OnFailure"), sandbox(*failed), "h", "t")["phase"] == "Running"
    assert pod_status(pod(), None, "h", "t")["phase"] == "Pending"


def test_init_containers_gate_initialized() -> None:
    status = pod_status(pod(), sandbox(("waiting", False, 0), ("waiting", False, 0),
                                       init=("running", 0)), "h", "t")
    assert status["phase"] == "Pending" and conditions(status)["Initialized"] == "False"
    init = next(c for c in status["conditions"] if c["type"] == "Initialized")
    assert init["message"] == "containers with incomplete status: [setup]"
    assert status["initContainerStatuses"][0]["name"] == "setup"
    failed = pod_status(pod("Never"), sandbox(("waiting", False, 0), ("waiting", False, 0),
                                              init=("terminated", 1)), "h", "t")
    assert failed["phase"] == "Failed"


def test_a_status_read_back_from_the_apiserver_is_the_status_posted(
        apiserver: Any, namespace: str) -> None:
    """The apiserver drops null fields: a status recomputed from the pod it returns must
    equal the one posted, or the kubelet would post it again and again."""
    import asyncio

    from paddock.core.client import Client
    from paddock.kubelet.kubelet import _without_nulls

    async def go() -> tuple[dict[str, Any], dict[str, Any]]:
        async with Client.from_kubeconfig(apiserver.kubeconfig) as c:
            created = await c.create("pods", {"metadata": {"name": "p"}, "spec": {
                "nodeName": "n1", "containers": [{"name": "a", "image": "x"}]}}, namespace)
            created["status"]["conditions"] = [{"type": "PodScheduled", "status": "True",
                                                "lastProbeTime": None,
                                                "lastTransitionTime": "2026-01-01T00:00:00Z"}]
            box = Sandbox(uid="u", ip="198.18.0.9", containers=[ContainerState(
                "a", "x", state="running", ready=True, started_at="2026-01-01T00:00:01Z")])
            posted = _without_nulls(pod_status(created, box, "127.0.0.1", "2026-01-01T00:00:00Z"))
            await c.patch("pods", "p", {"status": posted}, namespace, subresource="status",
                          patch_type="application/merge-patch+json")
            again = await c.get("pods", "p", namespace)
            return posted, _without_nulls(pod_status(again, box, "127.0.0.1", "2026-01-01T00:00:00Z"))

    posted, recomputed = asyncio.run(go())
    assert recomputed == posted


def test_transition_times_come_from_the_last_status_written_not_a_stale_read() -> None:
    """A pod read back one write late (no conditions yet) must not move the times of the
    status the kubelet wrote, or every such read would write the status again."""
    box = sandbox(("running", True, 0), ("running", True, 0))
    written = pod_status(pod(), box, "h", "2026-01-01T00:00:00Z")
    for c in written["conditions"]:
        c["lastTransitionTime"] = "2026-01-01T00:00:05Z"
    stale = pod()
    stale["status"]["conditions"] = []
    again = pod_status(stale, box, "h", "2026-01-01T00:00:00Z", written)
    assert again["conditions"] == written["conditions"]
