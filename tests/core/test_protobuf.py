"""The protobuf codec writes exactly what the reference protobuf classes write, and reads it back.

The reference is the ``protobuf`` package's own implementation of the ``.proto`` files in
``proto/`` (generated from the schema by ``proto/generate.py``, compiled with grpcio-tools;
see ``paddock.proto.reference``).  The codec under test is a fixture: every test runs on the
pure-Python codec and on its Cython twin.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from google.protobuf import message_factory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paddock.core import protobuf
from paddock.core.protobuf import ProtobufError
from paddock.core.schema import REGISTRY
from paddock.core.schema.dsl import Field, Message
from paddock.proto import generate
from paddock.proto.reference import PROTO_DIR, Reference, _b64, load

# The whole module, protoc included, runs in a few seconds; the limit guards against a
# strategy that starts generating huge objects.
pytestmark = pytest.mark.timeout(60)

KINDS = sorted((m for m in REGISTRY.values() if m.gvk), key=lambda m: m.name)

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- the reference --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def reference() -> Reference:
    return load()


@pytest.fixture(scope="module", params=["pure", "native"])
def codec(request: pytest.FixtureRequest) -> ModuleType:
    """The implementation under test: the pure-Python codec and its Cython twin."""
    module: ModuleType = protobuf.codec(pure=request.param == "pure")
    return module


# --- objects generated from the schema ----------------------------------------------------

INT32 = st.integers(-(2**31), 2**31 - 1)
INT64 = st.integers(-(2**63), 2**63 - 1)
TEXT = st.text(max_size=5)
# From just after Go's zero time (which encodes as null) to the end of year 9999
SECONDS = st.integers(-62135596800 + 1, 253402300799)


def _calendar(seconds: int) -> datetime:
    return datetime(1970, 1, 1) + timedelta(seconds=seconds)


def _time_text(seconds: int) -> str:
    d = _calendar(seconds)
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}Z"


def _micro_time_text(seconds_micros: tuple[int, int]) -> str:
    return _time_text(seconds_micros[0])[:-1] + f".{seconds_micros[1]:06d}Z"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | INT64 | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
FIELD_SETS: st.SearchStrategy[Any] = st.recursive(
    st.just({}), lambda inner: st.dictionaries(TEXT, inner, max_size=3), max_leaves=5
)


def _prefix_free(keys: Any) -> bool:
    return not any(a != b and b.startswith(a) for a in keys for b in keys)


def maps_of(values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Maps with keys none of which starts another: for those, the reference (upb) orders
    entries differently from Go; see test_map_entries_are_sorted_as_go_sorts_them."""
    return st.dictionaries(TEXT, values, max_size=3).filter(_prefix_free)


SCALAR_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "string": TEXT,
    "bytes": st.binary(max_size=6).map(_b64),
    "bool": st.booleans(),
    "int32": INT32,
    "int64": INT64,
    "double": st.floats(allow_nan=False, allow_infinity=False),
    "Quantity": st.builds(
        lambda n, suffix: f"{n}{suffix}",
        st.integers(0, 10**6),
        st.sampled_from(["", "m", "k", "M", "G", "Ki", "Mi", "Gi", "e3"]),
    ),
    "IntOrString": INT32 | TEXT,
    "Time": SECONDS.map(_time_text),
    "MicroTime": st.tuples(SECONDS, st.integers(0, 999_999)).map(_micro_time_text),
    # null in a RawExtension is the absent field; tested on its own
    "RawExtension": JSON_VALUES.filter(lambda v: v is not None),
    "FieldsV1": FIELD_SETS,
}


def json_fields(message: Message) -> Iterator[tuple[str, Field]]:
    """The JSON keys of a message's objects and their fields, inline members spliced in."""
    for fld in message.fields:
        if fld.name:
            yield fld.name, fld
        else:
            yield from json_fields(REGISTRY[fld.type])


_STRATEGIES: dict[tuple[str, int], st.SearchStrategy[dict[str, Any]]] = {}
MAX_DEPTH = 6


def field_values(fld: Field, depth: int) -> st.SearchStrategy[Any] | None:
    """Values of one field in objects ``depth`` messages down (None: too deep to nest)."""
    value_type = fld.map_value or fld.type
    if value_type in REGISTRY:
        if depth >= MAX_DEPTH:
            return None
        value: st.SearchStrategy[Any] = st.deferred(lambda: objects(value_type, depth + 1))
    else:
        value = SCALAR_STRATEGIES[value_type]
    if fld.map_value:
        return maps_of(value)
    if fld.repeated:
        return st.lists(value, max_size=2)
    return value


