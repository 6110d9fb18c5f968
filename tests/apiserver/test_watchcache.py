"""The watch cache on a real LMDB store: consistent reads, replay from the ring and from
the durable log, 410 past compaction, filtered watchers, slow watchers closed."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from paddock.apiserver.storage import Compacted
from paddock.apiserver.storage import lmdb as lmdb_backend
from paddock.apiserver.watchcache.cacher import WatchCache


def obj(name: str, ns: str = "ns", **labels: str) -> bytes:
    return orjson.dumps({"metadata": {"name": name, "namespace": ns, "labels": labels}})


async def setup(path: str, ring: int = 100) -> tuple[lmdb_backend.LMDBBackend, WatchCache]:
    b = lmdb_backend.LMDBBackend(path, map_size=1 << 28)
    await b.start()
    c = WatchCache(b, ["configmaps", "pods"], ring_capacity=ring)
    c.load()
    return b, c


def test_cache_reflects_every_acknowledged_write(tmp_path: Any) -> None:
    async def go() -> None:
        b, c = await setup(str(tmp_path))
        kv = await b.create("/registry/configmaps/ns/a", obj("a"))
        got = c.caches["configmaps"].get("/registry/configmaps/ns/a")
        assert got is not None and got.obj["metadata"]["resourceVersion"] == str(kv.mod_revision)
        assert c.revision == kv.mod_revision
        await b.close()
    asyncio.run(go())


def test_watch_replays_from_log_when_ring_is_too_short(tmp_path: Any) -> None:
    async def go() -> None:
        b, c = await setup(str(tmp_path), ring=2)
        for i in range(6):
            await b.create(f"/registry/configmaps/ns/c{i}", obj(f"c{i}"))
        w = c.watch("configmaps", 1, None, None, None, 100)
        assert [ev.cur.obj["metadata"]["name"] for _, ev in w.queue] == ["c1", "c2", "c3", "c4", "c5"]
        await b.create("/registry/configmaps/ns/c6", obj("c6"))
        assert [ev.rev for _, ev in w.queue][-2:] == [6, 7]
        await b.close()
    asyncio.run(go())


def test_watch_older_than_compaction_raises_compacted(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(lmdb_backend, "LOG_RETAIN", 5)
    monkeypatch.setattr(lmdb_backend, "COMPACT_STEP", 2)

    async def go() -> None:
        b, c = await setup(str(tmp_path), ring=2)
        for i in range(20):
            await b.create(f"/registry/configmaps/ns/c{i}", obj(f"c{i}"))
        with pytest.raises(Compacted):
            c.watch("configmaps", 1, None, None, None, 100)
        await b.close()
    asyncio.run(go())


def test_label_filtered_watcher_sees_added_and_deleted_transitions(tmp_path: Any) -> None:
    async def go() -> None:
        b, c = await setup(str(tmp_path))
        w = c.watch("pods", c.revision, None, None,
                    lambda o: (o["metadata"].get("labels") or {}).get("app") == "in", 100)
        kv = await b.create("/registry/pods/ns/p", obj("p", app="in"))
        kv = await b.update("/registry/pods/ns/p", obj("p", app="out"), kv.mod_revision)
        await b.update("/registry/pods/ns/p", obj("p", app="out", x="1"), kv.mod_revision)
        assert [t for t, _ in w.queue] == ["ADDED", "DELETED"]
        await b.close()
    asyncio.run(go())


def test_node_indexed_watcher_only_sees_its_node(tmp_path: Any) -> None:
    async def go() -> None:
        b, c = await setup(str(tmp_path))
        w1 = c.watch("pods", c.revision, None, "n1", None, 100)
        w2 = c.watch("pods", c.revision, None, "n2", None, 100)
        for i, node in enumerate(["n1", "n2", "n1"]):
            await b.create(f"/registry/pods/ns/p{i}",
                           orjson.dumps({"metadata": {"name": f"p{i}", "namespace": "ns"},
                                         "spec": {"nodeName": node}}))
        assert len(w1.queue) == 2 and len(w2.queue) == 1
        await b.close()
    asyncio.run(go())


def test_slow_watcher_is_closed_not_grown(tmp_path: Any) -> None:
    async def go() -> None:
        b, c = await setup(str(tmp_path))
        w = c.watch("configmaps", c.revision, None, None, None, 3)
        for i in range(10):
            await b.create(f"/registry/configmaps/ns/s{i}", obj(f"s{i}"))
        assert w.closed and len(w.queue) == 3
        assert len(c.caches["configmaps"].fanout) == 1  # removed by its handler on close
        await b.close()
    asyncio.run(go())


def test_list_pages_in_key_order(tmp_path: Any) -> None:
    async def go() -> None:
        b, c = await setup(str(tmp_path))
        for i in range(5):
            await b.create(f"/registry/configmaps/ns/k{i}", obj(f"k{i}"))
        rc = c.caches["configmaps"]
        page, last, _ = rc.list("/registry/configmaps/ns/", None, 2)
        assert [p.key[-2:] for p in page] == ["k0", "k1"] and last is not None
        page2, last2, _ = rc.list("/registry/configmaps/ns/", None, 2, last)
        assert [p.key[-2:] for p in page2] == ["k2", "k3"]
        page3, last3, _ = rc.list("/registry/configmaps/ns/", None, 2, last2)
        assert [p.key[-2:] for p in page3] == ["k4"] and last3 is None
        await b.close()
    asyncio.run(go())


def test_events_behind_the_hot_window_keep_only_json_and_replay_the_same(tmp_path: Any) -> None:
    async def go() -> None:
        b, c = await setup(str(tmp_path), ring=100)
        cache = c.caches["pods"]
        cache.ring.hot = 3
        start = c.revision
        kv = await b.create("/registry/pods/ns/p", obj("p", app="in"))
        for i in range(6):
            kv = await b.update("/registry/pods/ns/p", obj("p", app="in" if i % 2 else "out", v=str(i)),
                                kv.mod_revision)
        await b.create("/registry/pods/ns/q", obj("q"))
        evs = list(cache.ring.since(start))
        live = cache.get("/registry/pods/ns/p")
        assert live is not None and live._obj is not None  # the current version stays decoded
        old = evs[1]  # an update well behind the window
        assert old.cur._obj is None and old.prev is not None and old.prev._obj is None
        assert old._encoded is None
        assert old.cur.obj["metadata"]["labels"]["v"] == "0"
        assert old.json_line().startswith(b'{"type":"MODIFIED","object":{')
        # a filtered watch from the start sees the same transitions it would have live
        w = c.watch("pods", start, None, None,
                    lambda o: (o["metadata"].get("labels") or {}).get("app") == "in", 100)
        assert [t for t, _ in w.queue] == ["ADDED", "DELETED", "ADDED", "DELETED", "ADDED",
                                           "DELETED", "ADDED"]
        assert w.queue[-1][1].cur.obj["metadata"]["labels"]["v"] == "5"
        # the current version, once behind the window, keeps JSON and protobuf bytes
        for i in range(4):
            await b.create(f"/registry/pods/ns/r{i}", obj(f"r{i}"))
        live = cache.get("/registry/pods/ns/p")
        assert live is not None and live.compacted
        assert live.obj["metadata"]["labels"]["v"] == "5"
        # (protobuf needs the kind, which these bare objects lack)
        live._json = old.cur._json = orjson.dumps({"apiVersion": "v1", "kind": "Pod", **live.obj})
        assert live.protobuf() is live.protobuf()  # encoded once, then kept
        assert old.cur.protobuf() is not old.cur.protobuf()  # superseded: never kept
        await b.close()
    asyncio.run(go())
