"""The OpenAPI v3 documents: coverage of every served resource, the facts kubectl relies on
(fieldValidation, GVK extensions, patch metadata), internal consistency, and a real
``kubectl explain`` against them."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import orjson
import pytest

from paddock.apiserver.openapi import (
    document_bytes,
    group_version_path,
    openapi_v3_document,
    openapi_v3_index,
    served_group_versions,
)
from paddock.core.resources import resources_in

CORE_V1_PRESENT = "paddock.core.schema.core_v1" in sys.modules
needs_core_v1 = pytest.mark.skipif(
    not CORE_V1_PRESENT, reason="core/schema/core_v1.py not written yet"
)

SCHEMA_PREFIX = "#/components/schemas/"


def documents() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for group, version in served_group_versions():
        yield group, version, orjson.loads(document_bytes(group, version)[0])


def refs(node: Any) -> Iterator[str]:
    """Every $ref in a JSON tree."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                yield ref
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def item_path(group: str, version: str, name: str, namespaced: bool) -> str:
    prefix = f"/apis/{group}/{version}" if group else f"/api/{version}"
    scope = "/namespaces/{namespace}" if namespaced else ""
    return f"{prefix}{scope}/{name}/{{name}}"


def test_index_lists_every_served_group_version_with_its_hash():
    index = openapi_v3_index()
    served = served_group_versions()
    assert ("", "v1") in served and ("apps", "v1") in served
    assert set(index["paths"]) == {group_version_path(g, v) for g, v in served}
    assert "api/v1" in index["paths"] and "apis/apps/v1" in index["paths"]
    for group, version in served:
        url = index["paths"][group_version_path(group, version)]["serverRelativeURL"]
        digest = document_bytes(group, version)[1]
        assert url == f"/openapi/v3/{group_version_path(group, version)}?hash={digest}"


def test_index_uses_given_hashes():
    hashes = {gv: "ABC" for gv in served_group_versions()}
    index = openapi_v3_index(hashes)
    url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
    assert url == "/openapi/v3/apis/apps/v1?hash=ABC"


def test_document_bytes_are_json_hashed_and_computed_once():
    for group, version in served_group_versions():
        body, digest = document_bytes(group, version)
        assert digest == hashlib.sha512(body).hexdigest().upper()
        assert document_bytes(group, version)[0] is body
        doc = orjson.loads(body)
        assert doc["openapi"] == "3.0.0"
        assert doc["info"]["title"] == "Kubernetes"


def test_every_served_resource_has_its_paths():
    for group, version, doc in documents():
        for r in resources_in(group, version):
            collection = item_path(group, version, r.name, r.namespaced).removesuffix("/{name}")
            if "list" in r.verbs or "create" in r.verbs:
                assert collection in doc["paths"], collection
            if "get" in r.verbs:
                assert "get" in doc["paths"][collection + "/{name}"]
            for sub in r.subresources:
                assert f"{collection}/{{name}}/{sub.name}" in doc["paths"]


def test_every_kinds_patch_operation_has_field_validation_and_its_gvk():
    for group, version, doc in documents():
        for r in resources_in(group, version):
            if "patch" not in r.verbs:
                continue
            op = doc["paths"][item_path(group, version, r.name, r.namespaced)]["patch"]
            assert op["x-kubernetes-group-version-kind"] == {
                "group": group, "kind": r.kind, "version": version,
            }
            assert "fieldValidation" in [p["name"] for p in op["parameters"]]
            assert "application/strategic-merge-patch+json" in op["requestBody"]["content"]


def test_every_operation_has_a_gvk_and_every_write_takes_field_validation():
    for _, _, doc in documents():
        for path, item in doc["paths"].items():
            for method, op in item.items():
                if method == "parameters":
                    continue
                assert set(op["x-kubernetes-group-version-kind"]) == {"group", "kind", "version"}
                if method in ("post", "put", "patch"):
                    names = [p["name"] for p in op["parameters"]]
                    assert "fieldValidation" in names, (path, method)


def test_subresource_operations_speak_the_subresource_kind():
    doc = openapi_v3_document("apps", "v1")
    scale = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]
    assert scale["put"]["x-kubernetes-group-version-kind"] == {
        "group": "autoscaling", "kind": "Scale", "version": "v1",
    }
    schema = doc["components"]["schemas"]["io.k8s.api.autoscaling.v1.Scale"]
    assert schema["x-kubernetes-group-version-kind"] == [
        {"group": "autoscaling", "kind": "Scale", "version": "v1"}
    ]


def test_every_ref_resolves_within_its_document():
    for group, version, doc in documents():
        schemas = doc["components"]["schemas"]
        for ref in refs(doc):
            assert ref.startswith(SCHEMA_PREFIX), ref
            assert ref[len(SCHEMA_PREFIX):] in schemas, f"{group}/{version}: {ref}"


@needs_core_v1
def test_no_document_needs_a_placeholder_schema():
    for group, version, doc in documents():
        for name, schema in doc["components"]["schemas"].items():
            placeholder = "x-kubernetes-preserve-unknown-fields" in schema
            assert not placeholder, f"{group}/{version}: {name}"


def test_kind_schemas_carry_their_gvk_for_kubectl_explain():
    for group, version, doc in documents():
        if group == "" and not CORE_V1_PRESENT:
            continue
        gvks = {
            (gvk["group"], gvk["version"], gvk["kind"])
            for schema in doc["components"]["schemas"].values()
            for gvk in schema.get("x-kubernetes-group-version-kind", ())
        }
        for r in resources_in(group, version):
            assert (group, version, r.kind) in gvks
            if "list" in r.verbs:
                assert (group, version, r.list_kind) in gvks


