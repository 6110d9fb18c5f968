"""Each plugin's table cases as decisions over a few nodes, run on the pure algorithm and on
the native core (one mixin, run twice): which nodes are feasible, why the others are not,
and how the scores rank them."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from paddock.core.labels import selector_from_set
from paddock.scheduler.algorithm import Algorithm, FitError
from paddock.scheduler.framework import NodeInfo, PodInfo
from paddock.scheduler.native import NativeAlgorithm
from paddock.scheduler.plugins import node_affinity, node_ports, pod_topology_spread

ZONE = "topology.kubernetes.io/zone"
HOST = "kubernetes.io/hostname"


def make_pod(name: str = "p", cpu: str | None = None, memory: str | None = None,
             extra: dict[str, str] | None = None, **spec: Any) -> PodInfo:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    container: dict[str, Any] = {"name": "c", "image": "x",
                                 "resources": {"requests": {**requests, **(extra or {})}}}
    if "ports" in spec:
        container["ports"] = spec.pop("ports")
    labels = spec.pop("labels", {})
    return PodInfo.of({"metadata": {"name": name, "namespace": "default", "labels": labels},
                       "spec": {"containers": [container], **spec}})


def make_node(name: str, cpu: str = "4", memory: str = "8Gi", pods: str = "110",
              labels: dict[str, str] | None = None, taints: list[dict[str, Any]] | None = None,
              unschedulable: bool = False, extra: dict[str, str] | None = None) -> NodeInfo:
    return NodeInfo.of({
        "metadata": {"name": name, "labels": {HOST: name, **(labels or {})}},
        "spec": {"taints": taints or [], "unschedulable": unschedulable},
        "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods, **(extra or {})}},
    })


def spread_pod(name: str, when: str = "DoNotSchedule", max_skew: int = 1, key: str = ZONE,
               spec: dict[str, Any] | None = None, **constraint: Any) -> PodInfo:
    return make_pod(name, labels={"app": "web", "rev": "1"}, **(spec or {}),
                    topologySpreadConstraints=[{
        "maxSkew": max_skew, "topologyKey": key, "whenUnsatisfiable": when,
        "labelSelector": {"matchLabels": {"app": "web"}}, **constraint}])


def web(name: str, rev: str = "1") -> PodInfo:
    return make_pod(name, labels={"app": "web", "rev": rev})


class DecisionCases:
    """The cases; a subclass says which algorithm decides."""

    def algorithm(self) -> Algorithm:
        raise NotImplementedError

    def evaluate(self, pod: PodInfo, nodes: list[NodeInfo]) -> tuple[list[str], Counter[str], list[int]]:
        fit, reasons, totals = self.algorithm().evaluate(pod, nodes)
        return [n.name for n in fit], reasons, totals

    def feasible(self, pod: PodInfo, nodes: list[NodeInfo]) -> list[str]:
        return self.evaluate(pod, nodes)[0]

    def totals(self, pod: PodInfo, nodes: list[NodeInfo]) -> dict[str, int]:
        names, _, totals = self.evaluate(pod, nodes)
        return dict(zip(names, totals, strict=True))

    # -- NodeResourcesFit

    @pytest.mark.parametrize(("pod", "node", "reasons"), [
        (make_pod(cpu="1"), make_node("n", cpu="2"), []),
        (make_pod(cpu="3"), make_node("n", cpu="2"), ["Insufficient cpu"]),
        (make_pod(cpu="3", memory="9Gi"), make_node("n", cpu="2"),
         ["Insufficient cpu", "Insufficient memory"]),
        (make_pod(), make_node("n", pods="0"), ["Too many pods"]),
        (make_pod(extra={"ephemeral-storage": "2Gi"}),
         make_node("n", extra={"ephemeral-storage": "1Gi"}), ["Insufficient ephemeral-storage"]),
        (make_pod(extra={"example.com/gpu": "1"}), make_node("n"), ["Insufficient example.com/gpu"]),
        (make_pod(extra={"example.com/gpu": "2"}), make_node("n", extra={"example.com/gpu": "2"}), []),
    ])
    def test_node_resources_fit(self, pod: PodInfo, node: NodeInfo, reasons: list[str]) -> None:
        names, why, _ = self.evaluate(pod, [node])
        assert (names, why) == ((["n"], Counter()) if not reasons else ([], Counter(reasons)))

    def test_resources_count_the_pods_already_there_and_those_that_leave(self) -> None:
        algorithm = self.algorithm()
        node = make_node("n", cpu="2", pods="2", extra={"example.com/gpu": "2"})
        node.add_pod(make_pod("a", cpu="1500m", extra={"example.com/gpu": "1"}))
        assert algorithm.evaluate(make_pod(cpu="600m"), [node])[1] == Counter(["Insufficient cpu"])
        assert algorithm.evaluate(make_pod(extra={"example.com/gpu": "2"}), [node])[1] == Counter(
            ["Insufficient example.com/gpu"])
        node.add_pod(make_pod("b"))
        assert algorithm.evaluate(make_pod(), [node])[1] == Counter(["Too many pods"])
        node.remove_pod("default/a")
        assert [n.name for n in algorithm.evaluate(make_pod(cpu="600m"), [node])[0]] == ["n"]

    def test_least_allocated_and_balanced_allocation_prefer_the_emptier_even_node(self) -> None:
        busy = make_node("busy")
        busy.add_pod(make_pod("x", cpu="3", memory="6Gi"))
        even = make_node("even")
        even.add_pod(make_pod("y", cpu="2", memory="4Gi"))
        skewed = make_node("skewed")
        skewed.add_pod(make_pod("z", cpu="3500m", memory="512Mi"))
        nodes = [busy, even, skewed, make_node("idle")]
        totals = self.totals(make_pod(cpu="500m", memory="1Gi"), nodes)
        # least allocated: idle 81, even 37, skewed 40, busy 12; balanced: all but skewed 100
        assert totals["idle"] > totals["even"] > totals["skewed"]
        assert totals["even"] > totals["busy"]

    # -- NodeName, NodeUnschedulable, TaintToleration

    def test_node_name_and_cordons(self) -> None:
        nodes = [make_node("a"), make_node("b"), make_node("c", unschedulable=True)]
        assert self.feasible(make_pod(nodeName="b"), nodes) == ["b"]
        _, why, _ = self.evaluate(make_pod(), nodes)
        assert why == Counter(["node(s) were unschedulable"])
        tolerant = make_pod(tolerations=[{"key": "node.kubernetes.io/unschedulable",
                                          "operator": "Exists", "effect": "NoSchedule"}])
        assert self.feasible(tolerant, nodes) == ["a", "b", "c"]

    def test_untolerated_taints_filter_and_prefer_no_schedule_scores(self) -> None:
        nodes = [make_node("hard", taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]),
                 make_node("gone", taints=[{"key": "x", "effect": "NoExecute"}]),
                 make_node("soft", taints=[{"key": "a", "effect": "PreferNoSchedule"}]),
                 make_node("clean")]
        names, why, _ = self.evaluate(make_pod(), nodes)
        assert names == ["soft", "clean"]
        assert why == Counter({"node(s) had untolerated taint {dedicated: db}": 1,
                               "node(s) had untolerated taint {x: }": 1})
        totals = self.totals(make_pod(), nodes)
        assert totals["clean"] - totals["soft"] == 3 * 100  # weight 3, reverse-normalized
        tolerant = make_pod(tolerations=[{"operator": "Exists"}])
        totals = self.totals(tolerant, nodes)
        assert len(set(totals.values())) == 1

    # -- NodePorts

    def test_host_ports_conflict_by_address_and_protocol(self) -> None:
        algorithm = self.algorithm()
        nodes = [make_node("a"), make_node("b")]
        nodes[0].add_pod(make_pod("web", ports=[{"containerPort": 80, "hostPort": 8080}]))
        nodes[1].add_pod(make_pod("dns", ports=[{"containerPort": 53, "hostPort": 53,
                                                  "protocol": "UDP", "hostIP": "10.0.0.2"}]))

        def feasible(**port: Any) -> list[str]:
            pod = make_pod(ports=[{"containerPort": 1, **port}])
            return [n.name for n in algorithm.evaluate(pod, nodes)[0]]

        assert feasible(hostPort=8080) == ["b"]
        assert feasible(hostPort=8080, protocol="UDP") == ["a", "b"]
        assert feasible(hostPort=8080, hostIP="10.0.0.1") == ["b"]  # 0.0.0.0 holds every IP
        assert feasible(hostPort=53, protocol="UDP") == ["a"]
        assert feasible(hostPort=53, protocol="UDP", hostIP="10.0.0.3") == ["a", "b"]
        nodes[1].add_pod(make_pod("web2", ports=[{"containerPort": 80, "hostPort": 8080}]))
        _, why, _ = algorithm.evaluate(make_pod(ports=[{"containerPort": 1, "hostPort": 8080}]), nodes)
        assert why == Counter({node_ports.REASON: 2})
        nodes[0].remove_pod("default/web")
        assert feasible(hostPort=8080) == ["a"]

    # -- NodeAffinity

    @pytest.mark.parametrize(("spec", "fits"), [
        ({"nodeSelector": {"disk": "ssd"}}, True),
        ({"nodeSelector": {"disk": "hdd"}}, False),
        ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [
                {"key": "zone", "operator": "NotIn", "values": ["a"]}]},
                {"matchExpressions": [{"key": "gen", "operator": "Gt", "values": ["2"]}]}]}}}},
         True),
        ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [
                {"key": "gen", "operator": "Lt", "values": ["3"]}]}]}}}}, False),
        ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [
                {"key": "gpu", "operator": "DoesNotExist"},
                {"key": "disk", "operator": "Exists"}]}]}}}}, True),
        ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchFields": [
                {"key": "metadata.name", "operator": "In", "values": ["a"]}]}]}}}}, True),
    ])
    def test_node_selector_and_required_affinity(self, spec: dict[str, Any], fits: bool) -> None:
        node = make_node("a", labels={"zone": "a", "gen": "3", "disk": "ssd"})
        names, why, _ = self.evaluate(make_pod(**spec), [node])
        assert (names, why) == ((["a"], Counter()) if fits else ([], Counter([node_affinity.REASON])))

    def test_preferred_affinity_scores_by_weight(self) -> None:
        pod = make_pod(affinity={"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 10, "preference": {"matchExpressions": [
                {"key": "zone", "operator": "In", "values": ["a"]}]}},
            {"weight": 5, "preference": {"matchExpressions": [
                {"key": "disk", "operator": "In", "values": ["ssd"]}]}}]}})
        nodes = [make_node("a", labels={"zone": "a", "disk": "ssd"}),
                 make_node("b", labels={"zone": "b", "disk": "ssd"}), make_node("c")]
        totals = self.totals(pod, nodes)
        # normalized 100, 33, 0 with weight 2
        assert (totals["a"] - totals["c"], totals["b"] - totals["c"]) == (200, 66)

    # -- SelectorSpread

    def test_selector_spread_weighs_zones_twice_as_much_as_nodes(self) -> None:
        zones = {"a1": "a", "a2": "a", "b1": "b", "c1": "c"}
        nodes = [make_node(n, labels={ZONE: z}) for n, z in zones.items()]
        by_name = {n.name: n for n in nodes}
        for name, where in (("w1", "a1"), ("w2", "a1"), ("w3", "b1"), ("other", "c1")):
            by_name[where].add_pod(make_pod(name, labels={"app": "web" if name != "other" else "db"}))
        pod = make_pod("new", labels={"app": "web"})
        pod.spread_selectors = [selector_from_set({"app": "web"})]
        lone = make_pod("new", labels={"app": "web"})
        spread, plain = self.totals(pod, nodes), self.totals(lone, nodes)
        # SelectorSpread (weight 2) a1: 0, a2: 33, b1: 50, c1: 100; without selectors 100
        assert {n: (spread[n] - plain[n]) // 2 + 100 for n in zones} == {
            "a1": 0, "a2": 33, "b1": 50, "c1": 100}

    # -- PodTopologySpread

    def zoned(self, zones: dict[str, str], pods: dict[str, list[PodInfo]] | None = None) -> list[NodeInfo]:
        nodes = [make_node(n, labels={ZONE: z} if z else {}) for n, z in zones.items()]
        for node in nodes:
            for p in (pods or {}).get(node.name, ()):
                node.add_pod(p)
        return nodes

    def test_topology_spread_filters_by_max_skew_and_missing_keys(self) -> None:
        nodes = self.zoned({"a1": "a", "b1": "b", "bare": ""}, {"a1": [web("w1")]})
        names, why, _ = self.evaluate(spread_pod("new"), nodes)
        assert names == ["b1"]
        assert why == Counter([pod_topology_spread.REASON, pod_topology_spread.MISSING_LABEL])
        assert self.feasible(spread_pod("new", max_skew=2), nodes) == ["a1", "b1"]

    def test_topology_spread_min_domains_counts_missing_domains_as_empty(self) -> None:
        nodes = self.zoned({"a1": "a", "b1": "b"}, {"a1": [web("w1")], "b1": [web("w2")]})
        assert self.feasible(spread_pod("new"), nodes) == ["a1", "b1"]
        # three domains wanted, two exist: the global minimum is 0 and both hold 1
        assert self.feasible(spread_pod("new", minDomains=3), nodes) == []
        assert self.feasible(spread_pod("new", minDomains=2), nodes) == ["a1", "b1"]

    def test_topology_spread_inclusion_policies(self) -> None:
        taint = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
        nodes = self.zoned({"a1": "a", "b1": "b"}, {"a1": [web("w1")]})
        nodes.append(make_node("c1", labels={ZONE: "c", "disk": "hdd"}, taints=[taint]))
        nodes[0].node["metadata"]["labels"]["disk"] = nodes[1].node["metadata"]["labels"]["disk"] = "ssd"
        nodes[:2] = [NodeInfo.of(n.node, n.pods.values()) for n in nodes[:2]]
        # zone c counts (0) unless its taint is honoured: then b (0) is the minimum anyway
        assert self.feasible(spread_pod("new", spec={"tolerations": [{"operator": "Exists"}]}), nodes) == [
            "b1", "c1"]
        # with the selector honoured, c is not a domain: b's 0 is the minimum
        pinned = spread_pod("new", spec={"nodeSelector": {"disk": "ssd"}})
        assert self.feasible(pinned, nodes) == ["b1"]
        # Ignore: c counts as a domain even though the pod may not go there
        loose = spread_pod("new", spec={"nodeSelector": {"disk": "ssd"}}, nodeAffinityPolicy="Ignore")
        assert self.feasible(loose, nodes) == ["b1"]
        nodes[1].add_pod(web("w2"))
        assert self.feasible(pinned, nodes) == ["a1", "b1"]  # a: 1, b: 1
        assert self.feasible(loose, nodes) == []  # c's 0 is the minimum now
        honour = spread_pod("new", spec={"nodeSelector": {"disk": "ssd"}}, nodeAffinityPolicy="Ignore",
                            nodeTaintsPolicy="Honor")
        assert self.feasible(honour, nodes) == ["a1", "b1"]  # c's taint keeps it out

    def test_topology_spread_match_label_keys_count_one_revision(self) -> None:
        nodes = self.zoned({"a1": "a", "b1": "b"}, {"a1": [web("old1", "0"), web("old2", "0")]})
        assert self.feasible(spread_pod("new"), nodes) == ["b1"]
        assert self.feasible(spread_pod("new", matchLabelKeys=["rev"]), nodes) == ["a1", "b1"]

    def test_topology_spread_soft_constraints_score_by_domain_count_and_size(self) -> None:
        nodes = self.zoned({"a1": "a", "b1": "b", "c1": "c"},
                           {"a1": [web("w1"), web("w2")], "b1": [web("w3")], "c1": [web("w4")]})
        soft = self.totals(spread_pod("new", when="ScheduleAnyway"), nodes)
        plain = self.totals(web("new"), nodes)
        # raw: count * log(3 domains + 2) rounded: a 3, b 2, c 2; normalized 66, 100, 100
        assert {n: (soft[n] - plain[n]) // 2 + 100 for n in soft} == {"a1": 66, "b1": 100, "c1": 100}
        by_host = self.totals(spread_pod("new", when="ScheduleAnyway", key=HOST, max_skew=2), nodes)
        # raw: own count * log(3 nodes + 2) + 1: a 4, b 3, c 3 -> 75, 100, 100
        assert {n: (by_host[n] - plain[n]) // 2 + 100 for n in soft} == {"a1": 75, "b1": 100, "c1": 100}

    def test_topology_spread_places_pods_evenly(self) -> None:
        algorithm = self.algorithm()
        nodes = self.zoned({"a1": "a", "a2": "a", "b1": "b", "c1": "c"})
        zones = []
        for i in range(6):
            pod = spread_pod(f"p{i}")
            node = algorithm.schedule(pod, nodes)
            node.add_pod(pod)
            zones.append(node.labels[ZONE])
        assert sorted(zones) == ["a", "a", "b", "b", "c", "c"]

    # -- the decision

    def test_fit_error_summarises_reasons_as_upstream(self) -> None:
        nodes = [make_node(f"small{i}", cpu="1") for i in range(10)] + [
            make_node(f"t{i}", taints=[{"key": "k", "effect": "NoSchedule"}]) for i in range(2)]
        with pytest.raises(FitError) as caught:
            self.algorithm().schedule(make_pod(cpu="2"), nodes)
        assert caught.value.message == (
            "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) had untolerated taint {k: }.")

    def test_nodes_that_change_between_decisions_are_seen(self) -> None:
        algorithm = self.algorithm()
        nodes = [make_node("a", labels={"disk": "ssd"}), make_node("b")]
        pod = make_pod(nodeSelector={"disk": "ssd"})
        assert algorithm.schedule(pod, nodes).name == "a"
        relabelled = NodeInfo.of({**nodes[1].node, "metadata": {"name": "b", "labels": {"disk": "ssd"}}})
        cordoned = NodeInfo.of({**nodes[0].node, "spec": {"unschedulable": True}})
        nodes = [cordoned, relabelled]
        assert algorithm.schedule(pod, nodes).name == "b"
        nodes = [relabelled]
        assert algorithm.schedule(pod, nodes).name == "b"
        nodes = [make_node("c", labels={"disk": "ssd"}, cpu="64"), relabelled]
        assert algorithm.schedule(pod, nodes).name == "c"


class TestPure(DecisionCases):
    def algorithm(self) -> Algorithm:
        return Algorithm()


class TestNative(DecisionCases):
    def algorithm(self) -> Algorithm:
        return NativeAlgorithm()
