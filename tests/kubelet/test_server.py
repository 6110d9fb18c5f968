"""The kubelet's HTTPS server behind the real apiserver, driven by the real ``kubectl``
and the official Python client: logs (tail, timestamps, partial lines, follow, previous),
exec (exit codes, both streams, stdin, output as it comes, a terminal), attach,
port-forward to a real HTTP server, the Summary API, and the errors upstream gives.

The pods run on a real Kubelet in this process (on a thread of its own) with the small
runtime below: each container is a host process (``sh -c``) whose output is written in
the CRI log format, exec starts host processes (on a pty for ``tty``) and port-forward
dials 127.0.0.1.  No root needed, but for the last test: ``paddock kubelet`` with the
process runtime, its certificate issued from the cluster PKI by the kubelet itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import pty
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import termios
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from paddock.core.certs import kubelet_serving_certificate
from paddock.core.client import Client
from paddock.kubelet.kubelet import Kubelet
from paddock.kubelet.runtime import ContainerState, Sandbox
from paddock.kubelet.server import KubeletServer, start_server
from tests.conftest import KUBECTL, APIServerProcess, spawn, wait_for

pytestmark = [pytest.mark.timeout(60),
              pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on the PATH")]

NODE = "node-a"
NS = "default"
RESTART_SECONDS = 0.3


# -- a runtime of host processes --------------------------------------------------------------

def _cri_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


class ProcStreams:
    """Streams of a host process, on pipes or (tty) on a pty."""

    def __init__(self, proc: asyncio.subprocess.Process, master: int | None = None) -> None:
        self.proc, self.master = proc, master

    async def write_stdin(self, data: bytes) -> None:
        if self.master is not None:
            os.write(self.master, data)
        elif self.proc.stdin is not None:
            self.proc.stdin.write(data)
            await self.proc.stdin.drain()

    async def close_stdin(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()

    async def read_stdout(self) -> bytes:
        if self.master is not None:
            try:
                return await asyncio.get_running_loop().run_in_executor(None, os.read, self.master, 65536)
            except OSError:  # EIO: the terminal's process is gone
                return b""
        assert self.proc.stdout is not None
        return await self.proc.stdout.read(65536)

    async def read_stderr(self) -> bytes:
        if self.master is not None or self.proc.stderr is None:
            return b""
        return await self.proc.stderr.read(65536)

    def resize(self, width: int, height: int) -> None:
        if self.master is not None:
            fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))

    async def wait(self) -> int:
        code = await self.proc.wait()
        return 128 - code if code < 0 else code

    def kill(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)


class AttachedStreams:
    """A running container's output from now on, and its stdin."""

    def __init__(self, run: ContainerRun) -> None:
        self.run = run
        self.out: asyncio.Queue[bytes] = asyncio.Queue()
        self.err: asyncio.Queue[bytes] = asyncio.Queue()
        run.attached.append(self)

    async def write_stdin(self, data: bytes) -> None:
        if self.run.proc is not None and self.run.proc.stdin is not None:
            self.run.proc.stdin.write(data)
            await self.run.proc.stdin.drain()

    async def close_stdin(self) -> None:
        pass

    async def read_stdout(self) -> bytes:
        return await self.out.get()

    async def read_stderr(self) -> bytes:
        return await self.err.get()

    def resize(self, width: int, height: int) -> None:
        pass

    async def wait(self) -> int:
        return 0

    def kill(self) -> None:
        pass


class ContainerRun:
    def __init__(self, pod: dict[str, Any], spec: dict[str, Any], state: ContainerState,
                 directory: str) -> None:
        self.pod, self.spec, self.state, self.dir = pod, spec, state, directory
        self.proc: asyncio.subprocess.Process | None = None
        self.attached: list[AttachedStreams] = []

    def log_path(self, restart: int) -> str:
        return os.path.join(self.dir, f"{restart}.log")


