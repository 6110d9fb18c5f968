"""Expectations: what a controller is waiting to see in its informers before it acts again.

A replica set controller that has just asked for 10 pods must not count again before the
watch shows them, or it would ask for 10 more: it *expects* 10 creations and does nothing
for that owner until the informer has seen them (or the expectation is five minutes old,
in case an event was lost).  Deletions are expected by pod key, so that a pod seen deleted
twice (a deletion timestamp, then the removal) counts once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

TTL_SECONDS = 300.0


@dataclass
class _Expected:
    adds: int = 0
    deletes: set[str] = field(default_factory=set)
    since: float = field(default_factory=time.monotonic)


class Expectations:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._by_owner: dict[str, _Expected] = {}

    def satisfied(self, owner: str) -> bool:
        """Whether the owner may be synced: nothing is pending, or it waited too long."""
        e = self._by_owner.get(owner)
        if e is None:
            return True
        if e.adds <= 0 and not e.deletes:
            return True
        return time.monotonic() - e.since > self.ttl

    def expect_creations(self, owner: str, count: int) -> None:
        self._by_owner[owner] = _Expected(adds=count)

    def expect_deletions(self, owner: str, pods: list[str]) -> None:
        self._by_owner[owner] = _Expected(deletes=set(pods))

    def creation_observed(self, owner: str) -> None:
        e = self._by_owner.get(owner)
        if e is not None and e.adds > 0:
            e.adds -= 1

    def deletion_observed(self, owner: str, pod: str) -> None:
        e = self._by_owner.get(owner)
        if e is not None:
            e.deletes.discard(pod)

    def forget(self, owner: str) -> None:
        self._by_owner.pop(owner, None)

    def pending(self, owner: str) -> tuple[int, int]:
        e = self._by_owner.get(owner)
        return (e.adds, len(e.deletes)) if e is not None else (0, 0)
