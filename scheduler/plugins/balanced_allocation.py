"""NodeResourcesBalancedAllocation: nodes whose CPU and memory would be used in equal
shares score higher, so that neither runs out while the other idles."""

from __future__ import annotations

import math

from ..framework import CPU, MAX_NODE_SCORE, MEMORY, NodeInfo, PodInfo

NAME = "NodeResourcesBalancedAllocation"


def score(pod: PodInfo, node: NodeInfo) -> int:
    """``(1 - standard deviation of the used fractions) * 100``; a fraction above 1 counts
    as 1.  With two resources the deviation is half their difference.  Unlike
    LeastAllocated, the actual requests count (no defaults for pods that state none)."""
    fractions = []
    for name in (CPU, MEMORY):
        allocatable = node.allocatable.get(name, 0)
        if allocatable == 0:
            continue
        requested = node.requested.get(name, 0) + pod.requests.get(name, 0)
        fractions.append(min(1.0, requested / allocatable))
    if len(fractions) < 2:
        return MAX_NODE_SCORE
    # the same operations in the same order as the native core, so both round alike
    mean = (fractions[0] + fractions[1]) / 2
    deviation = math.sqrt(((fractions[0] - mean) ** 2 + (fractions[1] - mean) ** 2) / 2)
    return int((1 - deviation) * MAX_NODE_SCORE)
