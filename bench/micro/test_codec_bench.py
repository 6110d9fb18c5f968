"""Micro-benchmarks of the codecs: orjson (JSON), the native protobuf codec and its pure twin.

The objects are those of ``paddock bench codec`` (``bench/workloads/codec.yaml``: a pod, a
node, a deployment, a service, and a PodList of 1,000 pods).  Each group holds one
operation on one object with every implementation, so the gate (``bench/gate.py``) compares
native with pure (a fall back to the twin shows at once) and protobuf with JSON within one
run.  Every public routine of ``_native/protobuf.pyx`` is here against its twin in
``core/protobuf.py``:

- ``encode_envelope`` / ``decode_object``: :func:`test_codec` (``encode``, ``decode``, and
  ``decode_lean``: decoding without ``metadata.managedFields``, as informers do, which
  passes a ``skip_fields`` result to ``decode_object``);
- ``encode`` / ``decode`` (a bare message, as a List's items are): :func:`test_message`;
- ``decode_watch_frames`` (a watch stream's buffer): :func:`test_decode_watch_frames`;
- ``skip_fields``, compiled once per informer: :func:`test_skip_fields`, timed for the
  record only (the native one runs the twin and then builds its bit masks, so it is
  slower by design; nothing gates it).
"""

from __future__ import annotations

from typing import Any

import pytest

from paddock.bench.codec import _operations
from paddock.core import protobuf

OBJECTS = ["pod", "node", "deployment", "service", "podlist"]
IMPLEMENTATIONS = ["native", "pure", "orjson"]
TWINS = ["native", "pure"]
WATCH_EVENTS = 100  # frames in one watch buffer
SKIP = {"ObjectMeta": ["managedFields"]}


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("name", OBJECTS)
@pytest.mark.parametrize("operation", ["encode", "decode", "decode_lean"])
def test_codec(benchmark: Any, workloads: dict[str, Any], operation: str, name: str,
               impl: str) -> None:
    data, encode, decode, decode_lean = _operations(impl, workloads[name])
    benchmark.group = f"{operation} {name}"
    benchmark.extra_info.update(impl=impl, bytes=len(data))
    call = {"encode": encode, "decode": decode, "decode_lean": decode_lean}[operation]
    result = benchmark(call)
    if operation == "encode":
        assert result == data
    elif name == "podlist":
        assert len(result["items"]) == len(workloads[name]["items"])
    else:
        assert result["metadata"]["name"] == workloads[name]["metadata"]["name"]


@pytest.mark.parametrize("impl", TWINS)
@pytest.mark.parametrize("operation", ["encode", "decode"])
def test_message(benchmark: Any, workloads: dict[str, Any], operation: str, impl: str) -> None:
    """A pod as a bare message, without the envelope."""
    pb = protobuf.codec(pure=impl == "pure")
    pod = {k: v for k, v in workloads["pod"].items() if k not in ("apiVersion", "kind")}
    message = protobuf.message_for("v1", "Pod")
    assert message is not None
    data = pb.encode(pod, message)
    benchmark.group = f"message {operation} pod"
    benchmark.extra_info.update(impl=impl, bytes=len(data))
    if operation == "encode":
        assert benchmark(pb.encode, pod, message) == data
    else:
        assert benchmark(pb.decode, data, message) == pod


@pytest.mark.parametrize("impl", TWINS)
def test_decode_watch_frames(benchmark: Any, workloads: dict[str, Any], impl: str) -> None:
    """A buffer of pod events as a protobuf watch delivers them, ending in half a frame."""
    pb = protobuf.codec(pure=impl == "pure")
    pod = workloads["pod"]
    message = protobuf.message_for("v1", "Pod")
    assert message is not None
    frame = pb.frame(pb.encode_watch_event(
        "MODIFIED", pb.encode_envelope(pod, "v1", "Pod", message)))
    buffer = frame * WATCH_EVENTS + frame[: len(frame) // 2]
    skip = pb.skip_fields(SKIP)
    benchmark.group = f"decode_watch_frames {WATCH_EVENTS} pods"
    benchmark.extra_info.update(impl=impl, bytes=len(buffer))
    events, rest = benchmark(pb.decode_watch_frames, buffer, skip)
    assert len(events) == WATCH_EVENTS and rest == frame[: len(frame) // 2]
    assert events[0][0] == "MODIFIED" and "managedFields" not in events[0][1]["metadata"]


@pytest.mark.parametrize("impl", TWINS)
def test_skip_fields(benchmark: Any, impl: str) -> None:
    pb = protobuf.codec(pure=impl == "pure")
    benchmark.group = "skip_fields"
    benchmark.extra_info.update(impl=impl)
    assert benchmark(pb.skip_fields, SKIP) is not None
