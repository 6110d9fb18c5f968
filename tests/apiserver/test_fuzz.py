"""Random damage to valid objects and patches never produces a 500 or loses the stored object."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

from tests.conftest import APIServerProcess

VALID = {
    "pods": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "f", "labels": {"a": "b"}},
             "spec": {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80}],
                                      "env": [{"name": "E", "value": "v"}],
                                      "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}],
                      "volumes": [{"name": "v", "emptyDir": {}}]}},
    "services": {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "f"},
                 "spec": {"ports": [{"port": 80, "targetPort": "http"}], "selector": {"a": "b"}}},
    "configmaps": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "f"}, "data": {"k": "v"}},
}
JUNK: list[Any] = [None, 0, -1, 2**63, 1.5, "", "x" * 300, "Bad_Name", True, [], {}, [1, "a"], {"x": {"y": []}},
                   "1e999", "-5Gi", "$(", "\u0000", {"$patch": "delete"}, [{"name": None}]]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


def _damage(obj: Any, rng: random.Random) -> Any:
    obj = copy.deepcopy(obj)
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _paths(obj) if p]
        p = rng.choice(paths)
        node = obj
        for k in p[:-1]:
            node = node[k]
        if isinstance(node, dict) and rng.random() < 0.2:
            node[rng.choice(["bogus", "$retainKeys", "apiVersion", "status"])] = copy.deepcopy(rng.choice(JUNK))
        else:
            node[p[-1]] = copy.deepcopy(rng.choice(JUNK))
    return obj


def test_damaged_objects_and_patches_never_cause_a_server_error(apiserver: APIServerProcess,
                                                                namespace: str) -> None:
    rng = random.Random(20261128)
    ctypes = ["application/strategic-merge-patch+json", "application/merge-patch+json",
              "application/json-patch+json", "application/apply-patch+yaml"]
    for resource, valid in VALID.items():
        base = f"/api/v1/namespaces/{namespace}/{resource}"
        created = apiserver.request("POST", base, valid)
        assert created.status == 201, created.body
        for i in range(60):
            bad = _damage(valid, rng)
            if isinstance(bad.get("metadata"), dict) and isinstance(bad["metadata"].get("name"), str):
                bad["metadata"]["name"] = f"f{i}"
            codes = [
                apiserver.request("POST", base, bad).status,
                apiserver.request("PUT", base + "/f", _damage(created.json(), rng)).status,
            ]
            ct = rng.choice(ctypes)
            if ct == "application/json-patch+json":
                body: Any = [{"op": rng.choice(["add", "replace", "remove", "test", "move", "x"]),
                              "path": rng.choice(["/spec", "/metadata/labels/a", "/spec/ports/0", "/x/y", ""]),
                              "value": rng.choice(JUNK), "from": "/metadata"}]
            else:
                body = _damage(valid, rng)
            q = "?fieldManager=fuzz" if ct.startswith("application/apply") else ""
            codes.append(apiserver.request("PATCH", base + "/f" + q, json.dumps(body).encode(),
                                           {"Content-Type": ct}).status)
            assert 500 not in codes, (resource, i, codes, bad, body)
        again = apiserver.request("GET", base + "/f")
        assert again.status == 200
