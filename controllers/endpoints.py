"""Endpoints and EndpointSlices: the addresses behind each service, from its pods.

For every service with a selector, the pods of its namespace that the selector matches
and that have an IP, are not finished, and (for Endpoints) are not terminating give one
address each, with the service's ports resolved against the pod (a named ``targetPort``
is looked up among the pod's container ports; a pod without it is left out of that
port).  A ready pod (or any, with ``publishNotReadyAddresses``) is among ``addresses``,
the others among ``notReadyAddresses``.  A pod that starts terminating leaves the
Endpoints at once, so that traffic drains before it is killed; EndpointSlices keep it
with ``ready: false, terminating: true``, as upstream's do.

*Endpoints* are named after the service and grouped in subsets by identical port sets.
*EndpointSlices* (``<service>-xxxxx``, labelled ``kubernetes.io/service-name`` and managed
by ``endpointslice-controller.k8s.io``) hold at most 100 endpoints each, with node name and
zone; existing slices are reused before new ones are made, surplus ones deleted.
Services without a selector are left to their users.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from paddock.core.client import Client
from paddock.core.informer import NAMESPACE_INDEX, Informer, object_key
from paddock.core.labels import selector_from_set
from paddock.core.status import APIError
from paddock.core.workqueue import WorkQueue

from .base import QueueController

log = logging.getLogger(__name__)

Obj = dict[str, Any]
MAX_PER_SLICE = 100
SERVICE_NAME = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"
SLICE_CONTROLLER = "endpointslice-controller.k8s.io"
HEADLESS = "service.kubernetes.io/headless"
ZONE = "topology.kubernetes.io/zone"


def pod_ready(pod: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or ())


def pod_ip(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("podIP") or "")


def finished(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def resolve_port(service_port: Obj, pod: Obj) -> int | None:
    """The pod's port for a service port: a number as is, a name from the containers."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for c in (pod.get("spec") or {}).get("containers") or ():
        for p in c.get("ports") or ():
            if p.get("name") == target and (p.get("protocol") or "TCP") == (
                    service_port.get("protocol") or "TCP"):
                return int(p.get("containerPort") or 0)
    return None


def _port(service_port: Obj, number: int) -> Obj:
    port: Obj = {"port": number, "protocol": service_port.get("protocol") or "TCP"}
    if service_port.get("name"):
        port["name"] = service_port["name"]
    if service_port.get("appProtocol"):
        port["appProtocol"] = service_port["appProtocol"]
    return port


def _target_ref(pod: Obj) -> Obj:
    md = pod["metadata"]
    return {"kind": "Pod", "namespace": md.get("namespace"), "name": md.get("name"),
            "uid": md.get("uid")}


def _service_labels(service: Obj) -> dict[str, str]:
    labels = dict((service.get("metadata") or {}).get("labels") or {})
    if (service.get("spec") or {}).get("clusterIP") == "None":
        labels[HEADLESS] = ""
    return labels


class _ServicePods:
    """Services and their pods, shared by both controllers."""

    def __init__(self, services: Informer, pods: Informer) -> None:
        self.services = services
        self.pods = pods

    def selected(self, service: Obj) -> list[Obj] | None:
        """The pods the service selects; None when it has no selector."""
        selector = (service.get("spec") or {}).get("selector")
        if not selector:
            return None
        match = selector_from_set(selector)
        namespace = service["metadata"].get("namespace") or ""
        return [p for p in self.pods.by_index(NAMESPACE_INDEX, namespace)
                if match.matches((p.get("metadata") or {}).get("labels") or {})]

    def services_of(self, pod: Obj) -> list[str]:
        md = pod.get("metadata") or {}
        labels = md.get("labels") or {}
        out = []
        for service in self.services.by_index(NAMESPACE_INDEX, md.get("namespace") or ""):
            selector = (service.get("spec") or {}).get("selector")
            if selector and selector_from_set(selector).matches(labels):
                out.append(object_key(service))
        return out


class _Controller(QueueController):
    name = ""

    def __init__(self, client: Client, services: Informer, pods: Informer, *, workers: int) -> None:
        self.client = client
        self.lookup = _ServicePods(services, pods)
        self.queue = WorkQueue(self.name)
        self.workers = workers
        services.add_handler(lambda event, obj, old: self.queue.add(object_key(obj)))
        pods.add_handler(self._on_pod)

    def _on_pod(self, event: str, pod: Obj, old: Obj | None) -> None:
        keys = set(self.lookup.services_of(pod))
        if old is not None and old is not pod:
            keys.update(self.lookup.services_of(old))
        for key in keys:
            self.queue.add(key)

