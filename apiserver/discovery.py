"""Discovery documents: legacy (/api, /apis, /api/v1, /apis/<g>/<v>) and aggregated
(apidiscovery.k8s.io v2 and v2beta1), built once from core/resources.py and served as
pre-encoded bytes with an ETag."""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

import orjson

from ..core.resources import GROUP_VERSIONS, RESOURCES, Resource, resources_in

AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
AGGREGATED_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"


def _storage_version_hash(r: Resource) -> str:
    return hashlib.sha256(f"{r.group}/{r.version}/{r.kind}".encode()).digest()[:8].hex()


def api_versions(server_address: str) -> dict[str, Any]:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}


def api_group_list() -> dict[str, Any]:
    groups = []
    for group, versions in GROUP_VERSIONS:
        vs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        groups.append({"name": group, "versions": vs, "preferredVersion": vs[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(group: str) -> dict[str, Any] | None:
    for name, versions in GROUP_VERSIONS:
        if name == group:
            vs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
            return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": vs,
                    "preferredVersion": vs[0]}
    return None


def api_resource_list(group: str, version: str) -> dict[str, Any] | None:
    rs = resources_in(group, version)
    if not rs:
        return None
    out: list[dict[str, Any]] = []
    for r in rs:
        entry: dict[str, Any] = {"name": r.name, "singularName": r.singular, "namespaced": r.namespaced,
                                 "kind": r.kind, "verbs": list(r.verbs)}
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if r.categories:
            entry["categories"] = list(r.categories)
        if r.name != "bindings":
            entry["storageVersionHash"] = _storage_version_hash(r)
        out.append(entry)
        for sub in r.subresources:
            s: dict[str, Any] = {"name": f"{r.name}/{sub.name}", "singularName": "",
                                 "namespaced": r.namespaced, "kind": sub.kind, "verbs": list(sub.verbs)}
            if sub.group is not None:
                s["group"] = sub.group
                s["version"] = sub.version
            out.append(s)
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out}


def _aggregated_resource(r: Resource) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": r.name,
        "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
        "scope": "Namespaced" if r.namespaced else "Cluster",
        "singularResource": r.singular,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        entry["shortNames"] = list(r.short_names)
    if r.categories:
        entry["categories"] = list(r.categories)
    if r.subresources:
        entry["subresources"] = [
            {"subresource": s.name,
             "responseKind": {"group": s.group if s.group is not None else r.group,
                              "version": s.version or r.version, "kind": s.kind},
             "verbs": list(s.verbs)}
            for s in r.subresources
        ]
    return entry


def aggregated(legacy_core: bool, version: str = "v2") -> dict[str, Any]:
    """The APIGroupDiscoveryList for /api (legacy_core) or /apis."""
    items: list[dict[str, Any]] = []
    if legacy_core:
        items.append({"metadata": {"creationTimestamp": None}, "versions": [
            {"version": "v1", "resources": [_aggregated_resource(r) for r in resources_in("", "v1")],
             "freshness": "Current"}]})
    else:
        for group, versions in GROUP_VERSIONS:
            items.append({"metadata": {"name": group, "creationTimestamp": None}, "versions": [
                {"version": v, "resources": [_aggregated_resource(r) for r in resources_in(group, v)],
                 "freshness": "Current"} for v in versions]})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": f"apidiscovery.k8s.io/{version}",
            "metadata": {}, "items": items}


@cache
def encoded(which: str, arg: str = "") -> tuple[bytes, str]:
    """Pre-encoded discovery documents and their ETag, computed once."""
    doc: Any
    if which == "apis":
        doc = api_group_list()
    elif which == "agg-api":
        doc = aggregated(True, arg or "v2")
    elif which == "agg-apis":
        doc = aggregated(False, arg or "v2")
    elif which == "group":
        doc = api_group(arg)
    elif which == "resources":
        group, _, version = arg.rpartition("/")
        doc = api_resource_list(group, version)
    else:
        raise KeyError(which)
    if doc is None:
        return b"", ""
    body = orjson.dumps(doc)
    return body, '"' + hashlib.sha256(body).hexdigest()[:32].upper() + '"'


__all__ = ["RESOURCES", "encoded", "api_versions", "AGGREGATED_V2", "AGGREGATED_V2BETA1"]
