"""Delivering each event to the watchers that want it.

Watchers are indexed so that an event only touches candidates: by namespace, and for pods
by ``spec.nodeName`` when the watcher's field selector pins one node (a kubelet's watch),
so a kubelet's watch costs nothing when other nodes' pods change.  A watcher whose queue
grows past its limit is closed: its client re-lists, and nobody else slows down.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

from .ring import CachedObject, WatchEvent

Matcher = Callable[[dict[str, Any]], bool]

DEFAULT_QUEUE_LIMIT = 10_000


class Watcher:
    """One watch request: its filter and its queue of pending events."""

    __slots__ = ("namespace", "node_name", "matcher", "queue", "wakeup", "closed",
                 "limit", "close_reason")

    def __init__(self, namespace: str | None, node_name: str | None, matcher: Matcher | None,
                 limit: int = DEFAULT_QUEUE_LIMIT) -> None:
        self.namespace = namespace
        self.node_name = node_name
        self.matcher = matcher
        self.queue: deque[tuple[str, WatchEvent]] = deque()
        self.wakeup = asyncio.Event()
        self.closed = False
        self.limit = limit
        self.close_reason = ""

    def wants(self, obj: CachedObject | None) -> bool:
        if obj is None:
            return False
        if self.namespace is not None and obj.namespace != self.namespace:
            return False
        if self.node_name is not None and obj.node_name() != self.node_name:
            return False
        return self.matcher is None or self.matcher(obj.obj)

    def offer(self, ev: WatchEvent) -> None:
        """Queue the event in the form this watcher should see, if it should see it."""
        if self.closed:
            return
        cur_ok = self.wants(ev.cur)
        if ev.type == "MODIFIED":
            prev_ok = self.wants(ev.prev)
            if cur_ok and prev_ok:
                typ = "MODIFIED"
            elif cur_ok:
                typ = "ADDED"
            elif prev_ok:
                typ = "DELETED"
            else:
                return
        elif cur_ok:
            typ = ev.type
        else:
            return
        self.push(typ, ev)

    def push(self, typ: str, ev: WatchEvent) -> None:
        if len(self.queue) >= self.limit:
            self.close("watcher could not keep up")
            return
        self.queue.append((typ, ev))
        self.wakeup.set()

    def close(self, reason: str = "") -> None:
        self.closed = True
        self.close_reason = reason
        self.wakeup.set()


class Fanout:
    """The watchers of one resource, indexed for cheap dispatch."""

    def __init__(self) -> None:
        self.all_namespaces: set[Watcher] = set()
        self.by_namespace: dict[str, set[Watcher]] = {}
        self.by_node: dict[str, set[Watcher]] = {}

    def __len__(self) -> int:
        return (len(self.all_namespaces) + sum(len(s) for s in self.by_namespace.values())
                + sum(len(s) for s in self.by_node.values()))

    def add(self, w: Watcher) -> None:
        if w.node_name is not None:
            self.by_node.setdefault(w.node_name, set()).add(w)
        elif w.namespace is not None:
            self.by_namespace.setdefault(w.namespace, set()).add(w)
        else:
            self.all_namespaces.add(w)

    def remove(self, w: Watcher) -> None:
        if w.node_name is not None:
            bucket = self.by_node.get(w.node_name)
            index, key = self.by_node, w.node_name
        elif w.namespace is not None:
            bucket = self.by_namespace.get(w.namespace)
            index, key = self.by_namespace, w.namespace
        else:
            self.all_namespaces.discard(w)
            return
        if bucket is not None:
            bucket.discard(w)
            if not bucket:
                del index[key]

    def dispatch(self, ev: WatchEvent) -> None:
        for w in self.all_namespaces:
            w.offer(ev)
        ns = self.by_namespace.get(ev.cur.namespace)
        if ns:
            for w in ns:
                w.offer(ev)
        if self.by_node:
            node = ev.cur.node_name()
            seen = self.by_node.get(node) if node else None
            if seen:
                for w in seen:
                    w.offer(ev)
            if ev.prev is not None:
                prev_node = ev.prev.node_name()
                if prev_node and prev_node != node:
                    for w in self.by_node.get(prev_node, ()):
                        w.offer(ev)

    def close_all(self, reason: str) -> None:
        for w in list(self.all_namespaces):
            w.close(reason)
        for s in list(self.by_namespace.values()) + list(self.by_node.values()):
            for w in list(s):
                w.close(reason)
