"""PodTopologySpread: a pod's ``topologySpreadConstraints``.

For each constraint, the *domains* are the values of ``topologyKey`` on the nodes the pod
could go to (its node selector and required affinity honoured, as upstream's default
``nodeAffinityPolicy: Honor``), and a domain's count is the number of pods there, of the
pod's namespace, that ``labelSelector`` matches.  ``DoNotSchedule`` constraints filter: a
node fits if it has the key and placing the pod would leave its domain at most ``maxSkew``
above the emptiest domain.  ``ScheduleAnyway`` constraints score: fewer matching pods in
the node's domains scores higher, each constraint weighted by the log of its number of
domains (upstream's formula).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from paddock.core.labels import SelectorError, selector_from_label_selector

from ..framework import MAX_NODE_SCORE, NodeInfo, PodInfo
from . import node_affinity

NAME = "PodTopologySpread"
REASON = "node(s) didn't match pod topology spread constraints"
MISSING_LABEL = REASON + " (missing required label)"


class _Constraint:
    __slots__ = ("key", "max_skew", "hard", "selector", "counts", "self_match")

    def __init__(self, raw: dict[str, Any], pod: PodInfo) -> None:
        self.key = raw.get("topologyKey") or ""
        self.max_skew = int(raw.get("maxSkew") or 1)
        self.hard = (raw.get("whenUnsatisfiable") or "DoNotSchedule") == "DoNotSchedule"
        try:
            self.selector = selector_from_label_selector(raw.get("labelSelector"))
        except SelectorError:
            self.selector = selector_from_label_selector(None)  # selects nothing
        self.counts: dict[str, int] = {}
        self.self_match = 1 if self.selector.matches(pod.labels) else 0


def constraints(pod: PodInfo) -> list[dict[str, Any]]:
    return list((pod.pod.get("spec") or {}).get("topologySpreadConstraints") or ())


def prefilter(pod: PodInfo, nodes: Sequence[NodeInfo]) -> None:
    """Count the matching pods of every domain, over every node the pod could use."""
    compiled = [_Constraint(raw, pod) for raw in constraints(pod)]
    pod.cycle[NAME] = compiled
    if not compiled:
        return
    for node in nodes:
        if node_affinity.filter(pod, node):
            continue  # a node the pod may not use is no domain of its spread
        for c in compiled:
            value = node.labels.get(c.key)
            if value is None:
                continue
            count = c.counts.get(value, 0)
            for other in node.pods.values():
                if (other.namespace == pod.namespace and other.key != pod.key
                        and c.selector.matches(other.labels)):
                    count += 1
            c.counts[value] = count


def filter(pod: PodInfo, node: NodeInfo) -> list[str]:
    for c in pod.cycle.get(NAME, ()):
        if not c.hard:
            continue
        value = node.labels.get(c.key)
        if value is None:
            return [MISSING_LABEL]
        fewest = min(c.counts.values(), default=0)
        if c.counts.get(value, 0) + c.self_match - fewest > c.max_skew:
            return [REASON]
    return []


def score_all(pod: PodInfo, nodes: Sequence[NodeInfo]) -> list[int]:
    soft = [c for c in pod.cycle.get(NAME, ()) if not c.hard]
    if not soft:
        return [MAX_NODE_SCORE] * len(nodes)
    raw: list[int | None] = []
    for node in nodes:
        total = 0.0
        missing = False
        for c in soft:
            value = node.labels.get(c.key)
            if value is None:
                missing = True
                break
            total += c.counts.get(value, 0) * math.log(len(c.counts) + 2) + (c.max_skew - 1)
        raw.append(None if missing else round(total))
    present = [s for s in raw if s is not None]
    if not present:
        return [0] * len(nodes)
    top, bottom = max(present), min(present)
    return [0 if s is None else (MAX_NODE_SCORE if top == 0 else
                                 MAX_NODE_SCORE * (top + bottom - s) // top) for s in raw]