def test_deployment_schema_carries_patch_metadata_enums_and_required():
    schemas = openapi_v3_document("apps", "v1")["components"]["schemas"]
    deployment = schemas["io.k8s.api.apps.v1.Deployment"]
    assert {"apiVersion", "kind", "metadata", "spec", "status"} <= set(deployment["properties"])
    spec = schemas["io.k8s.api.apps.v1.DeploymentSpec"]
    assert spec["required"] == ["selector", "template"]
    strategy = spec["properties"]["strategy"]
    assert strategy["allOf"] == [{"$ref": SCHEMA_PREFIX + "io.k8s.api.apps.v1.DeploymentStrategy"}]
    assert strategy["x-kubernetes-patch-strategy"] == "retainKeys"
    replicas = spec["properties"]["replicas"]
    assert (replicas["type"], replicas["format"]) == ("integer", "int32")
    strategy_type = schemas["io.k8s.api.apps.v1.DeploymentStrategy"]["properties"]["type"]
    assert strategy_type["enum"] == ["Recreate", "RollingUpdate"]
    conditions = schemas["io.k8s.api.apps.v1.DeploymentStatus"]["properties"]["conditions"]
    assert conditions["type"] == "array"
    assert conditions["x-kubernetes-patch-merge-key"] == "type"
    assert conditions["x-kubernetes-list-map-keys"] == ["type"]
    labels = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"]["labels"]
    assert labels["additionalProperties"] == {"type": "string"}


@needs_core_v1
def test_pod_containers_merge_on_name():
    schemas = openapi_v3_document("", "v1")["components"]["schemas"]
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["items"] == {"$ref": SCHEMA_PREFIX + "io.k8s.api.core.v1.Container"}


def test_special_scalars_are_components_as_upstream_names_them():
    schemas = openapi_v3_document("apps", "v1")["components"]["schemas"]
    int_or_string = schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]
    assert int_or_string["format"] == "int-or-string"
    assert int_or_string["oneOf"] == [{"type": "integer"}, {"type": "string"}]
    time_schema = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]
    assert (time_schema["type"], time_schema["format"]) == ("string", "date-time")
    hpa = openapi_v3_document("autoscaling", "v2")["components"]["schemas"]
    quantity = hpa["io.k8s.apimachinery.pkg.api.resource.Quantity"]
    assert quantity["oneOf"] == [{"type": "string"}, {"type": "number"}]


def test_inline_fields_are_spliced_into_the_outer_schema():
    schemas = openapi_v3_document("networking.k8s.io", "v1")["components"]["schemas"]
    rule = schemas["io.k8s.api.networking.v1.IngressRule"]
    assert set(rule["properties"]) == {"host", "http"}
    assert "io.k8s.api.networking.v1.IngressRuleValue" not in schemas


def test_unserved_group_version_is_a_lookup_error():
    with pytest.raises(LookupError):
        openapi_v3_document("nosuch.example.com", "v1")


# --- kubectl against the documents ---------------------------------------------------------


def _resource_list(group: str, version: str) -> dict[str, Any]:
    resources = []
    for r in resources_in(group, version):
        resources.append({
            "name": r.name, "singularName": r.singular, "namespaced": r.namespaced,
            "kind": r.kind, "verbs": list(r.verbs), "shortNames": list(r.short_names),
        })
    return {
        "kind": "APIResourceList", "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version, "resources": resources,
    }


class _DiscoveryAndOpenAPI(BaseHTTPRequestHandler):
    """Just enough of an apiserver for kubectl explain: discovery and OpenAPI v3."""

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        path = urlparse(self.path).path
        body: Any = None
        if path == "/api":
            body = {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}
        elif path == "/apis":
            groups: dict[str, list[str]] = {}
            for group, version in served_group_versions():
                if group:
                    groups.setdefault(group, []).append(version)
            body = {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {
                    "name": g,
                    "versions": [{"groupVersion": f"{g}/{v}", "version": v} for v in vs],
                    "preferredVersion": {"groupVersion": f"{g}/{vs[0]}", "version": vs[0]},
                }
                for g, vs in groups.items()
            ]}
        elif path == "/api/v1":
            body = _resource_list("", "v1")
        elif path.startswith("/apis/") and path.count("/") == 3:
            _, _, group, version = path.split("/")
            body = _resource_list(group, version)
        elif path == "/openapi/v3":
            body = openapi_v3_index()
        elif path.startswith("/openapi/v3/"):
            parts = path.removeprefix("/openapi/v3/").split("/")
            group, version = ("", parts[1]) if parts[0] == "api" else (parts[1], parts[2])
            raw = document_bytes(group, version)[0]
            self._send(raw)
            return
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self._send(orjson.dumps(body))

    def _send(self, raw: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def kubectl_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _DiscoveryAndOpenAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters: [{{name: c, cluster: {{server: 'http://127.0.0.1:{server.server_port}'}}}}]\n"
        "contexts: [{name: c, context: {cluster: c}}]\ncurrent-context: c\n"
    )
    # a fresh HOME keeps kubectl's discovery cache out of the user's
    yield {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)}
    server.shutdown()
    server.server_close()


def _explain(env: dict[str, str], what: str) -> str:
    done = subprocess.run(
        ["kubectl", "explain", what], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_kubectl_explain_walks_the_deployment_schema(kubectl_env: dict[str, str]):
    out = _explain(kubectl_env, "deployment.spec.strategy")
    assert "KIND:       Deployment" in out
    assert "rollingUpdate\t<RollingUpdateDeployment>" in out
    assert "enum: Recreate, RollingUpdate" in out


@needs_core_v1
def test_kubectl_explain_walks_into_core_types(kubectl_env: dict[str, str]):
    out = _explain(kubectl_env, "pods.spec.containers")
    assert "FIELD: containers <[]Container>" in out
    assert "image\t<string>" in out

