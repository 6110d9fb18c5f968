"""The process runtime as ``paddock kubelet --runtime process`` runs it (as root): real
processes in namespaces of their own, exit codes, restarts and graceful termination,
volumes, environment, cgroup limits, images and the pod network (in a network namespace
the test's kubelet makes and removes)."""

from __future__ import annotations

import base64
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import APIServerProcess, spawn, wait_for

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(os.geteuid() != 0, reason="namespaces need root")]


@pytest.fixture(params=["native", "python"])
def node(fresh_apiserver: APIServerProcess, tmp_path: Any, request: Any) -> Iterator[tuple[APIServerProcess, str]]:
    """A process-runtime kubelet, once with each container shim (nsinit.c and its twin nsinit.py)."""
    root = str(tmp_path / "kubelet")
    netns = f"paddock-test-{uuid.uuid4().hex[:8]}"
    proc = spawn(fresh_apiserver, "kubelet", "kubelet", "--runtime", "process", "--node-name",
                 "worker", "--root-dir", root, "--node-netns", netns, "--pod-cidr", "198.18.7.0/24",
                 "--sync-frequency", "0.5", "--container-shim", request.param)
    try:
        wait_for(lambda: fresh_apiserver.request("GET", "/api/v1/nodes/worker").status == 200, 30)
        yield fresh_apiserver, root
    finally:
        proc.terminate()
        proc.wait(20)
        subprocess.run(["ip", "netns", "delete", netns], capture_output=True)


def create(api: APIServerProcess, path: str, body: dict[str, Any]) -> None:
    r = api.request("POST", path, body)
    assert r.status == 201, r.body


def terminated(api: APIServerProcess, name: str, timeout: float = 30) -> dict[str, Any]:
    """The pod's container's terminated state, once it has one."""
    def check() -> dict[str, Any] | None:
        statuses = get(api, name).get("status", {}).get("containerStatuses") or [{}]
        return statuses[0].get("state", {}).get("terminated")
    return wait_for(check, timeout)  # type: ignore[no-any-return]


def run(api: APIServerProcess, name: str, script: str, restart: str = "Never",
        volumes: list[dict[str, Any]] | None = None, **container: Any) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
           "spec": {"nodeName": "worker", "restartPolicy": restart, "volumes": volumes or [],
                    "terminationGracePeriodSeconds": container.pop("terminationGracePeriodSeconds", 5),
                    "containers": [{"name": "c", "image": "busybox",
                                    "command": ["sh", "-c", script], **container}]}}
    r = api.request("POST", "/api/v1/namespaces/default/pods", pod)
    assert r.status == 201, r.body


def get(api: APIServerProcess, name: str) -> dict[str, Any]:
    r = api.request("GET", f"/api/v1/namespaces/default/pods/{name}")
    return r.json() if r.status == 200 else {}


def log_of(root: str, pod: dict[str, Any], run: int = 0) -> str:
    """The container's output (its CRI-format log without time, stream and tag)."""
    with open(os.path.join(root, "pods", pod["metadata"]["uid"], "logs", "c", f"{run}.log")) as f:
        out = []
        for line in f:
            _, stream, tag, text = line.rstrip("\n").split(" ", 3)
            out.append(text + ("\n" if tag == "F" else ""))
        return "".join(out)


