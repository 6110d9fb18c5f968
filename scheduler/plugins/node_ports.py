"""NodePorts: the host ports a pod asks for are free on the node (``0.0.0.0`` conflicts
with every address; TCP, UDP and SCTP are separate)."""

from __future__ import annotations

from ..framework import NodeInfo, PodInfo

NAME = "NodePorts"
REASON = "node(s) didn't have free ports for the requested pod ports"


def filter(pod: PodInfo, node: NodeInfo) -> list[str]:
    for wanted in pod.ports:
        if any(wanted.conflicts(used) for used in node.used_ports):
            return [REASON]
    return []
