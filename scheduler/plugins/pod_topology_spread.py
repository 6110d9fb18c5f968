"""PodTopologySpread: a pod's ``topologySpreadConstraints``, as upstream's plugin reads them.

For a constraint, the *domains* are the values of ``topologyKey`` on the nodes, and a
domain's count is the number of pods there of the pod's namespace, not being deleted,
that ``labelSelector`` matches (narrowed by ``matchLabelKeys`` to the pod's own values of
those labels).  A node takes part in the counting only if it has the keys of every
constraint of the kind being evaluated and passes the constraint's inclusion policies:
``nodeAffinityPolicy`` (default ``Honor``: the pod's node selector and required affinity
must match it) and ``nodeTaintsPolicy`` (default ``Ignore``; ``Honor``: the pod must
tolerate its NoSchedule and NoExecute taints).

``DoNotSchedule`` constraints filter: a node fits if it has the key and placing the pod
would leave its domain at most ``maxSkew`` above the emptiest domain (taken as 0 while
there are fewer domains than ``minDomains``).  ``ScheduleAnyway`` constraints score:
the domains are those of the feasible nodes, each node's raw score is the sum over the
constraints of its domain's count times ``log(domains + 2)`` plus ``maxSkew - 1`` (for
``kubernetes.io/hostname``, the node's own count and the number of feasible nodes),
rounded half away from zero; then fewer is better.  Nodes without every key score 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from paddock.core.labels import SelectorError, selector_from_label_selector

from ..framework import HOSTNAME_LABEL, MAX_NODE_SCORE, NodeInfo, PodInfo
from . import node_affinity, selector_spread, taint_toleration

NAME = "PodTopologySpread"
REASON = "node(s) didn't match pod topology spread constraints"
MISSING_LABEL = REASON + " (missing required label)"
# upstream's minimum before any domain is counted: every node is within any skew of it
NO_DOMAINS_MIN = 2**31 - 1


class Constraint:
    """One of the pod's constraints, compiled."""

    __slots__ = ("key", "max_skew", "hard", "selector", "self_match", "min_domains",
                 "honor_affinity", "honor_taints")

    def __init__(self, raw: dict[str, Any], pod: PodInfo) -> None:
        self.key: str = raw.get("topologyKey") or ""
        self.max_skew = int(raw.get("maxSkew") or 1)
        self.hard = (raw.get("whenUnsatisfiable") or "DoNotSchedule") == "DoNotSchedule"
        self.min_domains = int(raw.get("minDomains") or 0) if self.hard else 0
        self.honor_affinity = (raw.get("nodeAffinityPolicy") or "Honor") == "Honor"
        self.honor_taints = (raw.get("nodeTaintsPolicy") or "Ignore") == "Honor"
        given = raw.get("labelSelector")
        selector = dict(given) if isinstance(given, dict) else None
        keys = [k for k in raw.get("matchLabelKeys") or () if k in pod.labels]
        if selector is not None and keys:
            selector["matchExpressions"] = [*(selector.get("matchExpressions") or ()), *(
                {"key": k, "operator": "In", "values": [pod.labels[k]]} for k in keys)]
        try:
            # no labelSelector selects nothing, as upstream's conversion of a nil selector
            self.selector = selector_from_label_selector(selector)
        except SelectorError:
            self.selector = selector_from_label_selector(None)
        self.self_match = 1 if self.selector.matches(pod.labels) else 0

    @property
    def column(self) -> tuple[str, ...]:
        """What identifies the selector among the native core's count columns."""
        return ("∅" if self.selector.matches_nothing else "") + str(self.selector),

    def includes(self, pod: PodInfo, node: NodeInfo) -> bool:
        """The inclusion policies: whether ``node`` counts for this constraint."""
        if self.honor_affinity and node_affinity.filter(pod, node):
            return False
        return not (self.honor_taints and taint_toleration.filter(pod, node))


def constraints(pod: PodInfo) -> list[dict[str, Any]]:
    return list((pod.pod.get("spec") or {}).get("topologySpreadConstraints") or ())


def compiled(pod: PodInfo) -> list[Constraint]:
    """The pod's constraints compiled once (kept on the PodInfo)."""
    cached = pod.cycle.get("constraints")
    if cached is None:
        cached = pod.cycle["constraints"] = [Constraint(raw, pod) for raw in constraints(pod)]
    return cached


