"""Each scheduler plugin against table cases (the native core joins these as a second
implementation when it lands)."""

from __future__ import annotations

from typing import Any

import pytest

from paddock.scheduler import algorithm
from paddock.scheduler.framework import NodeInfo, PodInfo, pod_requests
from paddock.scheduler.plugins import (
    balanced_allocation,
    node_affinity,
    node_name,
    node_ports,
    node_resources_fit,
    node_unschedulable,
    taint_toleration,
)


def make_pod(name: str = "p", cpu: str | None = None, memory: str | None = None,
             **spec: Any) -> PodInfo:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    container: dict[str, Any] = {"name": "c", "image": "x"}
    if requests:
        container["resources"] = {"requests": requests}
    if "ports" in spec:
        container["ports"] = spec.pop("ports")
    labels = spec.pop("labels", {})
    return PodInfo.of({"metadata": {"name": name, "namespace": "default", "labels": labels},
                       "spec": {"containers": [container], **spec}})


def make_node(name: str = "n", cpu: str = "4", memory: str = "8Gi", pods: str = "110",
              labels: dict[str, str] | None = None, taints: list[dict[str, Any]] | None = None,
              unschedulable: bool = False, extra: dict[str, str] | None = None) -> NodeInfo:
    return NodeInfo.of({
        "metadata": {"name": name, "labels": labels or {}},
        "spec": {"taints": taints or [], "unschedulable": unschedulable},
        "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods, **(extra or {})}},
    })


# --- requests -------------------------------------------------------------------------------


