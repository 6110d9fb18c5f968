"""Protobuf on the wire: GET/LIST/WATCH in the Kubernetes envelope, protobuf request bodies,
and kubectl 1.32's generator commands (which POST protobuf and never fall back to JSON)."""

from __future__ import annotations

import json
import socket
import time

from paddock.core import protobuf as pb
from tests.conftest import APIServerProcess
from tests.protobuf_wire import varint

PB = "application/vnd.kubernetes.protobuf"


def test_get_and_list_in_protobuf_decode_to_the_json_object(apiserver: APIServerProcess, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    apiserver.request("POST", base, {"metadata": {"name": "c", "labels": {"a": "b"}}, "data": {"k": "v"}})
    as_json = apiserver.request("GET", base + "/c").json()
    r = apiserver.request("GET", base + "/c", headers={"Accept": f"{PB},application/json"})
    assert r.headers["content-type"] == PB and r.body.startswith(pb.MAGIC)
    api_version, kind, raw = pb.decode_envelope(r.body)
    assert (api_version, kind) == ("v1", "ConfigMap")
    msg = pb.message_for("v1", "ConfigMap")
    assert msg is not None
    decoded = pb.decode(raw, msg)
    assert decoded["data"] == {"k": "v"} and decoded["metadata"]["uid"] == as_json["metadata"]["uid"]
    # and the protobuf package's classes, compiled from proto/, read the same bytes
    from paddock.proto.reference import load

    reference = load()
    unknown = reference.new_by_proto_name("k8s.io.apimachinery.pkg.runtime.Unknown")
    unknown.ParseFromString(r.body[len(pb.MAGIC):])
    config_map = reference.new("io.k8s.api.core.v1.ConfigMap")
    config_map.ParseFromString(unknown.raw)
    assert config_map.metadata.uid == as_json["metadata"]["uid"]
    assert dict(config_map.data) == {"k": "v"} and dict(config_map.metadata.labels) == {"a": "b"}
    r = apiserver.request("GET", base, headers={"Accept": PB})
    api_version, kind, raw = pb.decode_envelope(r.body)
    lst_msg = pb.message_for("v1", "ConfigMapList")
    assert kind == "ConfigMapList" and lst_msg is not None
    lst = pb.decode(raw, lst_msg)
    assert [i["metadata"]["name"] for i in lst["items"]] == ["c"]


def test_protobuf_pod_post_creates_the_pod(apiserver: APIServerProcess, namespace: str) -> None:
    pod = {"metadata": {"name": "pbpod", "generateName": "", "namespace": ""},
           "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    msg = pb.message_for("v1", "Pod")
    assert msg is not None
    body = pb.encode_envelope(pod, "v1", "Pod", msg)
    r = apiserver.request("POST", f"/api/v1/namespaces/{namespace}/pods", body,
                          {"Content-Type": PB, "Accept": "application/json"})
    assert r.status == 201, r.body
    obj = r.json()
    assert obj["spec"]["containers"][0]["image"] == "busybox"
    assert "generateName" not in obj["metadata"]
    bad = apiserver.request("POST", f"/api/v1/namespaces/{namespace}/pods", b"k8s\x00\xff\xff",
                            {"Content-Type": PB})
    assert bad.status == 400 and bad.json()["reason"] == "BadRequest"


def test_protobuf_watch_stream_is_length_framed(apiserver: APIServerProcess, namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    rv = apiserver.request("GET", base).json()["metadata"]["resourceVersion"]
    apiserver.request("POST", base, {"metadata": {"name": "w"}})
    ctx = apiserver.ssl_context()
    sock = ctx.wrap_socket(socket.create_connection((apiserver.host, apiserver.port), timeout=10),
                           server_hostname=apiserver.host)
    sock.sendall(f"GET {base}?watch=true&resourceVersion={rv}&timeoutSeconds=2 HTTP/1.1\r\nHost: x\r\n"
                 f"Authorization: Bearer {apiserver.token}\r\nAccept: {PB};stream=watch\r\n"
                 "Connection: close\r\n\r\n".encode())
    data = b""
    deadline = time.time() + 10
    while time.time() < deadline and (chunk := sock.recv(65536)):
        data += chunk
    sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"stream=watch" in head
    # undo chunked transfer encoding
    payload = b""
    while body:
        size_s, _, rest = body.partition(b"\r\n")
        size = int(size_s, 16)
        if size == 0:
            break
        payload += rest[:size]
        body = rest[size + 2:]
    frames, rest = pb.split_frames(payload)
    assert rest == b"" and frames
    typ, raw = pb.decode_watch_event(frames[0])
    api_version, kind, obj_raw = pb.decode_envelope(raw)
    msg = pb.message_for(api_version, kind)
    assert msg is not None
    assert typ == "ADDED" and pb.decode(obj_raw, msg)["metadata"]["name"] == "w"


def test_kubectl_1_32_generator_commands_post_protobuf(apiserver: APIServerProcess, namespace: str) -> None:
    def k(*args: str) -> str:
        return apiserver.kubectl("-n", namespace, *args).stdout
    assert f"namespace/{namespace}-pb created" in apiserver.kubectl("create", "namespace", f"{namespace}-pb").stdout
    assert "configmap/c1 created" in k("create", "configmap", "c1", "--from-literal=a=b")
    assert "secret/s1 created" in k("create", "secret", "generic", "s1", "--from-literal=k=v")
    assert "deployment.apps/d1 created" in k("create", "deployment", "d1", "--image=nginx", "--replicas=2")
    assert "service/s1 created" in k("create", "service", "clusterip", "s1", "--tcp=80:8080")
    assert "serviceaccount/sa1 created" in k("create", "serviceaccount", "sa1")
    assert "ingress.networking.k8s.io/i1 created" in k("create", "ingress", "i1", "--rule=foo.com/bar=svc1:8080")
    assert "resourcequota/q1 created" in k("create", "quota", "q1", "--hard=pods=10")
    assert "autoscaled" in k("autoscale", "deployment", "d1", "--min=1", "--max=3", "--cpu-percent=50")
    d = json.loads(k("get", "deployment", "d1", "-o", "json"))
    assert d["spec"]["replicas"] == 2 and "generateName" not in d["metadata"]
    cm = json.loads(k("get", "configmap", "c1", "-o", "json"))
    assert cm["data"] == {"a": "b"}


def test_objects_kubectl_posts_in_protobuf_read_back_as_upstream_json(
        apiserver: APIServerProcess, namespace: str) -> None:
    """Go writes every non-pointer field to protobuf, zeros included; the JSON read back
    omits them as Go's would, and keeps the zeros of pointer fields."""
    apiserver.kubectl("-n", namespace, "create", "deployment", "z", "--image=nginx",
                      "--replicas=0")
    r = apiserver.request("GET", f"/apis/apps/v1/namespaces/{namespace}/deployments/z")
    d = r.json()
    assert d["spec"]["replicas"] == 0  # a pointer: zero is what was asked for
    assert "minReadySeconds" not in d["spec"] and "paused" not in d["spec"]
    pod_spec = d["spec"]["template"]["spec"]
    for absent in ("hostNetwork", "hostname", "nodeName", "serviceAccountName", "subdomain"):
        assert absent not in pod_spec, absent
    container = pod_spec["containers"][0]
    for absent in ("workingDir", "stdin", "stdinOnce", "tty"):
        assert absent not in container, absent
    assert container["terminationMessagePath"] == "/dev/termination-log"  # defaulted


def test_protobuf_list_of_cached_items_is_the_canonical_encoding(
        apiserver: APIServerProcess, namespace: str) -> None:
    """A LIST joins each item's cached message; the bytes are exactly those of encoding the
    whole list at once, and the reference classes read them."""
    from paddock.proto.reference import load

    base = f"/api/v1/namespaces/{namespace}/pods"
    for i in range(3):
        apiserver.request("POST", base, {"metadata": {"name": f"p{i}", "labels": {"i": str(i)}},
                                         "spec": {"containers": [{"name": "c", "image": "x"}]}})
    r = apiserver.request("GET", base + "?labelSelector=i%21%3D1", headers={"Accept": PB})
    as_json = apiserver.request("GET", base + "?labelSelector=i%21%3D1").json()
    message = pb.message_for("v1", "PodList")
    assert message is not None
    expected = pb.encode_envelope({"metadata": as_json["metadata"], "items": as_json["items"]},
                                  "v1", "PodList", message)
    assert r.body == expected
    reference = load()
    unknown = reference.new_by_proto_name("k8s.io.apimachinery.pkg.runtime.Unknown")
    unknown.ParseFromString(r.body[len(pb.MAGIC):])
    pods = reference.new("io.k8s.api.core.v1.PodList")
    pods.ParseFromString(unknown.raw)
    assert [p.metadata.name for p in pods.items] == ["p0", "p2"]
    assert pods.metadata.resourceVersion == as_json["metadata"]["resourceVersion"]


def _envelope(raw: bytes, kind: bytes = b"Pod") -> bytes:
    type_meta = b"\x0a\x02v1\x12" + bytes([len(kind)]) + kind
    return (pb.MAGIC + b"\x0a" + bytes([len(type_meta)]) + type_meta + b"\x12"
            + varint(len(raw)) + raw)


# a group nested a hundred thousand deep inside the pod's metadata
_DEEP = b"\xfb\x07" * 100_000
MALFORMED_BODIES = {
    "truncated varint": _envelope(b"\x0a\x05\x0a\x03abc\x42\x80"),
    "wrong wire type": _envelope(b"\x08\x01"),  # metadata (field 1) as a varint
    "length past the end": _envelope(b"\x0a\x7f\x0a\x03abc"),
    "wrong magic": b"k9s\x00" + _envelope(b"")[4:],
    "nested too deep": _envelope(b"\x0a" + varint(len(_DEEP)) + _DEEP),
    "no envelope at all": b'{"kind": "Pod"}',
    "unknown kind": _envelope(b"", b"Widget"),
    "invalid UTF-8": _envelope(b"\x0a\x04\x0a\x02\xff\xfe"),
}


def test_malformed_protobuf_bodies_are_bad_requests(apiserver: APIServerProcess,
                                                     namespace: str) -> None:
    base = f"/api/v1/namespaces/{namespace}/pods"
    apiserver.request("POST", base, {"metadata": {"name": "p"},
                                     "spec": {"containers": [{"name": "c", "image": "x"}]}})
    for case, body in MALFORMED_BODIES.items():
        for method, path in (("POST", base), ("PUT", base + "/p")):
            r = apiserver.request(method, path, body, {"Content-Type": PB,
                                                       "Accept": "application/json"})
            assert r.status == 400, (case, method, r.body[:200])
            assert r.json()["reason"] == "BadRequest", case
    # the server is still well
    assert apiserver.request("GET", base + "/p").status == 200


def test_errors_come_back_in_protobuf_to_protobuf_clients(apiserver: APIServerProcess,
                                                          namespace: str) -> None:
    r = apiserver.request("GET", f"/api/v1/namespaces/{namespace}/pods/missing",
                          headers={"Accept": f"{PB}, application/json"})
    assert r.status == 404 and r.headers["content-type"] == PB
    api_version, kind, raw = pb.decode_envelope(r.body)
    assert (api_version, kind) == ("v1", "Status")
    message = pb.message_for("v1", "Status")
    assert message is not None
    status = pb.decode(raw, message)
    assert (status["code"], status["reason"]) == (404, "NotFound")
    assert status["message"] == 'pods "missing" not found'
    r = apiserver.request("GET", f"/api/v1/namespaces/{namespace}/pods/missing")
    assert r.status == 404 and r.json()["reason"] == "NotFound"
