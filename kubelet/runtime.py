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