class HostRuntime:
    """A StreamingRuntime whose containers are host processes running their command."""

    name = "test-host://0.1"

    def __init__(self, root: str) -> None:
        self.root = root
        self.pods: dict[str, dict[str, ContainerRun]] = {}
        self.tasks: list[asyncio.Task[None]] = []

    async def run_pod(self, pod: dict[str, Any], ip: str, changed: Callable[[], None]) -> Sandbox:
        sandbox = Sandbox.for_pod(pod, ip)
        runs = self.pods.setdefault(sandbox.uid, {})
        for spec, state in zip(pod["spec"]["containers"], sandbox.containers, strict=True):
            run = ContainerRun(pod, spec, state, os.path.join(self.root, sandbox.uid, spec["name"]))
            os.makedirs(run.dir, exist_ok=True)
            runs[spec["name"]] = run
            self.tasks.append(asyncio.create_task(self._keep_running(run, changed)))
        return sandbox

    async def _keep_running(self, run: ContainerRun, changed: Callable[[], None]) -> None:
        policy = run.pod["spec"].get("restartPolicy", "Always")
        while True:
            code = await self._run_once(run, changed)
            if policy == "Never" or (policy == "OnFailure" and code == 0):
                return
            await asyncio.sleep(RESTART_SECONDS)
            s = run.state
            s.last_state = {"terminated": {"exitCode": s.exit_code, "reason": s.reason,
                                           "startedAt": s.started_at, "finishedAt": s.finished_at}}
            s.restart_count += 1

    async def _run_once(self, run: ContainerRun, changed: Callable[[], None]) -> int:
        argv = [*(run.spec.get("command") or []), *(run.spec.get("args") or [])]
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE if run.spec.get("stdin") else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True)
        run.proc = proc
        s = run.state
        s.state, s.reason, s.ready, s.started_at = "running", "", True, _cri_now()[:19] + "Z"
        changed()
        with open(run.log_path(s.restart_count), "ab", buffering=0) as log:
            assert proc.stdout is not None and proc.stderr is not None
            await asyncio.gather(self._pump(proc.stdout, b"stdout", log, run, 1),
                                 self._pump(proc.stderr, b"stderr", log, run, 2))
        code = await proc.wait()
        for a in run.attached:
            a.out.put_nowait(b"")
            a.err.put_nowait(b"")
        run.attached.clear()
        s.state, s.ready, s.exit_code = "terminated", False, code
        s.reason, s.finished_at = ("Completed" if code == 0 else "Error"), _cri_now()[:19] + "Z"
        changed()
        return code

    @staticmethod
    async def _pump(stream: asyncio.StreamReader, name: bytes, log: Any, run: ContainerRun,
                    channel: int) -> None:
        # what came in one read: whole lines are F, a piece without its newline yet is P
        while data := await stream.read(65536):
            for a in run.attached:
                (a.out if channel == 1 else a.err).put_nowait(data)
            *lines, rest = data.split(b"\n")
            out = b"".join(_cri_now().encode() + b" " + name + b" F " + line + b"\n" for line in lines)
            if rest:
                out += _cri_now().encode() + b" " + name + b" P " + rest + b"\n"
            log.write(out)

    async def stop_pod(self, sandbox: Sandbox, pod: dict[str, Any], grace_seconds: float) -> None:
        for run in self.pods.get(sandbox.uid, {}).values():
            if run.proc is not None and run.proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(run.proc.pid, signal.SIGKILL)

    def update_pod(self, pod: dict[str, Any]) -> None:
        pass

    def _run(self, uid: str, container: str) -> ContainerRun:
        run = self.pods.get(uid, {}).get(container)
        if run is None:
            raise LookupError(f'container "{container}" not found')
        return run

    async def exec(self, uid: str, container: str, argv: list[str], *, stdin: bool,
                   tty: bool) -> ProcStreams:
        if self._run(uid, container).state.state != "running":
            raise LookupError(f'container "{container}" is not running')
        if tty:
            master, slave = pty.openpty()
            try:
                proc = await asyncio.create_subprocess_exec(
                    *argv, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
            finally:
                os.close(slave)
            return ProcStreams(proc, master)
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True)
        return ProcStreams(proc)

    async def attach(self, uid: str, container: str, *, stdin: bool, tty: bool) -> AttachedStreams:
        run = self._run(uid, container)
        if run.state.state != "running":
            raise LookupError(f'container "{container}" is not running')
        return AttachedStreams(run)

    def log_file(self, uid: str, container: str, previous: bool = False) -> str:
        run = self._run(uid, container)
        return run.log_path(run.state.restart_count - (1 if previous else 0))

    async def dial(self, uid: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection("127.0.0.1", port)

    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        tick, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
        for uid, runs in self.pods.items():
            containers = {}
            for name, run in runs.items():
                if run.proc is None or run.proc.returncode is not None:
                    continue
                with open(f"/proc/{run.proc.pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{run.proc.pid}/statm") as f:
                    rss = int(f.read().split()[1]) * page
                containers[name] = {"cpu_ns": (int(fields[11]) + int(fields[12])) * 10**9 // tick,
                                    "memory": {"usage": rss, "working_set": rss, "rss": rss},
                                    "started": run.state.started_at}
            out[uid] = {"cpu_ns": sum(c["cpu_ns"] for c in containers.values()),
                        "memory": {k: sum(c["memory"][k] for c in containers.values())
                                   for k in ("usage", "working_set", "rss")},
                        "containers": containers}
        return out

    async def close(self) -> None:
        for runs in self.pods.values():
            for run in runs.values():
                if run.proc is not None and run.proc.returncode is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(run.proc.pid, signal.SIGKILL)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


# -- a node: the Kubelet and its server on a thread of their own ------------------------------

class Node:
    def __init__(self, api: APIServerProcess, root: str) -> None:
        self.api, self.root = api, root
        self.loop = asyncio.new_event_loop()
        self.server: KubeletServer | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self.thread = threading.Thread(target=self._main, daemon=True)
        self.thread.start()
        if not self._ready.wait(30) or self._error is not None:
            raise RuntimeError(f"the kubelet did not start: {self._error!r}")

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        runtime = HostRuntime(os.path.join(self.root, "pods"))
        pki = os.path.join(self.api.data_dir, "pki")
        try:
            async with Client.from_kubeconfig(self.api.kubeconfig, qps=0,
                                              strip_managed_fields=True) as client:
                kubelet = Kubelet(client, NODE, runtime, node_ip="127.0.0.1", port=0)
                cert, key = kubelet_serving_certificate(pki, NODE, ["127.0.0.1"],
                                                        os.path.join(self.root, "pki"))
                self.server = await start_server(kubelet, runtime, host="127.0.0.1", port=0,
                                                 cert_file=cert, key_file=key,
                                                 client_ca_file=os.path.join(pki, "ca.crt"))
                kubelet.port = self.server.port
                await kubelet.start()
                self._ready.set()
                await self._stop.wait()
                await self.server.stop()
                await kubelet.stop()
                await runtime.close()
        except BaseException as e:
            self._error = e
            self._ready.set()
            raise

    def stop(self) -> None:
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(15)


@pytest.fixture(scope="module")
def node(tmp_path_factory: Any) -> Iterator[tuple[APIServerProcess, Node]]:
    d = str(tmp_path_factory.mktemp("kubelet-server"))
    api = APIServerProcess(d)
    api.start()
    n = Node(api, os.path.join(d, "kubelet"))
    yield api, n
    n.stop()
    api.stop()
    shutil.rmtree(d, ignore_errors=True)


def make_pod(api: APIServerProcess, name: str, script: str, *, node: str | None = NODE,
             restart: str = "Always", containers: list[dict[str, Any]] | None = None,
             **container: Any) -> None:
    spec: dict[str, Any] = {"restartPolicy": restart, "terminationGracePeriodSeconds": 0,
                            "containers": containers or [
                                {"name": "c", "image": "busybox", "command": ["sh", "-c", script],
                                 **container}]}
    if node:
        spec["nodeName"] = node
    r = api.request("POST", f"/api/v1/namespaces/{NS}/pods",
                    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec})
    assert r.status == 201, r.body


