"""Per-resource caches fed by storage events, serving GET, LIST and WATCH from memory.

The cache is fed synchronously by the storage backend before any write is acknowledged
(see ``apiserver/storage``), so reads from it are consistent with every acknowledged
write: LIST and GET are always served here.  A WATCH is served from the ring of recent
events; one that resumes from an older revision replays the storage's event log first,
and one older than the compacted revision gets 410 Expired.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Iterable

from ..storage import Compacted, Event, StorageBackend
from ..storage.encoding import decode_stored
from .fanout import Fanout, Matcher, Watcher
from .ring import CachedObject, EventRing, WatchEvent

log = logging.getLogger(__name__)

DEFAULT_RING_CAPACITY = 50_000


class ResourceCache:
    """Every object of one resource, sorted by key, plus its event ring and watchers."""

    def __init__(self, resource: str, ring_capacity: int = DEFAULT_RING_CAPACITY) -> None:
        self.resource = resource
        self.prefix = f"/registry/{resource}/"
        self.objects: dict[str, CachedObject] = {}
        self._keys: list[str] = []
        self.ring = EventRing(ring_capacity, live=self.objects.get)
        self.fanout = Fanout()

    # -- feeding ----------------------------------------------------------------------------

    def load(self, items: Iterable[CachedObject], revision: int) -> None:
        for c in items:
            self.objects[c.key] = c
        self._keys = sorted(self.objects)
        self.ring.floor = revision

    def apply(self, ev: Event) -> WatchEvent:
        obj = decode_stored(ev.value, ev.revision)
        cur = CachedObject(ev.key, obj, ev.revision, obj["metadata"].get("namespace", ""))
        prev = self.objects.get(ev.key)
        if ev.type == "DELETED":
            if prev is not None:
                del self.objects[ev.key]
                i = bisect.bisect_left(self._keys, ev.key)
                if i < len(self._keys) and self._keys[i] == ev.key:
                    del self._keys[i]
        else:
            if prev is None:
                bisect.insort(self._keys, ev.key)
            self.objects[ev.key] = cur
        wev = WatchEvent(ev.type, cur, prev, ev.revision)
        self.ring.append(wev)
        self.fanout.dispatch(wev)
        return wev

    # -- reads ------------------------------------------------------------------------------

    def get(self, key: str) -> CachedObject | None:
        return self.objects.get(key)

    def list(
        self,
        prefix: str,
        keep: Callable[[CachedObject], bool] | None,
        limit: int = 0,
        start_after: str | None = None,
    ) -> tuple[list[CachedObject], str | None, int]:
        """Objects under ``prefix`` in key order that pass ``keep``; at most ``limit`` of
        them (0 = all) starting after key ``start_after``.  Returns (items, last key if
        more remain, count of remaining matches known so far or -1)."""
        keys = self._keys
        lo = bisect.bisect_left(keys, prefix)
        if start_after is not None:
            lo = max(lo, bisect.bisect_right(keys, start_after))
        hi = bisect.bisect_left(keys, prefix + "\xff", lo)
        objects = self.objects
        out: list[CachedObject] = []
        i = lo
        while i < hi:
            c = objects[keys[i]]
            i += 1
            if keep is None or keep(c):
                out.append(c)
                if limit and len(out) >= limit:
                    break
        if limit and len(out) >= limit and i < hi:
            # count what remains only when it is cheap to (no filter)
            remaining = (hi - i) if keep is None else -1
            if remaining == 0:
                return out, None, 0
            if keep is not None and not any(keep(objects[keys[j]]) for j in range(i, hi)):
                return out, None, 0
            return out, out[-1].key, remaining
        return out, None, 0


class WatchCache:
    """All resource caches, and the revision every one of them reflects."""

    def __init__(self, storage: StorageBackend, resources: Iterable[str],
                 ring_capacity: int = DEFAULT_RING_CAPACITY) -> None:
        self.storage = storage
        self.caches = {r: ResourceCache(r, ring_capacity) for r in resources}
        self.revision = 0

    def load(self) -> None:
        """Fill every cache from storage (at startup, before serving)."""
        for cache in self.caches.values():
            kvs, rev = self.storage.range(cache.prefix)
            items = []
            for kv in kvs:
                obj = decode_stored(kv.value, kv.mod_revision)
                items.append(CachedObject(kv.key, obj, kv.mod_revision,
                                          obj["metadata"].get("namespace", "")))
            cache.load(items, rev)
        self.revision = self.storage.current_revision()
        self.storage.set_listener(self.on_events)

    def on_events(self, events: list[Event]) -> None:
        """Storage listener: apply committed events in revision order."""
        for ev in events:
            resource = ev.key.split("/", 3)[2]
            cache = self.caches.get(resource)
            if cache is not None:
                cache.apply(ev)
            self.revision = ev.revision

    def watch(
        self,
        resource: str,
        revision: int | None,
        namespace: str | None,
        node_name: str | None,
        matcher: Matcher | None,
        queue_limit: int,
    ) -> Watcher:
        """Register a watcher.  ``revision`` None means: start with the current state as
        ADDED events.  Raises Compacted when the revision is too old to replay."""
        cache = self.caches[resource]
        w = Watcher(namespace, node_name, matcher, queue_limit)
        if revision is None:
            prefix = cache.prefix + (namespace + "/" if namespace else "")
            items, _, _ = cache.list(prefix, None)
            for c in items:
                if w.wants(c):
                    w.push("ADDED", WatchEvent("ADDED", c, None, c.rev))
        elif cache.ring.covers(revision):
            for ev in cache.ring.since(revision):
                w.offer(ev)
        else:
            if revision < self.storage.compacted_revision():
                raise Compacted(self.storage.compacted_revision())
            # replay from the durable log; stop at what the cache has applied so the live
            # events that follow neither repeat nor skip anything
            history = self.storage.events_since(revision, cache.prefix)
            last: dict[str, CachedObject] = {}
            for sev in history:
                if sev.revision > self.revision:
                    break
                obj = decode_stored(sev.value, sev.revision)
                cur = CachedObject(sev.key, obj, sev.revision, obj["metadata"].get("namespace", ""))
                prev = last.get(sev.key)
                if prev is None and sev.prev_value is not None:
                    pobj = decode_stored(sev.prev_value, sev.revision)
                    prev = CachedObject(sev.key, pobj, sev.revision, cur.namespace)
                w.offer(WatchEvent(sev.type, cur, prev, sev.revision))
                last[sev.key] = cur
        if w.closed:
            return w
        cache.fanout.add(w)
        return w

    def stop_watch(self, resource: str, w: Watcher) -> None:
        self.caches[resource].fanout.remove(w)


__all__ = ["WatchCache", "ResourceCache", "Compacted", "decode_stored"]
