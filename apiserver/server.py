"""The API server process: HTTPS on uvloop (aiohttp's low-level server, no router
overhead), authentication, the in-flight limit, metrics, and dispatch to discovery,
OpenAPI and the resource handlers.  Every error leaves as a Kubernetes Status."""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import ssl
import time
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from ..core import status as st
from ..core.resources import storage_resources
from ..core.tasks import cancel_and_wait
from . import discovery
from .fairness import DEFAULT_SEATS, FairQueue
from .handlers import (
    MAX_BODY,
    PROTOBUF,
    Reply,
    ResourceHandler,
    decode_body,
    negotiate,
    parse_resource_path,
    protobuf_bytes,
)
from .memory import trim_periodically
from .metrics import Metrics
from .namespaces import NamespaceController, bootstrap
from .pki import Credentials, ensure_credentials, write_kubeconfig
from .proxy import PROXIED, KubeletProxy
from .registry import Registry
from .storage import StorageBackend, open_storage
from .watchcache.cacher import WatchCache

log = logging.getLogger(__name__)

VERSION_INFO = {
    "major": "1", "minor": "32", "gitVersion": "v1.32.0-paddock", "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean", "buildDate": "2026-11-28T00:00:00Z", "goVersion": "go1.23.0",
    "compiler": "gc", "platform": "linux/amd64",
}
PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version")
_MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class ServerConfig:
    """Flags of ``paddock apiserver`` (named like kube-apiserver's where they match)."""

    data_dir: str
    storage_url: str = ""
    bind_address: str = "127.0.0.1"
    port: int = 6443
    max_requests_inflight: int = 400
    max_mutating_requests_inflight: int = 200
    # requests executing at once, the rest queued fairly by client (0: no fair queuing)
    fair_queuing_seats: int = DEFAULT_SEATS
    service_cluster_ip_range: str = "198.19.0.0/16"
    watch_queue_limit: int = 10_000
    tls: bool = True


