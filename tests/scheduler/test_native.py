"""The native core decides exactly as the pure algorithm: same node for every pod, same
FitError message when none fits, on random clusters and pod sequences."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paddock.core.labels import selector_from_set
from paddock.scheduler.algorithm import Algorithm, FitError
from paddock.scheduler.framework import NodeInfo, PodInfo
from paddock.scheduler.native import NativeAlgorithm

ZONES = ["a", "b", "c"]
TAINTS = [{"key": "dedicated", "value": "db", "effect": "NoSchedule"},
          {"key": "soft", "effect": "PreferNoSchedule"},
          {"key": "gone", "effect": "NoExecute"}]

nodes_strategy = st.lists(st.fixed_dictionaries({
    "cpu": st.sampled_from(["1", "2", "4", "500m"]),
    "memory": st.sampled_from(["1Gi", "2Gi", "8Gi"]),
    "pods": st.sampled_from(["3", "10", "110"]),
    "zone": st.sampled_from(ZONES),
    "disk": st.sampled_from(["ssd", "hdd", None]),
    "taint": st.sampled_from([None, 0, 1, 2]),
    "cordoned": st.booleans(),
}), min_size=1, max_size=12)

pods_strategy = st.lists(st.fixed_dictionaries({
    "cpu": st.sampled_from([None, "0", "100m", "500m", "1", "3"]),
    "memory": st.sampled_from([None, "100Mi", "1Gi", "3Gi"]),
    "selector": st.sampled_from([None, "ssd", "hdd"]),
    "preferred": st.sampled_from([None, "a", "b"]),
    "tolerate": st.sampled_from([None, "dedicated", "soft", "all"]),
    "app": st.sampled_from([None, "web", "db"]),
    "topology": st.sampled_from([None, None, "DoNotSchedule", "ScheduleAnyway"]),
}), min_size=1, max_size=25)


def build_nodes(specs: list[dict[str, Any]]) -> list[NodeInfo]:
    nodes = []
    for i, s in enumerate(specs):
        labels = {"topology.kubernetes.io/zone": s["zone"]}
        if s["disk"]:
            labels["disk"] = s["disk"]
        taints = [TAINTS[s["taint"]]] if s["taint"] is not None else []
        nodes.append(NodeInfo.of({
            "metadata": {"name": f"n{i:02d}", "labels": labels},
            "spec": {"taints": taints, "unschedulable": s["cordoned"]},
            "status": {"allocatable": {"cpu": s["cpu"], "memory": s["memory"],
                                       "pods": s["pods"]}}}))
    return nodes


def build_pod(i: int, s: dict[str, Any]) -> PodInfo:
    requests = {k: s[k] for k in ("cpu", "memory") if s[k] is not None}
    spec: dict[str, Any] = {"containers": [{"name": "c", "resources": {"requests": requests}}]}
    if s["selector"]:
        spec["nodeSelector"] = {"disk": s["selector"]}
    if s["preferred"]:
        spec["affinity"] = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 7, "preference": {"matchExpressions": [
                {"key": "topology.kubernetes.io/zone", "operator": "In",
                 "values": [s["preferred"]]}]}}]}}
    if s["tolerate"] == "all":
        spec["tolerations"] = [{"operator": "Exists"}]
    elif s["tolerate"]:
        spec["tolerations"] = [{"key": s["tolerate"], "operator": "Exists"}]
    labels = {"app": s["app"]} if s["app"] else {}
    if s.get("topology"):
        spec["topologySpreadConstraints"] = [{
            "maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": s["topology"], "labelSelector": {"matchLabels": labels}}]
    info = PodInfo.of({"metadata": {"name": f"p{i}", "namespace": "ns", "labels": labels},
                       "spec": spec})
    if s["app"]:
        info.spread_selectors = [selector_from_set({"app": s["app"]})]
    return info


def decide(algorithm: Algorithm, nodes: list[NodeInfo], pods: list[PodInfo]) -> list[str]:
    out = []
    for pod in pods:
        try:
            node = algorithm.schedule(pod, nodes)
        except FitError as e:
            out.append(e.message)
            continue
        node.add_pod(pod)
        out.append(node.name)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node_specs=nodes_strategy, pod_specs=pods_strategy, percentage=st.sampled_from([0, 50]))
def test_native_and_pure_choose_the_same_nodes(node_specs: list[dict[str, Any]],
                                               pod_specs: list[dict[str, Any]],
                                               percentage: int) -> None:
    pods = [build_pod(i, s) for i, s in enumerate(pod_specs)]
    pure = decide(Algorithm(percentage), build_nodes(node_specs), pods)
    native = decide(NativeAlgorithm(percentage), build_nodes(node_specs),
                    [build_pod(i, s) for i, s in enumerate(pod_specs)])
    assert native == pure


def test_pods_with_host_ports_or_extended_resources_are_decided_too() -> None:
    nodes = build_nodes([{"cpu": "2", "memory": "2Gi", "pods": "10", "zone": "a",
                          "disk": None, "taint": None, "cordoned": False}] * 2)
    ported = PodInfo.of({"metadata": {"name": "web", "namespace": "ns"}, "spec": {"containers": [
        {"name": "c", "ports": [{"containerPort": 80, "hostPort": 80}]}]}})
    algorithm = NativeAlgorithm()
    first = algorithm.schedule(ported, nodes)
    first.add_pod(ported)
    second = PodInfo.of({**ported.pod, "metadata": {"name": "web2", "namespace": "ns"}})
    assert algorithm.schedule(second, nodes) is not first


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node_specs=nodes_strategy, copies=st.integers(10, 25), pod_specs=pods_strategy,
       percentage=st.sampled_from([0, 30, 50]))
def test_large_clusters_sample_the_same_nodes_round_robin(
        node_specs: list[dict[str, Any]], copies: int, pod_specs: list[dict[str, Any]],
        percentage: int) -> None:
    """Past 100 nodes only a share is filtered per pod, from where the last pod stopped."""
    specs = node_specs * copies
    pods = [build_pod(i, s) for i, s in enumerate(pod_specs)]
    pure = decide(Algorithm(percentage), build_nodes(specs), pods)
    native = decide(NativeAlgorithm(percentage), build_nodes(specs),
                    [build_pod(i, s) for i, s in enumerate(pod_specs)])
    assert native == pure


def test_spreading_counts_follow_pods_that_leave() -> None:
    specs = [{"cpu": "8", "memory": "8Gi", "pods": "110", "zone": z, "disk": None,
              "taint": None, "cordoned": False} for z in ("a", "a", "b", "c")]
    web = {"cpu": "100m", "memory": None, "selector": None, "preferred": None,
           "tolerate": None, "app": "web", "topology": None}
    results = []
    for algorithm in (Algorithm(), NativeAlgorithm()):
        nodes = build_nodes(specs)
        placed = []
        for i in range(6):
            pod = build_pod(i, web)
            node = algorithm.schedule(pod, nodes)
            node.add_pod(pod)
            placed.append(node)
        # zone a loses its pods: the next pods should go back there
        for node in nodes[:2]:
            for key in list(node.pods):
                node.remove_pod(key)
        results.append([algorithm.schedule(build_pod(10 + i, web), nodes).name
                        for i in range(1)] + [n.name for n in placed])
    assert results[0] == results[1]
    assert results[1][0] in ("n00", "n01")


# --- every plugin on both implementations: feasible sets, reasons and scores ----------------

rich_pods = st.lists(st.fixed_dictionaries({
    "base": pods_strategy.map(lambda specs: specs[0]),
    "port": st.sampled_from([None, None, 80, 8080]),
    "gpu": st.sampled_from([None, None, "1", "2"]),
    "key": st.sampled_from(["topology.kubernetes.io/zone", "kubernetes.io/hostname", "disk"]),
    "min_domains": st.sampled_from([None, 2, 4]),
    "taints_policy": st.sampled_from([None, "Honor"]),
    "affinity_policy": st.sampled_from([None, "Ignore"]),
    "match_label_keys": st.booleans(),
    "skew": st.sampled_from([1, 2]),
    "event": st.sampled_from([None, None, None, "relabel", "taint", "remove", "add"]),
}), min_size=1, max_size=20)


def build_rich_pod(i: int, s: dict[str, Any]) -> PodInfo:
    pod = build_pod(i, s["base"]).pod
    spec, labels = pod["spec"], pod["metadata"]["labels"]
    labels["rev"] = str(i % 2)
    container = spec["containers"][0]
    if s["port"]:
        container["ports"] = [{"containerPort": 80, "hostPort": s["port"]}]
    if s["gpu"]:
        container["resources"]["requests"]["example.com/gpu"] = s["gpu"]
    for c in spec.get("topologySpreadConstraints") or ():
        c.update(topologyKey=s["key"], maxSkew=s["skew"])
        if s["min_domains"] and c["whenUnsatisfiable"] == "DoNotSchedule":
            c["minDomains"] = s["min_domains"]
        if s["taints_policy"]:
            c["nodeTaintsPolicy"] = s["taints_policy"]
        if s["affinity_policy"]:
            c["nodeAffinityPolicy"] = s["affinity_policy"]
        if s["match_label_keys"]:
            c["matchLabelKeys"] = ["rev"]
    info = PodInfo.of(pod)
    info.spread_selectors = build_pod(i, s["base"]).spread_selectors
    return info


def node_event(nodes: list[NodeInfo], event: str | None, step: int) -> list[NodeInfo]:
    """A cluster change as the cache makes it: a new list, a changed node a new NodeInfo."""
    if event is None or not nodes:
        return nodes
    i = step % len(nodes)
    old = nodes[i]
    raw = {**old.node, "metadata": {**old.node["metadata"],
                                    "labels": dict(old.node["metadata"]["labels"])},
           "spec": dict(old.node["spec"])}
    if event == "relabel":
        raw["metadata"]["labels"]["disk"] = "hdd" if old.labels.get("disk") == "ssd" else "ssd"
    elif event == "taint":
        raw["spec"]["taints"] = [] if old.taints else [TAINTS[step % 3]]
    elif event == "remove":
        return nodes[:i] + nodes[i + 1:]
    elif event == "add":
        raw["metadata"]["name"] = f"x{step:02d}"
        return [*nodes, NodeInfo.of(raw)]
    new = NodeInfo.of(raw, old.pods.values())
    return [*nodes[:i], new, *nodes[i + 1:]]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(node_specs=nodes_strategy, pod_specs=rich_pods)
def test_native_and_pure_agree_on_feasible_nodes_reasons_and_scores(
        node_specs: list[dict[str, Any]], pod_specs: list[dict[str, Any]]) -> None:
    """Host ports, extended resources, every PodTopologySpread option, and nodes that
    change, leave and join between decisions (the native core's per-node invalidation)."""
    for spec in node_specs:
        spec["gpu"] = None
    raw_nodes = build_nodes(node_specs)
    for k, node in enumerate(raw_nodes):
        node.node["metadata"]["labels"]["kubernetes.io/hostname"] = node.name
        node.node["status"]["allocatable"]["example.com/gpu"] = str(k % 3)
    sides = [(Algorithm(), [NodeInfo.of(n.node) for n in raw_nodes]),
             (NativeAlgorithm(), [NodeInfo.of(n.node) for n in raw_nodes])]
    for i, s in enumerate(pod_specs):
        outcomes = []
        for index, (algorithm, nodes) in enumerate(sides):
            nodes = node_event(nodes, s["event"], i)
            sides[index] = (algorithm, nodes)
            fit, reasons, totals = algorithm.evaluate(build_rich_pod(i, s), nodes)
            outcomes.append(([n.name for n in fit], dict(reasons), totals))
        assert outcomes[0] == outcomes[1]
        names, _, totals = outcomes[0]
        if names:
            best = names[max(range(len(names)), key=lambda k: (totals[k], -k))]
            for _, nodes in sides:
                next(n for n in nodes if n.name == best).add_pod(build_rich_pod(i, s))


def test_parallel_scoring_sums_as_the_serial_loop_and_the_pure_twin() -> None:
    """Past PARALLEL_MIN nodes to score the sums run under prange: same totals."""
    from paddock._native.scheduler import PARALLEL_MIN

    specs = [{"cpu": c, "memory": m, "pods": "110", "zone": z, "disk": d, "taint": t,
              "cordoned": False}
             for c in ("1", "2", "4") for m in ("1Gi", "8Gi") for z in ZONES
             for d in ("ssd", None) for t in (None, 1)] * 20
    assert len(specs) > PARALLEL_MIN
    base = {"cpu": "100m", "memory": "100Mi", "selector": None, "preferred": "a",
            "tolerate": None, "app": "web", "topology": "ScheduleAnyway"}
    results = []
    for algorithm in (Algorithm(100), NativeAlgorithm(100, threads=1),
                      NativeAlgorithm(100, threads=2)):
        nodes = build_nodes(specs)
        seen = []
        for i in range(4):
            pod = build_pod(i, base)
            fit, _, totals = algorithm.evaluate(pod, nodes)
            seen.append(totals)
            algorithm.schedule(pod, nodes).add_pod(pod)
        results.append(seen)
    assert results[0] == results[1] == results[2]
