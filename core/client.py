"""The REST client paddock's components use to talk to the apiserver.

It speaks protobuf by default, as upstream components do, and JSON when asked
(``--kube-api-content-type application/json``); both are :class:`Codec` s chosen by content
type.  Requests are limited client-side by a token bucket (``--kube-api-qps``,
``--kube-api-burst``, upstream's flags and defaults for the scheduler and the
controller-manager).  Errors come back as :class:`~paddock.core.status.APIError` carrying
the server's Status, so callers test ``code``/``reason`` as client-go users test
``IsNotFound``/``IsConflict``.

Resources are named as kubectl names them: ``pods``, ``deployments.apps``,
``leases.coordination.k8s.io``; the version is the group's preferred one
(``core/resources.py``).  Objects are plain dicts in their JSON form either way.

Example::

    async with Client.from_kubeconfig(path) as client:
        pod = await client.get("pods", "web-1", namespace="default")
        async for event_type, obj in client.watch("pods", namespace="default"):
            ...
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import builtins
import os
import ssl
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import aiohttp
import orjson
import yaml

from paddock.core import resources
from paddock.core.protobuf import codec as protobuf_codec
from paddock.core.status import APIError

__all__ = [
    "JSON",
    "PROTOBUF",
    "Client",
    "Codec",
    "Config",
    "add_client_flags",
    "client_from_flags",
]

JSON = "application/json"
PROTOBUF = "application/vnd.kubernetes.protobuf"


# --- codecs -------------------------------------------------------------------------------


class WatchDecoder(Protocol):
    """Turns the bytes of a watch stream, as they arrive, into ``(type, object)`` events."""

    def feed(self, data: bytes) -> list[tuple[str, dict[str, Any]]]: ...


class Codec(Protocol):
    """One encoding of request and response bodies."""

    content_type: str
    accept: str
    watch_accept: str

    def encode(self, obj: dict[str, Any]) -> bytes: ...

    def decode(self, data: bytes) -> dict[str, Any]: ...

    def watch_decoder(self) -> WatchDecoder: ...


def _strip_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    md = obj.get("metadata")
    if md:
        md.pop("managedFields", None)
    for item in obj.get("items") or ():
        _strip_managed_fields(item)
    return obj


class JSONCodec:
    """``application/json``; watch streams are one JSON event per line."""

    content_type = JSON
    accept = JSON
    watch_accept = JSON

    def __init__(self, strip_managed_fields: bool = False) -> None:
        self.strip_managed_fields = strip_managed_fields

    def encode(self, obj: dict[str, Any]) -> bytes:
        return orjson.dumps(obj)

    def decode(self, data: bytes) -> dict[str, Any]:
        obj = orjson.loads(data)
        if not isinstance(obj, dict):
            raise ValueError("the server sent JSON that is not an object")
        return _strip_managed_fields(obj) if self.strip_managed_fields else obj

    def watch_decoder(self) -> WatchDecoder:
        return _JSONLines(self.strip_managed_fields)


class _JSONLines:
    def __init__(self, strip_managed_fields: bool) -> None:
        self._rest = b""
        self._strip = strip_managed_fields

    def feed(self, data: bytes) -> list[tuple[str, dict[str, Any]]]:
        lines = (self._rest + data).split(b"\n")
        self._rest = lines.pop()
        events = []
        for line in lines:
            if line.strip():
                event = orjson.loads(line)
                obj = event["object"]
                events.append((event["type"], _strip_managed_fields(obj) if self._strip else obj))
        return events


class ProtobufCodec:
    """``application/vnd.kubernetes.protobuf``: the envelope, and length-framed watch events.

    Decoded objects get ``apiVersion``/``kind`` from the envelope, as client-go's decoder
    sets TypeMeta; list items carry none, as upstream's do not.
    """

    content_type = PROTOBUF
    # upstream clients accept JSON too: the server falls back to it for types without a
    # protobuf form (CRDs; here, Tables)
    accept = f"{PROTOBUF}, {JSON}"
    watch_accept = f"{PROTOBUF};stream=watch"

    def __init__(self, strip_managed_fields: bool = False) -> None:
        self.pb = protobuf_codec()
        # passed over while decoding, never made: the cheapest way to drop them
        self.skip = (self.pb.skip_fields({"ObjectMeta": ["managedFields"]})
                     if strip_managed_fields else None)

    def encode(self, obj: dict[str, Any]) -> bytes:
        api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
        message = self.pb.message_for(api_version, kind)
        if message is None:
            raise ValueError(f"no protobuf form for {api_version} {kind}")
        data: bytes = self.pb.encode_envelope(obj, api_version, kind, message)
        return data

    def decode(self, data: bytes) -> dict[str, Any]:
        obj: dict[str, Any] = self.pb.decode_object(data, self.skip)
        return obj

    def watch_decoder(self) -> WatchDecoder:
        return _ProtobufFrames(self)


class _ProtobufFrames:
    def __init__(self, codec: ProtobufCodec) -> None:
        self._codec = codec
        self._rest = b""

    def feed(self, data: bytes) -> list[tuple[str, dict[str, Any]]]:
        events: list[tuple[str, dict[str, Any]]]
        events, self._rest = self._codec.pb.decode_watch_frames(
            self._rest + data if self._rest else data, self._codec.skip)
        return events


CODECS: dict[str, type[JSONCodec] | type[ProtobufCodec]] = {JSON: JSONCodec, PROTOBUF: ProtobufCodec}


# --- configuration ------------------------------------------------------------------------


@dataclass
class Config:
    """Where the apiserver is and how to authenticate: what a kubeconfig context says."""

    server: str
    ssl: ssl.SSLContext | bool
    token: str = ""

    @classmethod
    def from_kubeconfig(cls, path: str, context: str | None = None) -> Config:
        """Read the current (or the named) context of a kubeconfig file."""
        with open(path) as f:
            cfg = yaml.safe_load(f) or {}
        name = context or cfg.get("current-context")
        contexts: dict[str, dict[str, Any]] = {
            c["name"]: c["context"] for c in cfg.get("contexts") or []}
        ctx = contexts.get(name) if name else None
        if ctx is None:
            if name or len(contexts) > 1:
                raise ValueError(f"{path}: no context {name!r}")
            ctx = next(iter(contexts.values()), {})
        clusters: dict[str, dict[str, Any]] = {
            c["name"]: c["cluster"] for c in cfg.get("clusters") or []}
        users: dict[str, dict[str, Any]] = {
            u["name"]: u.get("user") or {} for u in cfg.get("users") or []}
        cluster = clusters.get(ctx.get("cluster", "")) or next(iter(clusters.values()), None)
        if cluster is None:
            raise ValueError(f"{path}: no cluster")
        user = users.get(ctx.get("user", ""), {})
        base = os.path.dirname(os.path.abspath(path))
        return cls(cluster["server"].rstrip("/"), _ssl_context(cluster, user, base),
                   _token(user, base))


def _file_or_data(entry: dict[str, Any], key: str, base: str) -> bytes | None:
    if entry.get(f"{key}-data"):
        return base64.b64decode(entry[f"{key}-data"])
    if entry.get(key):
        with open(os.path.join(base, entry[key]), "rb") as f:
            return f.read()
    return None


def _ssl_context(cluster: dict[str, Any], user: dict[str, Any], base: str) -> ssl.SSLContext | bool:
    if not cluster["server"].startswith("https:"):
        return False
    if cluster.get("insecure-skip-tls-verify"):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ca = _file_or_data(cluster, "certificate-authority", base)
        ctx = ssl.create_default_context(cadata=ca.decode() if ca else None)
    cert = _file_or_data(user, "client-certificate", base)
    key = _file_or_data(user, "client-key", base)
    if cert and key:
        # ssl loads client certificates from files only
        with tempfile.TemporaryDirectory() as tmp:
            cert_path, key_path = os.path.join(tmp, "tls.crt"), os.path.join(tmp, "tls.key")
            for p, data in ((cert_path, cert), (key_path, key)):
                with open(p, "wb") as f:
                    f.write(data)
            ctx.load_cert_chain(cert_path, key_path)
    return ctx


def _token(user: dict[str, Any], base: str) -> str:
    if user.get("token"):
        return str(user["token"])
    if user.get("tokenFile"):
        with open(os.path.join(base, user["tokenFile"])) as f:
            return f.read().strip()
    return ""


# --- rate limiting ------------------------------------------------------------------------


class TokenBucket:
    """``qps`` requests a second on average, bursts of up to ``burst`` (client-go's limiter).

    ``qps <= 0`` disables it, as ``--kube-api-qps=-1`` does upstream.
    """

    def __init__(self, qps: float, burst: int) -> None:
        self.qps = qps
        self.burst = max(1, burst)
        self._tokens = float(self.burst)
        self._last = time.monotonic()
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        if self.qps <= 0:
            return
        async with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.qps)
            self._last = now
            if self._tokens < 1:
                wait = (1 - self._tokens) / self.qps
                await asyncio.sleep(wait)
                self._last = time.monotonic()
                self._tokens = 1.0
            self._tokens -= 1


# --- the client ---------------------------------------------------------------------------

READ_TIMEOUT_SECONDS = 60.0


def _resource(name: str) -> resources.Resource:
    """``pods`` or ``deployments.apps``: the served resource in its group's preferred version."""
    plural, dot, group = name.partition(".")
    for group_name, versions in (("", ("v1",)), *resources.GROUP_VERSIONS):
        # a bare plural is looked for in the core group first, then in every group in
        # order, as kubectl resolves short names
        if group_name == group or not dot:
            for version in versions:
                found = resources.lookup(group_name, version, plural)
                if found is not None:
                    return found
    raise ValueError(f"the server does not serve {name!r}")


class Client:
    """An asyncio client of one apiserver; use ``async with`` or call :meth:`close`."""

    def __init__(self, config: Config, *, content_type: str = PROTOBUF, qps: float = 50,
                 burst: int = 100, user_agent: str = "paddock", connections: int = 64,
                 strip_managed_fields: bool = False) -> None:
        """``strip_managed_fields`` drops ``metadata.managedFields`` from every object read,
        as upstream's informers do for components that never look at them."""
        codec = CODECS.get(content_type.split(";")[0].strip())
        if codec is None:
            raise ValueError(f"unsupported content type {content_type!r}: "
                             f"use {PROTOBUF} or {JSON}")
        self.config = config
        # replies are decoded by what they are, whatever was asked for
        self._replies: dict[str, Codec] = {PROTOBUF: ProtobufCodec(strip_managed_fields),
                                           JSON: JSONCodec(strip_managed_fields)}
        self.codec: Codec = self._replies[codec.content_type]
        self.limiter = TokenBucket(qps, burst)
        self._headers = {"User-Agent": user_agent}
        if config.token:
            self._headers["Authorization"] = f"Bearer {config.token}"
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None
        self._watch_session: aiohttp.ClientSession | None = None

    @classmethod
    def from_kubeconfig(cls, path: str, **kwargs: Any) -> Client:
        return cls(Config.from_kubeconfig(path), **kwargs)

    @property
    def session(self) -> aiohttp.ClientSession:
        """The pool for requests: at most ``connections`` at once."""
        if self._session is None:
            self._session = self._new_session(self._connections)
        return self._session

    @property
    def watch_session(self) -> aiohttp.ClientSession:
        """The pool for watches, unbounded: over HTTP/1.1 each watch holds a connection for
        its whole life, and must never leave requests waiting for one."""
        if self._watch_session is None:
            self._watch_session = self._new_session(0)
        return self._watch_session

    def _new_session(self, limit: int) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(ssl=self.config.ssl, limit=limit)
        # a request that hears nothing for a minute has been lost (a connection dropped
        # without a word): fail it so that its caller retries; a watch may be silent
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=10,
                                        sock_read=READ_TIMEOUT_SECONDS if limit else None)
        return aiohttp.ClientSession(connector=connector, headers=self._headers, timeout=timeout)

    async def close(self) -> None:
        for session in (self._session, self._watch_session):
            if session is not None:
                await session.close()
        self._session = self._watch_session = None

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- paths and requests

    def path(self, resource: str, namespace: str | None = None, name: str | None = None,
             subresource: str | None = None) -> str:
        r = _resource(resource)
        parts = ["/api/v1" if not r.group else f"/apis/{r.group}/{r.version}"]
        if r.namespaced and namespace:
            parts.append(f"/namespaces/{namespace}")
        parts.append(f"/{r.name}")
        if name:
            parts.append(f"/{name}")
        if subresource:
            parts.append(f"/{subresource}")
        return "".join(parts)

    async def request(self, method: str, path: str, body: dict[str, Any] | None = None, *,
                      query: dict[str, Any] | None = None,
                      content_type: str | None = None) -> dict[str, Any]:
        """One request; the decoded reply, or APIError with the server's Status."""
        await self.limiter.take()
        url = self.config.server + path
        if query:
            url += "?" + urlencode({k: v for k, v in query.items() if v is not None})
        headers = {"Accept": self.codec.accept}
        data = None
        if body is not None:
            if content_type is None:
                data = self.codec.encode(body)
                headers["Content-Type"] = self.codec.content_type
            else:  # patches (and DeleteOptions) are JSON documents whatever the codec
                data = orjson.dumps(body)
                headers["Content-Type"] = content_type
        async with self.session.request(method, url, data=data, headers=headers) as resp:
            payload = await resp.read()
            reply_type = resp.headers.get("Content-Type", "")
        obj = self._decode(payload, reply_type)
        if resp.status >= 400:
            raise _error(resp.status, obj)
        return obj

    def _decode(self, payload: bytes, reply_type: str) -> dict[str, Any]:
        if not payload:
            return {}
        try:
            return self._replies[PROTOBUF if reply_type.startswith(PROTOBUF) else JSON].decode(
                payload)
        except ValueError as exc:
            raise APIError(500, "InternalError", f"cannot decode the server's reply: {exc}") from exc

    # -- verbs

    async def get(self, resource: str, name: str, namespace: str | None = None, *,
                  subresource: str | None = None) -> dict[str, Any]:
        return await self.request("GET", self.path(resource, namespace, name, subresource))

    async def list(self, resource: str, namespace: str | None = None, *,
                   label_selector: str | None = None, field_selector: str | None = None,
                   limit: int | None = None, continue_: str | None = None,
                   resource_version: str | None = None) -> dict[str, Any]:
        """The list object (``items``, ``metadata.resourceVersion``, ``metadata.continue``)."""
        query = {"labelSelector": label_selector, "fieldSelector": field_selector,
                 "limit": limit, "continue": continue_, "resourceVersion": resource_version}
        return await self.request("GET", self.path(resource, namespace), query=query)

    async def create(self, resource: str, obj: dict[str, Any], namespace: str | None = None, *,
                     subresource: str | None = None, name: str | None = None) -> dict[str, Any]:
        obj = _with_type(resource, obj)
        namespace = namespace or obj.get("metadata", {}).get("namespace")
        return await self.request("POST", self.path(resource, namespace, name, subresource), obj)

    async def update(self, resource: str, obj: dict[str, Any], *,
                     subresource: str | None = None) -> dict[str, Any]:
        obj = _with_type(resource, obj)
        meta = obj.get("metadata", {})
        path = self.path(resource, meta.get("namespace"), meta["name"], subresource)
        return await self.request("PUT", path, obj)

    async def patch(self, resource: str, name: str,
                    patch: dict[str, Any] | builtins.list[Any],
                    namespace: str | None = None, *, subresource: str | None = None,
                    patch_type: str = "application/merge-patch+json") -> dict[str, Any]:
        path = self.path(resource, namespace, name, subresource)
        return await self.request("PATCH", path, patch,  # type: ignore[arg-type]
                                  content_type=patch_type)

    async def delete(self, resource: str, name: str, namespace: str | None = None, *,
                     options: dict[str, Any] | None = None) -> dict[str, Any]:
        body = None
        if options:
            body = {"kind": "DeleteOptions", "apiVersion": "v1", **options}
        # DeleteOptions is a JSON body either way: it has no registered protobuf kind here
        return await self.request("DELETE", self.path(resource, namespace, name), body,
                                  content_type=JSON)

    async def bind(self, namespace: str, pod: str, node: str, uid: str | None = None) -> None:
        """``POST pods/NAME/binding``: what the scheduler does to place a pod."""
        binding: dict[str, Any] = {
            "apiVersion": "v1", "kind": "Binding",
            "metadata": {"name": pod, "namespace": namespace},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node},
        }
        if uid:
            binding["metadata"]["uid"] = uid
        await self.request("POST", self.path("pods", namespace, pod, "binding"), binding)

    async def watch(self, resource: str, namespace: str | None = None, *,
                    resource_version: str | None = None, label_selector: str | None = None,
                    field_selector: str | None = None, timeout_seconds: int | None = None,
                    allow_bookmarks: bool = False,
                    ) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """The events of a watch, ``(type, object)``, until the server ends the stream.

        An ``ERROR`` event (410 Gone when ``resource_version`` is too old) is raised as
        APIError, so that an informer re-lists.
        """
        query = {"watch": "true", "resourceVersion": resource_version,
                 "labelSelector": label_selector, "fieldSelector": field_selector,
                 "timeoutSeconds": timeout_seconds,
                 "allowWatchBookmarks": "true" if allow_bookmarks else None}
        url = self.config.server + self.path(resource, namespace) + "?" + urlencode(
            {k: v for k, v in query.items() if v is not None})
        await self.limiter.take()
        headers = {"Accept": self.codec.watch_accept}
        async with self.watch_session.get(url, headers=headers) as resp:
            if resp.status >= 400:
                raise _error(resp.status, self._decode(await resp.read(),
                                                       resp.headers.get("Content-Type", "")))
            decoder = self.codec.watch_decoder()
            async for chunk in resp.content.iter_any():
                for event_type, obj in decoder.feed(chunk):
                    if event_type == "ERROR":
                        raise _error(int(obj.get("code") or 500), obj)
                    yield event_type, obj


