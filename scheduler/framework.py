"""What the scheduler's plugins see: pods and nodes boiled down to what scheduling reads.

A :class:`PodInfo` is made once per pod (its requests summed as upstream sums them, its
host ports, tolerations and affinity parsed), a :class:`NodeInfo` once per node and kept
up to date as pods are bound to it, assumed on it or leave it; its ``generation`` grows
with every change, so that a snapshot (and the native core's columnar copy) refreshes only
the nodes that changed.  Plugins are modules with a ``NAME`` and ``filter`` and/or
``score`` functions over these (``scheduler/plugins/``).

Resource amounts are integers: CPU in millicores, everything else (memory, ephemeral
storage, hugepages, extended resources) in units, rounded up as upstream's ``Value()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from paddock.core.quantity import QuantityError, quantity_from_json

CPU = "cpu"
MEMORY = "memory"
EPHEMERAL_STORAGE = "ephemeral-storage"
PODS = "pods"

# Requests assumed for scoring when a container states none (upstream's non-zero requests:
# a pod without requests must still look like it costs something)
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

MAX_NODE_SCORE = 100

ZONE_LABEL = "topology.kubernetes.io/zone"
LEGACY_ZONE_LABEL = "failure-domain.beta.kubernetes.io/zone"
HOSTNAME_LABEL = "kubernetes.io/hostname"

Resources = dict[str, int]


def resource_amount(name: str, value: Any) -> int:
    """A quantity as the scheduler counts it: millicores for CPU, units for the rest."""
    q = quantity_from_json(value)
    return q.milli_value() if name == CPU else q.value()


def resource_list(values: Mapping[str, Any] | None) -> Resources:
    """``{"cpu": "250m", "memory": "64Mi"}`` as ``{"cpu": 250, "memory": 67108864}``;
    amounts that do not parse count as zero (validation rejects them before they get here)."""
    out: Resources = {}
    for name, value in (values or {}).items():
        try:
            out[name] = resource_amount(name, value)
        except (QuantityError, TypeError, ValueError):
            out[name] = 0
    return out


def _add(into: Resources, other: Mapping[str, int]) -> None:
    for name, amount in other.items():
        into[name] = into.get(name, 0) + amount


def _max(into: Resources, other: Mapping[str, int]) -> None:
    for name, amount in other.items():
        if amount > into.get(name, 0):
            into[name] = amount


def pod_requests(spec: Mapping[str, Any]) -> Resources:
    """What a pod asks of a node, as upstream computes it.

    The containers' requests add up.  Init containers run one at a time before them, so
    the pod needs the largest of them; but a restartable init container (a sidecar,
    ``restartPolicy: Always``) keeps running, so it adds to the containers and to every
    init container started after it.  The pod overhead comes on top.
    """
    total: Resources = {}
    for c in spec.get("containers") or ():
        _add(total, resource_list((c.get("resources") or {}).get("requests")))
    init_peak: Resources = {}
    sidecars: Resources = {}
    for c in spec.get("initContainers") or ():
        requests = resource_list((c.get("resources") or {}).get("requests"))
        if c.get("restartPolicy") == "Always":
            _add(total, requests)
            _add(sidecars, requests)
            running = dict(sidecars)
        else:
            running = dict(requests)
            _add(running, sidecars)
        _max(init_peak, running)
    _max(total, init_peak)
    _add(total, resource_list(spec.get("overhead")))
    return total


def non_zero_requests(spec: Mapping[str, Any]) -> tuple[int, int]:
    """(millicores, bytes) for scoring: each container that states no CPU or memory
    request counts the defaults, so that empty pods still spread (an explicit 0 stays 0)."""
    cpu = memory = 0
    containers = list(spec.get("containers") or ())
    containers += [c for c in spec.get("initContainers") or () if c.get("restartPolicy") == "Always"]
    for c in containers:
        requests = resource_list((c.get("resources") or {}).get("requests"))
        cpu += requests[CPU] if CPU in requests else DEFAULT_MILLI_CPU_REQUEST
        memory += requests[MEMORY] if MEMORY in requests else DEFAULT_MEMORY_REQUEST
    overhead = resource_list(spec.get("overhead"))
    return cpu + overhead.get(CPU, 0), memory + overhead.get(MEMORY, 0)


@dataclass(frozen=True)
class HostPort:
    """A host port a pod wants: ``0.0.0.0`` stands for every address of the node."""

    ip: str
    protocol: str
    port: int

    def conflicts(self, other: HostPort) -> bool:
        if self.port != other.port or self.protocol != other.protocol:
            return False
        return self.ip == other.ip or "0.0.0.0" in (self.ip, other.ip)


def host_ports(spec: Mapping[str, Any]) -> list[HostPort]:
    ports = []
    for c in spec.get("containers") or ():
        for p in c.get("ports") or ():
            if p.get("hostPort"):
                ports.append(HostPort(p.get("hostIP") or "0.0.0.0", p.get("protocol") or "TCP",
                                      int(p["hostPort"])))
    return ports


@dataclass
class PodInfo:
    """A pod, with what scheduling reads of it computed once."""

    pod: dict[str, Any]
    namespace: str
    name: str
    uid: str
    requests: Resources
    non_zero_cpu: int
    non_zero_memory: int
    ports: list[HostPort]
    tolerations: list[dict[str, Any]]
    node_selector: dict[str, str]
    required_terms: list[dict[str, Any]] | None  # None: no required node affinity
    preferred_terms: list[dict[str, Any]]
    priority: int
    labels: dict[str, str]
    # selectors of the services, replication controllers, replica sets and stateful sets
    # that match this pod (SelectorSpread spreads their pods); set by the scheduler
    spread_selectors: list[Any] = field(default_factory=list)
    # what plugins' prefilter steps computed for the decision in progress
    cycle: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, pod: dict[str, Any]) -> PodInfo:
        md = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
        required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
        cpu, memory = non_zero_requests(spec)
        return cls(
            pod=pod,
            namespace=md.get("namespace") or "",
            name=md.get("name") or "",
            uid=md.get("uid") or "",
            requests=pod_requests(spec),
            non_zero_cpu=cpu,
            non_zero_memory=memory,
            ports=host_ports(spec),
            tolerations=list(spec.get("tolerations") or ()),
            node_selector=dict(spec.get("nodeSelector") or {}),
            required_terms=(list(required.get("nodeSelectorTerms") or ())
                            if required is not None else None),
            preferred_terms=list(
                affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or ()),
            priority=int(spec.get("priority") or 0),
            labels=dict(md.get("labels") or {}),
        )

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass
class NodeInfo:
    """A node and the pods on it (bound or assumed), with their sums kept current."""

    node: dict[str, Any]
    name: str
    labels: dict[str, str]
    allocatable: Resources
    taints: list[dict[str, Any]]
    unschedulable: bool
    requested: Resources = field(default_factory=dict)
    non_zero_cpu: int = 0
    non_zero_memory: int = 0
    pods: dict[str, PodInfo] = field(default_factory=dict)
    used_ports: list[HostPort] = field(default_factory=list)
    generation: int = 0
    # where to report a change of the pods on this node (the native core's dirty rows)
    changed: list[NodeInfo] | None = None

    @classmethod
    def of(cls, node: dict[str, Any], pods: Iterable[PodInfo] = ()) -> NodeInfo:
        md = node.get("metadata") or {}
        spec = node.get("spec") or {}
        info = cls(
            node=node,
            name=md.get("name") or "",
            labels=dict(md.get("labels") or {}),
            allocatable=resource_list((node.get("status") or {}).get("allocatable")),
            taints=list(spec.get("taints") or ()),
            unschedulable=bool(spec.get("unschedulable")),
        )
        for p in pods:
            info.add_pod(p)
        return info

    @property
    def zone(self) -> str:
        return self.labels.get(ZONE_LABEL) or self.labels.get(LEGACY_ZONE_LABEL) or ""

    def add_pod(self, p: PodInfo) -> None:
        if p.key in self.pods:
            self.remove_pod(p.key)
        self.pods[p.key] = p
        _add(self.requested, p.requests)
        self.non_zero_cpu += p.non_zero_cpu
        self.non_zero_memory += p.non_zero_memory
        self.used_ports.extend(p.ports)
        self.generation += 1
        if self.changed is not None:
            self.changed.append(self)

    def remove_pod(self, key: str) -> PodInfo | None:
        p = self.pods.pop(key, None)
        if p is None:
            return None
        for name, amount in p.requests.items():
            self.requested[name] = self.requested.get(name, 0) - amount
        self.non_zero_cpu -= p.non_zero_cpu
        self.non_zero_memory -= p.non_zero_memory
        for port in p.ports:
            self.used_ports.remove(port)
        self.generation += 1
        if self.changed is not None:
            self.changed.append(self)
        return p
