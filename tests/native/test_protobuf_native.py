"""The Cython protobuf codec and its pure-Python twin agree on everything.

``tests/core/test_protobuf.py`` runs every case on both against the reference classes; the
properties here compare the two directly, where no reference exists: on any bytes (both
decode to equal dicts or both raise), on objects of the wrong shape (same bytes or both
raise), and on the spellings of time the native side parses itself.  The native module must
be built: its absence is a failure here, never a skip.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paddock.core import protobuf
from paddock.core.protobuf import ProtobufError
from paddock.core.schema import REGISTRY
from tests.core.test_protobuf import JSON_VALUES, KINDS, kubectl_run_pod, objects
from tests.protobuf_wire import varint

PURE = protobuf.codec(pure=True)
NATIVE = protobuf.codec(pure=False)
POD = REGISTRY["io.k8s.api.core.v1.Pod"]

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def outcome(function: Any, *args: Any) -> tuple[str, Any]:
    """What a codec call gives: its result, or that it raised ProtobufError."""
    try:
        return "ok", function(*args)
    except ProtobufError:
        return "error", None


def test_the_native_module_is_built_and_chosen_by_default() -> None:
    assert NATIVE is not PURE
    assert NATIVE.__name__ == "paddock._native.protobuf"
    assert protobuf.codec() is NATIVE


def test_pure_is_chosen_when_asked_for_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protobuf, "_chosen", None)
    monkeypatch.setenv("PADDOCK_PURE", "1")
    assert protobuf.codec() is PURE
    monkeypatch.setattr(protobuf, "_chosen", None)


@pytest.mark.parametrize("message", KINDS, ids=lambda m: "/".join(m.gvk).lstrip("/"))
def test_both_encode_and_decode_every_kind_identically(message: Any) -> None:
    @settings(SETTINGS, max_examples=30)
    @given(obj=objects(message.name))
    def check(obj: dict[str, Any]) -> None:
        data = NATIVE.encode(obj, message)
        assert data == PURE.encode(obj, message)
        assert NATIVE.decode(data, message) == PURE.decode(data, message)
        api_version = "/".join(message.gvk[:2]).lstrip("/")
        envelope = NATIVE.encode_envelope(obj, api_version, message.gvk[2], message)
        assert envelope == PURE.encode_envelope(obj, api_version, message.gvk[2], message)
        decoded = NATIVE.decode_object(envelope)
        assert decoded == PURE.decode_object(envelope)
        assert list(decoded)[:2] == ["kind", "apiVersion"]
        # passing over some fields of the kind itself and of the metadata, alike
        names = [f.name for f in message.fields if f.name][:2]
        spec = {message.name: names, "ObjectMeta": ["managedFields", "labels"]}
        assert NATIVE.decode_object(envelope, NATIVE.skip_fields(spec)) == PURE.decode_object(
            envelope, PURE.skip_fields(spec))

    check()


@pytest.mark.parametrize("name", ["io.k8s.api.core.v1.Pod", "io.k8s.api.apps.v1.Deployment",
                                  "io.k8s.api.core.v1.Secret", "io.k8s.api.core.v1.Node"])
def test_both_agree_on_random_bytes(name: str) -> None:
    message = REGISTRY[name]

    @SETTINGS
    @given(data=st.binary(max_size=80))
    def check(data: bytes) -> None:
        assert outcome(NATIVE.decode, data, message) == outcome(PURE.decode, data, message)

    check()


def test_both_agree_on_damaged_pods() -> None:
    good = PURE.encode(kubectl_run_pod(), POD)

    @SETTINGS
    @given(cut=st.integers(0, len(good)), position=st.integers(0, len(good) - 1),
           byte=st.integers(0, 255))
    def check(cut: int, position: int, byte: int) -> None:
        damaged = bytearray(good)
        damaged[position] = byte
        for data in (bytes(damaged), good[:cut]):
            assert outcome(NATIVE.decode, data, POD) == outcome(PURE.decode, data, POD)

    check()


# JSON values in places where the schema expects something else
@SETTINGS
@given(value=JSON_VALUES, key=st.sampled_from(
    ["metadata", "spec", "status", "kind"]), inner=st.sampled_from(
    ["name", "labels", "containers", "nodeName", "priority", "creationTimestamp",
     "terminationGracePeriodSeconds", "overhead", "hostNetwork", "deletionTimestamp"]))
def test_both_agree_on_objects_of_the_wrong_shape(value: Any, key: str, inner: str) -> None:
    for obj in ({key: value}, {key: {inner: value}}, {"spec": {"containers": [{inner: value}]}}):
        assert outcome(NATIVE.encode, obj, POD) == outcome(PURE.encode, obj, POD)


TIMES = [
    "2026-11-28T04:50:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z", "0001-01-01T00:00:01Z", "9999-12-31T23:59:59Z",
    "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2026-11-28T24:00:00Z",
    "2026-11-28T04:50:60Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
    "2026-11-28T04:50:00.5Z", "2026-11-28T04:50:00.123456789Z", "2026-11-28T04:50:00.Z",
    "2026-11-28T04:50:00.1234567891Z", "2026-11-28t04:50:00z", "2026-11-28T04:50:00+02:00",
    "2026-11-28T04:50:00-00:30", "2026-11-28 04:50:00Z", "2026-11-28T04:50:00",
    "2026-11-28T04:50Z", "20261128T045000Z", "", "x", "2026-1a-28T04:50:00Z",
]


@pytest.mark.parametrize("text", TIMES)
@pytest.mark.parametrize("field", ["creationTimestamp", "deletionTimestamp"])
def test_both_agree_on_spellings_of_time(text: str, field: str) -> None:
    obj = {"metadata": {field: text}}
    assert outcome(NATIVE.encode, obj, POD) == outcome(PURE.encode, obj, POD)
    lease = REGISTRY["io.k8s.api.coordination.v1.Lease"]
    obj = {"spec": {"renewTime": text, "acquireTime": text}}
    assert outcome(NATIVE.encode, obj, lease) == outcome(PURE.encode, obj, lease)


@SETTINGS
@given(seconds=st.integers(-(2**63), 2**63 - 1), nanos=st.integers(-(2**31), 2**31 - 1))
def test_both_read_any_time_message_alike(seconds: int, nanos: int) -> None:
    time = b"\x08" + varint(seconds) + b"\x10" + varint(nanos)
    # ObjectMeta.creationTimestamp (Time) is field 8 of metadata (field 1 of Pod)
    meta = b"\x42" + varint(len(time)) + time
    pod = b"\x0a" + varint(len(meta)) + meta
    assert outcome(NATIVE.decode, pod, POD) == outcome(PURE.decode, pod, POD)
    lease = REGISTRY["io.k8s.api.coordination.v1.Lease"]
    # LeaseSpec.renewTime (MicroTime) is field 4 of spec (field 2 of Lease)
    spec = b"\x22" + varint(len(time)) + time
    obj = b"\x12" + varint(len(spec)) + spec
    assert outcome(NATIVE.decode, obj, lease) == outcome(PURE.decode, obj, lease)


@SETTINGS
@given(data=st.binary(max_size=40), cut=st.integers(0, 200))
def test_both_agree_on_random_and_cut_envelopes(data: bytes, cut: int) -> None:
    good = PURE.encode_envelope(kubectl_run_pod(), "v1", "Pod", POD)
    for candidate in (protobuf.MAGIC + data, good[:cut], good[:cut] + data, good + data):
        assert outcome(NATIVE.decode_object, candidate) == outcome(PURE.decode_object, candidate)


@SETTINGS
@given(noise=st.binary(max_size=30), cut=st.integers(0, 400), position=st.integers(0, 399),
       byte=st.integers(0, 255))
def test_both_agree_on_watch_streams(noise: bytes, cut: int, position: int, byte: int) -> None:
    pod = PURE.encode_envelope(kubectl_run_pod(), "v1", "Pod", POD)
    stream = b"".join(PURE.frame(PURE.encode_watch_event(t, pod)) for t in ("ADDED", "DELETED"))
    damaged = bytearray(stream)
    damaged[position % len(stream)] = byte
    for candidate in (stream, stream[:cut], bytes(damaged), stream + noise,
                      PURE.frame(noise) + stream):
        native = outcome(NATIVE.decode_watch_frames, candidate)
        assert native == outcome(PURE.decode_watch_frames, candidate)
    events, rest = NATIVE.decode_watch_frames(stream + stream[:5])
    assert [t for t, _ in events] == ["ADDED", "DELETED"] and rest == stream[:5]
    assert events[0][1] == PURE.decode_object(pod)


def test_decode_object_reads_envelopes_of_other_shapes_too() -> None:
    """Fields of the Unknown in another order, or the trailer missing, still decode."""
    raw = PURE.encode(kubectl_run_pod(), POD)
    type_meta = b"\x0a\x02v1\x12\x03Pod"
    reordered = protobuf.MAGIC + b"\x12" + varint(len(raw)) + raw + b"\x0a" + bytes(
        [len(type_meta)]) + type_meta
    bare = protobuf.MAGIC + b"\x0a" + bytes([len(type_meta)]) + type_meta + b"\x12" + varint(
        len(raw)) + raw
    expected = PURE.decode_object(PURE.encode_envelope(kubectl_run_pod(), "v1", "Pod", POD))
    for data in (reordered, bare):
        assert NATIVE.decode_object(data) == expected == PURE.decode_object(data)


def test_large_lists_decode_alike_with_the_collector_paused() -> None:
    import gc

    pod = kubectl_run_pod()
    del pod["apiVersion"], pod["kind"]
    pods = {"metadata": {"resourceVersion": "9"}, "items": [pod] * 300}
    message = REGISTRY["io.k8s.api.core.v1.PodList"]
    data = PURE.encode_envelope(pods, "v1", "PodList", message)
    assert len(data) > 65536
    assert NATIVE.decode_object(data) == PURE.decode_object(data)
    assert gc.isenabled()
    with pytest.raises(ProtobufError):
        NATIVE.decode_object(data[:-100])
    assert gc.isenabled()


def test_deep_nesting_of_unknown_groups_is_an_error_not_a_crash() -> None:
    data = b"\xfb\x07" * 100_000  # start group, field 127, a hundred thousand deep
    assert outcome(NATIVE.decode, data, POD) == ("error", None)
    assert outcome(PURE.decode, data, POD) == ("error", None)


def field_soups(message: Any, depth: int = 0) -> st.SearchStrategy[bytes]:
    """Sequences of fields with the message's own numbers, any wire type, and payloads that
    are sometimes valid nested soups: bytes that reach deep into the decoder, unlike noise."""
    numbers = [f.number for f in message.fields] + [99]

    def one(number: int, wire_type: int, payload: bytes, value: int) -> bytes:
        tag = varint(number << 3 | wire_type)
        if wire_type == 0:
            return tag + varint(value)
        if wire_type == 1:
            return tag + value.to_bytes(8, "little")
        if wire_type == 5:
            return tag + (value & 0xFFFFFFFF).to_bytes(4, "little")
        return tag + varint(len(payload)) + payload

    nested: st.SearchStrategy[bytes] = st.binary(max_size=12)
    if depth < 3:
        subs = [REGISTRY[f.map_value or f.type] for f in message.fields
                if (f.map_value or f.type) in REGISTRY]
        if subs:
            nested = nested | st.sampled_from(subs).flatmap(lambda m: field_soups(m, depth + 1))
    field = st.builds(one, st.sampled_from(numbers), st.sampled_from([0, 0, 1, 2, 2, 2, 5]),
                      nested, st.integers(0, 2**64 - 1))
    return st.lists(field, max_size=6).map(b"".join)


@pytest.mark.parametrize("name", ["io.k8s.api.core.v1.Pod", "io.k8s.api.apps.v1.Deployment",
                                  "io.k8s.api.core.v1.Secret",
                                  "io.k8s.api.coordination.v1.Lease"])
def test_both_agree_on_soups_of_known_fields(name: str) -> None:
    message = REGISTRY[name]

    @settings(SETTINGS, max_examples=150)
    @given(data=field_soups(message))
    def check(data: bytes) -> None:
        assert outcome(NATIVE.decode, data, message) == outcome(PURE.decode, data, message)

    check()
