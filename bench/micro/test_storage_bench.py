"""Micro-benchmark of the LMDB backend's group commit: writes per second, batched against one
transaction per write.

A real LMDB environment in a temporary directory, opened by ``apiserver/storage/lmdb.py``
as the apiserver opens it (every commit fsynced).  A round writes :data:`WRITES` pods
(protobuf, as storage holds them): ``batched`` issues them at once, as concurrent requests
do, and the writer thread commits whatever is queued in one transaction; ``one_per_write``
awaits each before the next, so each is its own transaction and its own fsync.  The ratio
is what group commit buys; it depends on the disk's fsync, which is why its floor is low.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from paddock.apiserver.storage.lmdb import LMDBBackend
from paddock.core import protobuf

WRITES = 100
ROUNDS = {"batched": 20, "one_per_write": 5}


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[tuple[asyncio.AbstractEventLoop, LMDBBackend]]:
    loop = asyncio.new_event_loop()
    backend = LMDBBackend(str(tmp_path / "store"), map_size=1 << 30)
    loop.run_until_complete(backend.start())
    try:
        yield loop, backend
    finally:
        loop.run_until_complete(backend.close())
        loop.close()


@pytest.mark.parametrize("commits", ["batched", "one_per_write"])
def test_lmdb_commit(benchmark: Any, storage: tuple[asyncio.AbstractEventLoop, LMDBBackend],
                     workloads: dict[str, Any], commits: str) -> None:
    loop, backend = storage
    pod = workloads["pod"]
    message = protobuf.message_for("v1", "Pod")
    assert message is not None
    value = protobuf.codec().encode_envelope(pod, "v1", "Pod", message)
    keys = (f"/registry/pods/default/pod-{i:06d}" for i in range(1 << 30))

    async def batched() -> None:
        await asyncio.gather(*(backend.create(next(keys), value) for _ in range(WRITES)))

    async def one_per_write() -> None:
        for _ in range(WRITES):
            await backend.create(next(keys), value)

    write = batched if commits == "batched" else one_per_write
    made: list[int] = []

    def round_of_writes() -> None:
        before = backend.commits
        loop.run_until_complete(write())
        made.append(backend.commits - before)

    benchmark.group = f"lmdb_commit {WRITES} writes"
    benchmark.extra_info.update(commits=commits, writes=WRITES)
    benchmark.pedantic(round_of_writes, rounds=ROUNDS[commits], warmup_rounds=1)
    benchmark.extra_info["transactions_per_round"] = max(made)
    if commits == "one_per_write":
        assert made == [WRITES] * len(made)
    else:  # the writer may take the first write alone before the rest are queued
        assert max(made) <= 2
    assert backend.current_revision() == WRITES * len(made)
