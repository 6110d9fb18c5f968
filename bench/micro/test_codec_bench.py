"""Micro-benchmarks of the protobuf codec for pytest-benchmark: native, pure, and orjson.

The objects are those of ``paddock bench codec`` (``bench/workloads/codec.yaml``).  Each
group holds one operation on one object with every implementation, so a regression gate
compares the native row against its pure twin and against orjson within one run.  Run
with ``pytest bench/micro/test_protobuf_bench.py -p no:cacheprovider --benchmark-enable``.
"""

from __future__ import annotations

from typing import Any

import pytest

from paddock.bench.codec import _operations, load_workloads

OBJECTS = ["pod", "node", "deployment"]
IMPLEMENTATIONS = ["native", "pure", "orjson"]


@pytest.fixture(scope="module")
def workloads() -> dict[str, Any]:
    return load_workloads()


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("name", OBJECTS)
@pytest.mark.parametrize("operation", ["encode", "decode", "decode_lean"])
def test_codec(benchmark: Any, workloads: dict[str, Any], name: str, impl: str,
               operation: str) -> None:
    data, encode, decode, decode_lean = _operations(impl, workloads[name])
    benchmark.group = f"{operation} {name}"
    benchmark.extra_info.update(impl=impl, bytes=len(data))
    call = {"encode": encode, "decode": decode, "decode_lean": decode_lean}[operation]
    result = benchmark(call)
    if operation == "encode":
        assert result == data
    else:
        assert result["metadata"]["name"] == workloads[name]["metadata"]["name"]


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_decode_list_of_1000_pods(benchmark: Any, workloads: dict[str, Any], impl: str) -> None:
    data, _encode, decode, _lean = _operations(impl, workloads["podlist"])
    benchmark.group = "decode podlist"
    benchmark.extra_info.update(impl=impl, bytes=len(data))
    assert len(benchmark(decode)["items"]) == len(workloads["podlist"]["items"])