def test_requests_add_containers_take_the_largest_init_and_add_overhead() -> None:
    spec = {
        "containers": [{"resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}},
                       {"resources": {"requests": {"cpu": "200m"}}}],
        "initContainers": [{"resources": {"requests": {"cpu": "500m", "memory": "32Mi"}}},
                           {"resources": {"requests": {"cpu": "50m", "memory": "1Gi"}}}],
        "overhead": {"cpu": "10m"},
    }
    assert pod_requests(spec) == {"cpu": 510, "memory": 1024 ** 3}


def test_sidecar_init_containers_add_to_everything_after_them() -> None:
    spec = {
        "initContainers": [
            {"restartPolicy": "Always", "resources": {"requests": {"cpu": "100m"}}},
            {"resources": {"requests": {"cpu": "1"}}},
        ],
        "containers": [{"resources": {"requests": {"cpu": "200m"}}}],
    }
    # the sidecar runs beside the second init container (1100m) and beside the main
    # container (300m): the pod needs the larger
    assert pod_requests(spec) == {"cpu": 1100}


# --- filters --------------------------------------------------------------------------------


@pytest.mark.parametrize(("pod", "node", "reasons"), [
    (make_pod(cpu="1"), make_node(cpu="2"), []),
    (make_pod(cpu="3"), make_node(cpu="2"), ["Insufficient cpu"]),
    (make_pod(cpu="1", memory="9Gi"), make_node(), ["Insufficient memory"]),
    (make_pod(), make_node(pods="0"), ["Too many pods"]),
    (PodInfo.of({"metadata": {"name": "g"}, "spec": {"containers": [
        {"resources": {"requests": {"example.com/gpu": "1"}}}]}}),
     make_node(), ["Insufficient example.com/gpu"]),
    (PodInfo.of({"metadata": {"name": "g"}, "spec": {"containers": [
        {"resources": {"requests": {"example.com/gpu": "1"}}}]}}),
     make_node(extra={"example.com/gpu": "2"}), []),
])
def test_node_resources_fit(pod: PodInfo, node: NodeInfo, reasons: list[str]) -> None:
    assert node_resources_fit.filter(pod, node) == reasons


def test_node_resources_fit_counts_pods_already_there() -> None:
    node = make_node(cpu="2", pods="2")
    node.add_pod(make_pod("a", cpu="1500m"))
    assert node_resources_fit.filter(make_pod(cpu="600m"), node) == ["Insufficient cpu"]
    node.add_pod(make_pod("b"))
    assert node_resources_fit.filter(make_pod(), node) == ["Too many pods"]
    node.remove_pod("default/a")
    assert node_resources_fit.filter(make_pod(cpu="600m"), node) == []


def test_node_name() -> None:
    assert node_name.filter(make_pod(nodeName="a"), make_node("a")) == []
    assert node_name.filter(make_pod(nodeName="a"), make_node("b")) == [node_name.REASON]
    assert node_name.filter(make_pod(), make_node("b")) == []


def test_node_unschedulable_unless_tolerated() -> None:
    cordoned = make_node(unschedulable=True)
    assert node_unschedulable.filter(make_pod(), cordoned) == ["node(s) were unschedulable"]
    tolerant = make_pod(tolerations=[{"key": "node.kubernetes.io/unschedulable",
                                      "operator": "Exists", "effect": "NoSchedule"}])
    assert node_unschedulable.filter(tolerant, cordoned) == []
    assert node_unschedulable.filter(make_pod(), make_node()) == []


@pytest.mark.parametrize(("toleration", "taint", "expected"), [
    ({"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"},
     {"key": "k", "value": "v", "effect": "NoSchedule"}, True),
    ({"key": "k", "value": "v"}, {"key": "k", "value": "v", "effect": "NoExecute"}, True),
    ({"key": "k", "value": "w"}, {"key": "k", "value": "v", "effect": "NoSchedule"}, False),
    ({"key": "k", "operator": "Exists"}, {"key": "k", "value": "v", "effect": "NoSchedule"}, True),
    ({"operator": "Exists"}, {"key": "any", "effect": "NoExecute"}, True),
    ({"key": "k", "operator": "Exists", "effect": "NoExecute"},
     {"key": "k", "effect": "NoSchedule"}, False),
    ({"key": "other", "operator": "Exists"}, {"key": "k", "effect": "NoSchedule"}, False),
    ({"key": "k", "operator": "Bogus"}, {"key": "k", "effect": "NoSchedule"}, False),
])
def test_tolerations_match_taints_as_upstream(toleration: dict[str, Any], taint: dict[str, Any],
                                              expected: bool) -> None:
    assert taint_toleration.tolerates(toleration, taint) is expected


def test_untolerated_taints_filter_and_prefer_no_schedule_scores() -> None:
    tainted = make_node(taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}])
    assert taint_toleration.filter(make_pod(), tainted) == [
        "node(s) had untolerated taint {dedicated: db}"]
    soft = make_node(taints=[{"key": "a", "effect": "PreferNoSchedule"},
                             {"key": "b", "effect": "PreferNoSchedule"}])
    assert taint_toleration.filter(make_pod(), soft) == []
    pod = make_pod(tolerations=[{"key": "a", "operator": "Exists", "effect": "PreferNoSchedule"}])
    scores = [taint_toleration.score(pod, n) for n in (soft, make_node())]
    assert scores == [1, 0]
    assert taint_toleration.normalize(scores) == [0, 100]
    assert taint_toleration.normalize([0, 0]) == [100, 100]


def test_host_ports_conflict_by_address_and_protocol() -> None:
    node = make_node()
    node.add_pod(make_pod("web", ports=[{"containerPort": 80, "hostPort": 8080}]))
    same = make_pod(ports=[{"containerPort": 80, "hostPort": 8080}])
    udp = make_pod(ports=[{"containerPort": 80, "hostPort": 8080, "protocol": "UDP"}])
    other_ip = make_pod(ports=[{"containerPort": 80, "hostPort": 8080, "hostIP": "10.0.0.1"}])
    assert node_ports.filter(same, node) == [node_ports.REASON]
    assert node_ports.filter(udp, node) == []
    assert node_ports.filter(other_ip, node) == [node_ports.REASON]  # 0.0.0.0 holds every IP
    node.remove_pod("default/web")
    assert node_ports.filter(same, node) == []


ZONE_A = make_node("a", labels={"zone": "a", "gen": "3", "disk": "ssd"})


def test_preferred_affinity_scores_by_weight() -> None:
    pod = make_pod(affinity={"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 10, "preference": {"matchExpressions": [
            {"key": "zone", "operator": "In", "values": ["a"]}]}},
        {"weight": 5, "preference": {"matchExpressions": [
            {"key": "disk", "operator": "In", "values": ["ssd"]}]}}]}})
    nodes = [ZONE_A, make_node("b", labels={"zone": "b", "disk": "ssd"}), make_node("c")]
    scores = [node_affinity.score(pod, n) for n in nodes]
    assert scores == [15, 5, 0]
    assert node_affinity.normalize(scores) == [100, 33, 0]


