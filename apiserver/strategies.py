"""Per-kind behaviour of the generic store: what create and update reset or preserve,
whether ``metadata.generation`` is tracked, how status and spec are separated, and the
admission steps upstream applies to the kind.

One small class per kind that differs from the default; ``STRATEGIES`` maps resource
names to instances.
"""

from __future__ import annotations

from typing import Any

import orjson

from ..core.resources import Resource

_GENERATION_TRACKED = frozenset(
    {"deployments", "replicasets", "daemonsets", "statefulsets", "jobs", "cronjobs", "replicationcontrollers",
     "horizontalpodautoscalers", "ingresses", "endpointslices"}
)

class Strategy:
    """Default behaviour: status (when the kind has a status subresource) is owned by the
    status subresource, everything else by the main resource."""

    def __init__(self, resource: Resource) -> None:
        self.resource = resource
        self.has_status = resource.subresource("status") is not None
        self.tracks_generation = resource.name in _GENERATION_TRACKED

    def prepare_create(self, obj: dict[str, Any]) -> None:
        """Reset what a client may not set on create."""
        if self.has_status:
            obj["status"] = {}
        if self.tracks_generation:
            obj["metadata"]["generation"] = 1

    def prepare_update(self, new: dict[str, Any], old: dict[str, Any], subresource: str) -> None:
        """Keep what this request may not change, bump generation on spec changes."""
        if subresource == "binding":
            return  # the binding subresource sets spec.nodeName and the PodScheduled condition
        if subresource == "status":
            for k, v in old.items():
                if k not in ("status", "metadata", "kind", "apiVersion"):
                    new[k] = _copy(v)
            for k in list(new):
                if k not in old and k not in ("status", "metadata", "kind", "apiVersion"):
                    del new[k]
            # a status write may not change labels/annotations either (upstream resets them)
            md, omd = new["metadata"], old["metadata"]
            for k in ("labels", "annotations", "finalizers", "ownerReferences"):
                if k in omd:
                    md[k] = _copy(omd[k])
                else:
                    md.pop(k, None)
            return
        if self.has_status:
            if "status" in old:
                new["status"] = _copy(old["status"])
            else:
                new.pop("status", None)
        if self.tracks_generation:
            gen = old["metadata"].get("generation", 1)
            if self.spec_of(new) != self.spec_of(old):
                gen += 1
            new["metadata"]["generation"] = gen

    def spec_of(self, obj: dict[str, Any]) -> Any:
        return obj.get("spec")


class PodStrategy(Strategy):
    def prepare_create(self, obj: dict[str, Any]) -> None:
        # defaulting then starts the pod Pending with its QoS class, and adds what upstream's
        # admission plugins add (service account, default tolerations, priority)
        obj["status"] = {}


class NamespaceStrategy(Strategy):
    def prepare_create(self, obj: dict[str, Any]) -> None:
        obj["status"] = {"phase": "Active"}
        obj.setdefault("spec", {})["finalizers"] = ["kubernetes"]
        labels = obj["metadata"].setdefault("labels", {})
        # upstream labels every namespace with its own name (NamespaceDefaultLabelName)
        labels["kubernetes.io/metadata.name"] = obj["metadata"]["name"]

    def prepare_update(self, new: dict[str, Any], old: dict[str, Any], subresource: str) -> None:
        if subresource == "finalize":
            # only spec.finalizers may change through /finalize
            finalizers = (new.get("spec") or {}).get("finalizers")
            rv = new["metadata"].get("resourceVersion")
            new.clear()
            new.update(_copy(old))
            new["metadata"]["resourceVersion"] = rv
            new.setdefault("spec", {})["finalizers"] = finalizers or []
            return
        super().prepare_update(new, old, subresource)
        if subresource == "":
            new["spec"] = _copy(old.get("spec", {}))
        labels = new["metadata"].setdefault("labels", {})
        labels["kubernetes.io/metadata.name"] = new["metadata"]["name"]


class ServiceStrategy(Strategy):
    def prepare_create(self, obj: dict[str, Any]) -> None:
        obj["status"] = {"loadBalancer": {}}

    def prepare_update(self, new: dict[str, Any], old: dict[str, Any], subresource: str) -> None:
        super().prepare_update(new, old, subresource)
        if subresource == "":
            drop_type_dependent_fields(new.get("spec"), old.get("spec") or {})


def drop_type_dependent_fields(spec: Any, old: dict[str, Any]) -> None:
    """When a Service changes type, clear what the new type does not use and the user left as
    it was (upstream's dropTypeDependentFields), so `patch type=ClusterIP` on a NodePort
    service works without the client clearing node ports itself."""
    if not isinstance(spec, dict):
        return
    new_type, old_type = spec.get("type", "ClusterIP"), old.get("type", "ClusterIP")
    if new_type == old_type:
        return

    def unchanged(key: str) -> bool:
        return key in spec and spec.get(key) == old.get(key)

    if new_type == "ExternalName":
        for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy"):
            if unchanged(key):
                del spec[key]
    if new_type not in ("NodePort", "LoadBalancer"):
        old_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort") for p in old.get("ports") or []
                     if isinstance(p, dict)}
        for p in spec.get("ports") or []:
            if isinstance(p, dict) and p.get("nodePort") is not None and \
                    old_ports.get((p.get("port"), p.get("protocol"))) == p["nodePort"]:
                del p["nodePort"]
        for key in ("externalTrafficPolicy", "healthCheckNodePort"):
            if unchanged(key):
                del spec[key]
    if new_type != "LoadBalancer":
        for key in ("allocateLoadBalancerNodePorts", "loadBalancerClass", "healthCheckNodePort"):
            if unchanged(key):
                del spec[key]


class HPAStrategy(Strategy):
    def prepare_create(self, obj: dict[str, Any]) -> None:
        super().prepare_create(obj)
        # desiredReplicas has no omitempty in autoscaling/v2: clients require it
        obj["status"] = {"desiredReplicas": 0}


def _copy(value: Any) -> Any:
    """A private copy of part of a cached object (cached objects are shared, never mutated)."""
    if isinstance(value, dict | list):
        return orjson.loads(orjson.dumps(value))
    return value


class NodeStrategy(Strategy):
    """A node keeps the status it is created with: the kubelet registers its node with
    capacity, allocatable and conditions in one create, as upstream allows."""

    def prepare_create(self, obj: dict[str, Any]) -> None:
        status = obj.get("status")
        super().prepare_create(obj)
        if isinstance(status, dict):
            obj["status"] = status


_STRATEGY_CLASSES: dict[str, type[Strategy]] = {
    "nodes": NodeStrategy,
    "pods": PodStrategy,
    "namespaces": NamespaceStrategy,
    "services": ServiceStrategy,
    "horizontalpodautoscalers": HPAStrategy,
}


def strategy_for(resource: Resource) -> Strategy:
    return _STRATEGY_CLASSES.get(resource.name, Strategy)(resource)
