"""Shared fixtures: a real apiserver process on 127.0.0.1 with a real LMDB store in a temp
dir, and clients for it (raw HTTPS, kubectl, the official Python client)."""

from __future__ import annotations

import base64
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml

from paddock.cli import wait_ready

KUBECTL = shutil.which("kubectl")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    all_headers: list[tuple[str, str]] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.body)


class APIServerProcess:
    """A ``paddock apiserver`` subprocess and ways to talk to it."""

    def __init__(self, data_dir: str, extra: list[str] | None = None) -> None:
        self.data_dir = data_dir
        self.extra = extra or []
        self.kubeconfig = os.path.join(data_dir, "kubeconfig")
        self.proc: subprocess.Popen[bytes] | None = None
        self.cache_dir = os.path.join(data_dir, "kubectl-cache")

    def start(self, port: int = 0) -> None:
        if os.path.exists(self.kubeconfig):
            os.remove(self.kubeconfig)
        log = open(os.path.join(self.data_dir, "apiserver.log"), "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "paddock.cli", "apiserver", "--data-dir", self.data_dir,
             "--port", str(port), *self.extra],
            stdout=log, stderr=subprocess.STDOUT)
        if not wait_ready(self.kubeconfig, 60, self.proc):
            self.stop()
            with open(os.path.join(self.data_dir, "apiserver.log")) as f:
                raise RuntimeError("apiserver did not start:\n" + f.read()[-4000:])
        with open(self.kubeconfig) as f:
            cfg = yaml.safe_load(f)
        cluster = cfg["clusters"][0]["cluster"]
        self.server = cluster["server"]
        self.token = cfg["users"][0]["user"]["token"]
        self.ca_pem = base64.b64decode(cluster["certificate-authority-data"]).decode()
        hostport = self.server.split("://", 1)[1]
        self.host, port_s = hostport.rsplit(":", 1)
        self.port = int(port_s)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    # -- clients ----------------------------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cadata=self.ca_pem)

    def connection(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(self.host, self.port, context=self.ssl_context(), timeout=30)

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                token: str | None = None) -> Response:
        hdrs = {"Authorization": f"Bearer {self.token if token is None else token}"}
        if token == "":
            hdrs = {}
        hdrs.update(headers or {})
        data: bytes | None
        if body is None:
            data = None
        elif isinstance(body, bytes):
            data = body
        else:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        conn = self.connection()
        try:
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            raw = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, raw, r.getheaders())
        finally:
            conn.close()

    def kubectl(self, *args: str, input: str | None = None, check: bool = True, binary: str | None = None,
                timeout: float = 60) -> subprocess.CompletedProcess[str]:
        exe = binary or KUBECTL
        assert exe, "kubectl not found on PATH"
        env = {**os.environ, "KUBECONFIG": self.kubeconfig}
        cp = subprocess.run([exe, "--cache-dir", self.cache_dir, *args], input=input, capture_output=True,
                            text=True, env=env, timeout=timeout)
        if check and cp.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({cp.returncode}):\n{cp.stdout}\n{cp.stderr}")
        return cp


@pytest.fixture(scope="session")
def apiserver() -> Iterator[APIServerProcess]:
    """One apiserver shared by a whole test session (tests use their own namespaces)."""
    d = tempfile.mkdtemp(prefix="paddock-test-")
    srv = APIServerProcess(d)
    srv.start()
    yield srv
    srv.stop()
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def fresh_apiserver(tmp_path: Any) -> Iterator[APIServerProcess]:
    """An apiserver of the test's own, on its own data dir (restart/durability tests)."""
    srv = APIServerProcess(str(tmp_path))
    srv.start()
    yield srv
    srv.stop()


_ns_counter = [0]


@pytest.fixture
def namespace(apiserver: APIServerProcess, request: Any) -> str:
    """A fresh namespace for one test."""
    _ns_counter[0] += 1
    base = request.node.name.lower().replace("_", "-")
    base = "".join(ch for ch in base if ch.isalnum() or ch == "-")[:40].strip("-")
    name = f"{base}-{_ns_counter[0]}"
    r = apiserver.request("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                         "metadata": {"name": name}})
    assert r.status == 201, r.body
    return name


def wait_for(check: Any, timeout: float = 30) -> Any:
    """Poll ``check()`` every 0.1 s until it returns something true; return that."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def spawn(api: APIServerProcess, name: str, *argv: str) -> subprocess.Popen[bytes]:
    """``paddock <argv> --kubeconfig <api's>`` as a process logging to ``<data dir>/<name>.log``."""
    log = open(os.path.join(api.data_dir, f"{name}.log"), "ab")
    return subprocess.Popen([sys.executable, "-m", "paddock.cli", *argv, "--kubeconfig",
                             api.kubeconfig], stdout=log, stderr=subprocess.STDOUT)
