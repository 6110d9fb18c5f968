"""Storage holds the protobuf envelope, as upstream does in etcd; JSON written earlier still reads."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import orjson

from paddock.apiserver.storage import lmdb as lmdb_backend
from paddock.apiserver.storage.encoding import decode_stored, encode_for_storage
from paddock.core.protobuf import MAGIC
from paddock.proto.reference import load
from tests.conftest import APIServerProcess


def pod(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "resourceVersion": "7",
                         "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


def test_stored_form_is_the_envelope_without_resource_version() -> None:
    obj = pod("a")
    data = encode_for_storage(obj)
    assert data.startswith(MAGIC)
    assert obj["metadata"]["resourceVersion"] == "7"  # the caller's object is left as it was
    back = decode_stored(data, 42)
    assert list(back)[:2] == ["kind", "apiVersion"]
    assert back["metadata"]["resourceVersion"] == "42"
    del back["metadata"]["resourceVersion"], obj["metadata"]["resourceVersion"]
    assert back == obj


def test_json_written_before_protobuf_storage_still_reads() -> None:
    obj = pod("legacy")
    back = decode_stored(orjson.dumps(obj), 9)
    assert back["metadata"]["resourceVersion"] == "9"
    assert back["spec"] == obj["spec"]


def read_raw(data_dir: str, key: str) -> bytes:
    async def go() -> bytes:
        backend = lmdb_backend.LMDBBackend(os.path.join(data_dir, "store"), map_size=1 << 28)
        await backend.start()
        try:
            kv = backend.get(key)
            assert kv is not None
            return bytes(kv.value)
        finally:
            await backend.close()
    return asyncio.run(go())


def write_raw(data_dir: str, key: str, value: bytes) -> None:
    async def go() -> None:
        backend = lmdb_backend.LMDBBackend(os.path.join(data_dir, "store"), map_size=1 << 28)
        await backend.start()
        try:
            await backend.create(key, value)
        finally:
            await backend.close()
    asyncio.run(go())


def test_the_apiserver_stores_objects_as_upstream_does(fresh_apiserver: APIServerProcess) -> None:
    r = fresh_apiserver.request("POST", "/api/v1/namespaces/default/configmaps", {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"},
        "data": {"k": "v"}})
    assert r.status == 201, r.body
    fresh_apiserver.stop()
    raw = read_raw(fresh_apiserver.data_dir, "/registry/configmaps/default/cfg")
    assert raw.startswith(MAGIC)
    reference = load()
    unknown = reference.new_by_proto_name("k8s.io.apimachinery.pkg.runtime.Unknown")
    unknown.ParseFromString(raw[len(MAGIC):])
    assert (unknown.typeMeta.apiVersion, unknown.typeMeta.kind) == ("v1", "ConfigMap")
    config_map = reference.new("io.k8s.api.core.v1.ConfigMap")
    config_map.ParseFromString(unknown.raw)
    assert config_map.metadata.name == "cfg" and dict(config_map.data) == {"k": "v"}
    assert not config_map.metadata.resourceVersion

    # a JSON value from before (or from another writer) is served as well
    write_raw(fresh_apiserver.data_dir, "/registry/configmaps/default/old", orjson.dumps({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "old", "namespace": "default", "uid": "u-1",
                     "creationTimestamp": "2026-11-28T04:50:00Z"},
        "data": {"was": "json"}}))
    fresh_apiserver.start()
    got = fresh_apiserver.request("GET", "/api/v1/namespaces/default/configmaps/old")
    assert got.status == 200 and got.json()["data"] == {"was": "json"}
    got = fresh_apiserver.request("GET", "/api/v1/namespaces/default/configmaps/cfg")
    assert got.status == 200 and got.json()["data"] == {"k": "v"}
