"""The process runtime: pods as real Linux processes.

Each pod is a **sandbox**: a holder process (``sleep``) in new network, UTS (hostname = the
pod's name) and IPC namespaces, inside the pod's cgroup (:mod:`.cgroups`), with its volumes
ready (:mod:`.volumes`) and, when the node has a network namespace, an ``eth0`` on the
node's bridge (:mod:`.network`).  Each container is started by a shim (:mod:`.nsinit`) that
joins the sandbox's namespaces, makes the container's own mount and PID namespaces (its
command is PID 1, its root an overlay of the host's whose writes are its own), mounts the
volumes, and stays as the container's parent to copy its output into the CRI-format log
and report how it ended.

Containers run their ``command`` from the host's filesystem, or their image's entrypoint
from the node's image map (:mod:`.images`), with the environment :mod:`.envvars` builds.
Init containers run in order, then the others together; ``restartPolicy`` restarts them
after 10 s doubling to 5 minutes (CrashLoopBackOff).  Probes and lifecycle hooks come from
:mod:`.prober`.  Stopping runs preStop, sends SIGTERM to PID 1 (like any init it gets it
only if it handles it), and SIGKILL after the grace period.  A container killed by its
cgroup's OOM killer is reported as ``OOMKilled``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import pty
import shlex
import shutil
import signal
import socket
import struct
import sys
import termios
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from paddock.core.informer import object_key
from paddock.core.meta import now_rfc3339

from . import cgroups, nsinit
from .cgroups import Cgroup
from .envvars import ConfigError, Getter, container_env, expand, service_env
from .images import ImageError, ImageMap
from .network import NetworkError, NodeNetwork
from .runtime import ContainerState, Sandbox
from .volumes import VolumeError, Volumes

log = logging.getLogger(__name__)

Obj = dict[str, Any]
Recorder = Callable[[Obj, str, str, str], None]
BACKOFF_START = 10.0
BACKOFF_MAX = 300.0
RETRY_MAX = 30.0
ORPHAN_SECONDS = 30.0  # what an earlier kubelet left and no pod claims is removed after this
MESSAGE_MAX = 4096
FALLBACK_LINES = 80
FALLBACK_BYTES = 2048
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
NSINIT = os.path.abspath(nsinit.__file__)
# the native twin of nsinit.py, built from nsinit.c by ``make build``
NSINIT_NATIVE = os.path.join(os.path.dirname(NSINIT), "nsinit-shim")
READ_ONLY_KINDS = ("secret", "configMap", "downwardAPI", "projected")
HOSTS_HEADER = "# Kubernetes-managed hosts file.\n"
HOLDER = ('hostname "$0" && ip link set lo up && echo ok && read -r ip gw prefix && '
          '{ [ -z "$ip" ] || { ip addr add "$ip/$prefix" dev eth0 && ip link set eth0 up && '
          'ip route add default via "$gw"; }; } && echo net && exec sleep infinity')


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


TIOCGPTN = 0x80045430  # Linux: the number of a pseudo-terminal master's slave
TIOCSPTLCK = 0x40045431  # Linux: (un)lock the slave


def _container_pty(pid: int) -> tuple[int, int]:
    """A pseudo-terminal (master, slave) of the devpts instance the container whose PID 1 is
    ``pid`` mounted, so that the slave is a /dev/pts/N there too; the host's otherwise."""
    try:
        master = os.open(f"/proc/{pid}/root/dev/ptmx", os.O_RDWR | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError:
        return pty.openpty()
    try:
        fcntl.ioctl(master, TIOCSPTLCK, struct.pack("i", 0))
        (number,) = struct.unpack("i", fcntl.ioctl(master, TIOCGPTN, b"\0\0\0\0"))
        slave = os.open(f"/proc/{pid}/root/dev/pts/{number}", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        os.close(master)
        return pty.openpty()
    return master, slave


def _kill(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


_netns_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="netns")
CLONE_NEWNET = 0x40000000


def _socket_in(netns: str) -> socket.socket:
    """A TCP socket made in the network namespace at ``netns`` (run in a thread of its
    own: the namespace is switched for that thread only, and back)."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    target = os.open(netns, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if nsinit._libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(errno.EPERM, f"setns {netns}")
        try:
            return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        finally:
            nsinit._libc.setns(home, CLONE_NEWNET)
    finally:
        os.close(home)
        os.close(target)


async def connect_in(netns: str, host: str, port: int, timeout: float) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    loop = asyncio.get_running_loop()
    sock = await loop.run_in_executor(_netns_thread, _socket_in, netns)
    sock.setblocking(False)
    try:
        await asyncio.wait_for(loop.sock_connect(sock, (host, port)), timeout)
    except BaseException:
        sock.close()
        raise
    return await asyncio.open_connection(sock=sock)


def parse_log_line(line: bytes) -> tuple[bytes, bytes, bytes, bool]:
    """(time, stream, text, complete) of a CRI log line."""
    stamp, _, rest = line.partition(b" ")
    stream, _, rest = rest.partition(b" ")
    tag, _, text = rest.partition(b" ")
    if text.endswith(b"\n"):
        text = text[:-1]
    return stamp, stream, text, tag != b"P"


class PipeStreams:
    """The streams of an exec'd process on pipes."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def write_stdin(self, data: bytes) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.is_closing():
            self.proc.stdin.write(data)
            with contextlib.suppress(ConnectionError):
                await self.proc.stdin.drain()

    async def close_stdin(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.is_closing():
            self.proc.stdin.close()

    async def read_stdout(self) -> bytes:
        return await self.proc.stdout.read(65536) if self.proc.stdout is not None else b""

    async def read_stderr(self) -> bytes:
        return await self.proc.stderr.read(65536) if self.proc.stderr is not None else b""

    def resize(self, width: int, height: int) -> None:
        pass

    async def wait(self) -> int:
        code = await self.proc.wait()
        return 128 - code if code < 0 else code

    def kill(self) -> None:
        if self.proc.returncode is None:
            for child in _children(self.proc.pid):
                _kill(child, signal.SIGKILL)
            _kill(self.proc.pid, signal.SIGKILL)


class PtyStreams(PipeStreams):
    """The streams of an exec'd process on a terminal."""

    def __init__(self, proc: asyncio.subprocess.Process, master: int) -> None:
        super().__init__(proc)
        self.master = master
        os.set_blocking(master, False)
        self._data: asyncio.Queue[bytes] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        loop.add_reader(master, self._readable)
        self._open = True

    def _readable(self) -> None:
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError:  # EIO: the terminal's last user is gone
            data = b""
        if not data:
            self._close()
        self._data.put_nowait(data)

    def _close(self) -> None:
        if self._open:
            self._open = False
            asyncio.get_running_loop().remove_reader(self.master)
            os.close(self.master)

    async def write_stdin(self, data: bytes) -> None:
        view = memoryview(data)
        while view and self._open:
            try:
                view = view[os.write(self.master, view):]
            except BlockingIOError:
                await asyncio.sleep(0.01)
            except OSError:
                return

    async def close_stdin(self) -> None:
        with contextlib.suppress(OSError):
            if self._open:
                os.write(self.master, b"\x04")

    async def read_stdout(self) -> bytes:
        if not self._open and self._data.empty():
            return b""
        return await self._data.get()

    async def read_stderr(self) -> bytes:
        return b""

    def resize(self, width: int, height: int) -> None:
        if self._open:
            with contextlib.suppress(OSError):
                fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))


class AttachStreams:
    """A running container's own streams: its output from now on (read from its log) and
    its stdin when it has one."""

    def __init__(self, run: ContainerRun, log_path: str) -> None:
        self.run = run
        self.path = log_path
        self.queues: dict[bytes, asyncio.Queue[bytes]] = {b"stdout": asyncio.Queue(), b"stderr": asyncio.Queue()}
        self.task = asyncio.create_task(self._follow())

    async def _follow(self) -> None:
        try:
            with open(self.path, "rb") as f:
                f.seek(0, os.SEEK_END)
                buf = b""
                while True:
                    chunk = f.read(65536)
                    if chunk:
                        buf += chunk
                        *lines, buf = buf.split(b"\n")
                        for line in lines:
                            _, stream, text, complete = parse_log_line(line)
                            if stream in self.queues:
                                self.queues[stream].put_nowait(text + (b"\n" if complete else b""))
                        continue
                    if self.run.exited.is_set():
                        break
                    await asyncio.sleep(0.05)
        finally:
            for q in self.queues.values():
                q.put_nowait(b"")

    async def write_stdin(self, data: bytes) -> None:
        w = self.run.stdin
        if w is not None and not w.is_closing():
            w.write(data)
            with contextlib.suppress(ConnectionError):
                await w.drain()

    async def close_stdin(self) -> None:
        if self.run.spec.get("stdinOnce") and self.run.stdin is not None:
            self.run.stdin.close()

    async def read_stdout(self) -> bytes:
        return await self.queues[b"stdout"].get()

    async def read_stderr(self) -> bytes:
        return await self.queues[b"stderr"].get()

    def resize(self, width: int, height: int) -> None:
        pass

    async def wait(self) -> int:
        await self.run.exited.wait()
        return self.run.state.exit_code

    def kill(self) -> None:
        self.task.cancel()


@dataclass
class ContainerRun:
    spec: Obj
    state: ContainerState
    pod: PodRun
    shim: asyncio.subprocess.Process | None = None
    shim_pid: int = 0  # the shim's (also when adopted from an earlier kubelet: no Process then)
    pid: int = 0  # host pid of the container's PID 1
    adopt: Obj | None = None  # what an earlier kubelet left of it (see ProcessRuntime.recover)
    env: dict[str, str] = field(default_factory=dict)
    stdin: asyncio.StreamWriter | None = None
    runs: int = 0
    exited: asyncio.Event = field(default_factory=asyncio.Event)
    probes: Any = None
    killing: str = ""  # why the kubelet is killing it (the probe's message)
    cgroup: Cgroup | None = None

    @property
    def name(self) -> str:
        return self.state.name

    @property
    def alive(self) -> bool:
        """Its shim runs (the container has not been reported ended)."""
        return bool(self.shim_pid) and not self.exited.is_set()

    @property
    def dir(self) -> str:
        return os.path.join(self.pod.dir, "containers", self.name)

    def log_path(self, run: int) -> str:
        return os.path.join(self.pod.dir, "logs", self.name, f"{run}.log")


@dataclass
class PodRun:
    pod: Obj
    sandbox: Sandbox
    dir: str
    changed: Callable[[], None]
    cgroup: Cgroup | None
    volumes: Volumes
    holder: asyncio.subprocess.Process | None = None
    holder_pid: int = 0
    paths: dict[str, str] = field(default_factory=dict)
    containers: dict[str, ContainerRun] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None
    refresher: asyncio.Task[None] | None = None
    stopping: bool = False
    adopted: Obj | None = None  # the sandbox an earlier kubelet of this node left running

    @property
    def uid(self) -> str:
        return self.sandbox.uid

    @property
    def key(self) -> str:
        md = self.pod["metadata"]
        return f"{md.get('namespace')}/{md.get('name')}"


class Target:
    """How probes and hooks reach one container (:class:`paddock.kubelet.prober.ProbeTarget`)."""

    def __init__(self, runtime: ProcessRuntime, run: ContainerRun) -> None:
        self.runtime = runtime
        self.run = run
        self.pod_ip = run.pod.sandbox.ip or "127.0.0.1"
        self.ports = {str(p.get("name")): int(p.get("containerPort") or 0)
                      for p in run.spec.get("ports") or () if p.get("name")}

    async def exec(self, argv: list[str], timeout: float) -> tuple[int, bytes]:
        streams = await self.runtime.exec(self.run.pod.uid, self.run.name, argv, stdin=False, tty=False)
        try:
            out, err, code = await asyncio.wait_for(asyncio.gather(
                _drain(streams.read_stdout), _drain(streams.read_stderr), streams.wait()), timeout)
        except TimeoutError:
            streams.kill()
            raise
        return code, out + err

    async def connect(self, host: str, port: int, timeout: float) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.runtime.network is None and host == self.run.pod.sandbox.ip:
            host = "127.0.0.1"  # no pod network: the pod has only its loopback
        return await connect_in(f"/proc/{self.run.pod.holder_pid}/ns/net", host, port, timeout)


async def _drain(read: Callable[[], Awaitable[bytes]]) -> bytes:
    out = bytearray()
    while chunk := await read():
        out += chunk
    return bytes(out)


class ProcessRuntime:
    name = "paddock-process://0.2"

    def __init__(self, root_dir: str, *, node_name: str = "node", get: Getter | None = None,
                 network: NodeNetwork | None = None, images: ImageMap | None = None,
                 allocatable: dict[str, str] | None = None, record: Recorder | None = None,
                 refresh_seconds: float = 60.0, use_cgroups: bool | None = None,
                 node_ip: str = "127.0.0.1", shim: str = "") -> None:
        self.node_ip = node_ip
        # the container shim: native (nsinit.c, ~1 MB and 1 ms a container) when built, or
        # its Python twin (nsinit.py, 12 MB and 30 ms)
        self.shim = shim or ("native" if os.access(NSINIT_NATIVE, os.X_OK) else "python")
        self.root_dir = os.path.abspath(root_dir)
        self.node_name = node_name
        self.get = get or _nothing
        self.network = network
        self.images = images or ImageMap.load()
        self.allocatable = dict(allocatable or {})
        self.record = record or (lambda *_: None)
        self.refresh_seconds = refresh_seconds
        self.use_cgroups = cgroups.available() if use_cgroups is None else use_cgroups
        self.cgroup_parent = f"paddock/{node_name}"
        self.pods: dict[str, PodRun] = {}
        self.nsenter = shutil.which("nsenter") or "nsenter"
        self.setsid = shutil.which("setsid") or "setsid"

    # -- lifecycle

    def recover(self) -> None:
        """Take stock of what an earlier kubelet of this node left (it was killed, or
        crashed): sandboxes whose holder still runs wait to be claimed by their pods, whose
        containers then go on running (see :meth:`run_pod`); anything else is killed and
        removed, and so is whatever no pod claims within ``ORPHAN_SECONDS``."""
        self._adoptable: dict[str, Obj] = {}
        pods = os.path.join(self.root_dir, "pods")
        for uid in os.listdir(pods) if os.path.isdir(pods) else ():
            info = _read_json(os.path.join(pods, uid, "sandbox.json"))
            if info and _start_time(int(info.get("holder_pid", 0))) == info.get("holder_start"):
                self._adoptable[uid] = info
            else:
                self._discard(uid)
        if self.use_cgroups:
            parent = os.path.join(cgroups.ROOT, "pids", self.cgroup_parent)
            for d in os.listdir(parent) if os.path.isdir(parent) else ():
                if d.startswith("pod") and d[3:] not in self._adoptable:
                    self._discard(d[3:])
        if self._adoptable:
            log.info("%d pods of an earlier kubelet are still running", len(self._adoptable))
            try:
                asyncio.get_running_loop().call_later(ORPHAN_SECONDS, self._sweep)
            except RuntimeError:  # no loop (a test calling it bare): nothing sweeps
                pass

    def keep_only(self, uids: set[str]) -> None:
        """The kubelet's word, once it has read its pods, of those bound here: what was
        left for any other is removed now."""
        for uid in list(getattr(self, "_adoptable", {})):
            if uid not in uids:
                log.info("pod %s of an earlier kubelet is no longer bound here: removing it", uid)
                self._adoptable.pop(uid)
                self._discard(uid)

    def _sweep(self) -> None:
        for uid in list(self._adoptable):
            log.info("pod %s of an earlier kubelet is no longer bound here: removing it", uid)
            self._adoptable.pop(uid)
            self._discard(uid)

    def _discard(self, uid: str) -> None:
        """Kill and remove what is left of pod ``uid``."""
        pod_dir = os.path.join(self.root_dir, "pods", uid)
        if self.use_cgroups:
            Cgroup(f"{self.cgroup_parent}/pod{uid}").destroy()
        else:
            info = _read_json(os.path.join(pod_dir, "sandbox.json")) or {}
            if info and _start_time(int(info.get("holder_pid", 0))) == info.get("holder_start"):
                _kill(int(info["holder_pid"]), signal.SIGKILL)
        Volumes(pod_dir, self.get, self.allocatable).teardown()
        shutil.rmtree(pod_dir, ignore_errors=True)

    async def run_pod(self, pod: Obj, ip: str, changed: Callable[[], None]) -> Sandbox:
        spec = pod.get("spec") or {}
        sandbox = Sandbox.for_pod(pod, ip)
        pod_dir = os.path.join(self.root_dir, "pods", sandbox.uid)
        for sub in ("containers", "logs", "volumes"):
            os.makedirs(os.path.join(pod_dir, sub), exist_ok=True)
        group = Cgroup(f"{self.cgroup_parent}/pod{sandbox.uid}") if self.use_cgroups else None
        run = PodRun(pod, sandbox, pod_dir, changed, group, Volumes(pod_dir, self.get, self.allocatable))
        specs = (spec.get("initContainers") or []) + (spec.get("containers") or [])
        for state, c in zip(sandbox.init + sandbox.containers, specs, strict=True):
            run.containers[state.name] = ContainerRun(
                c, state, run, cgroup=Cgroup(f"{group.relative}/{state.name}") if group else None)
        adopted = getattr(self, "_adoptable", {}).pop(sandbox.uid, None)
        if adopted is not None:
            self._adopt(run, adopted)
        self.pods[sandbox.uid] = run
        run.task = asyncio.create_task(self._run(run), name=f"pod {run.key}")
        return sandbox

    def _adopt(self, run: PodRun, info: Obj) -> None:
        """Take over the sandbox and containers an earlier kubelet started for ``run``."""
        run.adopted = info
        run.holder_pid = int(info["holder_pid"])
        if info.get("ip"):
            run.sandbox.ip = str(info["ip"])
        status = run.pod.get("status") or {}
        counts = {s.get("name"): int(s.get("restartCount") or 0)
                  for s in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or [])}
        for c in run.containers.values():
            c.state.restart_count = counts.get(c.name, 0)
            state = _read_json(os.path.join(c.dir, "state.json"))
            done = _read_json(os.path.join(c.dir, "status"))
            if state and _start_time(int(state.get("shim", 0))) == state.get("shim_start"):
                c.adopt = {"running": state}
            elif state and done:
                c.adopt = {"exited": state, "status": done}
        log.info("%s: adopted from an earlier kubelet", run.key)

    def update_pod(self, pod: Obj) -> None:
        run = self.pods.get(pod["metadata"].get("uid") or "")
        if run is not None:
            run.pod = pod

    async def _retrying(self, run: PodRun, what: Callable[[], Awaitable[None]], reason: str) -> bool:
        """Run ``what`` until it succeeds, recording a Warning ``reason`` for each failure and
        waiting longer each time; False if the pod is stopped meanwhile."""
        delay = 1.0
        while not run.stopping:
            try:
                await what()
                return True
            except (VolumeError, NetworkError, OSError) as e:
                log.info("%s: %s: %s", run.key, reason, e)
                self.record(run.pod, "Warning", reason, str(e))
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)
        return False

    async def _run(self, run: PodRun) -> None:
        spec = run.pod.get("spec") or {}

        async def volumes() -> None:
            run.paths = await run.volumes.setup(run.pod)

        if run.cgroup is not None:
            limits, requests = cgroups.limits_of(spec.get("containers") or [])
            run.cgroup.create(limits, requests)
        if not await self._retrying(run, volumes, "FailedMount"):
            return
        if run.adopted is None and not await self._retrying(
                run, lambda: self._start_sandbox(run), "FailedCreatePodSandBox"):
            return
        if run.adopted is not None:
            self._write_hosts(run)
        run.changed()
        run.refresher = asyncio.create_task(self._refresh(run))
        policy = spec.get("restartPolicy") or "Always"
        for state in run.sandbox.init:
            c = run.containers[state.name]
            backoff = 0.0
            while True:
                code = await self._run_once(c)
                if code == 0 or run.stopping:
                    break
                if code == -1:  # not started (image, configuration): try again, whatever the policy
                    backoff = await self._wait_to_retry(c, backoff)
                    continue
                if policy == "Never":
                    return  # a failed init container fails the pod
                await self._back_off(c, backoff)
                backoff = _next_backoff(backoff)
            if run.stopping:
                return
        await asyncio.gather(*(self._keep(run.containers[s.name], policy) for s in run.sandbox.containers))

    async def _refresh(self, run: PodRun) -> None:
        while not run.stopping:
            await asyncio.sleep(self.refresh_seconds)
            try:
                await run.volumes.refresh(run.pod)
            except Exception:
                log.exception("%s: refreshing volumes", run.key)

    async def _start_sandbox(self, run: PodRun) -> None:
        spec = run.pod.get("spec") or {}
        name = run.pod["metadata"]["name"]
        if run.holder is None or run.holder.returncode is not None:
            if spec.get("hostNetwork"):
                prefix = ["nsenter", f"--net={self.network.path}"] if self.network else []
                argv = [*prefix, "unshare", "--ipc", "--", "sh", "-c", "echo ok; exec sleep infinity"]
            else:
                # the holder names the pod, then waits for its eth0 (or an empty line when
                # the node has no pod network) and gives it the pod's address
                argv = ["unshare", "--net", "--uts", "--ipc", "--", "sh", "-c", HOLDER, name]
            run.holder = await asyncio.create_subprocess_exec(
                *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE, start_new_session=True)
            holder = run.holder
            assert holder.stdout is not None and holder.stderr is not None and holder.stdin is not None
            try:
                if await holder.stdout.readline() != b"ok\n":
                    raise NetworkError("the pod's sandbox did not start")
                run.holder_pid = holder.pid  # unshare and sh exec'd: the same process
                if run.cgroup is not None:
                    run.cgroup.add(holder.pid)
                if not spec.get("hostNetwork"):
                    config = "\n"
                    if self.network is not None:
                        await self.network.attach(run.uid, holder.pid)
                        config = self.network.pod_config(run.sandbox.ip)
                    holder.stdin.write(config.encode())
                    if await holder.stdout.readline() != b"net\n":
                        raise NetworkError("the pod's network could not be set up")
                holder.stdin.close()
                _write_json(os.path.join(run.dir, "sandbox.json"), {
                    "holder_pid": holder.pid, "holder_start": _start_time(holder.pid), "ip": run.sandbox.ip})
            except NetworkError as e:
                _kill(holder.pid, signal.SIGKILL)
                err = (await holder.stderr.read()).decode(errors="replace").strip()
                await holder.wait()
                run.holder = None
                raise NetworkError(f"{e}: {err}" if err else str(e)) from None
        self._write_hosts(run)

    def _write_hosts(self, run: PodRun) -> None:
        md = run.pod["metadata"]
        spec = run.pod.get("spec") or {}
        hostname = spec.get("hostname") or md["name"]
        lines = [HOSTS_HEADER, "127.0.0.1\tlocalhost\n", "::1\tlocalhost ip6-localhost ip6-loopback\n",
                 "fe00::0\tip6-localnet\n", "fe00::0\tip6-mcastprefix\n", "fe00::1\tip6-allnodes\n",
                 "fe00::2\tip6-allrouters\n"]
        if run.sandbox.ip and not spec.get("hostNetwork"):
            fqdn = f"{hostname}.{spec['subdomain']}.{md.get('namespace')}.svc.cluster.local\t" if spec.get(
                "subdomain") else ""
            lines.append(f"{run.sandbox.ip}\t{fqdn}{hostname}\n")
        for alias in spec.get("hostAliases") or ():
            lines.append(f"\n# Entries added by HostAliases.\n{alias.get('ip')}\t"
                         + "\t".join(alias.get("hostnames") or ()) + "\n")
        with open(os.path.join(run.dir, "etc-hosts"), "w") as f:
            f.write("".join(lines))

    # -- containers

    async def _back_off(self, c: ContainerRun, seconds: float) -> None:
        s = c.state
        s.last_state = {"terminated": {"exitCode": s.exit_code, "reason": s.reason,
                                       "startedAt": s.started_at or s.finished_at,
                                       "finishedAt": s.finished_at,
                                       **({"message": s.message} if s.message else {}),
                                       **({"containerID": s.container_id} if s.container_id else {})}}
        s.restart_count += 1
        if seconds <= 0:  # the first restart is at once, as upstream's
            return
        s.state, s.reason, s.ready = "waiting", "CrashLoopBackOff", False
        s.message = f"back-off {int(seconds)}s restarting failed container={s.name} pod={c.pod.pod['metadata']['name']}_{c.pod.pod['metadata'].get('namespace')}({c.pod.uid})"
        c.pod.changed()
        self.record(c.pod.pod, "Warning", "BackOff", "Back-off restarting failed container "
                    f"{s.name} in pod {c.pod.pod['metadata']['name']}_{c.pod.pod['metadata'].get('namespace')}({c.pod.uid})")
        await self._sleep_unless_stopped(c.pod, seconds)

    async def _sleep_unless_stopped(self, run: PodRun, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not run.stopping and time.monotonic() < deadline:
            await asyncio.sleep(min(0.2, deadline - time.monotonic()))

    async def _wait_to_retry(self, c: ContainerRun, backoff: float) -> float:
        """A container that could not be started waits, keeping its reason (an image that
        cannot be had backs off as ImagePullBackOff, with the reason why); the next wait."""
        s = c.state
        if s.reason == "ErrImagePull":
            s.reason = "ImagePullBackOff"
            s.message = f'Back-off pulling image "{c.spec.get("image")}": {s.message}'
            c.pod.changed()
        wait = backoff if backoff > 0 else BACKOFF_START
        await self._sleep_unless_stopped(c.pod, wait)
        return _next_backoff(wait)

    async def _keep(self, c: ContainerRun, policy: str) -> None:
        backoff = 0.0
        while not c.pod.stopping:
            started = time.monotonic()
            code = await self._run_once(c)
            if code == -1 and not c.pod.stopping:
                backoff = await self._wait_to_retry(c, backoff)
                continue
            if c.pod.stopping or policy == "Never" or (policy == "OnFailure" and code == 0):
                return
            if time.monotonic() - started > 2 * BACKOFF_MAX:
                backoff = 0.0  # it ran well for a while: start the back-off over
            await self._back_off(c, backoff)
            backoff = _next_backoff(backoff)

    def _waiting(self, c: ContainerRun, reason: str, message: str) -> int:
        c.state.state, c.state.reason, c.state.message, c.state.ready = "waiting", reason, message, False
        c.state.exit_code = 1
        c.pod.changed()
        self.record(c.pod.pod, "Warning", "Failed", f"Error: {message}" if reason != "ErrImagePull" else
                    f'Failed to pull image "{c.spec.get("image")}": {message}')
        return -1

    async def _run_once(self, c: ContainerRun) -> int:
        """Start the container, wait for it to end; its exit code, or -1 if it could not
        be started (its state says why)."""
        run = c.pod
        pod = run.pod
        spec = c.spec
        if c.adopt is not None:
            adopt, c.adopt = c.adopt, None
            return await self._resume(c, adopt)
        try:
            argv = self.images.argv(spec)
        except ImageError as e:
            return self._waiting(c, "ErrImagePull", str(e))
        try:
            env = await container_env(pod_with_ips(pod, run.sandbox, self.node_ip), spec, self.get, self.allocatable,
                                      await self._service_env(pod))
        except ConfigError as e:
            return self._waiting(c, "CreateContainerConfigError", str(e))
        env.setdefault("PATH", PATH)
        env.setdefault("HOSTNAME", pod["metadata"]["name"])
        if spec.get("tty"):
            env.setdefault("TERM", "xterm")
        argv = [expand(a, env) for a in argv]
        c.env = env
        c.runs += 1
        os.makedirs(c.dir, exist_ok=True)
        os.makedirs(os.path.dirname(c.log_path(0)), exist_ok=True)
        log_path = c.log_path(c.state.restart_count)
        termination = os.path.join(c.dir, "termination-log")
        with open(termination, "w"):
            pass
        mounts: list[Obj] = []
        kinds = {v.get("name"): v for v in (pod.get("spec") or {}).get("volumes") or ()}
        for m in spec.get("volumeMounts") or ():
            source = run.paths.get(m.get("name"))
            if source is None:
                return self._waiting(c, "CreateContainerConfigError",
                                     f'cannot find volume "{m.get("name")}" to mount into container "{c.name}"')
            sub = m.get("subPathExpr") or m.get("subPath")
            if sub:
                sub = expand(str(sub), env)
                inside = os.path.realpath(os.path.join(source, sub))
                base = os.path.realpath(source)
                if os.path.isabs(sub) or ".." in sub.split("/") or not inside.startswith(base + os.sep):
                    return self._waiting(c, "CreateContainerConfigError",
                                         f'failed to prepare subPath for volumeMount "{m.get("name")}" of '
                                         f'container "{c.name}": {sub!r} is not a path inside the volume')
                os.makedirs(inside, exist_ok=True)
                source = inside
            volume = kinds.get(m.get("name")) or {}
            mounts.append({"source": source, "target": m.get("mountPath") or "/",
                           "readonly": bool(m.get("readOnly")) or any(k in volume for k in READ_ONLY_KINDS)})
        if not (pod.get("spec") or {}).get("hostNetwork"):
            mounts.append({"source": os.path.join(run.dir, "etc-hosts"), "target": "/etc/hosts"})
        mounts.append({"source": termination,
                       "target": spec.get("terminationMessagePath") or "/dev/termination-log"})
        if c.cgroup is not None:
            limits, requests = cgroups.limits_of([spec])
            c.cgroup.create(limits, requests)
        oom_before = c.cgroup.oom_kills() if c.cgroup is not None else 0
        shim_spec = {"sandbox_pid": run.holder_pid, "state_dir": os.path.join(c.dir, "rootfs"),
                     "argv": argv, "env": env, "cwd": spec.get("workingDir") or "/", "log": log_path,
                     "mounts": mounts, "cgroups": c.cgroup.dirs() if c.cgroup is not None else [],
                     # a host-network pod keeps the host's UTS, and the node's network (or,
                     # without a node namespace, the kubelet's own)
                     "join": ["net", "uts", "ipc"] if not (pod.get("spec") or {}).get("hostNetwork")
                     else ["net", "ipc"] if self.network is not None else ["ipc"]}
        spec_path = os.path.join(c.dir, "spec")
        if self.shim == "native":
            try:
                encoded = _native_spec(shim_spec)
            except ValueError as e:
                return self._waiting(c, "CreateContainerConfigError", str(e))
            with open(spec_path, "wb") as f:
                f.write(encoded)
            shim_argv = [NSINIT_NATIVE, spec_path]
        else:
            with open(spec_path, "w") as f:
                json.dump(shim_spec, f)
            shim_argv = [sys.executable, "-I", "-S", NSINIT, spec_path]
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(c.dir, "status"))
        c.exited.clear()
        c.killing = ""
        with open(os.path.join(c.dir, "shim.err"), "ab") as err:
            c.shim = await asyncio.create_subprocess_exec(
                *shim_argv,
                stdin=asyncio.subprocess.PIPE if spec.get("stdin") else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE, stderr=err, start_new_session=True)
        c.shim_pid = c.shim.pid
        if run.cgroup is not None:
            run.cgroup.add(c.shim.pid)
        c.stdin = c.shim.stdin
        assert c.shim.stdout is not None
        line = await c.shim.stdout.readline()
        s = c.state
        s.container_id = "paddock://" + hashlib.sha256(f"{run.uid}/{c.name}/{c.runs}".encode()).hexdigest()
        if not line.startswith(b"running "):
            await c.shim.wait()
            status = self._status(c)
            s.state, s.exit_code, s.reason, s.ready = "terminated", 128, "StartError", False
            s.message = f"failed to start container: {status.get('start_error') or 'the shim failed'}"
            s.started_at = ""
            s.finished_at = now_rfc3339()
            c.exited.set()
            run.changed()
            self.record(pod, "Warning", "Failed", f"Error: {s.message}")
            return 128
        c.pid = int(line.split()[1])
        s.state, s.reason, s.message, s.started_at = "running", "", "", now_rfc3339()
        _write_json(os.path.join(c.dir, "state.json"), {
            "shim": c.shim.pid, "shim_start": _start_time(c.shim.pid), "pid": c.pid, "runs": c.runs,
            "container_id": s.container_id, "started_at": s.started_at, "oom_before": oom_before,
            "log": log_path})
        self.record(pod, "Normal", "Created", f"Created container {c.name}")
        self.record(pod, "Normal", "Started", f"Started container {c.name}")
        s.ready = False
        s.started = None
        target = Target(self, c)
        post_start = (spec.get("lifecycle") or {}).get("postStart")
        if post_start:
            from .prober import run_handler

            error = await run_handler(post_start, target, 30.0, container=c.name, pod=pod)
            if error is not None:
                self.record(pod, "Warning", "FailedPostStartHook", error)
                c.killing = f"PostStartHook failed: {error}"
                await self._kill(c, float((pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30)))
        return await self._supervise(c, c.shim.wait, oom_before, log_path)

    async def _resume(self, c: ContainerRun, adopt: Obj) -> int:
        """Carry on with a container an earlier kubelet started: watch it if it still
        runs, else report how it ended."""
        s = c.state
        state = adopt.get("running") or adopt["exited"]
        c.runs = int(state.get("runs", 1))
        s.container_id = str(state.get("container_id") or "")
        s.started_at = str(state.get("started_at") or "")
        log_path = str(state.get("log") or c.log_path(s.restart_count))
        if "running" in adopt:
            c.shim_pid, c.pid = int(state["shim"]), int(state.get("pid", 0))
            c.exited.clear()
            s.state, s.reason, s.message, s.ready, s.started = "running", "", "", False, None
            return await self._supervise(c, lambda: _wait_pid(c.shim_pid), int(state.get("oom_before", 0)),
                                         log_path)
        c.exited.clear()
        return self._ended(c, int(state.get("oom_before", 0)), log_path)

    async def _supervise(self, c: ContainerRun, wait: Callable[[], Awaitable[Any]], oom_before: int,
                         log_path: str) -> int:
        """Probe the running container until ``wait`` says its shim ended; its exit code."""
        run = c.pod
        s = c.state
        c.probes = self._probes(c, Target(self, c))
        if c.probes is None:
            s.ready = True
        run.changed()
        await wait()
        if c.probes is not None:
            await c.probes.stop()
            c.probes = None
        return self._ended(c, oom_before, log_path)

    def _ended(self, c: ContainerRun, oom_before: int, log_path: str) -> int:
        """Report the container's end from its shim's status; its exit code."""
        run = c.pod
        s = c.state
        status = self._status(c)
        code = int(status.get("exit_code", 128))
        s.state, s.exit_code, s.finished_at, s.ready, s.started = "terminated", code, now_rfc3339(), False, False
        oom = c.cgroup is not None and c.cgroup.oom_kills() > oom_before
        s.reason = "OOMKilled" if oom else "Completed" if code == 0 else "Error"
        s.message = self._termination_message(c, os.path.join(c.dir, "termination-log"), log_path, code)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(c.dir, "state.json"))
        if c.cgroup is not None:
            c.cgroup.kill()  # what PID 1 left behind went with its namespace; be sure
        c.pid = 0
        c.stdin = None
        c.exited.set()
        run.changed()
        return code

    async def _service_env(self, pod: Obj) -> dict[str, str]:
        """The service variables of ``pod``'s containers (none if services cannot be read)."""
        ns = pod["metadata"].get("namespace") or "default"
        links = (pod.get("spec") or {}).get("enableServiceLinks") is not False
        services: list[Obj] = []
        try:
            for namespace in {ns, "default"} if links else {"default"}:
                listed = await self.get("services", namespace, "")
                services.extend((listed or {}).get("items") or ())
        except Exception as e:  # the containers still start, as upstream's do without a lister
            log.info("%s: services for the environment: %s", object_key(pod), e)
        return service_env(services, ns, links)

    def _probes(self, c: ContainerRun, target: Target) -> Any:
        spec = c.spec
        if not any(spec.get(k) for k in ("livenessProbe", "readinessProbe", "startupProbe")):
            return None
        from .prober import ContainerProbes

        def on_ready(ready: bool) -> None:
            if c.state.state == "running" and c.state.ready != ready:
                c.state.ready = ready
                c.pod.changed()

        def on_started(started: bool) -> None:
            if c.state.started != started:
                c.state.started = started
                c.pod.changed()

        def on_kill(reason: str, message: str) -> None:
            if c.killing or c.pod.stopping:
                return
            c.killing = message
            self.record(c.pod.pod, "Normal", "Killing", message)
            grace = probes.kill_grace_seconds  # the failing probe's own, if it has one
            if grace is None:
                grace = (c.pod.pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30)
            asyncio.create_task(self._kill(c, float(grace)))

        def on_event(kind: str, reason: str, message: str) -> None:
            self.record(c.pod.pod, kind, reason, message)

        probes = ContainerProbes(spec, target, on_ready=on_ready, on_started=on_started, on_kill=on_kill,
                                 on_event=on_event,
                                 restart_policy=(c.pod.pod.get("spec") or {}).get("restartPolicy") or "Always")
        c.state.started = False if spec.get("startupProbe") else None
        probes.start()
        return probes

    def _status(self, c: ContainerRun) -> Obj:
        try:
            with open(os.path.join(c.dir, "status")) as f:
                return dict(json.load(f))
        except (OSError, ValueError):
            code = c.shim.returncode if c.shim is not None and c.shim.pid == c.shim_pid else None
            return {"exit_code": 128 - code if code is not None and code < 0 else code or 128,
                    "start_error": "the container's shim ended without a word"}

    def _termination_message(self, c: ContainerRun, path: str, log_path: str, code: int) -> str:
        try:
            with open(path, "rb") as f:
                message = f.read(MESSAGE_MAX).decode(errors="replace")
        except OSError:
            message = ""
        if not message and code != 0 and c.spec.get("terminationMessagePolicy") == "FallbackToLogsOnError":
            try:
                with open(log_path, "rb") as f:
                    lines = f.read().splitlines()[-FALLBACK_LINES:]
            except OSError:
                lines = []
            text = b"".join(t + (b"\n" if done else b"")
                            for _, _, t, done in (parse_log_line(line) for line in lines))
            message = text[-FALLBACK_BYTES:].decode(errors="replace")
        return message

    async def _kill(self, c: ContainerRun, grace: float) -> None:
        """preStop, SIGTERM to PID 1, then SIGKILL once ``grace`` seconds have passed."""
        if not c.alive:
            return
        deadline = time.monotonic() + max(grace, 0)
        pre_stop = (c.spec.get("lifecycle") or {}).get("preStop")
        if pre_stop and c.pid:
            from .prober import run_handler

            try:
                error = await asyncio.wait_for(run_handler(pre_stop, Target(self, c), max(grace, 0.001),
                                                           container=c.name, pod=c.pod.pod),
                                               max(grace, 0.001))
            except TimeoutError:
                error = f"PreStopHook did not finish within the grace period of {grace:g}s"
            if error is not None:
                self.record(c.pod.pod, "Warning", "FailedPreStopHook", error)
        if not c.exited.is_set():
            _kill(c.shim_pid, signal.SIGTERM)  # the shim hands it to PID 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(c.exited.wait(), max(deadline - time.monotonic(), 0))
        if not c.exited.is_set():
            if c.pid:
                _kill(c.pid, signal.SIGKILL)  # PID 1 gone: the kernel ends its namespace
            if c.cgroup is not None:
                c.cgroup.kill()
            await c.exited.wait()

    async def stop_pod(self, sandbox: Sandbox, pod: Obj, grace_seconds: float) -> None:
        run = self.pods.get(sandbox.uid)
        if run is None:
            return
        run.stopping = True
        running = [c for c in run.containers.values() if c.alive]
        for c in running:
            self.record(run.pod, "Normal", "Killing", f"Stopping container {c.name}")
            if c.probes is not None:  # no liveness kill while it stops; readiness goes on
                c.probes.terminating()
        await asyncio.gather(*(self._kill(c, grace_seconds) for c in running))
        for task in (run.task, run.refresher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._remove(run)
        now = now_rfc3339()
        for st in sandbox.init + sandbox.containers:
            if st.state != "terminated":
                st.state, st.finished_at, st.ready = "terminated", now, False
                st.reason = "Completed" if st.exit_code == 0 else "Error"

    async def _remove(self, run: PodRun) -> None:
        if run.holder is not None and run.holder.returncode is None:
            _kill(run.holder.pid, signal.SIGKILL)
            await run.holder.wait()
        elif run.adopted is not None and _start_time(run.holder_pid) == run.adopted.get("holder_start"):
            _kill(run.holder_pid, signal.SIGKILL)
        if self.network is not None and not (run.pod.get("spec") or {}).get("hostNetwork"):
            await self.network.detach(run.uid)
        if run.cgroup is not None:
            await asyncio.get_running_loop().run_in_executor(None, run.cgroup.destroy)
        run.volumes.teardown()
        self.pods.pop(run.uid, None)
        await asyncio.get_running_loop().run_in_executor(None, shutil.rmtree, run.dir, True)

    async def close(self) -> None:
        """Stop every pod at once (the kubelet is going away)."""
        await asyncio.gather(*(self.stop_pod(r.sandbox, r.pod, 0) for r in list(self.pods.values())),
                             return_exceptions=True)
        if self.network is not None:
            self.network.teardown()
        if self.use_cgroups:
            Cgroup(self.cgroup_parent).remove()

    # -- streaming

    def _container(self, uid: str, name: str, running: bool = True) -> ContainerRun:
        run = self.pods.get(uid)
        if run is None:
            raise LookupError("pod not found on this node")
        c = run.containers.get(name)
        if c is None:
            raise LookupError(f'container "{name}" not found in pod')
        if running and not c.pid:
            raise LookupError(f'container "{name}" is not running')
        return c

    async def exec(self, uid: str, container: str, argv: list[str], *, stdin: bool, tty: bool) -> PipeStreams:
        c = self._container(uid, container)
        joins = "".join(f" {shlex.quote(os.path.join(d, 'cgroup.procs'))}" for d in
                        (c.cgroup.dirs() if c.cgroup is not None else []))
        # with a terminal: the session and its controlling terminal are made inside the
        # container's PID namespace (setsid -c there), on a terminal of the container's own
        # /dev/pts, so that job control and tty(1) work as in any container
        inner = f"{self.setsid} -c " if tty else ""
        script = (f"echo $$ | tee{joins} >/dev/null 2>&1; " if joins else "") + \
            f'exec {self.nsenter} -t {c.pid} -m -u -i -n -p -r -w -- {inner}"$@"'
        cmd = ["/bin/sh", "-c", script, "sh", *argv]
        if tty:
            master, slave = _container_pty(c.pid)
            try:
                proc = await asyncio.create_subprocess_exec(
                    *cmd, stdin=slave, stdout=slave, stderr=slave, env=c.env, start_new_session=True)
            finally:
                os.close(slave)
            return PtyStreams(proc, master)
        proc = await asyncio.create_subprocess_exec(
            *cmd, stdin=asyncio.subprocess.PIPE if stdin else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=c.env,
            start_new_session=True)
        return PipeStreams(proc)

    async def attach(self, uid: str, container: str, *, stdin: bool, tty: bool) -> AttachStreams:
        c = self._container(uid, container)
        return AttachStreams(c, c.log_path(c.state.restart_count))

    def log_file(self, uid: str, container: str, previous: bool = False) -> str:
        c = self._container(uid, container, running=False)
        count = c.state.restart_count
        if previous:
            path = c.log_path(count - 1)
            if count == 0 or not os.path.exists(path):
                raise LookupError(f'previous terminated container "{container}" in pod '
                                  f'"{c.pod.pod["metadata"]["name"]}" not found')
            return path
        path = c.log_path(count)
        if not os.path.exists(path):
            raise LookupError(f'container "{container}" in pod "{c.pod.pod["metadata"]["name"]}" '
                              "is waiting to start: " + (c.state.reason or "ContainerCreating"))
        return path

    async def dial(self, uid: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        run = self.pods.get(uid)
        if run is None or not run.holder_pid:
            raise LookupError("pod not found on this node")
        return await connect_in(f"/proc/{run.holder_pid}/ns/net", "127.0.0.1", port, 10.0)

    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for uid, run in self.pods.items():
            if run.cgroup is None:
                continue
            containers = {}
            for name, c in run.containers.items():
                if c.cgroup is not None and c.pid:
                    containers[name] = {"cpu_ns": c.cgroup.cpu_ns(), "memory": c.cgroup.memory(),
                                        "started": c.state.started_at}
            out[uid] = {"cpu_ns": run.cgroup.cpu_ns(), "memory": run.cgroup.memory(),
                        "containers": containers}
        return out


def _native_spec(spec: Obj) -> bytes:
    """``spec`` in the native shim's form: NUL-terminated keys, each followed by its values."""
    out: list[str] = []

    def put(*tokens: Any) -> None:
        out.extend(str(t) for t in tokens)

    put("sandbox_pid", spec["sandbox_pid"], "state_dir", spec["state_dir"], "cwd", spec["cwd"], "log", spec["log"])
    if spec.get("shm"):
        put("shm", spec["shm"])
    for a in spec["argv"]:
        put("arg", a)
    for k, v in spec["env"].items():
        put("env", f"{k}={v}")
    for m in spec["mounts"]:
        put("mount", m["source"], m["target"], "ro" if m.get("readonly") else "rw")
    for d in spec["cgroups"]:
        put("cgroup", d)
    for kind in spec["join"]:
        put("join", kind)
    if any("\0" in t for t in out):
        raise ValueError("a NUL byte in the container's command, environment or mounts")
    return b"".join(t.encode() + b"\0" for t in out)


def _read_json(path: str) -> Obj | None:
    try:
        with open(path) as f:
            value = json.load(f)
        return value if isinstance(value, dict) else None
    except (OSError, ValueError):
        return None


def _write_json(path: str, value: Obj) -> None:
    with open(path + ".tmp", "w") as f:
        json.dump(value, f)
    os.replace(path + ".tmp", path)


def _start_time(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot), to tell it from a later
    process that reuses its number; None if there is none."""
    if pid <= 0:
        return None
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


async def _wait_pid(pid: int) -> None:
    """Until process ``pid`` (not our child) has ended."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def readable() -> None:
        if not done.done():
            done.set_result(None)

    loop.add_reader(fd, readable)
    try:
        await done
    finally:
        loop.remove_reader(fd)
        os.close(fd)


def _next_backoff(seconds: float) -> float:
    """0 (the first restart), then 10 s doubling to 5 minutes."""
    return BACKOFF_START if seconds <= 0 else min(seconds * 2, BACKOFF_MAX)


def pod_with_ips(pod: Obj, sandbox: Sandbox, host_ip: str) -> Obj:
    """The pod with the addresses the kubelet gave it, for the downward API (the status the
    kubelet posts may not be back yet)."""
    status = dict(pod.get("status") or {})
    if sandbox.ip:
        status.setdefault("podIP", sandbox.ip)
        status.setdefault("podIPs", [{"ip": sandbox.ip}])
    status.setdefault("hostIP", host_ip)
    status.setdefault("hostIPs", [{"ip": host_ip}])
    return {**pod, "status": status}


async def _nothing(resource: str, namespace: str, name: str) -> Obj | None:
    return None