# --- scores ---------------------------------------------------------------------------------


def test_least_allocated_prefers_the_emptier_node() -> None:
    busy = make_node("busy", cpu="4", memory="8Gi")
    busy.add_pod(make_pod("x", cpu="3", memory="6Gi"))
    idle = make_node("idle", cpu="4", memory="8Gi")
    pod = make_pod(cpu="1", memory="2Gi")
    assert node_resources_fit.score(pod, idle) == 75
    assert node_resources_fit.score(pod, busy) == 0
    # a pod without requests still costs the defaults (100m, 200Mi) in scoring
    empty = make_pod()
    assert node_resources_fit.score(empty, idle) == (3900 * 100 // 4000 + (
        8 * 1024 - 200) * 100 // (8 * 1024)) // 2


def test_balanced_allocation_prefers_even_use() -> None:
    node = make_node(cpu="4", memory="4Gi")
    assert balanced_allocation.score(make_pod(cpu="2", memory="2Gi"), node) == 100
    assert balanced_allocation.score(make_pod(cpu="4", memory="200Mi"), node) < 60


# --- the decision ---------------------------------------------------------------------------


def test_schedule_picks_the_best_feasible_node() -> None:
    nodes = [make_node("small", cpu="1"), make_node("big", cpu="8"), make_node("mid", cpu="4")]
    assert algorithm.schedule(make_pod(cpu="500m"), nodes).name == "big"


def test_fit_error_summarises_reasons_as_upstream() -> None:
    nodes = [make_node("a", cpu="1"), make_node("b", cpu="1"), make_node("c", cpu="1"),
             make_node("d", taints=[{"key": "key", "value": "value", "effect": "NoSchedule"}]),
             make_node("e", taints=[{"key": "key", "value": "value", "effect": "NoSchedule"}])]
    with pytest.raises(algorithm.FitError) as caught:
        algorithm.schedule(make_pod(cpu="2"), nodes)
    # sorted as upstream sorts them: "<count> <reason>" as strings
    assert caught.value.message == (
        "0/5 nodes are available: 2 node(s) had untolerated taint {key: value}, "
        "3 Insufficient cpu.")
    with pytest.raises(algorithm.FitError) as caught:
        algorithm.schedule(make_pod(), [])
    assert caught.value.message == "no nodes available to schedule pods"


def test_counts_sort_as_text_so_ten_comes_before_two() -> None:
    nodes = [make_node(f"small{i}", cpu="1") for i in range(10)] + [
        make_node(f"t{i}", taints=[{"key": "k", "effect": "NoSchedule"}]) for i in range(2)]
    with pytest.raises(algorithm.FitError) as caught:
        algorithm.schedule(make_pod(cpu="2"), nodes)
    assert caught.value.message == (
        "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) had untolerated taint {k: }.")


def test_explicit_zero_requests_stay_zero_for_scoring() -> None:
    zero = make_pod(cpu="0", memory="0")
    assert (zero.non_zero_cpu, zero.non_zero_memory) == (0, 0)
    unset = make_pod()
    assert (unset.non_zero_cpu, unset.non_zero_memory) == (100, 200 * 1024 * 1024)


def test_nodes_are_listed_zone_by_zone_in_turn() -> None:
    from paddock.scheduler.cache import SchedulerCache

    cache = SchedulerCache()
    for name, zone in (("a1", "a"), ("a2", "a"), ("a3", "a"), ("b1", "b"), ("c1", "c"),
                       ("c2", "c")):
        cache.set_node({"metadata": {"name": name,
                                     "labels": {"topology.kubernetes.io/zone": zone}}})
    assert [n.name for n in cache.node_list()] == ["a1", "b1", "c1", "a2", "c2", "a3"]


@pytest.mark.parametrize(("nodes", "percentage", "wanted"), [
    (50, 0, 50), (100, 0, 100), (1000, 0, 420), (5000, 0, 500), (6000, 0, 300),
    (20000, 0, 1000), (1000, 10, 100), (1000, 50, 500), (150, 10, 100), (1000, 100, 1000),
])
def test_nodes_to_find_is_adaptive_as_upstream(nodes: int, percentage: int, wanted: int) -> None:
    assert algorithm.nodes_to_find(nodes, percentage) == wanted