class EndpointsController(_Controller):
    name = "endpoints"

    def __init__(self, client: Client, services: Informer, pods: Informer,
                 endpoints: Informer, *, workers: int = 5) -> None:
        super().__init__(client, services, pods, workers=workers)
        self.endpoints = endpoints

    def subsets(self, service: Obj, pods: list[Obj]) -> list[Obj]:
        spec = service.get("spec") or {}
        publish = bool(spec.get("publishNotReadyAddresses"))
        groups: dict[tuple[Any, ...], tuple[list[Obj], list[Obj], list[Obj]]] = {}
        for pod in pods:
            ip = pod_ip(pod)
            if not ip or finished(pod) or (pod["metadata"].get("deletionTimestamp") and not publish):
                continue
            ports = []
            for sp in spec.get("ports") or ():
                number = resolve_port(sp, pod)
                if number is not None:
                    ports.append(_port(sp, number))
            address: Obj = {"ip": ip, "targetRef": _target_ref(pod)}
            if (pod.get("spec") or {}).get("nodeName"):
                address["nodeName"] = pod["spec"]["nodeName"]
            pspec = pod.get("spec") or {}
            if pspec.get("hostname") and pspec.get("subdomain") == service["metadata"]["name"]:
                address["hostname"] = pspec["hostname"]
            key = tuple(sorted((p.get("name", ""), p["port"], p["protocol"]) for p in ports))
            ready, not_ready, port_list = groups.setdefault(key, ([], [], ports))
            (ready if publish or pod_ready(pod) else not_ready).append(address)
        subsets = []
        for key in sorted(groups):
            ready, not_ready, ports = groups[key]
            subset: Obj = {}
            if ready:
                subset["addresses"] = sorted(ready, key=lambda a: a["ip"])
            if not_ready:
                subset["notReadyAddresses"] = sorted(not_ready, key=lambda a: a["ip"])
            if ports:
                subset["ports"] = sorted(ports, key=lambda p: (p.get("name", ""), p["port"]))
            if ready or not_ready:
                subsets.append(subset)
        return subsets

    async def sync(self, key: str) -> None:
        namespace, _, name = key.partition("/")
        service = self.lookup.services.get(key)
        current = self.endpoints.get(key)
        if service is None:
            if current is not None and not (current["metadata"].get("labels") or {}).get(
                    "endpoints.kubernetes.io/managed-by") == "user":
                try:
                    await self.client.delete("endpoints", name, namespace)
                except APIError as e:
                    if e.code != 404:
                        raise
            return
        pods = self.lookup.selected(service)
        if pods is None:
            return  # no selector: the user's endpoints
        subsets = self.subsets(service, pods)
        labels = _service_labels(service)
        if current is not None and (current.get("subsets") or []) == subsets and (
                current["metadata"].get("labels") or {}) == labels:
            return
        body: Obj = {"apiVersion": "v1", "kind": "Endpoints",
                     "metadata": {"name": name, "namespace": namespace, "labels": labels},
                     "subsets": subsets}
        try:
            if current is None:
                await self.client.create("endpoints", body, namespace)
            else:
                body["metadata"] = {**current["metadata"], "labels": labels}
                await self.client.update("endpoints", body)
        except APIError as e:
            if e.code == 409 and current is None:
                self.queue.add_after(key, 0.1)  # someone made it first: update next time
                return
            raise