class APIServer:
    """One apiserver: storage, watch cache, registry, HTTP server."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.metrics = Metrics()
        self.storage: StorageBackend = open_storage(
            config.storage_url or f"lmdb://{os.path.join(config.data_dir, 'store')}")
        self.cache = WatchCache(self.storage, [r.name for r in storage_resources()])
        self.registry = Registry(self.storage, self.cache, config.service_cluster_ip_range)
        self.handler = ResourceHandler(self.registry, config.watch_queue_limit, self.metrics)
        self.namespaces = NamespaceController(self.registry)
        self.creds: Credentials | None = None
        self.proxy: KubeletProxy | None = None
        self._server: asyncio.AbstractServer | None = None
        self._trimmer: asyncio.Task[None] | None = None
        self._inflight = 0
        self._inflight_mutating = 0
        self.fair = FairQueue(config.fair_queuing_seats) if config.fair_queuing_seats > 0 else None
        self.port = config.port

    @property
    def scheme(self) -> str:
        return "https" if self.config.tls else "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.config.bind_address}:{self.port}"

    async def start(self) -> None:
        os.makedirs(self.config.data_dir, exist_ok=True)
        self.creds = ensure_credentials(self.config.data_dir)
        self.proxy = KubeletProxy(self.registry, self.creds)
        await self.storage.start()
        self.cache.load()
        self.registry.rebuild_allocations()
        ssl_ctx = None
        if self.config.tls:
            ssl_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ssl_ctx.load_cert_chain(self.creds.server_cert, self.creds.server_key)
            # HTTP/1.1 only: kubectl then uses HTTP/1.1 for everything, as for upgrades
            ssl_ctx.set_alpn_protocols(["http/1.1"])
        lowlevel = web.Server(self.handle, access_log=None, handler_cancellation=True)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lowlevel, self.config.bind_address, self.config.port,
                                                ssl=ssl_ctx, backlog=4096, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        await bootstrap(self.registry, (self.config.bind_address, self.port))
        self.namespaces.start()
        self._trimmer = asyncio.create_task(trim_periodically(), name="malloc trim")
        write_kubeconfig(os.path.join(self.config.data_dir, "kubeconfig"), self.url, self.creds)

    async def stop(self) -> None:
        await cancel_and_wait(self._trimmer)
        await self.namespaces.stop()
        if self._server is not None:
            self._server.close()
            for c in self.cache.caches.values():
                c.fanout.close_all("server shutting down")
            await asyncio.sleep(0.05)
            self._server = None
        if self.proxy is not None:
            await self.proxy.close()
        await self.storage.close()

    # -- request entry point ----------------------------------------------------------------

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        start = time.monotonic()
        method = request.method
        path = request.rel_url.raw_path
        # as upstream's --long-running-request-regexp: watches and the subresources served
        # by kubelets hold no in-flight slot, however long they run
        long_running = (request.query.get("watch") in ("true", "1")
                        or path.rstrip("/").rpartition("/")[2] in PROXIED)
        mutating = method in _MUTATING
        labels = ("", "", "", "")
        code = 500
        counted = False
        seated = False
        resp: web.StreamResponse | None = None
        try:
            if not path.startswith(PUBLIC_PATHS) and not self._authenticated(request):
                raise st.unauthorized()
            if not long_running:
                if mutating:
                    if self._inflight_mutating >= self.config.max_mutating_requests_inflight:
                        self.metrics.rejected_inflight += 1
                        raise st.too_many_requests()
                    self._inflight_mutating += 1
                else:
                    if self._inflight >= self.config.max_requests_inflight:
                        self.metrics.rejected_inflight += 1
                        raise st.too_many_requests()
                    self._inflight += 1
                counted = True
                self.metrics.inflight += 1
                if self.fair is not None:
                    await self.fair.acquire(request.headers.get("User-Agent", ""))
                    seated = True
            resp, labels = await self._route(request, method, path)
            code = resp.status
            return resp
        except st.APIError as e:
            code = e.code
            labels = request.get("metric_labels", labels)
            resp = self._error(e, request)
            return resp
        except asyncio.CancelledError:
            code = 499
            raise
        except Exception as e:  # nothing may crash the server: log once, answer 500
            log.exception("%s %s failed", method, path)
            code = 500
            return self._error(st.internal_error(f"{type(e).__name__}: {e}"), request)
        finally:
            if seated:
                assert self.fair is not None
                self.fair.release()
            if counted:
                self.metrics.inflight -= 1
                if mutating:
                    self._inflight_mutating -= 1
                else:
                    self._inflight -= 1
            verb = labels[0] or method
            self.metrics.request_duration.observe(
                (verb, labels[1], labels[2], labels[3], str(code)), time.monotonic() - start)
            if labels[2]:  # resource requests, as upstream; a watch's events are counted as sent
                if type(resp) is web.Response and isinstance(resp.body, bytes):
                    self.metrics.response_sizes.observe((verb, *labels[1:]), len(resp.body))
                if mutating and request.content_length:
                    self.metrics.request_body_sizes.observe((labels[2], verb), request.content_length)

    def _authenticated(self, request: web.BaseRequest) -> bool:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or self.creds is None:
            return False
        return hmac.compare_digest(auth[7:].strip().encode(), self.creds.token.encode())

    def _error(self, e: st.APIError, request: web.BaseRequest) -> web.Response:
        """The Status of an error, in protobuf when the client prefers it (as upstream
        answers client-go), else JSON."""
        try:
            prefers_protobuf = negotiate(request.headers.get("Accept", ""), {}).protobuf
        except st.APIError:
            prefers_protobuf = False
        if prefers_protobuf:
            body = protobuf_bytes(e.status())
            headers = {**e.headers, "Content-Type": PROTOBUF}
        else:
            body = orjson.dumps(e.status())
            headers = {"Content-Type": "application/json", **e.headers}
        return web.Response(status=e.code, body=body, headers=headers)

    @staticmethod
    def _reply(r: Reply, warnings: list[str] | None = None) -> web.Response:
        headers = {"Content-Type": r.content_type, **r.headers}
        resp = web.Response(status=r.code, body=r.body, headers=headers)
        for w in warnings or ():
            resp.headers.add("Warning", '299 - "' + w.replace('"', '\\"') + '"')
        return resp

    async def _read_body(self, request: web.BaseRequest) -> bytes:
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise st.too_large(MAX_BODY)
        # read(n) returns what is buffered, not n bytes: loop to the end of the body
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await request.content.read(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_BODY:
                raise st.too_large(MAX_BODY)
            chunks.append(chunk)
        return b"".join(chunks)

    # -- routing ------------------------------------------------------------------------------

    async def _route(self, request: web.BaseRequest, method: str,
                     path: str) -> tuple[web.StreamResponse, tuple[str, str, str, str]]:
        parts = [p for p in path.split("/") if p]
        if not parts:
            return self._json({"paths": ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/metrics",
                                         "/openapi/v3", "/readyz", "/version"]}), ("get", "", "", "")
        head = parts[0]
        if head in ("healthz", "livez", "readyz"):
            if "verbose" in request.query:
                checks = ["ping", "log", "etcd", "informer-sync", "poststarthook/start-apiserver-admission-initializer"]
                text = "".join(f"[+]{c} ok\n" for c in checks) + f"{head} check passed\n"
                return web.Response(text=text, content_type="text/plain"), ("get", "", "", "")
            return web.Response(text="ok", content_type="text/plain"), ("get", "", "", "")
        if head == "version":
            return self._json(VERSION_INFO), ("get", "", "", "")
        if head == "metrics":
            return web.Response(body=self.metrics.render(),
                                headers={"Content-Type": "text/plain; version=0.0.4"}), ("get", "", "", "")
        if head == "openapi":
            return self._openapi(request, parts[1:]), ("get", "", "", "")
        if head == "api":
            if len(parts) == 1:
                return self._discovery_root(request, legacy_core=True), ("get", "", "", "")
            if len(parts) == 2 and parts[1] == "v1":
                return self._cached_doc(request, "resources", "v1"), ("get", "", "", "")
            return await self._resource(request, method, parts[1:])
        if head == "apis":
            if len(parts) == 1:
                return self._discovery_root(request, legacy_core=False), ("get", "", "", "")
            if len(parts) == 2:
                return self._cached_doc(request, "group", parts[1]), ("get", "", "", "")
            if len(parts) == 3:
                return self._cached_doc(request, "resources", f"{parts[1]}/{parts[2]}"), ("get", "", "", "")
            return await self._resource(request, method, parts[1:])
        raise st.no_route()

    def _json(self, obj: Any) -> web.Response:
        return web.Response(body=orjson.dumps(obj), headers={"Content-Type": "application/json"})

    def _with_etag(self, request: web.BaseRequest, body: bytes, etag: str, content_type: str) -> web.Response:
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"Content-Type": content_type, "ETag": etag,
                                                "Cache-Control": "no-cache, private"})

    def _discovery_root(self, request: web.BaseRequest, legacy_core: bool) -> web.Response:
        accept = request.headers.get("Accept", "")
        if "as=APIGroupDiscoveryList" in accept:
            # answer with the first aggregated version the client offers
            for entry in accept.split(","):
                if "as=APIGroupDiscoveryList" in entry and "g=apidiscovery.k8s.io" in entry:
                    version = "v2beta1" if "v=v2beta1" in entry else "v2" if "v=v2" in entry else None
                    if version:
                        body, etag = discovery.encoded("agg-api" if legacy_core else "agg-apis", version)
                        ct = discovery.AGGREGATED_V2 if version == "v2" else discovery.AGGREGATED_V2BETA1
                        return self._with_etag(request, body, etag, ct)
        if legacy_core:
            return self._json(discovery.api_versions(f"{self.config.bind_address}:{self.port}"))
        body, etag = discovery.encoded("apis")
        return self._with_etag(request, body, etag, "application/json")

    def _cached_doc(self, request: web.BaseRequest, which: str, arg: str) -> web.Response:
        body, etag = discovery.encoded(which, arg)
        if not body:
            raise st.no_route()
        return self._with_etag(request, body, etag, "application/json")

    def _openapi(self, request: web.BaseRequest, parts: list[str]) -> web.Response:
        from . import openapi

        if parts == ["v3"]:
            return self._json(openapi.openapi_v3_index())
        if len(parts) >= 3 and parts[0] == "v3":
            if parts[1] == "api" and len(parts) == 3:
                group, version = "", parts[2]
            elif parts[1] == "apis" and len(parts) == 4:
                group, version = parts[2], parts[3]
            else:
                raise st.no_route()
            try:
                body, digest = openapi.document_bytes(group, version)
            except LookupError:
                raise st.no_route() from None
            return self._with_etag(request, body, '"' + digest + '"', "application/json")
        raise st.no_route()

    async def _resource(self, request: web.BaseRequest, method: str,
                        parts: list[str]) -> tuple[web.StreamResponse, tuple[str, str, str, str]]:
        t = parse_resource_path(parts)
        if t is None:
            raise st.no_route()
        res = t.resource
        q = request.query
        h = self.handler
        warnings: list[str] = []
        if res.namespaced is False and t.namespace is not None:
            raise st.no_route()
        manager = q.get("fieldManager", "")
        if not manager and method in ("POST", "PUT", "PATCH"):
            from ..core.apply import default_manager

            manager = default_manager(request.headers.get("User-Agent", ""))
        sub = t.subresource
        if sub and res.subresource(sub) is None:
            raise st.no_route()
        if sub in PROXIED and res.name == "pods" and self.proxy is not None:
            # served by the pod's kubelet (upstream counts them all as "connect")
            return await self.proxy.serve(request, method, t), ("connect", res.group, res.name, sub)
        if res.name == "bindings":
            if method != "POST" or t.name is not None:
                raise st.method_not_supported("bindings", method)
            body = decode_body(await self._read_body(request), request.headers.get("Content-Type", ""))
            return self._reply(await h.binding(t.namespace, None, body, q)), ("create", res.group, res.name, "")
        labels_for = (res.group, res.name, sub)
        # what an error counts under, before the handler decides (upstream labels 409s and
        # 404s with their resource too)
        collection = t.name is None
        request["metric_labels"] = ({
            "GET": "list" if collection else "get", "POST": "create", "PUT": "update",
            "PATCH": "patch", "DELETE": "deletecollection" if collection else "delete",
        }.get(method, method.lower()), *labels_for)
        accept = negotiate(request.headers.get("Accept", ""), q)

        def reply(r: Reply, warn: list[str] | None = None) -> web.Response:
            # write handlers answer JSON; a protobuf client gets the same object re-encoded
            if accept.protobuf and r.content_type == "application/json":
                obj = orjson.loads(r.body)
                if obj.get("kind") and obj.get("apiVersion"):
                    r = Reply(protobuf_bytes(obj), r.code, PROTOBUF, r.headers)
            return self._reply(r, warn)

        if t.name is None:
            if method == "GET":
                if q.get("watch") in ("true", "1"):
                    self.metrics.watchers += 1
                    try:
                        return await h.watch(request, t, accept), ("watch", *labels_for)
                    finally:
                        self.metrics.watchers -= 1
                return self._reply(h.list_collection(t, q, accept)), ("list", *labels_for)
            if method == "POST":
                raw = await self._read_body(request)
                body = decode_body(raw, request.headers.get("Content-Type", ""))
                return reply(await h.create(t, body, q, manager, warnings), warnings), ("create", *labels_for)
            if method == "DELETE":
                if "deletecollection" not in res.verbs:
                    raise st.method_not_supported(res.name, "deletecollection")
                raw = await self._read_body(request)
                return self._reply(await h.delete_collection(t, raw, q)), ("deletecollection", *labels_for)
            raise st.method_not_supported(res.name, method)

        ct = request.headers.get("Content-Type", "")
        if sub == "scale":
            raw = await self._read_body(request) if method in ("PUT", "PATCH") else b""
            verb = {"GET": "get", "PUT": "update", "PATCH": "patch"}.get(method, method.lower())
            return reply(await h.scale(method, t, raw, ct, q, manager)), (verb, *labels_for)
        if sub == "binding":
            if method != "POST":
                raise st.method_not_supported("pods/binding", method)
            body = decode_body(await self._read_body(request), ct)
            return self._reply(await h.binding(t.namespace, t.name, body, q)), ("create", *labels_for)
        if sub == "eviction":
            if method != "POST":
                raise st.method_not_supported("pods/eviction", method)
            body = decode_body(await self._read_body(request), ct)
            return self._reply(await h.eviction(t, body)), ("create", *labels_for)
        if method == "GET":
            return self._reply(h.get(t, accept, q)), ("get", *labels_for)
        if method == "PUT":
            body = decode_body(await self._read_body(request), ct)
            return reply(await h.update(t, body, q, manager, warnings), warnings), ("update", *labels_for)
        if method == "PATCH":
            raw = await self._read_body(request)
            return reply(await h.patch(t, raw, ct, q, manager, warnings), warnings), ("patch", *labels_for)
        if method == "DELETE":
            if sub:
                raise st.method_not_supported(f"{res.name}/{sub}", "DELETE")
            raw = await self._read_body(request)
            return reply(await h.delete(t, raw, q)), ("delete", *labels_for)
        raise st.method_not_supported(res.name, method)


async def run_apiserver(config: ServerConfig, ready: asyncio.Event | None = None) -> None:
    """Run until cancelled (SIGTERM/SIGINT handled by the caller)."""
    server = APIServer(config)
    await server.start()
    log.info("apiserver serving on %s", server.url)
    if ready is not None:
        ready.set()
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()
