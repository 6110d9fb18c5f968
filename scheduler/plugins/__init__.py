"""The scheduler's plugins, one module each, in one literal registry.

A plugin module has a ``NAME`` and ``filter(pod, node) -> reasons`` and/or
``score(pod, node) -> int`` (0..100, or raw and then ``normalize(scores)``), or, when a
node's score depends on the others (spreading), ``score_all(pod, nodes) -> scores``; one
whose filter needs all nodes counted first has ``prefilter(pod, nodes)``, which leaves
its results in ``pod.cycle``.  Filters run in
the order below and stop at the first failure for a node, as upstream's do; scores are
summed with the weights of upstream's default profile.
"""

from __future__ import annotations

from types import ModuleType

from . import (
    balanced_allocation,
    node_affinity,
    node_name,
    node_ports,
    node_resources_fit,
    node_unschedulable,
    pod_topology_spread,
    selector_spread,
    taint_toleration,
)

FILTERS: tuple[ModuleType, ...] = (
    node_unschedulable,
    node_name,
    taint_toleration,
    node_affinity,
    node_ports,
    node_resources_fit,
    pod_topology_spread,
)

# plugins that compute, once per decision, what their filter needs to know of all nodes
PREFILTERS: tuple[ModuleType, ...] = (pod_topology_spread,)

# (plugin, weight)
SCORES: tuple[tuple[ModuleType, int], ...] = (
    (taint_toleration, 3),
    (node_affinity, 2),
    (node_resources_fit, 1),
    (balanced_allocation, 1),
    # in the place of upstream's PodTopologySpread system defaults, with their weight
    (selector_spread, 2),
    (pod_topology_spread, 2),
)

BY_NAME: dict[str, ModuleType] = {p.NAME: p for p in (*FILTERS, *(p for p, _ in SCORES))}