class EndpointSliceController(_Controller):
    name = "endpointslice"

    def __init__(self, client: Client, services: Informer, pods: Informer, slices: Informer,
                 nodes: Informer, *, workers: int = 5) -> None:
        super().__init__(client, services, pods, workers=workers)
        self.slices = slices
        self.nodes = nodes
        if not slices.has_index(SERVICE_NAME):
            slices.add_index(SERVICE_NAME, lambda s: (
                f"{s['metadata'].get('namespace')}/{(s['metadata'].get('labels') or {}).get(SERVICE_NAME)}",)
                if (s["metadata"].get("labels") or {}).get(MANAGED_BY) == SLICE_CONTROLLER else ())
        slices.add_handler(self._on_slice)
        # what our own writes must look like in the informer before the next decision:
        # service key -> slice name -> resourceVersion ("" once deleted)
        self._expected: dict[str, dict[str, str]] = {}

    def _on_slice(self, event: str, s: Obj, old: Obj | None) -> None:
        labels = s["metadata"].get("labels") or {}
        if labels.get(MANAGED_BY) == SLICE_CONTROLLER and labels.get(SERVICE_NAME):
            self.queue.add(f"{s['metadata'].get('namespace')}/{labels[SERVICE_NAME]}")

    def endpoints_of(self, service: Obj, pods: list[Obj]) -> tuple[list[Obj], list[Obj]]:
        """(ports, endpoints) of the service, endpoints sorted by address."""
        spec = service.get("spec") or {}
        publish = bool(spec.get("publishNotReadyAddresses"))
        ports: list[Obj] = []
        endpoints = []
        for pod in pods:
            ip = pod_ip(pod)
            if not ip or finished(pod) or ":" in ip:
                continue
            resolved = []
            for sp in spec.get("ports") or ():
                number = resolve_port(sp, pod)
                if number is not None:
                    resolved.append(_port(sp, number))
            if not ports:
                ports = resolved
            elif resolved != ports:
                continue  # pods with other port numbers would need a slice of their own
            terminating = bool(pod["metadata"].get("deletionTimestamp"))
            ready = pod_ready(pod)
            endpoint: Obj = {"addresses": [ip], "conditions": {
                "ready": (ready or publish) and not terminating, "serving": ready,
                "terminating": terminating}, "targetRef": _target_ref(pod)}
            node_name = (pod.get("spec") or {}).get("nodeName")
            if node_name:
                endpoint["nodeName"] = node_name
                node = self.nodes.get(node_name)
                zone = ((node or {}).get("metadata", {}).get("labels") or {}).get(ZONE)
                if zone:
                    endpoint["zone"] = zone
            pspec = pod.get("spec") or {}
            if pspec.get("hostname") and pspec.get("subdomain") == service["metadata"]["name"]:
                endpoint["hostname"] = pspec["hostname"]
            endpoints.append(endpoint)
        endpoints.sort(key=lambda e: e["addresses"][0])
        if not ports:
            ports = [_port(sp, int(sp.get("targetPort")) if isinstance(sp.get("targetPort"), int)
                           else int(sp.get("port") or 0)) for sp in spec.get("ports") or ()]
        return ports, endpoints

    async def sync(self, key: str) -> None:
        namespace, _, name = key.partition("/")
        service = self.lookup.services.get(key)
        existing = sorted(self.slices.by_index(SERVICE_NAME, key),
                          key=lambda s: s["metadata"].get("name") or "")
        expected = self._expected.get(key)
        if expected:
            seen = {s["metadata"]["name"]: int(s["metadata"].get("resourceVersion") or 0)
                    for s in existing}
            if any((name_ not in seen) if rv else (name_ in seen) for name_, rv in expected.items()) or any(
                    rv and seen.get(name_, 0) < int(rv) for name_, rv in expected.items()):
                self.queue.add_after(key, 1.0)  # the informer has not caught up with us yet
                return
            del self._expected[key]
        if service is None:
            return  # the garbage collector removes slices owned by the deleted service
        pods = self.lookup.selected(service)
        if pods is None:
            return
        ports, endpoints = self.endpoints_of(service, pods)
        chunks = [endpoints[i:i + MAX_PER_SLICE] for i in range(0, len(endpoints), MAX_PER_SLICE)] or [[]]
        labels = {**_service_labels(service), SERVICE_NAME: name, MANAGED_BY: SLICE_CONTROLLER}
        md = service["metadata"]
        owner = {"apiVersion": "v1", "kind": "Service", "name": name, "uid": md.get("uid"),
                 "controller": True, "blockOwnerDeletion": True}
        for i, chunk in enumerate(chunks):
            if i < len(existing):
                current = existing[i]
                if (current.get("endpoints") or []) == chunk and (current.get("ports") or []) == ports \
                        and (current["metadata"].get("labels") or {}) == labels:
                    continue
                body = copy.deepcopy(current)
                body["metadata"]["labels"] = labels
                body["endpoints"] = chunk
                body["ports"] = ports
                written = await self.client.update("endpointslices", body)
                self._expect(key, written)
            else:
                written = await self.client.create("endpointslices", {
                    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": {"generateName": f"{name}-", "namespace": namespace,
                                 "labels": labels, "ownerReferences": [owner]},
                    "addressType": "IPv4", "endpoints": chunk, "ports": ports}, namespace)
                self._expect(key, written)
        for surplus in existing[len(chunks):]:
            try:
                await self.client.delete("endpointslices", surplus["metadata"]["name"], namespace)
            except APIError as e:
                if e.code != 404:
                    raise
            self._expected.setdefault(key, {})[surplus["metadata"]["name"]] = ""

    def _expect(self, key: str, written: Obj) -> None:
        md = written["metadata"]
        self._expected.setdefault(key, {})[md["name"]] = str(md.get("resourceVersion") or "0")