def _with_type(resource: str, obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with the apiVersion and kind of its resource (protobuf needs them)."""
    if obj.get("apiVersion") and obj.get("kind"):
        return obj
    r = _resource(resource)
    return {"apiVersion": r.group_version, "kind": r.kind, **obj}


def _error(code: int, status: dict[str, Any]) -> APIError:
    if status.get("kind") != "Status":
        return APIError(code, "Unknown", f"the server answered {code}")
    return APIError(int(status.get("code") or code), status.get("reason") or "Unknown",
                    status.get("message") or "", status.get("details"))


# --- the flags every component takes ------------------------------------------------------


def add_client_flags(parser: argparse.ArgumentParser, *, qps: float = 50, burst: int = 100) -> None:
    """``--kubeconfig``, ``--kube-api-content-type``, ``--kube-api-qps``, ``--kube-api-burst``."""
    parser.add_argument("--kubeconfig", default=os.environ.get("KUBECONFIG", ""),
                        help="the kubeconfig of the cluster to talk to")
    parser.add_argument("--kube-api-content-type", default=PROTOBUF, choices=[PROTOBUF, JSON],
                        help="content type of requests sent to the apiserver")
    parser.add_argument("--kube-api-qps", type=float, default=qps,
                        help="requests per second to the apiserver (<= 0: unlimited)")
    parser.add_argument("--kube-api-burst", type=int, default=burst,
                        help="burst of requests to the apiserver")


def client_from_flags(args: argparse.Namespace, user_agent: str, *,
                      strip_managed_fields: bool = False) -> Client:
    """The client the flags of :func:`add_client_flags` describe."""
    if not args.kubeconfig:
        raise SystemExit("--kubeconfig (or KUBECONFIG) is required")
    return Client.from_kubeconfig(args.kubeconfig, content_type=args.kube_api_content_type,
                                  qps=args.kube_api_qps, burst=args.kube_api_burst,
                                  user_agent=user_agent, strip_managed_fields=strip_managed_fields)
