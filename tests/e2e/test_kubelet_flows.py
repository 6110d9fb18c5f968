"""The flows Kubernetes 1.2 was shown with, driven by the real kubectl against ``paddock up``
(apiserver, scheduler, controller manager and a process-runtime kubelet whose pods live in
a network namespace this test's cluster makes and removes)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import wait_for

pytestmark = [pytest.mark.timeout(180),
              pytest.mark.skipif(os.geteuid() != 0, reason="the kubelet needs root")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    def __init__(self, data: str, kubeconfig: str, cache: str) -> None:
        self.data = data
        self.kubeconfig = kubeconfig
        self.cache = cache

    def kubectl(self, *args: str, input: str | None = None, check: bool = True,
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
        r = subprocess.run(["kubectl", "--cache-dir", self.cache, *args], input=input, capture_output=True,
                           text=True, timeout=timeout, env={**os.environ, "KUBECONFIG": self.kubeconfig})
        if check:
            assert r.returncode == 0, f"kubectl {' '.join(args)}: {r.stderr}"
        return r

    def apply(self, manifest: dict[str, Any]) -> None:
        self.kubectl("apply", "-f", "-", input=json.dumps(manifest))

    def pod(self, name: str) -> dict[str, Any]:
        r = self.kubectl("get", "pod", name, "-o", "json", check=False)
        return json.loads(r.stdout) if r.returncode == 0 else {}

    def phase(self, name: str) -> str:
        return str(self.pod(name).get("status", {}).get("phase", ""))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: Any) -> Iterator[Cluster]:
    data = str(tmp_path_factory.mktemp("up"))
    netns = f"paddock-e2e-{uuid.uuid4().hex[:8]}"
    proc = subprocess.Popen([sys.executable, "-m", "paddock.cli", "up", "--data-dir", data,
                             "--port", str(_free_port()), "--kubelet-port", str(_free_port()),
                             "--node-name", "node-1", "--node-netns", netns,
                             "--pod-cidr", "198.18.42.0/24"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    kubeconfig = ""
    deadline = time.time() + 60
    while time.time() < deadline and not kubeconfig:
        line = proc.stdout.readline()
        if line.startswith("ready: export KUBECONFIG="):
            kubeconfig = line.strip().split("=", 1)[1]
        elif not line and proc.poll() is not None:
            break
    try:
        assert kubeconfig, "paddock up did not start"
        c = Cluster(data, kubeconfig, os.path.join(data, "kubectl-cache"))
        wait_for(lambda: "node-1" in c.kubectl("get", "nodes", "-o", "name", check=False).stdout, 60)
        wait_for(lambda: c.kubectl("get", "serviceaccount", "default", check=False).returncode == 0, 30)
        yield c
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        subprocess.run(["ip", "netns", "delete", netns], capture_output=True)


def _pod(name: str, script: str, **spec: Any) -> dict[str, Any]:
    container = {"name": "c", "image": "busybox", "command": ["sh", "-c", script],
                 **spec.pop("container", {})}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"terminationGracePeriodSeconds": 5, "containers": [container], **spec}}


def test_pods_share_files_through_a_persistent_volume(cluster: Cluster, tmp_path: Any) -> None:
    store = str(tmp_path / "pv")
    cluster.apply({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "shared"},
                   "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteMany"],
                            "hostPath": {"path": store, "type": "DirectoryOrCreate"},
                            "claimRef": {"namespace": "default", "name": "shared"}}})
    cluster.apply({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "shared"},
                   "spec": {"accessModes": ["ReadWriteMany"], "volumeName": "shared",
                            "resources": {"requests": {"storage": "1Gi"}}}})
    volume = {"volumes": [{"name": "pv", "persistentVolumeClaim": {"claimName": "shared"}}],
              "restartPolicy": "Never"}
    mount = {"volumeMounts": [{"name": "pv", "mountPath": "/pv"}]}
    cluster.apply(_pod("writer-1", "touch /pv/$(hostname)", container=mount, **volume))
    wait_for(lambda: cluster.phase("writer-1") == "Succeeded", 60)
    cluster.apply(_pod("writer-2", "ls /pv; touch /pv/$(hostname)", container=mount, **volume))
    wait_for(lambda: cluster.phase("writer-2") == "Succeeded", 60)
    assert cluster.kubectl("logs", "writer-2").stdout == "writer-1\n"
    assert sorted(os.listdir(store)) == ["writer-1", "writer-2"]


def test_a_secret_is_mounted_on_tmpfs_and_never_written_to_disk(cluster: Cluster) -> None:
    cluster.kubectl("create", "secret", "generic", "login", "--from-literal=username=paddock",
                    "--from-literal=password=Zq7-not-on-disk")
    cluster.apply(_pod("secret-reader", "sleep 3600", container={
        "volumeMounts": [{"name": "s", "mountPath": "/data"}]},
        volumes=[{"name": "s", "secret": {"secretName": "login"}}]))
    wait_for(lambda: cluster.phase("secret-reader") == "Running", 60)
    out = cluster.kubectl("exec", "secret-reader", "--", "sh", "-c",
                          "cat /data/username; echo; cat /data/password; echo; grep ' /data ' /proc/mounts")
    username, password, mount = out.stdout.splitlines()
    assert (username, password) == ("paddock", "Zq7-not-on-disk")
    assert mount.split()[2] == "tmpfs" and mount.split()[3].startswith("ro")
    uid = cluster.pod("secret-reader")["metadata"]["uid"]
    on_tmpfs = os.path.join(cluster.data, "kubelet", "pods", uid, "volumes", "s")
    # the node's side: everything under the kubelet's root (the apiserver's store is not the node's)
    found = subprocess.run(["grep", "-rl", "Zq7-not-on-disk", os.path.join(cluster.data, "kubelet")],
                           capture_output=True, text=True).stdout.split()
    assert found and all(p.startswith(on_tmpfs + "/") for p in found), found


def test_a_deployments_pods_get_the_downward_api_and_a_secret_in_their_environment(cluster: Cluster) -> None:
    cluster.kubectl("create", "secret", "generic", "api-key", "--from-literal=key=k-123")
    cluster.apply({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "envdemo"},
                   "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "envdemo"}},
                            "template": {"metadata": {"labels": {"app": "envdemo"}}, "spec": {
                                "terminationGracePeriodSeconds": 1,
                                "containers": [{"name": "c", "image": "busybox", "command": [
                                    "sh", "-c", 'echo "$POD_NAME $POD_NAMESPACE $POD_IP $NODE $API_KEY"; '
                                                "exec sleep 3600"],
                                    "env": [
                                        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                                        {"name": "POD_NAMESPACE",
                                         "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                                        {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                                        {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                                        {"name": "API_KEY",
                                         "valueFrom": {"secretKeyRef": {"name": "api-key", "key": "key"}}}]}]}}}})
    cluster.kubectl("rollout", "status", "deployment/envdemo", "--timeout=90s", timeout=100)
    pods = json.loads(cluster.kubectl("get", "pods", "-l", "app=envdemo", "-o", "json").stdout)["items"]
    assert len(pods) == 2
    for p in pods:
        name, ip = p["metadata"]["name"], p["status"]["podIP"]
        assert ip.startswith("198.18.42.")
        line = wait_for(lambda n=name: cluster.kubectl("logs", n, check=False).stdout)
        assert line == f"{name} default {ip} node-1 k-123\n"
    cluster.kubectl("delete", "deployment", "envdemo")


def test_liveness_restarts_and_readiness_gates_ready(cluster: Cluster) -> None:
    cluster.apply(_pod("lively", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 3600", container={
        "livenessProbe": {"exec": {"command": ["cat", "/tmp/healthy"]}, "periodSeconds": 1,
                          "failureThreshold": 1}}))

    def restarted() -> bool:
        statuses = cluster.pod("lively").get("status", {}).get("containerStatuses") or [{}]
        return int(statuses[0].get("restartCount", 0)) >= 1

    wait_for(restarted, 60)
    events = cluster.kubectl("get", "events", "--field-selector", "involvedObject.name=lively").stdout
    assert "Liveness probe failed" in events
    cluster.apply(_pod("ready-gated", "mkdir -p /srv; cd /srv; exec python3 -m http.server 8080", container={
        "readinessProbe": {"httpGet": {"path": "/ok", "port": 8080}, "periodSeconds": 1}}))
    wait_for(lambda: cluster.phase("ready-gated") == "Running", 60)
    time.sleep(2)

    def ready() -> str:
        conditions = cluster.pod("ready-gated")["status"]["conditions"]
        return next(c["status"] for c in conditions if c["type"] == "Ready")

    assert ready() == "False"  # /ok is 404
    cluster.kubectl("exec", "ready-gated", "--", "touch", "/srv/ok")
    cluster.kubectl("wait", "--for=condition=Ready", "pod/ready-gated", "--timeout=30s", timeout=40)
    cluster.kubectl("exec", "ready-gated", "--", "rm", "/srv/ok")
    wait_for(lambda: ready() == "False", 30)


def test_sigterm_is_delivered_and_the_grace_period_is_kept(cluster: Cluster, tmp_path: Any) -> None:
    out = str(tmp_path / "out")
    os.makedirs(out)
    hostpath = {"volumes": [{"name": "out", "hostPath": {"path": out}}]}
    mount = {"volumeMounts": [{"name": "out", "mountPath": "/out"}]}
    cluster.apply(_pod("polite", 'trap "echo TERM > /out/polite; exit 0" TERM; while true; do sleep 0.1; done',
                       container=mount, **hostpath))
    cluster.apply(_pod("stubborn", "exec sleep 3600", terminationGracePeriodSeconds=3))
    for name in ("polite", "stubborn"):
        wait_for(lambda n=name: cluster.phase(n) == "Running", 60)
    start = time.monotonic()
    cluster.kubectl("delete", "pod", "polite", timeout=40)
    assert time.monotonic() - start < 4
    with open(os.path.join(out, "polite")) as f:
        assert f.read() == "TERM\n"
    start = time.monotonic()
    cluster.kubectl("delete", "pod", "stubborn", timeout=40)  # waits until it is gone
    assert 2.5 <= time.monotonic() - start < 15


def test_a_container_over_its_memory_limit_is_oom_killed(cluster: Cluster) -> None:
    cluster.apply(_pod("hog", "python3 -c 'b = bytearray(1 << 29)'", restartPolicy="Never", container={
        "resources": {"limits": {"memory": "40Mi"}}}))
    reason = wait_for(lambda: cluster.kubectl(
        "get", "pod", "hog", "-o", "jsonpath={.status.containerStatuses[0].state.terminated.reason}",
        check=False).stdout, 60)
    assert reason == "OOMKilled"
    assert "OOMKilled" in cluster.kubectl("get", "pod", "hog").stdout


def test_logs_follow_exec_and_port_forward(cluster: Cluster) -> None:
    cluster.apply(_pod("talker", 'i=0; while true; do i=$((i+1)); echo "line $i"; sleep 0.2; done'))
    cluster.apply(_pod("web", "mkdir -p /srv && echo hello-from-pod > /srv/index.html && cd /srv && "
                              "exec python3 -m http.server 8080"))
    for name in ("talker", "web"):
        wait_for(lambda n=name: cluster.phase(n) == "Running", 60)
    wait_for(lambda: "line 2" in cluster.kubectl("logs", "talker").stdout)
    follow = subprocess.Popen(["kubectl", "--cache-dir", cluster.cache, "logs", "-f", "talker", "--tail=1"],
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "KUBECONFIG": cluster.kubeconfig})
    assert follow.stdout is not None
    first = int(follow.stdout.readline().split()[1])
    later = [int(follow.stdout.readline().split()[1]) for _ in range(3)]
    follow.terminate()
    follow.wait(10)
    assert later == [first + 1, first + 2, first + 3]  # lines arrive as they are written
    r = cluster.kubectl("exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 7", check=False)
    assert (r.returncode, r.stdout, r.stderr.splitlines()[0]) == (7, "out\n", "err")
    assert cluster.kubectl("exec", "-i", "web", "--", "tr", "a-z", "A-Z", input="shout\n").stdout == "SHOUT\n"
    assert cluster.kubectl("exec", "web", "--", "ls", "/srv").stdout == "index.html\n"
    port = _free_port()
    forward = subprocess.Popen(["kubectl", "--cache-dir", cluster.cache, "port-forward", "pod/web", f"{port}:8080"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "KUBECONFIG": cluster.kubeconfig})
    try:
        assert forward.stdout is not None
        assert "Forwarding from 127.0.0.1:" in forward.stdout.readline()
        for _ in range(3):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=10) as resp:
                assert resp.read() == b"hello-from-pod\n"
    finally:
        forward.terminate()
        forward.wait(10)


def test_logs_of_the_previous_container(cluster: Cluster) -> None:
    cluster.apply(_pod("twice", 'echo "run at $(cat /proc/uptime)"; [ -e /proc/1 ] && sleep 1; exit 1'))

    def restarted() -> bool:
        statuses = cluster.pod("twice").get("status", {}).get("containerStatuses") or [{}]
        return int(statuses[0].get("restartCount", 0)) >= 1

    wait_for(restarted, 60)
    previous = cluster.kubectl("logs", "twice", "--previous")
    assert previous.stdout.startswith("run at ")


def test_exec_with_a_terminal(cluster: Cluster) -> None:
    import pty
    import select

    cluster.apply(_pod("shell", "exec sleep 3600"))
    wait_for(lambda: cluster.phase("shell") == "Running", 60)
    master, slave = pty.openpty()
    proc = subprocess.Popen(["kubectl", "--cache-dir", cluster.cache, "exec", "-it", "shell", "--", "sh"],
                            stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                            env={**os.environ, "KUBECONFIG": cluster.kubeconfig})
    os.close(slave)
    try:
        os.write(master, b"echo tty-$((40+2)) $(tty)\nexit 3\n")
        seen = b""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            if select.select([master], [], [], 0.2)[0]:
                try:
                    seen += os.read(master, 4096)
                except OSError:
                    break
        code = proc.wait(10)
        assert b"tty-42 /dev/pts/" in seen, seen
        assert code == 3, seen
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()


def test_the_python_client_execs_and_port_forwards(cluster: Cluster) -> None:
    from kubernetes import client as k8s
    from kubernetes import config
    from kubernetes.stream import portforward, stream

    cluster.apply(_pod("pyweb", "mkdir -p /srv && echo from-python-client > /srv/index.html && cd /srv && "
                                "exec python3 -m http.server 8080"))
    wait_for(lambda: cluster.phase("pyweb") == "Running", 60)
    api = k8s.CoreV1Api(config.new_client_from_config(cluster.kubeconfig))
    out = stream(api.connect_get_namespaced_pod_exec, "pyweb", "default", command=["cat", "/srv/index.html"],
                 stderr=True, stdin=False, stdout=True, tty=False)
    assert out == "from-python-client\n"

    def fetch() -> bytes:
        forward = portforward(api.connect_get_namespaced_pod_portforward, "pyweb", "default", ports="8080")
        sock = forward.socket(8080)
        sock.setblocking(True)
        sock.settimeout(10)
        sock.sendall(b"GET /index.html HTTP/1.0\r\nHost: pyweb\r\n\r\n")
        data = b""
        try:
            while b"from-python-client" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        finally:
            sock.close()
            forward.close()
        return data

    data = wait_for(lambda: (d := fetch()) and b"from-python-client" in d and d, 30)
    assert data.startswith(b"HTTP/1.0 200")
