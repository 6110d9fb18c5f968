"""Recent events of one resource, oldest first, for watches that resume from a revision."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import orjson


class CachedObject:
    """One object as the cache holds it: the decoded dict (never mutated once cached; the
    apiserver copies before changing anything) and its JSON and protobuf bytes, encoded on
    first use and then shared by every reader.

    Once the object's event is behind the ring's hot window it is *compacted*: the decoded
    dict, seven times the size of its JSON, is dropped and decoded again from the JSON for
    each reader that asks for :attr:`obj` (without keeping it).  The current version of a
    key keeps its protobuf bytes too, which protobuf GETs, LISTs and watches serve as they
    are; a version that only the ring holds (a newer one replaced it) keeps the JSON alone,
    for the rare watch that resumes from far back."""

    __slots__ = ("key", "_obj", "rev", "namespace", "_json", "_pb", "_pb_span", "_node",
                 "_superseded")

    def __init__(self, key: str, obj: dict[str, Any], rev: int, namespace: str) -> None:
        self.key = key
        self._obj: dict[str, Any] | None = obj
        self.rev = rev
        self.namespace = namespace
        self._json: bytes | None = None
        self._pb: bytes | None = None
        self._pb_span: tuple[int, int] | None = None
        self._node: str | None = None  # spec.nodeName, kept when compacted
        self._superseded = False

    @property
    def obj(self) -> dict[str, Any]:
        obj = self._obj
        if obj is None:
            assert self._json is not None
            return orjson.loads(self._json)  # type: ignore[no-any-return]
        return obj

    @property
    def compacted(self) -> bool:
        return self._obj is None

    def node_name(self) -> str | None:
        """``spec.nodeName`` (what a kubelet's watch is indexed by), without decoding."""
        obj = self._obj
        if obj is None:
            return self._node
        spec = obj.get("spec")
        node = spec.get("nodeName") if isinstance(spec, dict) else None
        return node if isinstance(node, str) else None

    def compact(self, superseded: bool) -> None:
        """Drop the decoded dict (see the class); a ``superseded`` version drops its
        protobuf bytes as well."""
        if superseded and not self._superseded:
            self._superseded = True
            self._pb = None
            self._pb_span = None
        obj = self._obj
        if obj is None:
            return
        if self._json is None:
            self._json = orjson.dumps(obj)
        self._node = self.node_name()
        self._obj = None

    def protobuf(self) -> bytes:
        """The object in the protobuf envelope, encoded on first use and then shared."""
        if self._pb is None:
            from ...core.protobuf import codec

            pb = codec()

            obj = self.obj
            api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
            msg = pb.message_for(api_version, kind)
            if msg is None:
                raise ValueError(f"no protobuf message for {api_version} {kind}")
            data = pb.encode_envelope(obj, api_version, kind, msg)
            if self._superseded:
                return data  # only the ring holds it: encoded for this reader alone
            self._pb = data
        return self._pb

    def protobuf_message(self) -> memoryview:
        """The object's message without the envelope (a view of :meth:`protobuf`), which is
        what a List holds for each item."""
        data = self.protobuf()
        span = self._pb_span
        if span is None:
            from ...core.protobuf import message_span

            span = message_span(data)
            if not self._superseded:
                self._pb_span = span
        start, end = span
        return memoryview(data)[start:end]

    @property
    def json(self) -> bytes:
        if self._json is None:
            self._json = orjson.dumps(self.obj)
        return self._json


class WatchEvent:
    """A committed change as watchers see it.  ``prev`` is the object before the change
    (None for ADDED), needed to turn a MODIFIED into ADDED/DELETED for filtered watchers."""

    __slots__ = ("type", "cur", "prev", "rev", "_encoded")

    def __init__(self, type: str, cur: CachedObject, prev: CachedObject | None, rev: int) -> None:
        self.type = type
        self.cur = cur
        self.prev = prev
        self.rev = rev
        # (protobuf?, event type) -> the event as written to watchers of that encoding
        self._encoded: dict[tuple[bool, str], bytes] | None = None

    def json_line(self, type: str | None = None) -> bytes:
        """``{"type":...,"object":...}\n``, encoded once per event type and shared."""
        return self._get(False, type or self.type)

    def protobuf_frame(self, type: str | None = None) -> bytes:
        """The length-framed protobuf WatchEvent, encoded once per event type and shared by
        every protobuf watcher."""
        return self._get(True, type or self.type)

    def compact(self, live: CachedObject | None) -> None:
        """Drop what only the delivery of this event needed: its encoded forms and the
        decoded versions; ``live`` is the key's current object (see CachedObject)."""
        self._encoded = None
        self.cur.compact(superseded=self.cur is not live)
        if self.prev is not None:
            self.prev.compact(superseded=True)

    def _get(self, protobuf: bool, t: str) -> bytes:
        encoded = self._encoded
        if encoded is None:
            encoded = self._encoded = {}
        data = encoded.get((protobuf, t))
        if data is None:
            if protobuf:
                from ...core.protobuf import codec

                pb = codec()
                data = pb.frame(pb.encode_watch_event(t, self.cur.protobuf()))
            else:
                data = b'{"type":"' + t.encode() + b'","object":' + self.cur.json + b"}\n"
            encoded[(protobuf, t)] = data
        return data


class EventRing:
    """A bounded buffer of the most recent events of one resource.

    Only the newest ``hot`` events keep their encoded forms and decoded versions; an event
    that falls further back is compacted (:meth:`WatchEvent.compact`), since by then every
    watcher that keeps up has written it.  ``live`` gives the current object of a key, which
    keeps its protobuf bytes when compacted (see CachedObject)."""

    def __init__(self, capacity: int, hot: int = 1000,
                 live: Callable[[str], CachedObject | None] | None = None) -> None:
        self._events: deque[WatchEvent] = deque(maxlen=capacity)
        self.hot = hot
        self.live = live
        # the revision before the oldest event we still hold: a watch from any revision
        # >= this can be served from the ring alone
        self.floor = 0

    def append(self, ev: WatchEvent) -> None:
        evs = self._events
        if len(evs) == evs.maxlen:
            self.floor = evs[0].rev
        evs.append(ev)
        if len(evs) > self.hot:
            old = evs[-self.hot - 1]  # near the end of a deque: cheap to reach
            old.compact(self.live(old.cur.key) if self.live is not None else None)

    def covers(self, revision: int) -> bool:
        """True when every event after ``revision`` is still in the ring."""
        return revision >= self.floor

    def since(self, revision: int) -> Iterator[WatchEvent]:
        """Events with rev > revision, oldest first."""
        evs = self._events
        if not evs or evs[-1].rev <= revision:
            return iter(())
        # binary search over the deque (indexing a deque is O(1) near the ends, O(n/64) inside)
        lo, hi = 0, len(evs)
        while lo < hi:
            mid = (lo + hi) // 2
            if evs[mid].rev <= revision:
                lo = mid + 1
            else:
                hi = mid
        return (evs[i] for i in range(lo, len(evs)))
