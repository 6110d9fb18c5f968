"""NodeAffinity: the node matches the pod's ``nodeSelector`` and required node affinity;
nodes matching more (by weight) of its preferred terms score higher."""

from __future__ import annotations

from typing import Any

from ..framework import MAX_NODE_SCORE, NodeInfo, PodInfo

NAME = "NodeAffinity"
REASON = "node(s) didn't match Pod's node affinity/selector"


def _requirement_matches(req: dict[str, Any], value: str | None) -> bool:
    operator = req.get("operator")
    values = req.get("values") or []
    if operator == "In":
        return value is not None and value in values
    if operator == "NotIn":
        return value is None or value not in values
    if operator == "Exists":
        return value is not None
    if operator == "DoesNotExist":
        return value is None
    if operator in ("Gt", "Lt"):
        if value is None or len(values) != 1:
            return False
        try:
            have, bound = int(value), int(values[0])
        except ValueError:
            return False
        return have > bound if operator == "Gt" else have < bound
    return False


def term_matches(term: dict[str, Any], node: NodeInfo) -> bool:
    """A NodeSelectorTerm: every expression on labels and every field (only
    ``metadata.name``) holds; a term with neither matches no node, as upstream."""
    expressions = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not expressions and not fields:
        return False
    for req in expressions:
        if not _requirement_matches(req, node.labels.get(req.get("key", ""))):
            return False
    for req in fields:
        value = node.name if req.get("key") == "metadata.name" else None
        if not _requirement_matches(req, value):
            return False
    return True


def filter(pod: PodInfo, node: NodeInfo) -> list[str]:
    for key, value in pod.node_selector.items():
        if node.labels.get(key) != value:
            return [REASON]
    if pod.required_terms is not None and not any(term_matches(t, node)
                                                  for t in pod.required_terms):
        return [REASON]
    return []


def score(pod: PodInfo, node: NodeInfo) -> int:
    """The summed weights of the preferred terms the node matches (normalized later)."""
    return sum(int(t.get("weight") or 0) for t in pod.preferred_terms
               if term_matches(t.get("preference") or {}, node))


def normalize(scores: list[int]) -> list[int]:
    top = max(scores, default=0)
    if top == 0:
        return list(scores)
    return [s * MAX_NODE_SCORE // top for s in scores]
