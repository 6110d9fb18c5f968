"""SelectorSpread: the pods of one service, replication controller, replica set or stateful
set are spread over nodes and, more strongly, over zones, as the multi-zone clusters of
Kubernetes 1.2 spread them.

For the pod being placed, the selectors of those owners that match it are known
(``PodInfo.spread_selectors``); a node scores higher the fewer pods of the same namespace
matching any of them it holds, and its zone the fewer such pods all its nodes hold.  With
zones, a node's score is one third its own and two thirds its zone's::

    node  = 100 * (most on any node - on this node) / most on any node   (100 if none)
    zone  = 100 * (most in any zone - in this zone) / most in any zone
    score = node / 3 + zone * 2 / 3
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..framework import MAX_NODE_SCORE, NodeInfo, PodInfo

NAME = "SelectorSpread"
ZONE_WEIGHTING = 2 / 3


def kin_on(node: NodeInfo, namespace: str, selectors: Sequence[Any], skip: str = "") -> int:
    """The pods on ``node`` of ``namespace``, not being deleted, that any of ``selectors``
    matches (the pod ``skip`` left out)."""
    count = 0
    for other in node.pods.values():
        if other.namespace != namespace or other.key == skip:
            continue
        if (other.pod.get("metadata") or {}).get("deletionTimestamp"):
            continue
        if any(selector.matches(other.labels) for selector in selectors):
            count += 1
    return count


def score_all(pod: PodInfo, nodes: Sequence[NodeInfo]) -> list[int]:
    if not pod.spread_selectors:
        return [MAX_NODE_SCORE] * len(nodes)  # nothing to spread from: all alike
    counts = [kin_on(node, pod.namespace, pod.spread_selectors, pod.key) for node in nodes]
    by_zone: dict[str, int] = {}
    for node, count in zip(nodes, counts, strict=True):
        if node.zone:
            by_zone[node.zone] = by_zone.get(node.zone, 0) + count
    most_on_node = max(counts, default=0)
    most_in_zone = max(by_zone.values(), default=0)
    scores = []
    for node, count in zip(nodes, counts, strict=True):
        score = float(MAX_NODE_SCORE)
        if most_on_node > 0:
            score = MAX_NODE_SCORE * (most_on_node - count) / most_on_node
        if by_zone and node.zone:
            zone_score = float(MAX_NODE_SCORE)
            if most_in_zone > 0:
                zone_score = MAX_NODE_SCORE * (most_in_zone - by_zone[node.zone]) / most_in_zone
            score = score * (1 - ZONE_WEIGHTING) + zone_score * ZONE_WEIGHTING
        scores.append(int(score))
    return scores
