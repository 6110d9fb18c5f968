"""``paddock up --no-kubelet``: prints the ready line, kubectl works with the kubeconfig it
names, SIGTERM stops everything, and a second ``up`` on the same data dir keeps objects."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _up(data_dir: str, port: int) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "paddock.cli", "up", "--no-kubelet", "--data-dir", data_dir,
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if line.startswith("ready: export KUBECONFIG="):
            return proc, line.strip().split("=", 1)[1]
        if not line and proc.poll() is not None:
            break
    proc.kill()
    pytest.fail("paddock up did not print its ready line: " + (proc.stderr.read() if proc.stderr else ""))


def _kubectl(kubeconfig: str, cache: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["kubectl", "--cache-dir", cache, *args], capture_output=True, text=True,
                          env={**os.environ, "KUBECONFIG": kubeconfig}, timeout=60)


def test_up_serves_kubectl_and_keeps_objects_across_restarts(tmp_path: Any) -> None:
    data = str(tmp_path / "data")
    port = _free_port()
    proc, kubeconfig = _up(data, port)
    try:
        assert kubeconfig == os.path.join(data, "kubeconfig")
        out = _kubectl(kubeconfig, str(tmp_path / "c"), "get", "namespaces")
        assert out.returncode == 0 and "kube-system" in out.stdout
        r = _kubectl(kubeconfig, str(tmp_path / "c"), "-n", "default", "create", "configmap", "kept",
                     "--from-literal=a=b", "--dry-run=client", "-o", "json")
        created = subprocess.run(["kubectl", "--cache-dir", str(tmp_path / "c"), "create", "-f", "-"],
                                 input=r.stdout, capture_output=True, text=True,
                                 env={**os.environ, "KUBECONFIG": kubeconfig})
        assert created.returncode == 0, created.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    proc, kubeconfig = _up(data, port)
    try:
        out = _kubectl(kubeconfig, str(tmp_path / "c"), "-n", "default", "get", "configmap", "kept", "-o", "name")
        assert out.stdout.strip() == "configmap/kept"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
