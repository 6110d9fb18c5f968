"""NodeUnschedulable: a cordoned node (``spec.unschedulable``) takes only pods that
tolerate the ``node.kubernetes.io/unschedulable:NoSchedule`` taint."""

from __future__ import annotations

from ..framework import NodeInfo, PodInfo
from .taint_toleration import tolerated

NAME = "NodeUnschedulable"
REASON = "node(s) were unschedulable"
TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


def filter(pod: PodInfo, node: NodeInfo) -> list[str]:
    if node.unschedulable and not tolerated(pod.tolerations, TAINT):
        return [REASON]
    return []
