"""Namespace lifecycle inside the apiserver: the built-in namespaces exist from the start,
every namespace gets its ``default`` ServiceAccount, and a Terminating namespace is
emptied, then its ``kubernetes`` finalizer removed, then the namespace itself deleted.

State machine of a namespace::

    Active --DELETE--> Terminating (deletionTimestamp set)
    Terminating --contents all gone--> finalizer "kubernetes" removed --> deleted
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import Any

from ..core import status as st
from ..core.tasks import cancel_and_wait
from .registry import Registry, WriteOptions

log = logging.getLogger(__name__)

BUILTIN_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


async def bootstrap(registry: Registry, api_ip_port: tuple[str, int]) -> None:
    """Create the built-in namespaces and the ``kubernetes`` service if they are missing."""
    ns_store = registry.stores["namespaces"]
    for name in BUILTIN_NAMESPACES:
        if registry.namespace_state(name) is None:
            await ns_store.create(None, {"apiVersion": "v1", "kind": "Namespace",
                                         "metadata": {"name": name}}, WriteOptions())
    svc_store = registry.stores["services"]
    if svc_store.cache.get(svc_store.key("default", "kubernetes")) is None:
        await svc_store.create("default", {
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": registry.ips.first, "type": "ClusterIP", "sessionAffinity": "None",
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": api_ip_port[1]}]},
        }, WriteOptions())
    ep_store = registry.stores["endpoints"]
    if ipaddress.ip_address(api_ip_port[0]).is_loopback:
        return  # endpoints may not point at loopback (upstream validation); nothing to route to
    if ep_store.cache.get(ep_store.key("default", "kubernetes")) is None:
        await ep_store.create("default", {
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": "kubernetes", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": api_ip_port[0]}],
                         "ports": [{"name": "https", "port": api_ip_port[1], "protocol": "TCP"}]}],
        }, WriteOptions())


class NamespaceController:
    """Background loop that finishes namespace deletions and adds default ServiceAccounts."""

    def __init__(self, registry: Registry, interval: float = 0.5) -> None:
        self.registry = registry
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def _run(self) -> None:
        while True:
            try:
                await self.sync()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("namespace sync failed")
            await asyncio.sleep(self.interval)

    async def sync(self) -> None:
        """One pass over all namespaces."""
        ns_cache = self.registry.cache.caches["namespaces"]
        sa_store = self.registry.stores["serviceaccounts"]
        for c in list(ns_cache.objects.values()):
            name = c.obj["metadata"]["name"]
            if c.obj["metadata"].get("deletionTimestamp"):
                await self._finish_deletion(name, c.obj)
            elif sa_store.cache.get(sa_store.key(name, "default")) is None:
                try:
                    await sa_store.create(name, {"apiVersion": "v1", "kind": "ServiceAccount",
                                                 "metadata": {"name": "default"}}, WriteOptions())
                except st.APIError as e:
                    if e.code not in (403, 404, 409):
                        raise

    async def _finish_deletion(self, name: str, ns: dict[str, Any]) -> None:
        remaining = 0
        for store in self.registry.stores.values():
            if not store.resource.namespaced:
                continue
            items, _ = store.list_objects(name, None)
            for item in items:
                md = item.obj["metadata"]
                remaining += 1
                if md.get("deletionTimestamp") and store.name != "pods":
                    continue
                try:
                    await store.delete(name, md["name"], {"propagationPolicy": "Background"})
                except st.APIError as e:
                    if e.code != 404:
                        log.warning("deleting %s/%s in namespace %s: %s", store.name, md["name"], name, e)
        if remaining:
            return
        ns_store = self.registry.stores["namespaces"]

        def finalize(cur: dict[str, Any]) -> dict[str, Any]:
            spec = cur.setdefault("spec", {})
            spec["finalizers"] = [f for f in spec.get("finalizers") or [] if f != "kubernetes"]
            return cur

        try:
            await ns_store.update(None, name, finalize, WriteOptions(subresource="finalize-internal"))
        except st.APIError as e:
            if e.code != 404:
                raise
