"""Micro-benchmarks of the watch cache's fan-out: one event delivered to many watchers.

In-process, on the apiserver's own pieces (``apiserver/watchcache``): the ``Fanout`` that a
resource's cache dispatches through, with ``Watcher``s registered as the watch handler
registers them, and a ``WatchEvent`` of the pod of ``bench/workloads/codec.yaml``.  A
round dispatches one event and then drains the queues of the watchers it reached into the
bytes the handler would write, as ``apiserver/handlers.py``'s watch loop does.  Three
comparisons:

- ``watch_fanout``: 1,000 watchers of the namespace with label selectors (half of them
  select the pod), matched by the native selector or its pure twin, each writing the
  event's JSON line;
- ``watch_encoding``: 1,000 protobuf watchers of everything; ``shared`` takes the frame the
  event encodes once and keeps (``WatchEvent.protobuf_frame``), ``per_watcher`` encodes it
  for each watcher, as a watch that converts versions must: what that cache saves;
- ``watch_node_index``: 5,000 kubelets each watching the pods of its node; ``indexed``
  registers them by ``spec.nodeName``, as the handler does for such a field selector, so
  an event reaches one; ``scan`` gives every watcher a field predicate instead.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from paddock.apiserver.watchcache.fanout import Fanout, Watcher
from paddock.apiserver.watchcache.ring import CachedObject, WatchEvent
from paddock.core import labels, protobuf

WATCHERS = 1000
NODES = 5000
SELECTORS = ["app=web", "app=web,tier in (frontend,backend)", "app=db", "tier=backend"]
ROUNDS = 100
QUEUE_LIMIT = 1 << 30  # a round's events are drained at once; never close a watcher


def _event(pod: dict[str, Any], rev: int) -> WatchEvent:
    """A MODIFIED event of ``pod`` (a new version of it, so nothing is encoded yet)."""
    key = f"/registry/pods/{pod['metadata']['namespace']}/{pod['metadata']['name']}"
    prev = CachedObject(key, pod, rev - 1, pod["metadata"]["namespace"])
    cur_obj = copy.deepcopy(pod)
    cur_obj["metadata"]["resourceVersion"] = str(rev)
    return WatchEvent("MODIFIED", CachedObject(key, cur_obj, rev, prev.namespace), prev, rev)


def _label_predicate(selector: str, pure: bool) -> Callable[[dict[str, Any]], bool]:
    """A watch's object predicate for a labelSelector, as the handler's ``build_filter``."""
    match = labels.compile_selector(labels.parse_selector(selector), pure=pure)

    def pred(obj: dict[str, Any]) -> bool:
        return match(obj["metadata"].get("labels"))

    return pred


class _Wakeup:
    """Stands in for a watcher's ``asyncio.Event``: ``set`` lists the watcher as woken, where
    the event loop would schedule its task, so a round drains only the watchers an event
    reached (as the server does) rather than looking at every one."""

    __slots__ = ("watcher", "woken", "flag")

    def __init__(self, watcher: Watcher, woken: list[Watcher]) -> None:
        self.watcher = watcher
        self.woken = woken
        self.flag = False

    def set(self) -> None:
        if not self.flag:
            self.flag = True
            self.woken.append(self.watcher)

    def clear(self) -> None:
        self.flag = False


def _run(benchmark: Any, watchers: list[Watcher], pod: dict[str, Any],
         write: Callable[[str, WatchEvent], bytes]) -> tuple[int, WatchEvent]:
    """Register ``watchers`` and time ``ROUNDS`` deliveries of a fresh event to them; the
    last event, and the bytes written for it."""
    fanout = Fanout()
    woken: list[Watcher] = []
    for w in watchers:
        w.wakeup = _Wakeup(w, woken)
        fanout.add(w)
    revisions = iter(range(2, 1 << 30))
    event: list[WatchEvent] = []

    def setup() -> None:
        event[:] = [_event(pod, next(revisions))]

    def deliver() -> int:
        fanout.dispatch(event[0])
        written = 0
        for w in woken:
            w.wakeup.clear()
            q = w.queue
            while q:
                typ, ev = q.popleft()
                written += len(write(typ, ev))
        woken.clear()
        return written

    written: int = benchmark.pedantic(deliver, setup=setup, rounds=ROUNDS)
    return written, event[0]


@pytest.mark.parametrize("impl", ["native", "pure"])
def test_watch_fanout(benchmark: Any, workloads: dict[str, Any], impl: str) -> None:
    watchers = [Watcher("default", None, _label_predicate(SELECTORS[i % len(SELECTORS)],
                                                          pure=impl == "pure"), QUEUE_LIMIT)
                for i in range(WATCHERS)]
    benchmark.group = f"watch_fanout {WATCHERS} watchers"
    benchmark.extra_info.update(impl=impl, watchers=WATCHERS)
    written, last = _run(benchmark, watchers, workloads["pod"],
                         lambda typ, ev: ev.json_line(typ))
    assert written == WATCHERS // 2 * len(last.json_line())


@pytest.mark.parametrize("encoding", ["shared", "per_watcher"])
def test_watch_encoding(benchmark: Any, workloads: dict[str, Any], encoding: str) -> None:
    pb = protobuf.codec()
    message = protobuf.message_for("v1", "Pod")
    assert message is not None

    def per_watcher(typ: str, ev: WatchEvent) -> bytes:
        obj = ev.cur.obj
        return pb.frame(pb.encode_watch_event(typ, pb.encode_envelope(obj, "v1", "Pod", message)))

    def shared(typ: str, ev: WatchEvent) -> bytes:
        return ev.protobuf_frame(typ)

    watchers = [Watcher("default", None, None, QUEUE_LIMIT) for _ in range(WATCHERS)]
    benchmark.group = f"watch_encoding {WATCHERS} protobuf watchers"
    benchmark.extra_info.update(encoding=encoding, watchers=WATCHERS)
    written, last = _run(benchmark, watchers, workloads["pod"],
                         shared if encoding == "shared" else per_watcher)
    assert written == WATCHERS * len(last.protobuf_frame())


@pytest.mark.parametrize("dispatch", ["indexed", "scan"])
def test_watch_node_index(benchmark: Any, workloads: dict[str, Any], dispatch: str) -> None:
    def on_node(node: str) -> Callable[[dict[str, Any]], bool]:
        def pred(obj: dict[str, Any]) -> bool:
            return bool((obj.get("spec") or {}).get("nodeName") == node)
        return pred

    watchers = [Watcher(None, f"node-{i:04d}", None, QUEUE_LIMIT) if dispatch == "indexed"
                else Watcher(None, None, on_node(f"node-{i:04d}"), QUEUE_LIMIT)
                for i in range(NODES)]
    benchmark.group = f"watch_node_index {NODES} kubelets"
    benchmark.extra_info.update(dispatch=dispatch, watchers=NODES)
    written, last = _run(benchmark, watchers, workloads["pod"],
                         lambda typ, ev: ev.json_line(typ))
    assert written == len(last.json_line())
