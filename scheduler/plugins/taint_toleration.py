"""TaintToleration: a pod fits a node only if it tolerates every NoSchedule and NoExecute
taint there; among the nodes it fits, fewer untolerated PreferNoSchedule taints score
higher."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..framework import MAX_NODE_SCORE, NodeInfo, PodInfo

NAME = "TaintToleration"


def tolerates(toleration: dict[str, Any], taint: dict[str, Any]) -> bool:
    """Upstream's ToleratesTaint: an empty effect or key in the toleration matches any;
    ``Exists`` ignores the value, ``Equal`` (the default) needs it to be the same."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    return operator == "Equal" and (toleration.get("value") or "") == (taint.get("value") or "")


def tolerated(tolerations: Iterable[dict[str, Any]], taint: dict[str, Any]) -> bool:
    return any(tolerates(t, taint) for t in tolerations)


def filter(pod: PodInfo, node: NodeInfo) -> list[str]:
    for taint in node.taints:
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerated(pod.tolerations, taint):
            return [f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value', '')}}}"]
    return []


def score(pod: PodInfo, node: NodeInfo) -> int:
    """The number of PreferNoSchedule taints the pod does not tolerate (normalized later:
    fewer is better)."""
    prefer = [t for t in pod.tolerations if (t.get("effect") or "PreferNoSchedule") == "PreferNoSchedule"]
    return sum(1 for taint in node.taints
               if taint.get("effect") == "PreferNoSchedule" and not tolerated(prefer, taint))


def normalize(scores: list[int]) -> list[int]:
    """Reverse: the node with the most untolerated taints scores 0, none scores 100."""
    top = max(scores, default=0)
    if top == 0:
        return [MAX_NODE_SCORE] * len(scores)
    return [MAX_NODE_SCORE - s * MAX_NODE_SCORE // top for s in scores]