def test_large_clusters_are_filtered_round_robin_until_enough_fit() -> None:
    nodes = [make_node(f"n{i:03d}") for i in range(200)]
    scheduler = algorithm.Algorithm(percentage_of_nodes_to_score=50)  # 100 of 200
    first = scheduler.schedule(make_pod(), nodes)
    assert scheduler.next_start == 100 and first.name < "n100"
    second = scheduler.schedule(make_pod(), nodes)
    assert scheduler.next_start == 0 and second.name >= "n100"


def test_selector_spread_weighs_zones_twice_as_much_as_nodes() -> None:
    from paddock.core.labels import selector_from_set
    from paddock.scheduler.plugins import selector_spread

    zones = {"a1": "a", "a2": "a", "b1": "b", "c1": "c"}
    nodes = [make_node(n, labels={"topology.kubernetes.io/zone": z}) for n, z in zones.items()]
    by_name = {n.name: n for n in nodes}
    for name, where in (("w1", "a1"), ("w2", "a1"), ("w3", "b1"), ("other", "c1")):
        by_name[where].add_pod(make_pod(name, labels={"app": "web" if name != "other" else "db"}))
    pod = make_pod("new", labels={"app": "web"})
    pod.spread_selectors = [selector_from_set({"app": "web"})]
    scores = dict(zip(zones, selector_spread.score_all(pod, nodes), strict=True))
    # a1: node 0, zone 0 -> 0; a2: node 100, zone 0 -> 33; b1: node 50, zone 50 -> 50;
    # c1 (no web pods at all): 100
    assert scores == {"a1": 0, "a2": 33, "b1": 50, "c1": 100}
    lone = make_pod("lone")
    assert selector_spread.score_all(lone, nodes) == [100] * 4


def _spread_pod(name: str, when: str = "DoNotSchedule", max_skew: int = 1,
                key: str = "topology.kubernetes.io/zone") -> PodInfo:
    return make_pod(name, labels={"app": "web"}, topologySpreadConstraints=[{
        "maxSkew": max_skew, "topologyKey": key, "whenUnsatisfiable": when,
        "labelSelector": {"matchLabels": {"app": "web"}}}])


def _zoned(zones: dict[str, str]) -> list[NodeInfo]:
    return [make_node(n, labels={"topology.kubernetes.io/zone": z}) if z else make_node(n)
            for n, z in zones.items()]


def test_topology_spread_filters_by_max_skew_and_missing_keys() -> None:
    from paddock.scheduler.plugins import pod_topology_spread as pts

    nodes = _zoned({"a1": "a", "b1": "b", "bare": ""})
    nodes[0].add_pod(make_pod("w1", labels={"app": "web"}))
    pod = _spread_pod("new")
    pts.prefilter(pod, nodes)
    assert pts.filter(pod, nodes[0]) == [pts.REASON]  # a would hold 2 against b's 0
    assert pts.filter(pod, nodes[1]) == []
    assert pts.filter(pod, nodes[2]) == [pts.MISSING_LABEL]
    loose = _spread_pod("new", max_skew=2)
    pts.prefilter(loose, nodes)
    assert pts.filter(loose, nodes[0]) == []


def test_topology_spread_places_pods_evenly_and_soft_constraints_score() -> None:
    nodes = _zoned({"a1": "a", "a2": "a", "b1": "b", "c1": "c"})
    zones = []
    for i in range(6):
        pod = _spread_pod(f"p{i}")
        node = algorithm.schedule(pod, nodes)
        node.add_pod(pod)
        zones.append(node.labels["topology.kubernetes.io/zone"])
    assert sorted(zones) == ["a", "a", "b", "b", "c", "c"]
    soft = _spread_pod("soft", when="ScheduleAnyway")
    nodes[3].add_pod(make_pod("extra", labels={"app": "web"}))  # zone c now has 3
    chosen = algorithm.schedule(soft, nodes)
    assert chosen.labels["topology.kubernetes.io/zone"] in ("a", "b")
