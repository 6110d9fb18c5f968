"""One scheduling decision in pure Python: filter the nodes, score those that fit, pick one.

This is the readable twin of the native core to come (``_native/``), and the
specification it is tested against.  ``schedule`` returns the chosen node, or a
:class:`FitError` whose message is upstream's summary of why no node fits
("0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint {a: b}.").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .framework import NodeInfo, PodInfo
from .plugins import FILTERS, SCORES


@dataclass
class FitError(Exception):
    """No node fits: how many nodes there were, and for each reason how many it stopped."""

    pod: PodInfo
    total_nodes: int
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def message(self) -> str:
        """Upstream's form: counts and reasons sorted by the reason text."""
        summary = ", ".join(f"{count} {reason}" for reason, count in sorted(self.reasons.items()))
        return f"0/{self.total_nodes} nodes are available: {summary}."

    def __str__(self) -> str:
        return self.message


def filter_node(pod: PodInfo, node: NodeInfo) -> list[str]:
    """The reasons ``node`` cannot take ``pod``, from the first filter that fails."""
    for plugin in FILTERS:
        reasons: list[str] = plugin.filter(pod, node)
        if reasons:
            return reasons
    return []


def feasible_nodes(pod: PodInfo, nodes: Sequence[NodeInfo]) -> tuple[list[NodeInfo], Counter[str]]:
    """The nodes that fit, and a count of the reasons the others do not."""
    fit = []
    reasons: Counter[str] = Counter()
    for node in nodes:
        why = filter_node(pod, node)
        if why:
            reasons.update(why)
        else:
            fit.append(node)
    return fit, reasons


def score_nodes(pod: PodInfo, nodes: Sequence[NodeInfo]) -> list[int]:
    """Each node's total: every score plugin's (normalized) score times its weight."""
    totals = [0] * len(nodes)
    for plugin, weight in SCORES:
        scores = [plugin.score(pod, node) for node in nodes]
        normalize = getattr(plugin, "normalize", None)
        if normalize is not None:
            scores = normalize(scores)
        for i, s in enumerate(scores):
            totals[i] += s * weight
    return totals


def schedule(pod: PodInfo, nodes: Sequence[NodeInfo]) -> NodeInfo:
    """The node for ``pod``: the best-scoring feasible node, the first in ``nodes`` order
    among equals.  Raises FitError when none fits."""
    fit, reasons = feasible_nodes(pod, nodes)
    if not fit:
        raise FitError(pod, len(nodes), reasons)
    if len(fit) == 1:
        return fit[0]
    totals = score_nodes(pod, fit)
    best = max(range(len(fit)), key=lambda i: (totals[i], -i))
    return fit[best]
