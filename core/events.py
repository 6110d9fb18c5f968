"""Events that tell the story of an object (``kubectl describe`` shows them).

An :class:`EventRecorder` writes core/v1 Events for one component, in the background so
that recording never slows the work it reports; a failure to record is logged, never
raised.  Events about one object with the same reason and message within ten minutes are
folded into one whose ``count`` grows, as upstream's correlator does; and, as its spam
filter does, each object may have 25 events in a burst, then one per five minutes (a
replica set creating 1,000 pods records 25 SuccessfulCreate events, not 1,000).  The
folding remembers the last 4,096 distinct events.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

from paddock.core.client import Client
from paddock.core.status import APIError

log = logging.getLogger(__name__)

FOLD_SECONDS = 600
REMEMBERED = 4096
SPAM_BURST = 25
SPAM_REFILL_SECONDS = 300.0
FLUSH_SECONDS = 5.0


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class EventRecorder:
    def __init__(self, client: Client, component: str, instance: str = "") -> None:
        self.client = client
        self.component = component
        self.instance = instance
        self._tasks: set[asyncio.Task[None]] = set()
        # (object uid, reason, message) -> (event name, count, first time, monotonic time),
        # oldest first
        self._recent: dict[tuple[str, str, str], tuple[str, int, str, float]] = {}
        # object uid -> (tokens, monotonic time of the last refill)
        self._budgets: dict[str, tuple[float, float]] = {}

    def _allowed(self, uid: str) -> bool:
        now = time.monotonic()
        tokens, last = self._budgets.pop(uid, (float(SPAM_BURST), now))
        tokens = min(float(SPAM_BURST), tokens + (now - last) / SPAM_REFILL_SECONDS)
        allowed = tokens >= 1.0
        self._budgets[uid] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._budgets) > REMEMBERED:
            del self._budgets[next(iter(self._budgets))]
        return allowed

    def record(self, obj: dict[str, Any], event_type: str, reason: str, message: str) -> None:
        """Record an event about ``obj`` (``Normal`` or ``Warning``) without waiting."""
        md = obj.get("metadata") or {}
        if not self._allowed(str(md.get("uid") or md.get("name") or "")):
            return
        task = asyncio.create_task(self._write(obj, event_type, reason, message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self, timeout: float = FLUSH_SECONDS) -> None:
        """Wait for the events recorded so far to be written, at most ``timeout`` seconds;
        what is still waiting then (behind a client's rate limit) is dropped, so that a
        component told to stop stops."""
        deadline = time.monotonic() + timeout
        while self._tasks:
            left = deadline - time.monotonic()
            if left <= 0:
                pending = list(self._tasks)
                log.warning("%d events not written before stopping", len(pending))
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
                return
            await asyncio.wait(list(self._tasks), timeout=left)

    async def _write(self, obj: dict[str, Any], event_type: str, reason: str, message: str) -> None:
        md = obj.get("metadata") or {}
        namespace = md.get("namespace") or "default"
        key = (md.get("uid") or md.get("name") or "", reason, message)
        now = _now()
        recent = self._recent.get(key)
        try:
            if recent is not None and time.monotonic() - recent[3] < FOLD_SECONDS:
                name, count, first, _ = recent
                await self.client.patch("events", name, {"count": count + 1, "lastTimestamp": now},
                                        namespace)
                del self._recent[key]
                self._recent[key] = (name, count + 1, first, time.monotonic())
                return
            event = {
                # named as upstream's recorder names them: the object's name and the time
                "metadata": {"name": f"{md.get('name', 'object')}.{time.time_ns():x}",
                             "namespace": namespace},
                "involvedObject": {
                    "kind": obj.get("kind"), "apiVersion": obj.get("apiVersion"),
                    "namespace": md.get("namespace"), "name": md.get("name"),
                    "uid": md.get("uid"), "resourceVersion": md.get("resourceVersion"),
                },
                "reason": reason, "message": message, "type": event_type,
                "source": {"component": self.component},
                "firstTimestamp": now, "lastTimestamp": now, "count": 1,
                "reportingComponent": self.component, "reportingInstance": self.instance,
            }
            created = await self.client.create("events", event, namespace)
            self._recent.pop(key, None)
            self._recent[key] = (created["metadata"]["name"], 1, now, time.monotonic())
            if len(self._recent) > REMEMBERED:
                del self._recent[next(iter(self._recent))]
        except (APIError, OSError, ValueError) as e:
            log.warning("could not record event %s for %s/%s: %s", reason, namespace,
                        md.get("name"), e)
