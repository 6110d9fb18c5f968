"""The embedded LMDB backend (the default store).

Three LMDB databases in one environment:

- ``kv``: key → 16-byte header (create revision, mod revision, big-endian) + encoded object;
- ``log``: revision (8 bytes big-endian) → the event, so watches can resume from a revision;
- ``meta``: the global revision counter and the compacted revision.

Writes are group-committed: request coroutines put operations on a queue; one writer thread
takes everything queued, applies it in one write transaction and commits it with one fsync
(LMDB ``sync=True``), and only then are the callers' futures resolved.  So no write is
acknowledged before it is durable, and a burst of N concurrent creates costs one fsync, not N.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import struct
import threading
import zlib
from typing import Any

import lmdb

from . import (
    Compacted,
    Event,
    KeyExists,
    KeyNotFound,
    KeyValue,
    Listener,
    RevisionMismatch,
    StorageError,
)

log = logging.getLogger(__name__)

_HEADER = struct.Struct(">QQ")
_REV = struct.Struct(">Q")
_LEN = struct.Struct(">I")
_NONE = 0xFFFFFFFF
_TYPE_CODE = {"ADDED": b"A", "MODIFIED": b"M", "DELETED": b"D"}
_CODE_TYPE = {ord("A"): "ADDED", ord("M"): "MODIFIED", ord("D"): "DELETED"}
# an entry whose type code is lower case is deflated after the code (from COMPRESS_FROM
# bytes on); entries written before that are read as they are
_COMPRESSED = {ord(c.lower()): ord(c) for c in "AMD"}
COMPRESS_FROM = 512

# Keep this many events in the log for watch resume; compact in bounded steps so that one
# compaction never holds the write transaction for long.
LOG_RETAIN = 200_000
COMPACT_STEP = 20_000
MAX_BATCH = 2_000


def _encode_event(ev: Event) -> bytes:
    key = ev.key.encode()
    prev = ev.prev_value
    body = b"".join(
        (
            _LEN.pack(len(key)),
            key,
            _LEN.pack(_NONE if prev is None else len(prev)),
            prev or b"",
            ev.value,
        )
    )
    if len(body) < COMPRESS_FROM:
        return _TYPE_CODE[ev.type] + body
    # the old and new versions are nearly the same bytes, which deflate finds: an update's
    # entry shrinks to about a fifth, and fits on a page instead of two overflow pages
    return _TYPE_CODE[ev.type].lower() + zlib.compress(body, 1)


def _decode_event(revision: int, raw: bytes) -> Event:
    code = raw[0]
    if code in _COMPRESSED:
        raw = bytes(raw[:1]) + zlib.decompress(raw[1:])
        code = _COMPRESSED[code]
    typ = _CODE_TYPE[code]
    (klen,) = _LEN.unpack_from(raw, 1)
    key = raw[5 : 5 + klen].decode()
    pos = 5 + klen
    (plen,) = _LEN.unpack_from(raw, pos)
    pos += 4
    prev: bytes | None = None
    if plen != _NONE:
        prev = raw[pos : pos + plen]
        pos += plen
    return Event(typ, key, raw[pos:], revision, prev)


class _Op:
    __slots__ = ("kind", "key", "value", "expected", "future", "result")

    def __init__(self, kind: str, key: str, value: bytes, expected: int | None,
                 future: asyncio.Future[Any] | None) -> None:
        self.kind = kind
        self.key = key
        self.value = value
        self.expected = expected
        self.future = future
        self.result: Any = None


class LMDBBackend:
    """StorageBackend on an LMDB environment in directory ``path``."""

    def __init__(self, path: str, map_size: int = 1 << 36) -> None:
        self.path = path
        self.map_size = map_size
        self._listener: Listener | None = None
        self._queue: queue.SimpleQueue[_Op | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._rev = 0
        self._compacted = 0
        self.commits = 0  # batches committed (for tests and metrics)

    # -- lifecycle ---------------------------------------------------------------------

    def set_listener(self, listener: Listener) -> None:
        self._listener = listener

    async def start(self) -> None:
        os.makedirs(self.path, exist_ok=True)
        self._env = lmdb.open(
            self.path, map_size=self.map_size, max_dbs=4, sync=True, metasync=True,
            readahead=False, max_readers=1024,
        )
        self._kv = self._env.open_db(b"kv")
        self._log = self._env.open_db(b"log")
        self._meta = self._env.open_db(b"meta")
        with self._env.begin() as txn:
            raw = txn.get(b"rev", db=self._meta)
            self._rev = _REV.unpack(raw)[0] if raw else 0
            raw = txn.get(b"compacted", db=self._meta)
            self._compacted = _REV.unpack(raw)[0] if raw else 0
        self._loop = asyncio.get_running_loop()
        self._thread = threading.Thread(target=self._writer, name="lmdb-writer", daemon=True)
        self._thread.start()

    async def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join)
            self._thread = None
            self._env.close()

    # -- reads (event-loop thread; LMDB readers never block the writer) -------------------

    def current_revision(self) -> int:
        return self._rev

    def compacted_revision(self) -> int:
        return self._compacted

    def get(self, key: str) -> KeyValue | None:
        with self._env.begin(db=self._kv, buffers=False) as txn:
            raw = txn.get(key.encode())
        if raw is None:
            return None
        c, m = _HEADER.unpack_from(raw)
        return KeyValue(key, raw[16:], c, m)

    def range(self, prefix: str) -> tuple[list[KeyValue], int]:
        out: list[KeyValue] = []
        bprefix = prefix.encode()
        with self._env.begin(db=self._kv) as txn:
            raw_rev = txn.get(b"rev", db=self._meta)
            rev = _REV.unpack(raw_rev)[0] if raw_rev else 0
            cur = txn.cursor()
            if cur.set_range(bprefix):
                for k, raw in cur:
                    if not k.startswith(bprefix):
                        break
                    c, m = _HEADER.unpack_from(raw)
                    out.append(KeyValue(k.decode(), raw[16:], c, m))
        return out, rev

    def events_since(self, revision: int, prefix: str) -> list[Event]:
        if revision < self._compacted:
            raise Compacted(self._compacted)
        out: list[Event] = []
        with self._env.begin(db=self._log) as txn:
            cur = txn.cursor()
            if cur.set_range(_REV.pack(revision + 1)):
                for k, raw in cur:
                    ev = _decode_event(_REV.unpack(k)[0], raw)
                    if ev.key.startswith(prefix):
                        out.append(ev)
        return out

    # -- writes ---------------------------------------------------------------------------

    def _submit(self, kind: str, key: str, value: bytes, expected: int | None) -> asyncio.Future[Any]:
        assert self._loop is not None, "storage not started"
        fut = self._loop.create_future()
        self._queue.put(_Op(kind, key, value, expected, fut))
        return fut

    async def create(self, key: str, value: bytes) -> KeyValue:
        return await self._submit("create", key, value, None)  # type: ignore[no-any-return]

    async def update(self, key: str, value: bytes, expected_revision: int) -> KeyValue:
        return await self._submit("update", key, value, expected_revision)  # type: ignore[no-any-return]

    async def delete(self, key: str, expected_revision: int | None = None) -> KeyValue:
        return await self._submit("delete", key, b"", expected_revision)  # type: ignore[no-any-return]

    # -- the writer thread ----------------------------------------------------------------

    def _writer(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[_Op]) -> None:
        events: list[Event] = []
        try:
            with self._env.begin(write=True) as txn:
                rev = self._rev
                for op in batch:
                    try:
                        rev = self._apply_locked(txn, op, rev, events)
                    except StorageError as e:
                        op.result = e
                if events:
                    txn.put(b"rev", _REV.pack(rev), db=self._meta)
                if rev - self._compacted > LOG_RETAIN + COMPACT_STEP:
                    self._compact_locked(txn, min(rev - LOG_RETAIN, self._compacted + COMPACT_STEP))
            # the transaction is committed and fsynced here
            self._rev = rev
            self.commits += 1
        except Exception as e:  # a failed commit fails every write of the batch, none applied
            log.exception("lmdb commit of %d operations failed", len(batch))
            events = []
            for op in batch:
                op.result = StorageError(f"storage commit failed: {e}")
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._deliver, batch, events)

    def _compact_locked(self, txn: lmdb.Transaction, upto: int) -> None:
        cur = txn.cursor(db=self._log)
        if cur.first():
            while True:
                (r,) = _REV.unpack(cur.key())
                if r > upto:
                    break
                if not cur.delete():
                    break
        txn.put(b"compacted", _REV.pack(upto), db=self._meta)
        self._compacted = upto

    def _apply_locked(self, txn: lmdb.Transaction, op: _Op, rev: int, events: list[Event]) -> int:
        bkey = op.key.encode()
        got = txn.get(bkey, db=self._kv)
        raw = bytes(got) if got is not None else None
        if op.kind == "create":
            if raw is not None:
                raise KeyExists(op.key)
            rev += 1
            txn.put(bkey, _HEADER.pack(rev, rev) + op.value, db=self._kv)
            ev = Event("ADDED", op.key, op.value, rev, None)
            op.result = KeyValue(op.key, op.value, rev, rev)
        else:
            if raw is None:
                raise KeyNotFound(op.key)
            c, m = _HEADER.unpack_from(raw)
            old = raw[16:]
            if op.expected is not None and op.expected != m:
                raise RevisionMismatch(KeyValue(op.key, old, c, m))
            rev += 1
            if op.kind == "update":
                txn.put(bkey, _HEADER.pack(c, rev) + op.value, db=self._kv)
                ev = Event("MODIFIED", op.key, op.value, rev, old)
                op.result = KeyValue(op.key, op.value, c, rev)
            else:
                txn.delete(bkey, db=self._kv)
                ev = Event("DELETED", op.key, old, rev, old)
                op.result = KeyValue(op.key, old, c, rev)
        txn.put(_REV.pack(rev), _encode_event(ev), db=self._log)
        events.append(ev)
        return rev

    def _deliver(self, batch: list[_Op], events: list[Event]) -> None:
        # Feed the watch cache first: a caller that reads right after its write was
        # acknowledged must find it there.
        if events and self._listener is not None:
            try:
                self._listener(events)
            except Exception:
                log.exception("storage listener failed on %d events", len(events))
        for op in batch:
            fut = op.future
            if fut is None or fut.done():
                continue
            if isinstance(op.result, BaseException):
                fut.set_exception(op.result)
            else:
                fut.set_result(op.result)


__all__ = ["LMDBBackend"]
