"""Keep a local copy of one resource in step with the apiserver: list, then watch.

An :class:`Informer` lists the resource, hands every object to its handlers as an ADDED
event, then watches from the list's resourceVersion; a watch that ends is resumed from the
last version seen, and one that fails with 410 Gone (history compacted) or any other error
starts over with a fresh list, whose differences from the local copy are delivered as
events, so handlers never miss a change or see a deletion twice.  Bookmarks advance the
resume point without an event.

Handlers are called in the informer's task, one event at a time, in order; they must not
block (queue work instead).  The local copy, :attr:`Informer.store`, maps
``namespace/name`` (or ``name``) to the latest object.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from paddock.core.client import Client
from paddock.core.status import APIError
from paddock.core.tasks import cancel_and_wait

log = logging.getLogger(__name__)

Handler = Callable[[str, dict[str, Any], dict[str, Any] | None], None]
"""``handler(event_type, object, old_object)``: ADDED/MODIFIED/DELETED; ``old_object`` is
the previous local copy (None for ADDED)."""

WATCH_TIMEOUT_SECONDS = 300
RETRY_SECONDS = 1.0


def object_key(obj: dict[str, Any]) -> str:
    md = obj.get("metadata") or {}
    namespace = md.get("namespace")
    return f"{namespace}/{md.get('name')}" if namespace else str(md.get("name"))


class Informer:
    """List and watch one resource (optionally one namespace, or selected objects)."""

    def __init__(self, client: Client, resource: str, *, namespace: str | None = None,
                 label_selector: str | None = None, field_selector: str | None = None) -> None:
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.store: dict[str, dict[str, Any]] = {}
        self.handlers: list[Handler] = []
        self.synced = asyncio.Event()
        self.resource_version = ""
        self._task: asyncio.Task[None] | None = None

    def add_handler(self, handler: Handler) -> None:
        self.handlers.append(handler)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"informer {self.resource}")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    def _emit(self, event_type: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        for handler in self.handlers:
            try:
                handler(event_type, obj, old)
            except Exception:  # a handler's bug must not stop the informer
                log.exception("%s handler failed on %s %s", self.resource, event_type,
                              object_key(obj))

    async def _list(self) -> None:
        listed = await self.client.list(self.resource, self.namespace,
                                        label_selector=self.label_selector,
                                        field_selector=self.field_selector)
        fresh = {object_key(o): o for o in listed.get("items") or ()}
        kind = listed.get("kind", "").removesuffix("List")
        api_version = listed.get("apiVersion", "")
        for key, gone in list(self.store.items()):
            if key not in fresh:
                del self.store[key]
                self._emit("DELETED", gone, gone)
        for key, obj in fresh.items():
            obj.setdefault("kind", kind)
            obj.setdefault("apiVersion", api_version)
            old = self.store.get(key)
            self.store[key] = obj
            if old is None:
                self._emit("ADDED", obj, None)
            elif old.get("metadata", {}).get("resourceVersion") != obj["metadata"].get(
                    "resourceVersion"):
                self._emit("MODIFIED", obj, old)
        self.resource_version = listed.get("metadata", {}).get("resourceVersion", "")
        self.synced.set()

    async def _watch(self) -> None:
        async for event_type, obj in self.client.watch(
                self.resource, self.namespace, resource_version=self.resource_version,
                label_selector=self.label_selector, field_selector=self.field_selector,
                timeout_seconds=WATCH_TIMEOUT_SECONDS, allow_bookmarks=True):
            rv = (obj.get("metadata") or {}).get("resourceVersion")
            if rv:
                self.resource_version = rv
            if event_type == "BOOKMARK":
                continue
            key = object_key(obj)
            old = self.store.get(key)
            if event_type == "DELETED":
                self.store.pop(key, None)
            else:
                self.store[key] = obj
            self._emit(event_type, obj, old)

    async def _run(self) -> None:
        need_list = True
        while True:
            try:
                if need_list:
                    await self._list()
                    need_list = False
                await self._watch()  # ends at the server's timeout: resume from where it was
            except asyncio.CancelledError:
                raise
            except APIError as e:
                log.info("%s watch ended (%s %s); listing again", self.resource, e.code, e.reason)
                need_list = True
                await asyncio.sleep(0 if e.code == 410 else RETRY_SECONDS)
            except Exception as e:  # connection lost, server restarting...
                log.warning("%s informer: %s; retrying", self.resource, e)
                need_list = True
                await asyncio.sleep(RETRY_SECONDS)