def objects(type_name: str, depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """Objects of a message type: a few of its fields at each level, nested a few levels.

    At most ``6 - depth`` fields per object (at least two) keep sizes bounded in the deep
    types (a Deployment's container ports sit five messages down); at MAX_DEPTH only
    scalar fields are drawn.
    """
    key = (type_name, depth)
    if key not in _STRATEGIES:
        choices = {}
        for name, fld in json_fields(REGISTRY[type_name]):
            values = field_values(fld, depth)
            if values is not None:
                choices[name] = values
        if not choices:
            _STRATEGIES[key] = st.just({})
        else:
            _STRATEGIES[key] = st.lists(
                st.sampled_from(sorted(choices)), max_size=max(2, 6 - depth), unique=True
            ).flatmap(lambda picked: st.fixed_dictionaries({n: choices[n] for n in picked}))
    return _STRATEGIES[key]


def full_objects(type_name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with every field of a message type set (nested messages kept small)."""
    return st.fixed_dictionaries(
        {
            name: values
            for name, fld in json_fields(REGISTRY[type_name])
            if (values := field_values(fld, MAX_DEPTH - 2)) is not None
        }
    )


def normalised(obj: dict[str, Any], message: Message) -> dict[str, Any]:
    """``obj`` as a round trip returns it: protobuf has no empty list or map, only none;
    and the zero of a field Go holds without a pointer and omits from JSON is left out."""
    fields = dict(json_fields(message))
    out = {}
    for key, value in obj.items():
        fld = fields[key]
        if (fld.repeated or fld.map_value) and not value:
            continue
        if fld.omits_zero and not value:
            continue
        sub = REGISTRY.get(fld.map_value or fld.type)
        if sub is not None:
            if fld.map_value:
                value = {k: normalised(v, sub) for k, v in value.items()}
            elif fld.repeated:
                value = [normalised(v, sub) for v in value]
            else:
                value = normalised(value, sub)
        out[key] = value
    return out


def check_against_reference(
    codec: ModuleType, reference: Reference, obj: dict[str, Any], message: Message
) -> bytes:
    """encode(obj) is the reference's bytes, and both decode back to obj."""
    expected = reference.encode(obj, message.name)
    data = codec.encode(obj, message)
    assert data == expected
    assert codec.decode(expected, message) == normalised(obj, message)
    return data


# --- properties on generated objects ------------------------------------------------------


@pytest.mark.parametrize("message", KINDS, ids=lambda m: "/".join(m.gvk).lstrip("/"))
def test_every_kind_encodes_like_the_reference_and_round_trips(
    codec: ModuleType, reference: Reference, message: Message
) -> None:
    @SETTINGS
    @given(obj=objects(message.name))
    def check(obj: dict[str, Any]) -> None:
        check_against_reference(codec, reference, obj, message)
        # kind and apiVersion travel in the envelope and are not message fields
        group, version, kind = message.gvk  # type: ignore[misc]
        api_version = f"{group}/{version}" if group else version
        with_type = {"apiVersion": api_version, "kind": kind, **obj}
        assert codec.encode(with_type, message) == codec.encode(obj, message)

    check()


@pytest.mark.parametrize("name", sorted(REGISTRY), ids=lambda n: n.rsplit(".", 3)[-1])
def test_every_message_type_encodes_like_the_reference(
    codec: ModuleType, reference: Reference, name: str
) -> None:
    # Every field of every type, which objects rooted at the kinds draw only now and then
    @settings(SETTINGS, max_examples=5)
    @given(obj=full_objects(name))
    def check(obj: dict[str, Any]) -> None:
        check_against_reference(codec, reference, obj, REGISTRY[name])

    check()


@pytest.mark.parametrize("name", ["io.k8s.api.core.v1.Pod", "io.k8s.api.apps.v1.Deployment"])
def test_random_bytes_decode_or_raise_protobuf_error(codec: ModuleType, name: str) -> None:
    @settings(SETTINGS, max_examples=300)
    @given(data=st.binary(max_size=64))
    def check(data: bytes) -> None:
        try:
            codec.decode(data, REGISTRY[name])
        except ProtobufError:
            pass

    check()


def test_damaged_encodings_decode_or_raise_protobuf_error(codec: ModuleType) -> None:
    message = REGISTRY["io.k8s.api.core.v1.Pod"]
    good = codec.encode(kubectl_run_pod(), message)

    @settings(SETTINGS, max_examples=300)
    @given(cut=st.integers(0, len(good)), position=st.integers(0, len(good) - 1),
           byte=st.integers(0, 255))
    def check(cut: int, position: int, byte: int) -> None:
        damaged = bytearray(good)
        damaged[position] = byte
        for data in (bytes(damaged), good[:cut]):
            try:
                decoded = codec.decode(data, message)
            except ProtobufError:
                continue
            # whatever decodes is an object the codec can store again unchanged
            assert codec.decode(codec.encode(decoded, message), message) == decoded

    check()


def test_random_envelopes_decode_or_raise_protobuf_error(codec: ModuleType) -> None:
    @settings(SETTINGS, max_examples=200)
    @given(data=st.binary(max_size=40))
    def check(data: bytes) -> None:
        for candidate in (data, protobuf.MAGIC + data):
            try:
                codec.decode_envelope(candidate)
            except ProtobufError:
                pass
            try:
                codec.decode_watch_event(candidate)
            except ProtobufError:
                pass

    check()


# --- fixed examples -----------------------------------------------------------------------


def kubectl_run_pod() -> dict[str, Any]:
    """What ``kubectl run nginx --image=nginx`` sends, as stored by the apiserver."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "nginx",
            "namespace": "default",
            "uid": "5b0e1f4e-3c51-4d53-9a4b-6b1c1d1e7f00",
            "resourceVersion": "1042",
            "creationTimestamp": "2026-11-28T04:50:00Z",
            "labels": {"run": "nginx"},
            "managedFields": [
                {
                    "manager": "kubectl-run",
                    "operation": "Update",
                    "apiVersion": "v1",
                    "time": "2026-11-28T04:50:00Z",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:run": {}}}},
                }
            ],
        },
        "spec": {
            "containers": [
                {
                    "name": "nginx",
                    "image": "nginx",
                    "resources": {},
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                    "imagePullPolicy": "Always",
                    "volumeMounts": [
                        {
                            "name": "kube-api-access-x7k2p",
                            "readOnly": True,
                            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                        }
                    ],
                }
            ],
            "volumes": [
                {
                    "name": "kube-api-access-x7k2p",
                    "projected": {
                        "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                            {
                                "configMap": {
                                    "name": "kube-root-ca.crt",
                                    "items": [{"key": "ca.crt", "path": "ca.crt"}],
                                }
                            },
                        ],
                        "defaultMode": 420,
                    },
                }
            ],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default",
            "serviceAccount": "default",
            "securityContext": {},
            "schedulerName": "default-scheduler",
            "tolerations": [
                {
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                }
            ],
            "priority": 0,
            "enableServiceLinks": True,
            "preemptionPolicy": "PreemptLowerPriority",
        },
        "status": {
            "phase": "Pending",
            "qosClass": "BestEffort",
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "True",
                    "lastTransitionTime": "2026-11-28T04:50:01Z",
                }
            ],
        },
    }


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"},
                     "generation": 1},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1},
            },
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.27",
                            "ports": [{"containerPort": 80, "protocol": "TCP"}],
                            "resources": {
                                "requests": {"memory": "64Mi", "cpu": "250m"},
                                "limits": {"cpu": "1"},
                            },
                            "readinessProbe": {
                                "httpGet": {"path": "/healthz", "port": "http"},
                                "periodSeconds": 5,
                            },
                        }
                    ]
                },
            },
            "revisionHistoryLimit": 10,
        },
        "status": {"replicas": 3, "readyReplicas": 2, "observedGeneration": 1},
    }


def without_type_meta(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}


def test_kubectl_run_pod_matches_the_reference(codec: ModuleType, reference: Reference) -> None:
    pod = without_type_meta(kubectl_run_pod())
    check_against_reference(codec, reference, pod, REGISTRY["io.k8s.api.core.v1.Pod"])


def test_deployment_matches_the_reference(codec: ModuleType, reference: Reference) -> None:
    obj = without_type_meta(deployment())
    message = REGISTRY["io.k8s.api.apps.v1.Deployment"]
    data = check_against_reference(codec, reference, obj, message)
    # maxSurge "25%" as Go writes an IntOrString: type=1, intVal=0, strVal="25%"
    assert b"\x08\x01\x10\x00\x1a\x0325%" in data
    # maxUnavailable 1: type=0, intVal=1, strVal=""
    assert b"\x08\x00\x10\x01\x1a\x00" in data


def test_known_bytes_of_a_config_map(codec: ModuleType) -> None:
    # Worked out by hand from the field numbers: metadata=1 {name=1}, data=2 map entries
    # {key=1, value=2}, sorted by key.
    obj = {"metadata": {"name": "a"}, "data": {"z": "", "k": "v"}}
    expected = (
        b"\x0a\x03" b"\x0a\x01a"
        b"\x12\x06" b"\x0a\x01k" b"\x12\x01v"
        b"\x12\x05" b"\x0a\x01z" b"\x12\x00"
    )
    message = REGISTRY["io.k8s.api.core.v1.ConfigMap"]
    assert codec.encode(obj, message) == expected
    assert codec.decode(expected, message) == obj


def test_map_entries_are_sorted_as_go_sorts_them(codec: ModuleType, reference: Reference) -> None:
    message = REGISTRY["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]
    labels = {"b": "1", "app.kubernetes.io/name": "2", "app": "3", "": "4", "\u00e9": "5"}
    data = codec.encode({"labels": labels}, message)
    parsed = reference.new(message.name)
    parsed.ParseFromString(data)
    assert parsed == reference.message({"labels": labels}, message.name)
    # Go's sort.Strings order (bytes of UTF-8); upb's deterministic mode instead puts a key
    # after the keys it is a prefix of ("app" after "app.kubernetes.io/name", "" last).
    order = [b"\x0a\x00", b"\x0a\x03app", b"\x0a\x16app.kubernetes.io/name", b"\x0a\x01b",
             b"\x0a\x02\xc3\xa9"]
    positions = [data.index(key) for key in order]
    assert positions == sorted(positions)


def test_negative_ints_are_ten_byte_varints_and_repeated_scalars_are_not_packed(
    codec: ModuleType,
) -> None:
    message = REGISTRY["io.k8s.api.core.v1.PodSecurityContext"]
    obj = {"runAsUser": -1, "supplementalGroups": [1, 2]}
    # runAsUser=2 int64; supplementalGroups=4 repeated int64, one tag per item (proto2)
    expected = b"\x10" + b"\xff" * 9 + b"\x01" + b"\x20\x01\x20\x02"
    assert codec.encode(obj, message) == expected
    assert codec.decode(expected, message) == obj


def test_packed_repeated_scalars_are_accepted(codec: ModuleType) -> None:
    message = REGISTRY["io.k8s.api.core.v1.PodSecurityContext"]
    packed = b"\x22\x03\x01\x02\x03" + b"\x20\x04"  # packed [1, 2, 3], then a lone 4
    assert codec.decode(packed, message) == {"supplementalGroups": [1, 2, 3, 4]}


def test_inline_members_travel_in_their_nested_message(
    codec: ModuleType, reference: Reference
) -> None:
    volume = {"name": "data", "emptyDir": {"medium": "Memory"}}
    message = REGISTRY["io.k8s.api.core.v1.Volume"]
    data = check_against_reference(codec, reference, volume, message)
    # name=1, then volumeSource=2 { emptyDir=2 { medium=1 } }
    assert data == b"\x0a\x04data" b"\x12\x0a" b"\x12\x08" b"\x0a\x06Memory"
    # an inline field none of whose members is set is not written
    assert codec.encode({"name": "data"}, message) == b"\x0a\x04data"


def test_ingress_rule_http_travels_in_ingress_rule_value(
    codec: ModuleType, reference: Reference
) -> None:
    rule = {
        "host": "a.example",
        "http": {"paths": [{"path": "/", "pathType": "Prefix",
                            "backend": {"service": {"name": "web",
                                                    "port": {"number": 80}}}}]},
    }
    message = REGISTRY["io.k8s.api.networking.v1.IngressRule"]
    data = check_against_reference(codec, reference, rule, message)
    # host=1, ingressRuleValue=2 { http=1 { paths=1 ... } }
    assert data.startswith(b"\x0a\x09a.example\x12")
    parsed = reference.new(message.name)
    parsed.ParseFromString(data)
    assert parsed.ingressRuleValue.http.paths[0].backend.service.port.number == 80


def test_bytes_made_by_the_reference_classes_decode(
    codec: ModuleType, reference: Reference
) -> None:
    pod = reference.new("io.k8s.api.core.v1.Pod")
    pod.metadata.name = "built"
    pod.metadata.labels["b"] = "2"
    pod.metadata.labels["a"] = "1"
    pod.metadata.creationTimestamp.seconds = 1795841400
    pod.metadata.creationTimestamp.nanos = 0
    container = pod.spec.containers.add()
    container.name = "c"
    container.resources.limits["cpu"].string = "500m"
    container.ports.add(containerPort=8080)
    probe = container.livenessProbe
    probe.handler.tcpSocket.port.type = 1
    probe.handler.tcpSocket.port.strVal = "http"
    pod.spec.securityContext.supplementalGroups.extend([5, 6])
    pod.spec.volumes.add(name="v").volumeSource.hostPath.path = "/data"
    pod.status.startTime.seconds = 0
    data = pod.SerializeToString()
    assert codec.decode(data, REGISTRY["io.k8s.api.core.v1.Pod"]) == {
        "metadata": {
            "name": "built",
            "labels": {"a": "1", "b": "2"},
            "creationTimestamp": "2026-11-28T04:50:00Z",
        },
        "spec": {
            "containers": [
                {
                    "name": "c",
                    "resources": {"limits": {"cpu": "500m"}},
                    "ports": [{"containerPort": 8080}],
                    "livenessProbe": {"tcpSocket": {"port": "http"}},
                }
            ],
            "securityContext": {"supplementalGroups": [5, 6]},
            "volumes": [{"name": "v", "hostPath": {"path": "/data"}}],
        },
        "status": {"startTime": "1970-01-01T00:00:00Z"},
    }


def test_unknown_field_numbers_are_skipped(codec: ModuleType) -> None:
    message = REGISTRY["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]
    data = codec.encode({"name": "x", "labels": {"a": "b"}}, message)
    unknown = (
        b"\xb8\x3e\x96\x01"  # field 999, varint 150
        b"\xba\x3e\x03abc"  # field 999, length-delimited
        b"\xbd\x3e\x00\x00\x00\x00"  # field 999, fixed32
        b"\xb9\x3e" + b"\x00" * 8  # field 999, fixed64
        + b"\xbb\x3e\x08\x01\xbc\x3e"  # field 999, a group holding a varint
    )
    assert codec.decode(unknown + data + unknown, message) == {"name": "x", "labels": {"a": "b"}}


def test_message_fields_seen_twice_are_merged(codec: ModuleType) -> None:
    message = REGISTRY["io.k8s.api.core.v1.Pod"]
    first = codec.encode({"metadata": {"name": "a", "namespace": "n"}}, message)
    second = codec.encode({"metadata": {"name": "b"}}, message)
    assert codec.decode(first + second, message) == {"metadata": {"name": "b", "namespace": "n"}}


def test_time_normalisations(codec: ModuleType) -> None:
    message = REGISTRY["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]

    def round_trip(value: str) -> Any:
        return codec.decode(codec.encode({"creationTimestamp": value}, message), message).get(
            "creationTimestamp"
        )

    assert round_trip("2026-11-28T06:50:00+02:00") == "2026-11-28T04:50:00Z"
    assert round_trip("2026-11-28T04:50:00.987Z") == "2026-11-28T04:50:00Z"
    assert round_trip("1969-12-31T23:59:59Z") == "1969-12-31T23:59:59Z"
    # Go's zero time is an empty message, which reads back as null
    assert round_trip("0001-01-01T00:00:00Z") is None
    # client-go always sends creationTimestamp, as an empty message for an unset time
    assert codec.decode(b"\x0a\x01x\x42\x00", message) == {"name": "x"}


def test_micro_time_keeps_microseconds(codec: ModuleType, reference: Reference) -> None:
    message = REGISTRY["io.k8s.api.coordination.v1.LeaseSpec"]
    obj = {"holderIdentity": "node-1", "renewTime": "2026-11-28T04:50:00.123456Z"}
    data = check_against_reference(codec, reference, obj, message)
    parsed = reference.new(message.name)
    parsed.ParseFromString(data)
    assert (parsed.renewTime.seconds, parsed.renewTime.nanos) == (1795841400, 123456000)


def test_numeric_quantities_are_written_as_their_text(codec: ModuleType) -> None:
    message = REGISTRY["io.k8s.api.core.v1.ResourceRequirements"]
    obj = {"limits": {"cpu": 2, "memory": 0.5}}
    decoded = codec.decode(codec.encode(obj, message), message)
    assert decoded == {"limits": {"cpu": "2", "memory": "500m"}}


def test_raw_extension_and_fields_v1_hold_json_text(codec: ModuleType, reference: Reference) -> None:
    event = {"type": "ADDED", "object": {"kind": "Pod", "apiVersion": "v1", "n": [1, 2.5, None]}}
    message = REGISTRY["io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent"]
    data = check_against_reference(codec, reference, event, message)
    parsed = reference.new(message.name)
    parsed.ParseFromString(data)
    assert parsed.object.raw == b'{"apiVersion":"v1","kind":"Pod","n":[1,2.5,null]}'


@pytest.mark.parametrize(
    ("text", "nanos"),
    [
        ("0s", 0), ("1ns", 1), ("1.5\u00b5s", 1500), ("2ms", 2_000_000), ("1.5s", 1_500_000_000),
        ("1m0s", 60 * 10**9), ("1m30s", 90 * 10**9), ("1h0m0s", 3600 * 10**9),
        ("1h2m3s", 3723 * 10**9), ("-1m30.25s", -90_250_000_000),
        ("2562047h47m16.854775807s", 2**63 - 1),
    ],
)
def test_durations_use_go_notation(text: str, nanos: int) -> None:
    # No served type has a Duration field yet, so these check the helpers directly.
    assert protobuf._format_duration(nanos) == text
    assert protobuf._parse_duration(text) == nanos


def test_durations_parse_every_go_spelling() -> None:
    assert protobuf._parse_duration("1h1m1s1ms1us1ns") == 3661_001_001_001
    assert protobuf._parse_duration("1\u03bcs") == 1000
    assert protobuf._parse_duration("0") == 0
    assert protobuf._parse_duration("+.5s") == 500_000_000
    for bad in ("", "1", "1x", ".s", "1..5s", "s", "-"):
        with pytest.raises(ProtobufError):
            protobuf._parse_duration(bad)


# --- envelope, watch events, framing ------------------------------------------------------


def test_envelope_is_what_upstreams_serializer_writes(
    codec: ModuleType, reference: Reference
) -> None:
    pod = kubectl_run_pod()
    message = codec.message_for("v1", "Pod")
    data = codec.encode_envelope(pod, "v1", "Pod", message)
    assert data.startswith(b"k8s\x00")
    unknown = reference.pool.FindMessageTypeByName("k8s.io.apimachinery.pkg.runtime.Unknown")
    expected = message_factory.GetMessageClass(unknown)()
    expected.typeMeta.apiVersion = "v1"
    expected.typeMeta.kind = "Pod"
    expected.raw = codec.encode(pod, message)
    # Go writes contentEncoding and contentType even though they are empty
    expected.contentEncoding = ""
    expected.contentType = ""
    assert data[4:] == expected.SerializeToString(deterministic=True)
    assert data.endswith(b"\x1a\x00\x22\x00")

    api_version, kind, raw = codec.decode_envelope(data)
    assert (api_version, kind) == ("v1", "Pod")
    assert codec.decode(raw, codec.message_for(api_version, kind)) == without_type_meta(pod)


def test_envelope_of_a_grouped_kind(codec: ModuleType) -> None:
    message = codec.message_for("apps/v1", "Deployment")
    assert message is REGISTRY["io.k8s.api.apps.v1.Deployment"]
    data = codec.encode_envelope(deployment(), "apps/v1", "Deployment", message)
    assert codec.decode_envelope(data)[:2] == ("apps/v1", "Deployment")


def test_message_for_unknown_kinds_is_none(codec: ModuleType) -> None:
    assert codec.message_for("v1", "Nope") is None
    assert codec.message_for("nope/v1", "Pod") is None
    assert codec.message_for("v1", "Status") is REGISTRY[
        "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
    ]


@pytest.mark.parametrize(
    "data",
    [b"", b"k8s", b"k8s\x00", b"k8s\x01\x0a\x00", b"{\"kind\":\"Pod\"}", b"k8s\x00\x0a\x05\x0a"],
    ids=["empty", "short", "magic-only", "wrong-style", "json", "truncated"],
)
def test_bad_envelopes_raise_protobuf_error(codec: ModuleType, data: bytes) -> None:
    with pytest.raises(ProtobufError):
        codec.decode_envelope(data)


def test_watch_events_are_framed_for_the_stream(codec: ModuleType, reference: Reference) -> None:
    message = codec.message_for("v1", "Pod")
    objects_ = [codec.encode_envelope(kubectl_run_pod(), "v1", "Pod", message),
                codec.encode_envelope({"metadata": {"name": "x"}}, "v1", "Pod", message)]
    events = [codec.encode_watch_event("ADDED", objects_[0]),
              codec.encode_watch_event("DELETED", objects_[1])]
    stream = b"".join(codec.frame(e) for e in events)
    assert stream[:4] == struct.pack(">I", len(events[0]))

    watch_event = reference.new("io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent")
    watch_event.ParseFromString(events[0])
    assert watch_event.type == "ADDED"
    assert watch_event.object.raw == objects_[0]
    assert events[0] == watch_event.SerializeToString(deterministic=True)

    frames, rest = codec.split_frames(stream)
    assert frames == events and rest == b""
    assert [codec.decode_watch_event(f) for f in frames] == [
        ("ADDED", objects_[0]), ("DELETED", objects_[1])
    ]
    # a stream read in pieces: incomplete frames wait for more bytes
    frames, rest = codec.split_frames(stream[: len(events[0]) + 6])
    assert frames == events[:1] and rest == stream[len(events[0]) + 4 : len(events[0]) + 6]
    assert codec.split_frames(stream[:3]) == ([], stream[:3])


# --- malformed input ----------------------------------------------------------------------

MALFORMED = {
    "truncated varint": b"\x38\x80",  # ObjectMeta.generation, varint cut short
    "varint over ten bytes": b"\x38" + b"\xff" * 10 + b"\x01",
    "length past the end": b"\x0a\x05ab",
    "wrong wire type": b"\x0d\x00\x00\x00\x00",  # name (string) sent as fixed32
    "field number zero": b"\x00\x01",
    "illegal wire type": b"\xbf\x3e",  # field 999, wire type 7
    "invalid utf-8": b"\x0a\x02\xff\xfe",
    "unterminated group": b"\xbb\x3e\x08\x01",
    "end group alone": b"\xbc\x3e",
    "groups nested deep": b"\xbb\x3e" * 100_000,
    "nested length past its parent": b"\x6a\x03\x0a\x05abcde",  # ownerReferences[0].kind
    "bad time": b"\x42\x0a\x08\xff\xff\xff\xff\xff\xff\xff\xff\x7f",  # past year 9999
    "bad fields json": b"\x8a\x01\x05\x3a\x03\x0a\x01{",  # managedFields[0].fieldsV1
    "truncated tag": b"\x80",
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_bytes_raise_protobuf_error(codec: ModuleType, data: bytes) -> None:
    with pytest.raises(ProtobufError):
        codec.decode(data, REGISTRY["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"])


BAD_OBJECTS = {
    "object for a string": {"name": {"a": 1}},
    "string for an object": {"ownerReferences": ["x"]},
    "object for a list": {"finalizers": {"a": "b"}},
    "int64 out of range": {"deletionGracePeriodSeconds": 2**63},
    "bad time": {"creationTimestamp": "yesterday"},
    "time without zone": {"creationTimestamp": "2026-11-28T04:50:00"},
    "non-string map key": {"labels": {1: "a"}},
}


@pytest.mark.parametrize("obj", BAD_OBJECTS.values(), ids=BAD_OBJECTS.keys())
def test_objects_of_the_wrong_shape_raise_protobuf_error(codec: ModuleType, obj: Any) -> None:
    with pytest.raises(ProtobufError):
        codec.encode(obj, REGISTRY["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"])


def test_wrong_values_of_special_types_raise_protobuf_error(codec: ModuleType) -> None:
    with pytest.raises(ProtobufError):
        codec.encode({"data": {"k": "not base64!"}}, REGISTRY["io.k8s.api.core.v1.Secret"])
    with pytest.raises(ProtobufError):
        codec.encode({"port": 1.5}, REGISTRY["io.k8s.api.core.v1.TCPSocketAction"])
    with pytest.raises(ProtobufError):
        codec.encode({"port": 2**31}, REGISTRY["io.k8s.api.core.v1.TCPSocketAction"])


# --- the .proto files ---------------------------------------------------------------------


def test_proto_files_match_the_schema() -> None:
    # Run `.venv/bin/python proto/generate.py` after changing the schema.
    files = generate.render()
    on_disk = {str(p.relative_to(PROTO_DIR)): p.read_text() for p in PROTO_DIR.rglob("*.proto")}
    assert sorted(on_disk) == sorted(files)
    stale = [path for path, text in files.items() if on_disk[path] != text]
    assert not stale, f"out of date, run proto/generate.py: {stale}"


def test_proto_files_use_upstream_packages_and_field_numbers(reference: Reference) -> None:
    pod = reference.pool.FindMessageTypeByName("k8s.io.api.core.v1.Pod")
    assert pod.fields_by_name["metadata"].message_type.full_name == (
        "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    )
    meta = pod.fields_by_name["metadata"].message_type
    assert meta.fields_by_name["managedFields"].number == 17
    quantity = reference.pool.FindMessageTypeByName("k8s.io.apimachinery.pkg.api.resource.Quantity")
    assert [f.name for f in quantity.fields] == ["string"]
    probe = reference.pool.FindMessageTypeByName("k8s.io.api.core.v1.Probe")
    assert probe.fields_by_number[1].name == "handler"


def test_skipped_fields_are_passed_over_everywhere(codec: ModuleType) -> None:
    pod = kubectl_run_pod()
    message = REGISTRY["io.k8s.api.core.v1.Pod"]
    data = codec.encode_envelope(pod, "v1", "Pod", message)
    skip = codec.skip_fields({"ObjectMeta": ["managedFields", "labels"],
                              "io.k8s.api.core.v1.Container": ["volumeMounts"]})
    full = codec.decode_object(data)
    lean = codec.decode_object(data, skip)
    del full["metadata"]["managedFields"], full["metadata"]["labels"]
    for container in full["spec"]["containers"]:
        container.pop("volumeMounts", None)
    assert lean == full
    frames = codec.frame(codec.encode_watch_event("ADDED", data))
    assert codec.decode_watch_frames(frames, skip) == ([("ADDED", lean)], b"")
    raw = codec.encode(pod, message)
    assert codec.decode(raw, message, skip) == {k: v for k, v in lean.items()
                                                if k not in ("kind", "apiVersion")}


def test_skipped_fields_must_exist(codec: ModuleType) -> None:
    with pytest.raises(ValueError):
        codec.skip_fields({"NoSuchType": ["x"]})
    with pytest.raises(ValueError):
        codec.skip_fields({"ObjectMeta": ["noSuchField"]})


def test_zero_values_go_writes_are_dropped_where_go_json_omits_them(codec: ModuleType) -> None:
    """kubectl 1.32 posts every non-pointer field, zeros included; only pointers' zeros
    (``replicas: 0``) and fields without omitempty (``containerPort: 0``) mean something."""
    message = REGISTRY["io.k8s.api.apps.v1.Deployment"]
    sent = {"metadata": {"name": "web", "generateName": "", "namespace": "", "generation": 0},
            "spec": {"replicas": 0, "minReadySeconds": 0, "paused": False,
                     "template": {"spec": {
                         "hostNetwork": False, "hostname": "", "nodeName": "",
                         "terminationGracePeriodSeconds": 0,
                         "containers": [{"name": "c", "image": "nginx", "workingDir": "",
                                         "stdin": False, "tty": False,
                                         "ports": [{"containerPort": 0, "hostPort": 0,
                                                    "name": ""}]}]}}}}
    decoded = codec.decode(codec.encode(sent, message), message)
    assert decoded == {
        "metadata": {"name": "web"},
        "spec": {"replicas": 0, "template": {"spec": {
            "terminationGracePeriodSeconds": 0,
            "containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 0}]}]}}}}


def test_a_zero_sent_after_a_value_wins(codec: ModuleType) -> None:
    message = REGISTRY["io.k8s.api.core.v1.Container"]
    data = codec.encode({"workingDir": "/srv"}, message) + codec.encode({"workingDir": ""}, message)
    assert codec.decode(data, message) == {}
    data = codec.encode({"workingDir": ""}, message) + codec.encode({"workingDir": "/x"}, message)
    assert codec.decode(data, message) == {"workingDir": "/x"}
