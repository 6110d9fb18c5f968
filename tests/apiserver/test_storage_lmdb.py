"""The LMDB backend on a real LMDB file: compare-and-swap, revisions, event log, group
commit, compaction and persistence across reopen."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from paddock.apiserver import storage as s
from paddock.apiserver.storage import lmdb as lmdb_backend


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _open(path: str) -> lmdb_backend.LMDBBackend:
    b = lmdb_backend.LMDBBackend(path, map_size=1 << 28)
    await b.start()
    return b


def test_create_get_update_delete_assign_increasing_revisions(tmp_path: Any) -> None:
    async def go() -> None:
        b = await _open(str(tmp_path))
        kv = await b.create("/registry/pods/ns/a", b"1")
        assert (kv.create_revision, kv.mod_revision) == (1, 1)
        kv2 = await b.update("/registry/pods/ns/a", b"2", 1)
        assert (kv2.create_revision, kv2.mod_revision) == (1, 2)
        got = b.get("/registry/pods/ns/a")
        assert got is not None and got.value == b"2"
        gone = await b.delete("/registry/pods/ns/a")
        assert gone.mod_revision == 3 and gone.value == b"2"
        assert b.get("/registry/pods/ns/a") is None
        assert b.current_revision() == 3
        await b.close()
    run(go())


def test_preconditions_fail_without_writing(tmp_path: Any) -> None:
    async def go() -> None:
        b = await _open(str(tmp_path))
        await b.create("/k", b"1")
        with pytest.raises(s.KeyExists):
            await b.create("/k", b"x")
        with pytest.raises(s.RevisionMismatch) as e:
            await b.update("/k", b"2", 99)
        assert e.value.current.mod_revision == 1
        with pytest.raises(s.KeyNotFound):
            await b.update("/missing", b"2", 1)
        with pytest.raises(s.KeyNotFound):
            await b.delete("/missing")
        assert b.current_revision() == 1
        await b.close()
    run(go())


def test_concurrent_writes_are_group_committed_and_all_acknowledged(tmp_path: Any) -> None:
    async def go() -> None:
        b = await _open(str(tmp_path))
        results = await asyncio.gather(*(b.create(f"/registry/x/{i:04d}", b"v") for i in range(500)))
        assert sorted(r.mod_revision for r in results) == list(range(1, 501))
        # far fewer commits (fsyncs) than writes
        assert b.commits < 100
        kvs, rev = b.range("/registry/x/")
        assert len(kvs) == 500 and rev == 500
        await b.close()
    run(go())


def test_listener_sees_events_before_the_writer_is_answered(tmp_path: Any) -> None:
    async def go() -> None:
        b = await _open(str(tmp_path))
        seen: list[int] = []
        b.set_listener(lambda evs: seen.extend(e.revision for e in evs))
        kv = await b.create("/a", b"1")
        assert seen == [kv.mod_revision]
        await b.close()
    run(go())


def test_data_and_revision_survive_reopen(tmp_path: Any) -> None:
    async def go() -> None:
        b = await _open(str(tmp_path))
        for i in range(10):
            await b.create(f"/registry/p/{i}", str(i).encode())
        await b.close()
        b2 = await _open(str(tmp_path))
        assert b2.current_revision() == 10
        kvs, _ = b2.range("/registry/p/")
        assert [kv.value for kv in kvs] == [str(i).encode() for i in sorted(range(10), key=str)]
        evs = b2.events_since(5, "/registry/p/")
        assert [e.revision for e in evs] == [6, 7, 8, 9, 10]
        await b2.close()
    run(go())


def test_event_log_filters_by_prefix_and_keeps_previous_values(tmp_path: Any) -> None:
    async def go() -> None:
        b = await _open(str(tmp_path))
        await b.create("/registry/a/1", b"a1")
        await b.create("/registry/b/1", b"b1")
        await b.update("/registry/a/1", b"a2", 1)
        await b.delete("/registry/a/1")
        evs = b.events_since(0, "/registry/a/")
        assert [(e.type, e.value, e.prev_value) for e in evs] == [
            ("ADDED", b"a1", None), ("MODIFIED", b"a2", b"a1"), ("DELETED", b"a2", b"a2")]
        await b.close()
    run(go())


def test_compaction_drops_old_events_and_reports_compacted(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(lmdb_backend, "LOG_RETAIN", 10)
    monkeypatch.setattr(lmdb_backend, "COMPACT_STEP", 5)

    async def go() -> None:
        b = await _open(str(tmp_path))
        for i in range(40):
            await b.create(f"/registry/c/{i}", b"x")
        assert b.compacted_revision() > 0
        with pytest.raises(s.Compacted):
            b.events_since(1, "/registry/c/")
        evs = b.events_since(b.compacted_revision(), "/registry/c/")
        assert evs and evs[-1].revision == 40
        await b.close()
    run(go())


def test_open_storage_rejects_unknown_scheme() -> None:
    with pytest.raises(ValueError, match="unsupported storage URL"):
        s.open_storage("foo://bar")


def test_log_entries_of_large_updates_are_deflated_and_replay_exactly(tmp_path: Any) -> None:
    import os

    async def go() -> None:
        b = await _open(str(tmp_path))
        first = os.urandom(1500) + b"x" * 1500
        second = first[:-10] + b"y" * 10
        kv = await b.create("/registry/pods/ns/p", first)
        await b.update("/registry/pods/ns/p", second, kv.mod_revision)
        await b.delete("/registry/pods/ns/p")
        with b._env.begin(db=b._log) as txn:
            raw = [bytes(v) for _, v in txn.cursor()]
        assert [r[:1] for r in raw] == [b"a", b"m", b"d"]
        assert len(raw[1]) < len(first)  # the old and new versions deflate together
        evs = b.events_since(0, "/registry/pods/")
        assert [(e.type, e.value, e.prev_value) for e in evs] == [
            ("ADDED", first, None), ("MODIFIED", second, first), ("DELETED", second, second)]
        await b.close()
    run(go())


def test_log_entries_written_uncompressed_are_still_read(tmp_path: Any) -> None:
    ev = s.Event("MODIFIED", "/registry/configmaps/ns/c", b"new" * 300, 7, b"old" * 300)
    # the format before deflate: code, key length, key, prev length, prev, value
    key = ev.key.encode()
    assert ev.prev_value is not None
    plain = (b"M" + lmdb_backend._LEN.pack(len(key)) + key
             + lmdb_backend._LEN.pack(len(ev.prev_value)) + ev.prev_value + ev.value)
    back = lmdb_backend._decode_event(7, plain)
    assert (back.type, back.key, back.value, back.prev_value) == (
        ev.type, ev.key, ev.value, ev.prev_value)