def running(api: APIServerProcess, name: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        pod = api.request("GET", f"/api/v1/namespaces/{NS}/pods/{name}").json()
        statuses = pod["status"].get("containerStatuses") or []
        ok = statuses and all("running" in s["state"] for s in statuses)
        return pod if ok else None

    return wait_for(check, 20)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def sleeper(node: tuple[APIServerProcess, Node]) -> str:
    api, _ = node
    make_pod(api, "sleeper", "echo started; exec sleep 600")
    running(api, "sleeper")
    return "sleeper"


# -- logs ------------------------------------------------------------------------------------------

def test_logs_show_the_containers_output_with_tail_timestamps_and_limit(
        node: tuple[APIServerProcess, Node]) -> None:
    api, _ = node
    make_pod(api, "logger", "echo one; echo two >&2; sleep 0.2; printf 'par'; sleep 0.3; echo tial; "
                            "echo three; exec sleep 600")
    running(api, "logger")
    wait_for(lambda: "three" in api.kubectl("logs", "logger").stdout, 10)
    assert api.kubectl("logs", "logger").stdout == "one\ntwo\npartial\nthree\n"
    assert api.kubectl("logs", "logger", "--tail=2").stdout == "partial\nthree\n"
    assert api.kubectl("logs", "logger", "--limit-bytes=6").stdout == "one\ntw"
    stamped = api.kubectl("logs", "logger", "--timestamps").stdout.splitlines()
    # one timestamp per line, nine fractional digits, a partial line joined
    assert [line.split(" ", 1)[1] for line in stamped] == ["one", "two", "partial", "three"]
    for line in stamped:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \w+", line), line
    assert api.kubectl("logs", "logger", "--since=1h").stdout.count("\n") == 4


def test_logs_follow_shows_lines_as_they_are_written_and_ends_with_the_container(
        node: tuple[APIServerProcess, Node]) -> None:
    api, _ = node
    make_pod(api, "ticker", "for i in 1 2 3 4 5 6; do echo tick $i; sleep 0.4; done", restart="Never")
    running(api, "ticker")
    env = {**os.environ, "KUBECONFIG": api.kubeconfig}
    proc = subprocess.Popen([KUBECTL or "kubectl", "--cache-dir", api.cache_dir, "logs", "-f",
                             "ticker"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    seen_first = time.monotonic()
    assert first.startswith(b"tick ")
    rest, _ = proc.communicate(timeout=20)
    ended = time.monotonic()
    assert proc.returncode == 0  # the container exited: so does kubectl
    lines = (first + rest).decode().splitlines()
    assert lines[-1] == "tick 6" and lines == sorted(lines)
    assert ended - seen_first > 0.8  # the first line came while the others were still to come


def test_logs_errors_are_upstreams(node: tuple[APIServerProcess, Node]) -> None:
    api, _ = node
    make_pod(api, "two", "", containers=[
        {"name": "a", "image": "x", "command": ["sleep", "600"]},
        {"name": "b", "image": "x", "command": ["sleep", "600"]}])
    make_pod(api, "unscheduled", "sleep 600", node=None)
    base = f"/api/v1/namespaces/{NS}/pods"
    r = api.request("GET", f"{base}/two/log")
    assert (r.status, r.json()["reason"], r.json()["message"]) == (
        400, "BadRequest", "a container name must be specified for pod two, choose one of: [a b]")
    r = api.request("GET", f"{base}/two/log?container=zz")
    assert (r.status, r.json()["message"]) == (400, "container zz is not valid for pod two")
    r = api.request("GET", f"{base}/two/log?container=a&tailLines=-1")
    assert (r.status, r.json()["reason"]) == (422, "Invalid")
    assert r.json()["message"] == ('PodLogOptions "two" is invalid: tailLines: Invalid value: -1: '
                                   "must be greater than or equal to 0")
    r = api.request("GET", f"{base}/nosuch/log")
    assert (r.status, r.json()["message"]) == (404, 'pods "nosuch" not found')
    r = api.request("GET", f"{base}/unscheduled/log")  # upstream: nothing to read yet
    assert (r.status, r.body) == (200, b"")
    r = api.request("POST", f"{base}/two/log?container=a")
    assert r.status == 405
    running(api, "two")
    cp = api.kubectl("logs", "two", "-c", "a", "--previous", check=False)
    assert cp.returncode == 1
    assert cp.stderr.strip() == ('Error from server (BadRequest): previous terminated container "a" '
                                 'in pod "two" not found')


def test_logs_previous_show_the_run_before_a_restart(node: tuple[APIServerProcess, Node]) -> None:
    api, _ = node
    make_pod(api, "crasher", 'echo "run at $(date +%s%N)"; sleep 0.5; exit 3')

    def restarted() -> bool:
        pod = api.request("GET", f"/api/v1/namespaces/{NS}/pods/crasher").json()
        statuses = pod["status"].get("containerStatuses") or [{}]
        return bool(statuses[0].get("restartCount", 0) >= 1)

    wait_for(restarted, 20)
    previous = api.kubectl("logs", "crasher", "--previous").stdout
    assert previous.startswith("run at ") and previous.count("\n") == 1


# -- exec and attach -------------------------------------------------------------------------------

def test_exec_returns_the_exit_code_and_both_streams(node: tuple[APIServerProcess, Node],
                                                      sleeper: str) -> None:
    api, _ = node
    cp = api.kubectl("exec", sleeper, "--", "sh", "-c", "echo out; echo err >&2; exit 7", check=False)
    assert cp.returncode == 7
    assert cp.stdout == "out\n"
    assert cp.stderr == "err\ncommand terminated with exit code 7\n"
    assert api.kubectl("exec", sleeper, "--", "true").returncode == 0


def test_exec_with_stdin(node: tuple[APIServerProcess, Node], sleeper: str) -> None:
    api, _ = node
    cp = api.kubectl("exec", "-i", sleeper, "--", "tr", "a-z", "A-Z", input="hello\nworld\n")
    assert cp.stdout == "HELLO\nWORLD\n"
    # input the command never reads: it ends all the same, with its status
    assert api.kubectl("exec", "-i", sleeper, "--", "sh", "-c", "exit 5", input="x" * 1_000_000,
                       check=False).returncode == 5
    big = "".join(f"line {i}\n" for i in range(50_000))
    assert api.kubectl("exec", "-i", sleeper, "--", "cat", input=big).stdout == big


def test_exec_output_comes_as_it_is_written(node: tuple[APIServerProcess, Node], sleeper: str) -> None:
    api, _ = node
    env = {**os.environ, "KUBECONFIG": api.kubeconfig}
    started = time.monotonic()
    proc = subprocess.Popen([KUBECTL or "kubectl", "--cache-dir", api.cache_dir, "exec", sleeper,
                             "--", "sh", "-c", "echo first; sleep 2; echo second"],
                            stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"first\n"
    assert time.monotonic() - started < 1.9
    assert proc.stdout.readline() == b"second\n"
    assert proc.wait(10) == 0


def test_exec_errors(node: tuple[APIServerProcess, Node], sleeper: str) -> None:
    api, _ = node
    cp = api.kubectl("exec", sleeper, "-c", "nope", "--", "true", check=False)
    assert cp.returncode == 1
    assert "container nope is not valid for pod sleeper" in cp.stderr
    make_pod(api, "floating", "sleep 600", node=None)
    base = f"/api/v1/namespaces/{NS}/pods"
    r = api.request("GET", f"{base}/floating/exec?command=true&stdout=true")
    assert (r.status, r.json()["message"]) == (400, "pod floating does not have a host assigned")
    r = api.request("POST", f"{base}/{sleeper}/exec?command=true&stdout=true")
    assert (r.status, r.json()["message"]) == (400, "Upgrade request required")
    r = api.request("POST", f"{base}/{sleeper}/exec?command=true&stdout=true", headers={
        "Connection": "Upgrade", "Upgrade": "SPDY/3.1", "X-Stream-Protocol-Version": "v4.channel.k8s.io"})
    assert r.status == 400 and b"SPDY/3.1" in r.body and b"WebSocket" in r.body


def test_python_client_exec_attach_and_a_terminal(node: tuple[APIServerProcess, Node],
                                                   sleeper: str) -> None:
    from kubernetes import client as k8s
    from kubernetes import config as k8s_config
    from kubernetes.stream import stream

    api, _ = node
    core = k8s.CoreV1Api(k8s_config.new_client_from_config(api.kubeconfig))
    for protocol in ("v4.channel.k8s.io", "v5.channel.k8s.io"):
        ws = stream(core.connect_get_namespaced_pod_exec, sleeper, NS,
                    command=["sh", "-c", "echo out; echo err >&2; exit 3"], stderr=True, stdin=False,
                    stdout=True, tty=False, _preload_content=False,
                    _headers={"sec-websocket-protocol": protocol})
        ws.run_forever(timeout=10)
        assert ws.subprotocol == protocol
        assert (ws.read_stdout(), ws.read_stderr(), ws.returncode) == ("out\n", "err\n", 3)
    # a terminal, of the size the client asks for
    term = stream(core.connect_get_namespaced_pod_exec, sleeper, NS,
                  command=["sh", "-c", "sleep 0.5; stty size; tty"], stdin=False, stdout=True,
                  stderr=False, tty=True, _preload_content=False)
    term.write_channel(4, json.dumps({"Width": 100, "Height": 33}))
    term.run_forever(timeout=10)
    size, device = term.read_stdout().splitlines()
    assert (size, device.startswith("/dev/pts/"), term.returncode) == ("33 100", True, 0)
    # attach: the container's output from now on
    make_pod(api, "talker", "sleep 0.5; for i in 1 2 3; do echo line $i; sleep 0.2; done",
             restart="Never")
    running(api, "talker")
    ws = stream(core.connect_get_namespaced_pod_attach, "talker", NS, stdout=True, stderr=True,
                stdin=False, tty=False, _preload_content=False)
    ws.run_forever(timeout=10)
    assert ws.read_stdout() == "line 1\nline 2\nline 3\n"


def test_kubectl_attach_shows_the_containers_output_until_it_ends(
        node: tuple[APIServerProcess, Node]) -> None:
    api, _ = node
    make_pod(api, "chatter", "sleep 1.5; for i in 1 2 3; do echo say $i; echo oops $i >&2; "
                             "sleep 0.2; done", restart="Never")
    running(api, "chatter")
    cp = api.kubectl("attach", "chatter", timeout=20)
    assert cp.stdout == "say 1\nsay 2\nsay 3\n"
    assert "oops 1\noops 2\noops 3\n" in cp.stderr


# -- port-forward -----------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_port_forward_reaches_a_server_in_the_pod(node: tuple[APIServerProcess, Node],
                                                  tmp_path: Any) -> None:
    api, _ = node
    port = _free_port()
    (tmp_path / "hello.txt").write_text("hello from the pod\n")
    make_pod(api, "web", f"cd {tmp_path} && exec python3 -m http.server {port} --bind 127.0.0.1")
    running(api, "web")
    wait_for(lambda: _connects(port), 10)
    env = {**os.environ, "KUBECONFIG": api.kubeconfig}
    proc = subprocess.Popen([KUBECTL or "kubectl", "--cache-dir", api.cache_dir, "port-forward",
                             "pod/web", f":{port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode()
        m = re.match(r"Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)", line)
        assert m and int(m.group(2)) == port, line
        for _ in range(3):  # one connection after another through the one session
            with urllib.request.urlopen(f"http://127.0.0.1:{m.group(1)}/hello.txt", timeout=10) as r:
                assert r.read() == b"hello from the pod\n"
    finally:
        proc.terminate()
        proc.wait(10)


def _connects(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


# -- the kubelet itself ----------------------------------------------------------------------------

def _kubelet_get(api: APIServerProcess, n: Node, path: str, client_cert: bool = True) -> Any:
    pki = os.path.join(api.data_dir, "pki")
    ctx = ssl.create_default_context(cafile=os.path.join(pki, "ca.crt"))
    if client_cert:
        ctx.load_cert_chain(os.path.join(pki, "apiserver-kubelet-client.crt"),
                            os.path.join(pki, "apiserver-kubelet-client.key"))
    assert n.server is not None
    with urllib.request.urlopen(f"https://127.0.0.1:{n.server.port}{path}", context=ctx,
                                timeout=10) as r:
        return r.read()


def test_the_kubelet_serves_only_clients_with_a_cluster_certificate_and_reports_stats(
        node: tuple[APIServerProcess, Node], sleeper: str) -> None:
    api, n = node
    assert _kubelet_get(api, n, "/healthz") == b"ok"
    with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
        _kubelet_get(api, n, "/healthz", client_cert=False)
    node_obj = api.request("GET", f"/api/v1/nodes/{NODE}").json()
    assert node_obj["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"] == n.server.port  # type: ignore[union-attr]
    first = json.loads(_kubelet_get(api, n, "/stats/summary"))
    time.sleep(0.2)
    summary = json.loads(_kubelet_get(api, n, "/stats/summary"))
    assert summary["node"]["nodeName"] == NODE
    assert summary["node"]["cpu"]["usageCoreNanoSeconds"] >= first["node"]["cpu"]["usageCoreNanoSeconds"]
    assert "usageNanoCores" in summary["node"]["cpu"]
    assert summary["node"]["memory"]["availableBytes"] > 0
    pod = next(p for p in summary["pods"] if p["podRef"]["name"] == sleeper)
    assert pod["podRef"]["namespace"] == NS and pod["containers"][0]["name"] == "c"
    assert pod["containers"][0]["memory"]["rssBytes"] > 0
    assert "usageNanoCores" in pod["cpu"]


def test_an_unreachable_kubelet_is_an_error_dialing_backend(node: tuple[APIServerProcess, Node]) -> None:
    api, _ = node
    port = _free_port()
    r = api.request("POST", "/api/v1/nodes", {
        "apiVersion": "v1", "kind": "Node", "metadata": {"name": "gone"},
        "status": {"addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
                   "daemonEndpoints": {"kubeletEndpoint": {"Port": port}}}})
    assert r.status == 201, r.body
    make_pod(api, "stranded", "sleep 600", node="gone")
    cp = api.kubectl("exec", "stranded", "--", "true", check=False)
    assert cp.returncode == 1
    assert f"error dialing backend: dial tcp 127.0.0.1:{port}: connect: connection refused" in cp.stderr
    cp = api.kubectl("logs", "stranded", check=False)
    assert cp.stderr.strip() == (
        f'Error from server: Get "https://127.0.0.1:{port}/containerLogs/{NS}/stranded/c": '
        f"dial tcp 127.0.0.1:{port}: connect: connection refused")


@pytest.mark.skipif(os.geteuid() != 0, reason="the process runtime needs root")
def test_paddock_kubelet_mints_its_certificate_from_the_cluster_pki_and_serves(
        fresh_apiserver: APIServerProcess, tmp_path: Any) -> None:
    api = fresh_apiserver
    proc = spawn(api, "kubelet", "kubelet", "--runtime", "process", "--node-name", "worker",
                 "--root-dir", str(tmp_path / "kubelet"), "--port", "0",
                 "--cluster-pki", os.path.join(api.data_dir, "pki"))
    try:
        node_obj = wait_for(lambda: (r := api.request("GET", "/api/v1/nodes/worker")).status == 200
                            and r.json(), 30)
        assert node_obj["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"] not in (0, 10250)
        assert os.path.exists(tmp_path / "kubelet" / "pki" / "kubelet.crt")
        r = api.request("POST", f"/api/v1/namespaces/{NS}/pods", {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"nodeName": "worker", "terminationGracePeriodSeconds": 0, "containers": [
                {"name": "c", "image": "busybox", "command": ["sh", "-c", "echo hello; exec sleep 600"]}]}})
        assert r.status == 201, r.body
        wait_for(lambda: "hello" in api.kubectl("logs", "p", check=False).stdout, 30)
        cp = api.kubectl("exec", "p", "--", "sh", "-c", "hostname; exit 4", check=False)
        assert (cp.returncode, cp.stdout) == (4, "p\n")  # inside the pod's own UTS namespace
        # /stats/summary from the pod's and container's cgroups
        pki = os.path.join(api.data_dir, "pki")
        ctx = ssl.create_default_context(cafile=os.path.join(pki, "ca.crt"))
        ctx.load_cert_chain(os.path.join(pki, "apiserver-kubelet-client.crt"),
                            os.path.join(pki, "apiserver-kubelet-client.key"))
        port = node_obj["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"]

        def pod_stats() -> Any:
            with urllib.request.urlopen(f"https://127.0.0.1:{port}/stats/summary", context=ctx, timeout=10) as r:
                pods = json.loads(r.read())["pods"]
            return next((p for p in pods if p["podRef"]["name"] == "p" and "usageNanoCores" in p["cpu"]), None)

        try:
            stats = wait_for(pod_stats, 20)
        except AssertionError:
            with urllib.request.urlopen(f"https://127.0.0.1:{port}/stats/summary", context=ctx, timeout=10) as r:
                raise AssertionError(r.read()[-1500:]) from None
        assert stats["memory"]["workingSetBytes"] > 0 and stats["cpu"]["usageCoreNanoSeconds"] > 0
        assert stats["containers"][0]["name"] == "c" and stats["containers"][0]["memory"]["usageBytes"] > 0
    finally:
        proc.terminate()
        assert proc.wait(20) == 0


def test_the_kubelets_certificate_is_checked_unless_logs_skip_it(
        node: tuple[APIServerProcess, Node]) -> None:
    api, n = node
    assert n.server is not None
    # a node whose kubelet answers at a name its certificate does not hold
    r = api.request("POST", "/api/v1/nodes", {
        "apiVersion": "v1", "kind": "Node", "metadata": {"name": "liar"},
        "status": {"addresses": [{"type": "Hostname", "address": "localhost"}],
                   "daemonEndpoints": {"kubeletEndpoint": {"Port": n.server.port}}}})
    assert r.status == 201, r.body
    make_pod(api, "elsewhere", "sleep 600", node="liar")
    cp = api.kubectl("exec", "elsewhere", "--", "true", check=False)
    assert "error dialing backend: tls: failed to verify certificate: x509: " in cp.stderr
    base = f"/api/v1/namespaces/{NS}/pods/elsewhere/log"
    r = api.request("GET", base)
    assert r.status == 500 and "tls: failed to verify certificate" in r.json()["message"]
    # skipping the check reaches the kubelet, which has no such pod
    r = api.request("GET", base + "?insecureSkipTLSVerifyBackend=true")
    assert (r.status, r.json()["reason"], r.json()["message"]) == (
        404, "NotFound", "the server could not find the requested resource ( pods/log elsewhere)")
