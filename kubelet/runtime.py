"""The runtime protocol the kubelet drives, shaped like the CRI: a pod sandbox, containers
in it, their state.  ``hollow.py`` implements it without processes (load tests); the
process runtime (Linux namespaces and cgroups) implements it for real pods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

Obj = dict[str, Any]


@dataclass
class ContainerState:
    """What the runtime knows of one container (the kubelet turns it into a
    ``containerStatuses`` entry)."""

    name: str
    image: str
    state: str = "waiting"  # waiting | running | terminated
    reason: str = "ContainerCreating"
    message: str = ""
    exit_code: int = 0
    started_at: str = ""
    finished_at: str = ""
    container_id: str = ""
    restart_count: int = 0
    last_state: dict[str, Any] = field(default_factory=dict)
    ready: bool = False
    started: bool | None = None  # None: started when running (there is no startup probe)


@dataclass
class Sandbox:
    """A pod's sandbox: its IP and its containers by name, init containers first."""

    uid: str
    ip: str = ""
    init: list[ContainerState] = field(default_factory=list)
    containers: list[ContainerState] = field(default_factory=list)

    @classmethod
    def for_pod(cls, pod: Obj, ip: str) -> Sandbox:
        """A sandbox whose containers wait to be created, init containers first."""
        spec = pod.get("spec") or {}
        box = cls(uid=pod["metadata"].get("uid") or "", ip=ip)
        for c in spec.get("initContainers") or ():
            box.init.append(ContainerState(c.get("name", ""), c.get("image", ""),
                                           reason="PodInitializing"))
        waiting = "PodInitializing" if box.init else "ContainerCreating"
        for c in spec.get("containers") or ():
            box.containers.append(ContainerState(c.get("name", ""), c.get("image", ""),
                                                 reason=waiting))
        return box


class Runtime(Protocol):
    name: str  # for the node's containerRuntimeVersion, "hollow://0.1"

    async def run_pod(self, pod: Obj, ip: str, changed: Callable[[], None]) -> Sandbox:
        """Make the sandbox and start the pod's containers (init containers in order, then
        the others); returns once started.  The sandbox's states move as the pod runs, and
        ``changed`` is called each time they do."""

    async def stop_pod(self, sandbox: Sandbox, pod: Obj, grace_seconds: float) -> None:
        """Stop every container (SIGTERM, then SIGKILL after the grace period) and remove
        the sandbox."""

    def update_pod(self, pod: Obj) -> None:
        """The pod as it is now (its labels and annotations feed its downward-API volumes)."""


class Streams(Protocol):
    """The standard streams of a process started by exec or reached by attach.  With a
    TTY, stdout carries the terminal's output and stderr is empty at once."""

    async def write_stdin(self, data: bytes) -> None: ...

    async def close_stdin(self) -> None: ...

    async def read_stdout(self) -> bytes:
        """The next chunk of output; b"" at the end."""

    async def read_stderr(self) -> bytes:
        """The next chunk of error output; b"" at the end."""

    def resize(self, width: int, height: int) -> None: ...

    async def wait(self) -> int:
        """The exit code (128 + N when killed by signal N)."""

    def kill(self) -> None: ...


class StreamingRuntime(Runtime, Protocol):
    """What the kubelet's server needs of a runtime that runs real processes.  Pods are
    named by uid; a missing pod or container, or one not running, raises LookupError
    with a message fit for the user."""

    async def exec(self, uid: str, container: str, argv: list[str], *, stdin: bool,
                   tty: bool) -> Streams:
        """Start ``argv`` in the container's namespaces, root and environment."""

    async def attach(self, uid: str, container: str, *, stdin: bool, tty: bool) -> Streams:
        """The running container's own streams: output from now on, and its stdin if
        the container was created with ``stdin: true``."""

    def log_file(self, uid: str, container: str, previous: bool = False) -> str:
        """The path of the container's log (of the run before this one with
        ``previous``), one line per line of output::

            2026-11-28T13:43:30.123456789Z stdout F the line's text

        (``P`` instead of ``F`` marks a partial line whose rest follows)."""

    async def dial(self, uid: str, port: int) -> tuple[Any, Any]:
        """An (asyncio.StreamReader, asyncio.StreamWriter) connected to ``port`` on the
        pod's own localhost, inside its network namespace."""

    def stats(self) -> dict[str, Any]:
        """Per pod uid: {"cpu_ns": cumulative CPU ns, "memory": {"usage": B, "working_set": B,
        "rss": B}, "containers": {name: {"cpu_ns", "memory", "started": RFC 3339}}}, read from the
        cgroups."""