def has_keys(node: NodeInfo, of: Sequence[Constraint]) -> bool:
    return all(c.key in node.labels for c in of)


def matching(node: NodeInfo, c: Constraint, pod: PodInfo) -> int:
    return selector_spread.kin_on(node, pod.namespace, (c.selector,), pod.key)


class _Filtering:
    """What the filter needs: each hard constraint's count per domain, and the minimum."""

    __slots__ = ("hard", "counts", "minimum")

    def __init__(self, pod: PodInfo, nodes: Sequence[NodeInfo]) -> None:
        self.hard = [c for c in compiled(pod) if c.hard]
        self.counts: list[dict[str, int]] = [{} for _ in self.hard]
        for node in nodes:
            if not self.hard or not has_keys(node, self.hard):
                continue
            for c, counts in zip(self.hard, self.counts, strict=True):
                if c.includes(pod, node):
                    value = node.labels[c.key]
                    counts[value] = counts.get(value, 0) + matching(node, c, pod)
        self.minimum = [0 if len(counts) < c.min_domains else min(counts.values(), default=NO_DOMAINS_MIN)
                        for c, counts in zip(self.hard, self.counts, strict=True)]


def prefilter(pod: PodInfo, nodes: Sequence[NodeInfo]) -> None:
    """Count the matching pods of every domain, over all nodes."""
    pod.cycle[NAME] = _Filtering(pod, nodes) if constraints(pod) else None
    pod.cycle["all nodes"] = nodes


def filter(pod: PodInfo, node: NodeInfo) -> list[str]:
    state: _Filtering | None = pod.cycle.get(NAME)
    if state is None:
        return []
    for c, counts, minimum in zip(state.hard, state.counts, state.minimum, strict=True):
        value = node.labels.get(c.key)
        if value is None:
            return [MISSING_LABEL]
        if counts.get(value, 0) + c.self_match - minimum > c.max_skew:
            return [REASON]
    return []


def round_half_away(x: float) -> int:
    """Go's ``math.Round`` for the non-negative scores here."""
    return math.floor(x + 0.5)


def score_all(pod: PodInfo, nodes: Sequence[NodeInfo]) -> list[int]:
    """Scores of the feasible ``nodes``; the counts are taken over all nodes (those the
    prefilter saw)."""
    soft = [c for c in compiled(pod) if not c.hard]
    if not soft:
        return [MAX_NODE_SCORE] * len(nodes)
    scored = [has_keys(node, soft) for node in nodes]
    counts: list[dict[str, int]] = [{} for _ in soft]
    for node, ok in zip(nodes, scored, strict=True):
        if ok:
            for c, domain in zip(soft, counts, strict=True):
                if c.key != HOSTNAME_LABEL:
                    domain.setdefault(node.labels[c.key], 0)
    weights = [math.log((sum(scored) if c.key == HOSTNAME_LABEL else len(domain)) + 2)
               for c, domain in zip(soft, counts, strict=True)]
    for node in pod.cycle.get("all nodes", nodes):
        if not has_keys(node, soft):
            continue
        for c, domain in zip(soft, counts, strict=True):
            value = node.labels[c.key]
            if value in domain and c.includes(pod, node):
                domain[value] += matching(node, c, pod)
    raw: list[int | None] = []
    for node, ok in zip(nodes, scored, strict=True):
        if not ok:
            raw.append(None)
            continue
        total = 0.0
        for c, domain, weight in zip(soft, counts, weights, strict=True):
            count = (matching(node, c, pod) if c.key == HOSTNAME_LABEL
                     else domain[node.labels[c.key]])
            total += count * weight + (c.max_skew - 1)
        raw.append(round_half_away(total))
    return _normalize(raw)


def _normalize(raw: Sequence[int | None]) -> list[int]:
    """Fewer is better: ``100 * (top + bottom - s) // top``; unscored nodes get 0."""
    present = [s for s in raw if s is not None]
    if not present:
        return [0] * len(raw)
    top, bottom = max(present), min(present)
    return [0 if s is None else (MAX_NODE_SCORE if top == 0 else
                                 MAX_NODE_SCORE * (top + bottom - s) // top) for s in raw]
