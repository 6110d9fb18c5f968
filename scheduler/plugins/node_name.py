"""NodeName: a pod that names its node fits that node only."""

from __future__ import annotations

from ..framework import NodeInfo, PodInfo

NAME = "NodeName"
REASON = "node(s) didn't match the requested node name"


def filter(pod: PodInfo, node: NodeInfo) -> list[str]:
    wanted = (pod.pod.get("spec") or {}).get("nodeName")
    return [REASON] if wanted and wanted != node.name else []
