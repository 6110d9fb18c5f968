"""Keep a local copy of one resource in step with the apiserver: list, then watch.

An :class:`Informer` lists the resource, hands every object to its handlers as an ADDED
event, then watches from the list's resourceVersion; a watch that ends is resumed from the
last version seen, and one that fails with 410 Gone (history compacted) or any other error
starts over with a fresh list, whose differences from the local copy are delivered as
events, so handlers never miss a change or see a deletion twice.  Bookmarks advance the
resume point without an event.

Handlers are called in the informer's task, one event at a time, in order; they must not
block (queue work instead).  The local copy, :attr:`Informer.store`, maps
``namespace/name`` (or ``name``) to the latest object; *indexes* find objects by any
value computed from them (:meth:`Informer.add_index`, :meth:`Informer.by_index`; a
namespace index is built in).  With ``resync_period`` every object is handed to the
handlers again as MODIFIED (old and new the same) that often, so that a controller that
dropped something on the floor gets another look.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
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
NAMESPACE_INDEX = "namespace"

IndexFunc = Callable[[dict[str, Any]], Iterable[str]]


def object_key(obj: dict[str, Any]) -> str:
    md = obj.get("metadata") or {}
    namespace = md.get("namespace")
    return f"{namespace}/{md.get('name')}" if namespace else str(md.get("name"))


class Informer:
    """List and watch one resource (optionally one namespace, or selected objects)."""

    def __init__(self, client: Client, resource: str, *, namespace: str | None = None,
                 label_selector: str | None = None, field_selector: str | None = None,
                 resync_period: float = 0.0) -> None:
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.store: dict[str, dict[str, Any]] = {}
        self.handlers: list[Handler] = []
        self.synced = asyncio.Event()
        self.resource_version = ""
        self.resync_period = resync_period
        self._task: asyncio.Task[None] | None = None
        self._resync_task: asyncio.Task[None] | None = None
        self._index_funcs: dict[str, IndexFunc] = {}
        self._indexes: dict[str, dict[str, set[str]]] = {}
        self._indexed: dict[str, dict[str, tuple[str, ...]]] = {}  # index -> key -> values
        self.add_index(NAMESPACE_INDEX,
                       lambda obj: ((obj.get("metadata") or {}).get("namespace") or "",))

    def add_handler(self, handler: Handler) -> None:
        self.handlers.append(handler)

    def add_index(self, name: str, func: IndexFunc) -> None:
        """Index the objects by ``func(obj)`` (any number of values each)."""
        self._index_funcs[name] = func
        self._indexes[name] = {}
        self._indexed[name] = {}
        for key, obj in self.store.items():
            self._index(name, key, obj)

    def has_index(self, name: str) -> bool:
        return name in self._index_funcs

    def by_index(self, name: str, value: str) -> list[dict[str, Any]]:
        keys = self._indexes[name].get(value, ())
        return [self.store[k] for k in keys]

    def get(self, key: str) -> dict[str, Any] | None:
        return self.store.get(key)

    def _index(self, name: str, key: str, obj: dict[str, Any] | None) -> None:
        index, indexed = self._indexes[name], self._indexed[name]
        for value in indexed.pop(key, ()):
            keys = index.get(value)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del index[value]
        if obj is None:
            return
        try:
            values = tuple(self._index_funcs[name](obj))
        except Exception:  # an index function's bug leaves the object out of that index
            log.exception("index %s of %s failed on %s", name, self.resource, key)
            return
        indexed[key] = values
        for value in values:
            index.setdefault(value, set()).add(key)

    def _put(self, key: str, obj: dict[str, Any]) -> None:
        self.store[key] = obj
        for name in self._indexes:
            self._index(name, key, obj)

    def _drop(self, key: str) -> None:
        self.store.pop(key, None)
        for name in self._indexes:
            self._index(name, key, None)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"informer {self.resource}")
        if self.resync_period > 0 and self._resync_task is None:
            self._resync_task = asyncio.create_task(self._resync(),
                                                    name=f"informer {self.resource} resync")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        await cancel_and_wait(self._resync_task)
        self._task = self._resync_task = None

    async def _resync(self) -> None:
        await self.synced.wait()
        while True:
            await asyncio.sleep(self.resync_period)
            for obj in list(self.store.values()):
                self._emit("MODIFIED", obj, obj)

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
                self._drop(key)
                self._emit("DELETED", gone, gone)
        for key, obj in fresh.items():
            obj.setdefault("kind", kind)
            obj.setdefault("apiVersion", api_version)
            old = self.store.get(key)
            self._put(key, obj)
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
                self._drop(key)
            else:
                self._put(key, obj)
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
