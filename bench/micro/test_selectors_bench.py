"""Micro-benchmarks: label selector matching, native vs pure, over 10,000 pods.

Two operations, each with both implementations:

- ``filter``: a compiled matcher's ``filter`` over the whole list, as a LIST with
  ``labelSelector`` does;
- ``match_each``: one ``matcher(labels)`` call per pod from Python, as the watch fan-out does
  for each event and watcher (the per-call overhead of Python is part of this one).

Run with ``pytest bench/micro/test_labels_bench.py -p no:cacheprovider --benchmark-enable``;
compare the native and pure rows of one group (their ratio is the number to watch, absolute
times depend on the machine).  Pods are decoded from JSON with orjson, as the apiserver holds
them, so dict keys are shared but not interned strings.
"""

from __future__ import annotations

import random
from typing import Any

import orjson
import pytest

from paddock.core import fields, labels

# The workload, as data.
POD_COUNT = 10_000
APPS = ["a", "b", "x", "web", "api", "db", "cache", "queue", "auth", "search"]
TIERS = ["fe", "be", "db"]
CANARY_EVERY = 7  # one pod in 7 carries track=canary
SELECTORS = {
    "equals": "app=x",
    "set_and_not_equals": "app in (a,b),tier!=db",
    "exists": "track",
}
NODE_FIELD = "spec.nodeName=node-7"


def _pods() -> list[dict[str, Any]]:
    rnd = random.Random(20240501)
    pods = []
    for i in range(POD_COUNT):
        pod_labels = {"app": rnd.choice(APPS), "tier": rnd.choice(TIERS),
                      "pod-template-hash": f"{rnd.getrandbits(40):010x}",
                      "app.kubernetes.io/managed-by": "paddock"}
        if i % CANARY_EVERY == 0:
            pod_labels["track"] = "canary"
        pods.append({"metadata": {"name": f"pod-{i}", "namespace": "default", "labels": pod_labels},
                     "spec": {"nodeName": f"node-{i % 100}", "containers": [{"name": "c", "image": "x"}]},
                     "status": {"phase": "Running", "podIP": f"198.18.{i // 256 % 256}.{i % 256}"}})
    return orjson.loads(orjson.dumps(pods))


@pytest.fixture(scope="module")
def pods() -> list[dict[str, Any]]:
    return _pods()


IMPLEMENTATIONS = pytest.mark.parametrize("impl", ["native", "pure"])


@IMPLEMENTATIONS
@pytest.mark.parametrize("name", list(SELECTORS))
def test_filter(benchmark: Any, pods: list[dict[str, Any]], name: str, impl: str) -> None:
    selector = labels.parse_selector(SELECTORS[name])
    matcher = labels.compile_selector(selector, pure=impl == "pure")
    benchmark.group = f"filter {name}"
    benchmark.extra_info.update(impl=impl, selector=SELECTORS[name], pods=len(pods))
    kept = benchmark(matcher.filter, pods)
    assert kept == selector.filter(pods)


@IMPLEMENTATIONS
@pytest.mark.parametrize("name", list(SELECTORS))
def test_match_each(benchmark: Any, pods: list[dict[str, Any]], name: str, impl: str) -> None:
    selector = labels.parse_selector(SELECTORS[name])
    matcher = labels.compile_selector(selector, pure=impl == "pure")
    label_sets = [p["metadata"]["labels"] for p in pods]
    benchmark.group = f"match_each {name}"
    benchmark.extra_info.update(impl=impl, selector=SELECTORS[name], pods=len(pods))

    def match_each() -> int:
        return sum(1 for ls in label_sets if matcher(ls))

    assert benchmark(match_each) == len(selector.filter(pods))


@IMPLEMENTATIONS
def test_filter_with_node_name(benchmark: Any, pods: list[dict[str, Any]], impl: str) -> None:
    selector = labels.parse_selector(SELECTORS["set_and_not_equals"])
    tests = fields.field_tests("pods", fields.parse_field_selector(NODE_FIELD))
    matcher = labels.compile_selector(selector, pure=impl == "pure")
    benchmark.group = "filter set_and_not_equals + spec.nodeName"
    benchmark.extra_info.update(impl=impl, selector=str(selector), fields=NODE_FIELD, pods=len(pods))
    kept = benchmark(matcher.filter, pods, tests)
    assert kept == selector.filter(pods, tests)
