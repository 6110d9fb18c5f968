"""NodeResourcesFit: the node has room for the pod's requests; nodes with more room left
score higher (the LeastAllocated strategy, CPU and memory weighted equally)."""

from __future__ import annotations

from ..framework import CPU, MAX_NODE_SCORE, MEMORY, PODS, NodeInfo, PodInfo

NAME = "NodeResourcesFit"

# the resources LeastAllocated scores, and their weights (upstream's defaults)
SCORED = ((CPU, 1), (MEMORY, 1))


def filter(pod: PodInfo, node: NodeInfo) -> list[str]:
    """The reasons the pod does not fit (none: it fits)."""
    reasons = []
    allowed_pods = node.allocatable.get(PODS, 0)
    if len(node.pods) + 1 > allowed_pods:
        reasons.append("Too many pods")
    for name, amount in pod.requests.items():
        if amount <= 0 or name == PODS:
            continue
        if amount > node.allocatable.get(name, 0) - node.requested.get(name, 0):
            reasons.append(f"Insufficient {name}")
    return reasons


def _requested_with(pod: PodInfo, node: NodeInfo, name: str) -> int:
    """What the node would have requested of a scored resource with the pod on it, counting
    the non-zero defaults for pods that state no request."""
    if name == CPU:
        return node.non_zero_cpu + pod.non_zero_cpu
    return node.non_zero_memory + pod.non_zero_memory


def score(pod: PodInfo, node: NodeInfo) -> int:
    """0 to 100: the weighted share of CPU and memory left free once the pod is placed."""
    total = weights = 0
    for name, weight in SCORED:
        allocatable = node.allocatable.get(name, 0)
        requested = _requested_with(pod, node, name)
        if allocatable == 0 or requested > allocatable:
            free = 0
        else:
            free = (allocatable - requested) * MAX_NODE_SCORE // allocatable
        total += free * weight
        weights += weight
    return total // weights if weights else 0