def test_a_container_runs_as_pid_1_with_the_pods_hostname_and_env(
        node: tuple[APIServerProcess, str]) -> None:
    api, root = node
    # "$$$$": the kubelet turns "$$" into "$" in commands, as upstream's expansion does
    run(api, "hello", 'echo "host $(hostname) pid $$$$ greeting $GREETING"; '
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

    status = wait_for(backing_off)  # restarted once at once, then backing off
    assert status["restartCount"] == 2 and status["lastState"]["terminated"]["exitCode"] == 1
    assert "back-off 10s" in status["state"]["waiting"]["message"]


def test_sigterm_reaches_a_container_that_traps_it_and_others_are_killed_after_the_grace_period(
        node: tuple[APIServerProcess, str]) -> None:
    api, root = node
    run(api, "polite", 'trap "echo got TERM > /out/term; exit 0" TERM; echo started; '
                       'while true; do sleep 0.1; done',
        volumeMounts=[{"name": "out", "mountPath": "/out"}],
        volumes=[{"name": "out", "hostPath": {"path": os.path.join(root, "out")}}])
    run(api, "stubborn", "echo started; exec sleep 1000", terminationGracePeriodSeconds=2)
    for name in ("polite", "stubborn"):
        wait_for(lambda n=name: get(api, n)["status"].get("phase") == "Running")
    time.sleep(0.5)
    start = time.monotonic()
    api.request("DELETE", "/api/v1/namespaces/default/pods/polite")
    wait_for(lambda: not get(api, "polite"), 10)
    assert time.monotonic() - start < 4  # it left on SIGTERM, well within its 5 s
    with open(os.path.join(root, "out", "term")) as f:
        assert f.read() == "got TERM\n"
    r = api.request("DELETE", "/api/v1/namespaces/default/pods/stubborn?gracePeriodSeconds=2")
    assert r.status == 200
    start = time.monotonic()
    wait_for(lambda: not get(api, "stubborn"), 15)
    assert time.monotonic() - start >= 1.5  # PID 1 without a handler waits for SIGKILL


def test_volumes_of_every_kind_reach_the_container_and_config_updates_reach_it_running(
        node: tuple[APIServerProcess, str]) -> None:
    api, root = node
    ns = "/api/v1/namespaces/default"
    create(api, f"{ns}/secrets", {"metadata": {"name": "creds"}, "data": {
        "username": base64.b64encode(b"admin").decode(), "password": base64.b64encode(b"s3cr3t-Xq9").decode()}})
    create(api, f"{ns}/configmaps", {"metadata": {"name": "cfg"}, "data": {"a": "one", "b": "two"}})
    pv_dir = os.path.join(os.path.dirname(root), "pv")
    create(api, "/api/v1/persistentvolumes", {"metadata": {"name": "pv1"}, "spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
        "hostPath": {"path": pv_dir, "type": "DirectoryOrCreate"},
        "claimRef": {"namespace": "default", "name": "claim"}}})
    create(api, f"{ns}/persistentvolumeclaims", {"metadata": {"name": "claim"}, "spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
        "volumeName": "pv1"}})
    script = ("cat /secret/username; echo; stat -c %a /secret/..data/password; "
              "grep ' /secret ' /proc/mounts | cut -d' ' -f3,4 | cut -d, -f1; "
              "cat /cfg/sub/a.txt; echo; cat /dapi/labels; echo; cat /dapi/name; echo; "
              "grep ' /mem ' /proc/mounts | cut -d' ' -f3; cat /all/username /all/b /all/ns; echo; "
              "touch /pv/$(hostname); "
              'while [ "$(cat /cfg/sub/a.txt)" != "updated" ]; do sleep 0.1; done; echo saw-update')
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "vols", "labels": {"app": "v"}},
           "spec": {"nodeName": "worker", "restartPolicy": "Never", "volumes": [
               {"name": "secret", "secret": {"secretName": "creds", "defaultMode": 0o400}},
               {"name": "cfg", "configMap": {"name": "cfg", "items": [{"key": "a", "path": "sub/a.txt"}]}},
               {"name": "dapi", "downwardAPI": {"items": [
                   {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                   {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}}]}},
               {"name": "mem", "emptyDir": {"medium": "Memory"}},
               {"name": "pv", "persistentVolumeClaim": {"claimName": "claim"}},
               {"name": "all", "projected": {"sources": [
                   {"secret": {"name": "creds", "items": [{"key": "username", "path": "username"}]}},
                   {"configMap": {"name": "cfg", "items": [{"key": "b", "path": "b"}]}},
                   {"downwardAPI": {"items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}}]}}]}}],
               "containers": [{"name": "c", "image": "busybox", "command": ["sh", "-c", script],
                               "volumeMounts": [{"name": n, "mountPath": f"/{n}"} for n in
                                                ("secret", "cfg", "dapi", "mem", "pv", "all")]}]}}
    create(api, f"{ns}/pods", pod)
    running = wait_for(lambda: get(api, "vols").get("status", {}).get("phase") == "Running" and get(api, "vols"))
    wait_for(lambda: "one" in log_of(root, running))
    r = api.request("PATCH", f"{ns}/configmaps/cfg", {"data": {"a": "updated"}},
                    headers={"Content-Type": "application/merge-patch+json"})
    assert r.status == 200
    assert terminated(api, "vols")["exitCode"] == 0
    assert log_of(root, running).splitlines() == [
        "admin", "400", "tmpfs ro", "one", 'app="v"', "vols", "tmpfs", "admintwodefault", "saw-update"]
    assert os.path.exists(os.path.join(pv_dir, "vols"))
    # the secret lives on a tmpfs of the kubelet's, never on the node's disk
    secret_dir = os.path.join(root, "pods", running["metadata"]["uid"], "volumes", "secret")
    with open("/proc/mounts") as f:
        mounts = {line.split()[1]: line.split()[2] for line in f}
    assert mounts.get(secret_dir) == "tmpfs"
    on_disk = subprocess.run(["grep", "-rl", "s3cr3t-Xq9", root], capture_output=True, text=True).stdout.split()
    assert all(p.startswith(secret_dir + "/") or "/volumes/all/" in p for p in on_disk), on_disk


def test_environment_from_secrets_config_maps_and_the_pods_own_fields(
        node: tuple[APIServerProcess, str]) -> None:
    api, root = node
    ns = "/api/v1/namespaces/default"
    create(api, f"{ns}/secrets", {"metadata": {"name": "s"}, "data": {"TOKEN": base64.b64encode(b"t0k").decode()}})
    create(api, f"{ns}/configmaps", {"metadata": {"name": "m"}, "data": {"MODE": "fast", "LEVEL": "3"}})
    create(api, f"{ns}/services", {"metadata": {"name": "web-front"}, "spec": {
        "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}})
    svc = api.request("GET", f"{ns}/services/web-front").json()["spec"]["clusterIP"]
    kube = api.request("GET", f"{ns}/services/kubernetes").json()["spec"]["clusterIP"]
    run(api, "services", "echo $WEB_FRONT_SERVICE_HOST $WEB_FRONT_SERVICE_PORT_HTTP $WEB_FRONT_PORT_80_TCP "
                         "$KUBERNETES_SERVICE_HOST $KUBERNETES_PORT_443_TCP_PROTO $(WEB_FRONT_SERVICE_PORT)")
    assert terminated(api, "services")["exitCode"] == 0
    assert log_of(root, get(api, "services")) == f"{svc} 80 tcp://{svc}:80 {kube} tcp 80\n"
    run(api, "envy", 'echo "$TOKEN $CFG_MODE $CFG_LEVEL $POD $NS $NODE $IP $MEM $CPU_M $GREETING" $(ARGV)',
        env=[{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "TOKEN"}}},
             {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
             {"name": "NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
             {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
             {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
             {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
             {"name": "CPU_M", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu", "divisor": "1m"}}},
             {"name": "GREETING", "value": "hello-$(POD)"},
             {"name": "ARGV", "value": "from-argv"}],
        envFrom=[{"configMapRef": {"name": "m"}, "prefix": "CFG_"}],
        resources={"limits": {"memory": "64Mi", "cpu": "500m"}, "requests": {"cpu": "250m", "memory": "64Mi"}})
    assert terminated(api, "envy")["exitCode"] == 0
    pod = get(api, "envy")
    ip = pod["status"]["podIP"]
    assert ip.startswith("198.18.7.")
    assert log_of(root, pod) == f"t0k fast 3 envy default worker {ip} 64 250 hello-envy from-argv\n"


def test_a_missing_secret_holds_the_pod_until_it_exists(node: tuple[APIServerProcess, str]) -> None:
    api, root = node
    run(api, "waits", "cat /s/k", volumes=[{"name": "s", "secret": {"secretName": "later"}}],
        volumeMounts=[{"name": "s", "mountPath": "/s"}])

    def failed_mount() -> bool:
        events = api.request("GET", "/api/v1/namespaces/default/events").json()["items"]
        return any(e["reason"] == "FailedMount" and 'secret "later" not found' in e["message"]
                   and e["involvedObject"]["name"] == "waits" for e in events)

    wait_for(failed_mount)
    assert get(api, "waits")["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "ContainerCreating"
    create(api, "/api/v1/namespaces/default/secrets", {"metadata": {"name": "later"},
                                                       "data": {"k": base64.b64encode(b"v").decode()}})
    assert terminated(api, "waits", 60)["exitCode"] == 0
    assert log_of(root, get(api, "waits")) == "v"


def test_a_container_over_its_memory_limit_is_oom_killed(node: tuple[APIServerProcess, str]) -> None:
    api, _ = node
    run(api, "hog", "python3 -c 'b = bytearray(512 * 1024 * 1024); print(len(b))'",
        resources={"limits": {"memory": "48Mi"}})
    state = terminated(api, "hog")
    assert (state["reason"], state["exitCode"]) == ("OOMKilled", 137)


def test_images_resolve_through_the_image_map_or_fail_with_a_reason(node: tuple[APIServerProcess, str]) -> None:
    api, _ = node
    create(api, "/api/v1/namespaces/default/pods", {"metadata": {"name": "plain"}, "spec": {
        "nodeName": "worker", "restartPolicy": "Never",
        "containers": [{"name": "c", "image": "docker.io/library/busybox:1.36", "args": ["-c", "exit 4"]}]}})
    assert terminated(api, "plain")["exitCode"] == 4
    create(api, "/api/v1/namespaces/default/pods", {"metadata": {"name": "unknown"}, "spec": {
        "nodeName": "worker", "containers": [{"name": "c", "image": "example.com/team/app:2"}]}})

    def waiting() -> dict[str, Any] | None:
        s = (get(api, "unknown").get("status", {}).get("containerStatuses") or [{}])[0]
        w = s.get("state", {}).get("waiting") or {}
        return w if w.get("reason") in ("ErrImagePull", "ImagePullBackOff") else None

    w = wait_for(waiting)
    assert 'image "example.com/team/app:2" is not available on this node' in w["message"]
    assert "--image-map" in w["message"]


def test_init_containers_run_in_order_and_termination_messages_are_reported(
        node: tuple[APIServerProcess, str]) -> None:
    api, root = node
    shared = os.path.join(os.path.dirname(root), "shared")
    create(api, "/api/v1/namespaces/default/pods", {"metadata": {"name": "ordered"}, "spec": {
        "nodeName": "worker", "restartPolicy": "Never",
        "volumes": [{"name": "w", "hostPath": {"path": shared, "type": "DirectoryOrCreate"}}],
        "initContainers": [{"name": f"i{i}", "image": "busybox", "command": ["sh", "-c", f"echo i{i} >> /w/order"],
                            "volumeMounts": [{"name": "w", "mountPath": "/w"}]} for i in (1, 2)],
        "containers": [{"name": "c", "image": "busybox",
                        "command": ["sh", "-c", "cat /w/order; echo bye > /dev/termination-log; exit 2"],
                        "volumeMounts": [{"name": "w", "mountPath": "/w"}]}]}})
    state = terminated(api, "ordered")
    assert (state["exitCode"], state["message"]) == (2, "bye\n")
    pod = get(api, "ordered")
    assert [s["state"]["terminated"]["exitCode"] for s in pod["status"]["initContainerStatuses"]] == [0, 0]
    assert log_of(root, pod) == "i1\ni2\n"


def test_a_container_writes_to_its_own_root_not_the_hosts(node: tuple[APIServerProcess, str]) -> None:
    api, root = node
    marker = f"/etc/paddock-test-{uuid.uuid4().hex[:8]}"
    run(api, "private", f"echo x > {marker} && cat {marker} && ls /proc | grep -c '^[0-9]'")
    assert terminated(api, "private")["exitCode"] == 0
    written, processes = log_of(root, get(api, "private")).split()
    assert written == "x" and int(processes) == 3  # sh (PID 1), ls, grep: its own /proc
    assert not os.path.exists(marker)


def test_pods_on_one_node_reach_each_other_across_the_bridge(node: tuple[APIServerProcess, str]) -> None:
    api, root = node
    run(api, "server", "exec python3 -m http.server 8080 --bind 0.0.0.0", restart="Always")
    server = wait_for(lambda: get(api, "server").get("status", {}).get("phase") == "Running" and get(api, "server"))
    ip = server["status"]["podIP"]
    assert ip.startswith("198.18.7.")
    run(api, "client", "ip -4 -o addr show eth0 | cut -d' ' -f7; "
                       f"for i in 1 2 3 4 5 6 7 8 9 10; do curl -s -o /dev/null -w '%{{http_code}}\\n' http://{ip}:8080/ && break; sleep 0.3; done")
    assert terminated(api, "client")["exitCode"] == 0
    client = get(api, "client")
    lines = log_of(root, client).splitlines()
    assert lines[0] == client["status"]["podIP"] + "/24"
    assert lines[-1] == "200"


def test_host_network_pods_live_in_the_nodes_namespace_and_limits_reach_the_cgroup(
        node: tuple[APIServerProcess, str]) -> None:
    api, root = node
    create(api, "/api/v1/namespaces/default/pods", {"metadata": {"name": "on-host"}, "spec": {
        "nodeName": "worker", "restartPolicy": "Never", "hostNetwork": True,
        "containers": [{"name": "c", "image": "busybox", "command": ["sh", "-c", "ip -o link | cut -d: -f2"]}]}})
    assert terminated(api, "on-host")["exitCode"] == 0
    pod = get(api, "on-host")
    assert pod["status"]["podIP"] == pod["status"]["hostIP"]
    assert "paddock0" in log_of(root, pod).split()  # the node namespace's bridge
    run(api, "limited", "exec sleep 600", resources={"limits": {"cpu": "250m", "memory": "64Mi"}})
    limited = wait_for(lambda: get(api, "limited").get("status", {}).get("phase") == "Running" and get(api, "limited"))
    group = f"paddock/worker/pod{limited['metadata']['uid']}/c"
    with open(f"/sys/fs/cgroup/cpu/{group}/cpu.cfs_quota_us") as f:
        assert int(f.read()) == 25_000  # 250m of a 100 ms period
    with open(f"/sys/fs/cgroup/memory/{group}/memory.limit_in_bytes") as f:
        assert int(f.read()) == 64 * 1024 * 1024
    with open(f"/sys/fs/cgroup/memory/{group}/cgroup.procs") as f:
        assert len(f.read().split()) == 1  # the container's PID 1 (its shim stays outside)


def test_post_start_and_pre_stop_hooks_run_in_the_container(node: tuple[APIServerProcess, str]) -> None:
    api, root = node
    out = os.path.join(os.path.dirname(root), "hooks")
    run(api, "hooked", "trap 'echo term-after-$(cat /out/pre) > /out/term; exit 0' TERM; "
                       "while true; do sleep 0.1; done",
        volumes=[{"name": "out", "hostPath": {"path": out, "type": "DirectoryOrCreate"}}],
        volumeMounts=[{"name": "out", "mountPath": "/out"}],
        lifecycle={"postStart": {"exec": {"command": ["sh", "-c", "echo started-$(hostname) > /out/post"]}},
                   "preStop": {"exec": {"command": ["sh", "-c", "echo stopping > /out/pre"]}}})
    wait_for(lambda: get(api, "hooked").get("status", {}).get("phase") == "Running")
    with open(os.path.join(out, "post")) as f:
        assert f.read() == "started-hooked\n"
    api.request("DELETE", "/api/v1/namespaces/default/pods/hooked")
    wait_for(lambda: not get(api, "hooked"), 15)
    events = [e["message"] for e in api.request("GET", "/api/v1/namespaces/default/events").json()["items"]
              if e["involvedObject"]["name"] == "hooked"]
    with open(os.path.join(out, "term")) as f:
        assert f.read() == "term-after-stopping\n", events  # preStop ran first, then SIGTERM


def test_sub_paths_stay_inside_their_volume(node: tuple[APIServerProcess, str]) -> None:
    api, root = node
    base = os.path.join(os.path.dirname(root), "subpaths")
    volumes = [{"name": "v", "hostPath": {"path": base, "type": "DirectoryOrCreate"}}]
    run(api, "sub-ok", "echo in > /data/file", volumes=volumes,
        env=[{"name": "DIR", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        volumeMounts=[{"name": "v", "mountPath": "/data", "subPathExpr": "$(DIR)"}])
    assert terminated(api, "sub-ok")["exitCode"] == 0
    with open(os.path.join(base, "sub-ok", "file")) as f:
        assert f.read() == "in\n"
    run(api, "sub-escape", "echo out > /data/file", volumes=volumes,
        env=[{"name": "DIR", "value": ".."}],
        volumeMounts=[{"name": "v", "mountPath": "/data", "subPathExpr": "$(DIR)"}])

    def refused() -> dict[str, Any] | None:
        s = (get(api, "sub-escape").get("status", {}).get("containerStatuses") or [{}])[0]
        w = s.get("state", {}).get("waiting") or {}
        return w if w.get("reason") == "CreateContainerConfigError" else None

    assert "is not a path inside the volume" in wait_for(refused)["message"]
    assert not os.path.exists(os.path.join(os.path.dirname(base), "file"))


def test_a_killed_kubelet_comes_back_to_its_pods_still_running(fresh_apiserver: APIServerProcess,
                                                                tmp_path: Any) -> None:
    import signal

    api, root = fresh_apiserver, str(tmp_path / "kubelet")
    netns = f"paddock-test-{uuid.uuid4().hex[:8]}"
    argv = ("kubelet", "--runtime", "process", "--node-name", "worker", "--root-dir", root,
            "--node-netns", netns, "--pod-cidr", "198.18.8.0/24")
    proc = spawn(api, "kubelet", *argv)
    try:
        wait_for(lambda: api.request("GET", "/api/v1/nodes/worker").status == 200, 30)
        run(api, "keeps", "echo started; exec sleep 600", restart="Always")
        run(api, "ends", "sleep 2; exit 3")
        run(api, "orphan", "exec sleep 600")
        for name in ("keeps", "ends", "orphan"):
            wait_for(lambda n=name: get(api, n).get("status", {}).get("phase") == "Running")
        before = get(api, "keeps")["status"]
        orphan_uid = get(api, "orphan")["metadata"]["uid"]
        proc.send_signal(signal.SIGKILL)  # no goodbye: its pods are left running
        proc.wait(10)
        r = api.request("DELETE", "/api/v1/namespaces/default/pods/orphan?gracePeriodSeconds=0")
        assert r.status == 200
        time.sleep(2.5)  # "ends" ends while no kubelet watches
        proc = spawn(api, "kubelet", *argv)
        state = terminated(api, "ends")
        assert (state["exitCode"], state["reason"]) == (3, "Error")
        time.sleep(1)
        after = get(api, "keeps")["status"]
        c_before, c_after = before["containerStatuses"][0], after["containerStatuses"][0]
        assert after["phase"] == "Running" and after["podIP"] == before["podIP"]
        assert c_after["restartCount"] == 0 and c_after["containerID"] == c_before["containerID"]
        assert c_after["state"]["running"]["startedAt"] == c_before["state"]["running"]["startedAt"]
        assert log_of(root, get(api, "keeps")) == "started\n"  # never started again
        wait_for(lambda: not os.path.exists(os.path.join(root, "pods", orphan_uid)), 15)
        assert not os.path.exists(f"/sys/fs/cgroup/pids/paddock/worker/pod{orphan_uid}")
        start = time.monotonic()
        api.request("DELETE", "/api/v1/namespaces/default/pods/keeps")
        wait_for(lambda: not get(api, "keeps"), 15)  # the adopted pod stops as any other
        assert time.monotonic() - start < 10
    finally:
        proc.terminate()
        proc.wait(20)
        subprocess.run(["ip", "netns", "delete", netns], capture_output=True)
