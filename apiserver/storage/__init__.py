"""The storage interface of the apiserver and the registry of backends by URL scheme.

A backend keeps keys (``/registry/<resource>/<ns>/<name>``) mapped to encoded objects,
with a global revision counter: every write gets the next revision, which becomes the
object's ``resourceVersion``.  Writes are compare-and-swap on the key's last revision.
Committed changes are delivered, in revision order, to one listener (the watch cache)
before the writer's call returns, so a client that saw its write acknowledged can read it
back from the cache.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlparse


@dataclass(frozen=True, slots=True)
class KeyValue:
    """A stored object: its key, encoded bytes, and the revisions that created and last
    modified it."""

    key: str
    value: bytes
    create_revision: int
    mod_revision: int


@dataclass(frozen=True, slots=True)
class Event:
    """One committed change.  For DELETED, ``value`` is the object as it was when deleted."""

    type: str  # "ADDED" | "MODIFIED" | "DELETED"
    key: str
    value: bytes
    revision: int
    prev_value: bytes | None


class StorageError(Exception):
    """Base class of the backend's precondition failures."""


class KeyExists(StorageError):
    """create() of a key that exists."""


class KeyNotFound(StorageError):
    """update()/delete() of a key that does not exist."""


class RevisionMismatch(StorageError):
    """update()/delete() whose expected revision is not the key's current one."""

    def __init__(self, current: KeyValue) -> None:
        super().__init__(current.key)
        self.current = current


class Compacted(StorageError):
    """events_since() asked for history that compaction removed."""

    def __init__(self, compacted_revision: int) -> None:
        super().__init__(compacted_revision)
        self.compacted_revision = compacted_revision


Listener = Callable[[list[Event]], None]


class StorageBackend(Protocol):
    """What the apiserver needs from a store (LMDB embedded, etcd for several apiservers)."""

    def set_listener(self, listener: Listener) -> None:
        """Receive every committed batch of events, in revision order."""

    async def start(self) -> None:
        """Open files/connections and start background work."""

    async def close(self) -> None:
        """Flush and release everything; acknowledged writes are already durable."""

    def current_revision(self) -> int:
        """The revision of the last committed write."""

    def get(self, key: str) -> KeyValue | None:
        """The current value of one key."""

    def range(self, prefix: str) -> tuple[list[KeyValue], int]:
        """All keys under a prefix, sorted, and the revision the read reflects."""

    async def create(self, key: str, value: bytes) -> KeyValue:
        """Store a new key; raises KeyExists."""

    async def update(self, key: str, value: bytes, expected_revision: int) -> KeyValue:
        """Replace a key if its mod revision is ``expected_revision``; raises KeyNotFound or
        RevisionMismatch."""

    async def delete(self, key: str, expected_revision: int | None = None) -> KeyValue:
        """Remove a key (optionally only at a revision); returns the deleted value with the
        deletion's revision as ``mod_revision``."""

    def events_since(self, revision: int, prefix: str) -> list[Event]:
        """Committed events with revision > ``revision`` under a prefix; raises Compacted."""

    def compacted_revision(self) -> int:
        """Events at or below this revision are gone."""


def open_storage(url: str) -> StorageBackend:
    """The backend named by a URL: ``lmdb:///path/to/dir`` (more schemes to come)."""
    parsed = urlparse(url)
    if parsed.scheme == "lmdb":
        from .lmdb import LMDBBackend

        return LMDBBackend(parsed.path)
    raise ValueError(f"unsupported storage URL {url!r}: supported schemes are lmdb://")
