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
from .plugins import FILTERS, PREFILTERS, SCORES


@dataclass
class FitError(Exception):
    """No node fits: how many nodes there were, and for each reason how many it stopped."""

    pod: PodInfo
    total_nodes: int
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def message(self) -> str:
        """Upstream's form: ``"<count> <reason>"`` entries sorted as strings (count and
        all, so ``10 ...`` sorts before ``2 ...``), joined by commas, with a period.  No
        preemption suffix: this scheduler does not preempt."""
        if self.total_nodes == 0:
            return "no nodes available to schedule pods"
        summary = ", ".join(sorted(f"{count} {reason}" for reason, count in self.reasons.items()))
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
    for plugin in PREFILTERS:
        plugin.prefilter(pod, nodes)
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
        score_all = getattr(plugin, "score_all", None)
        if score_all is not None:
            scores = score_all(pod, nodes)
        else:
            scores = [plugin.score(pod, node) for node in nodes]
        normalize = getattr(plugin, "normalize", None)
        if normalize is not None:
            scores = normalize(scores)
        for i, s in enumerate(scores):
            totals[i] += s * weight
    return totals


def schedule(pod: PodInfo, nodes: Sequence[NodeInfo]) -> NodeInfo:
    """The node for ``pod`` among all ``nodes``: the best-scoring feasible node, the first
    in ``nodes`` order among equals.  Raises FitError when none fits."""
    return Algorithm(percentage_of_nodes_to_score=100).schedule(pod, nodes)


MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5


def nodes_to_find(all_nodes: int, percentage: int) -> int:
    """How many feasible nodes to look for before scoring, as upstream: every node of a
    small cluster; else ``percentage`` of them (0: adaptive, 50% less 1% per 125 nodes,
    at least 5%), and never fewer than 100."""
    if all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return all_nodes
    if percentage <= 0:
        percentage = max(50 - all_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    return max(all_nodes * min(percentage, 100) // 100, MIN_FEASIBLE_NODES_TO_FIND)


class Algorithm:
    """Scheduling decisions over a large cluster: filter nodes round-robin from where the
    last decision stopped, until enough feasible ones are found, then score those."""

    def __init__(self, percentage_of_nodes_to_score: int = 0) -> None:
        self.percentage = percentage_of_nodes_to_score
        self.next_start = 0

    def schedule(self, pod: PodInfo, nodes: Sequence[NodeInfo]) -> NodeInfo:
        total = len(nodes)
        if total == 0:
            raise FitError(pod, 0)
        wanted = nodes_to_find(total, self.percentage)
        for plugin in PREFILTERS:
            plugin.prefilter(pod, nodes)
        fit: list[NodeInfo] = []
        reasons: Counter[str] = Counter()
        processed = 0
        for i in range(total):
            node = nodes[(self.next_start + i) % total]
            processed += 1
            why = filter_node(pod, node)
            if why:
                reasons.update(why)
            else:
                fit.append(node)
                if len(fit) >= wanted:
                    break
        self.next_start = (self.next_start + processed) % total
        if not fit:
            raise FitError(pod, total, reasons)
        if len(fit) == 1:
            return fit[0]
        totals = score_nodes(pod, fit)
        best = max(range(len(fit)), key=lambda i: (totals[i], -i))
        return fit[best]

    def evaluate(self, pod: PodInfo, nodes: Sequence[NodeInfo]) -> tuple[
            list[NodeInfo], Counter[str], list[int]]:
        """Every node filtered (in ``nodes`` order): the feasible ones, the reasons the
        others failed, and the feasible ones' total scores; what tests compare."""
        fit, reasons = feasible_nodes(pod, nodes)
        return fit, reasons, score_nodes(pod, fit) if fit else []
