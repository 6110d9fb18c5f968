"""Micro-benchmarks of selector matching, native against pure, over 10,000 pods.

The native routine is ``_native/labels.pyx`` (``CompiledSelector``: ``__call__``/``matches``
and ``filter``, which also runs field tests); its twin is ``core/labels.py``'s ``Selector``
with ``core/fields.py``'s ``FieldTest.matches``.  Four operations, each with both:

- ``label_filter``: a compiled label selector's ``filter`` over the whole list, as a LIST
  with ``labelSelector`` does;
- ``label_match_each``: one ``matcher(labels)`` call per pod from Python, as the watch
  fan-out does for each event and watcher (Python's per-call overhead is part of it);
- ``field_filter``: field selectors alone (a path read, and a computed field), as a LIST
  with ``fieldSelector`` does;
- ``label_and_field_filter``: both, as a kubelet's LIST of its own pods with a label.

Pods are decoded from JSON with orjson, as the apiserver holds them, so dict keys are
shared but not interned strings.
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
PHASES = ["Running"] * 8 + ["Pending", "Succeeded"]
SELECTORS = {
    "equals": "app=x",
    "set_and_not_equals": "app in (a,b),tier!=db",
    "exists": "track",
}
FIELD_SELECTORS = {
    "node_name": "spec.nodeName=node-7",  # a path in the object
    "phase_and_pod_ip": "status.phase=Running,status.podIP!=198.18.0.7",  # podIP is computed
}
IMPLEMENTATIONS = pytest.mark.parametrize("impl", ["native", "pure"])


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
                     "status": {"phase": rnd.choice(PHASES),
                                "podIP": f"198.18.{i // 256 % 256}.{i % 256}"}})
    return orjson.loads(orjson.dumps(pods))


@pytest.fixture(scope="module")
def pods() -> list[dict[str, Any]]:
    return _pods()


@IMPLEMENTATIONS
@pytest.mark.parametrize("name", list(SELECTORS))
def test_label_filter(benchmark: Any, pods: list[dict[str, Any]], name: str, impl: str) -> None:
    selector = labels.parse_selector(SELECTORS[name])
    matcher = labels.compile_selector(selector, pure=impl == "pure")
    benchmark.group = f"label_filter {name}"
    benchmark.extra_info.update(impl=impl, selector=SELECTORS[name], pods=len(pods))
    kept = benchmark(matcher.filter, pods)
    assert kept == selector.filter(pods)


@IMPLEMENTATIONS
@pytest.mark.parametrize("name", list(SELECTORS))
def test_label_match_each(benchmark: Any, pods: list[dict[str, Any]], name: str,
                          impl: str) -> None:
    selector = labels.parse_selector(SELECTORS[name])
    matcher = labels.compile_selector(selector, pure=impl == "pure")
    label_sets = [p["metadata"]["labels"] for p in pods]
    benchmark.group = f"label_match_each {name}"
    benchmark.extra_info.update(impl=impl, selector=SELECTORS[name], pods=len(pods))

    def match_each() -> int:
        return sum(1 for ls in label_sets if matcher(ls))

    assert benchmark(match_each) == len(selector.filter(pods))


@IMPLEMENTATIONS
@pytest.mark.parametrize("name", list(FIELD_SELECTORS))
def test_field_filter(benchmark: Any, pods: list[dict[str, Any]], name: str, impl: str) -> None:
    tests = fields.field_tests("pods", fields.parse_field_selector(FIELD_SELECTORS[name]))
    everything = labels.parse_selector("")
    matcher = labels.compile_selector(everything, pure=impl == "pure")
    benchmark.group = f"field_filter {name}"
    benchmark.extra_info.update(impl=impl, fields=FIELD_SELECTORS[name], pods=len(pods))
    kept = benchmark(matcher.filter, pods, tests)
    assert kept == [p for p in pods if all(t.matches(p) for t in tests)]
    assert 0 < len(kept) < len(pods)


@IMPLEMENTATIONS
def test_label_and_field_filter(benchmark: Any, pods: list[dict[str, Any]], impl: str) -> None:
    selector = labels.parse_selector(SELECTORS["set_and_not_equals"])
    tests = fields.field_tests("pods", fields.parse_field_selector(FIELD_SELECTORS["node_name"]))
    matcher = labels.compile_selector(selector, pure=impl == "pure")
    benchmark.group = "label_and_field_filter"
    benchmark.extra_info.update(impl=impl, selector=str(selector),
                                fields=FIELD_SELECTORS["node_name"], pods=len(pods))
    kept = benchmark(matcher.filter, pods, tests)
    assert kept == selector.filter(pods, tests)
