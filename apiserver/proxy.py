"""``pods/log``, ``pods/exec``, ``pods/attach`` and ``pods/portforward``: the apiserver
checks the request as upstream's registry does, then hands it to the kubelet of the pod's
node (``kubelet/server.py``).

The kubelet is found as upstream finds it: the pod's ``spec.nodeName``, that Node's
InternalIP (then its Hostname) and ``status.daemonEndpoints.kubeletEndpoint.Port``
(10250 when unset).  The connection is HTTPS, the kubelet's certificate checked against
the cluster CA (``insecureSkipTLSVerifyBackend=true`` skips that for logs, as upstream)
and the apiserver showing its ``apiserver-kubelet-client`` certificate.

- **log** streams the kubelet's body through as it comes, so ``kubectl logs -f`` shows
  lines as the container writes them.  The kubelet's refusals become Status objects as
  upstream's response checker makes them (400 BadRequest with its text, ...).
- **exec, attach, portforward** need a WebSocket: the kubelet is asked first with the
  client's own subprotocols, then the client is answered with the one the kubelet chose
  and every message, ping and close code is relayed as it is, both ways.  A kubelet that
  refuses is answered for, status and body unchanged (what upstream's proxy does).  A
  SPDY/3.1 upgrade (kubectl's fallback, and kubectl 1.29 and older) is passed to the
  kubelet as a plain request, whose refusal says why (the container is not running, or
  SPDY is not spoken here).  A kubelet that cannot be reached: 500 ``error dialing
  backend: ...``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import ssl
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import WSMsgType, web

from ..core import status as st
from .handlers import Target
from .pki import Credentials
from .registry import Registry

log = logging.getLogger(__name__)

Obj = dict[str, Any]
PROXIED = frozenset({"log", "exec", "attach", "portforward"})
MAX_ERROR_BODY = 50_000  # what upstream reads of a refusal
DIAL_TIMEOUT = 10.0
_BOOL = {"1": True, "t": True, "T": True, "true": True, "TRUE": True, "True": True,
         "0": False, "f": False, "F": False, "false": False, "FALSE": False, "False": False}


class _Refused(Exception):
    """The kubelet answered a WebSocket handshake with something other than 101."""

    def __init__(self, code: int, headers: Any, body: bytes) -> None:
        super().__init__(f"{code}")
        self.code = code
        self.headers = headers
        self.body = body

    def response(self) -> web.Response:
        ct = self.headers.get("Content-Type", "text/plain; charset=utf-8")
        return web.Response(status=self.code, body=self.body, headers={"Content-Type": ct})


class _KeepRefusal(aiohttp.ClientResponse):
    """aiohttp's ``ws_connect`` drops the body of a refused handshake; the client must
    see it (it is the kubelet's reason), so it is read here and raised with the code."""

    async def start(self, connection: Any) -> aiohttp.ClientResponse:
        resp = await super().start(connection)
        if self.status != 101 and self.request_info.headers.get("Upgrade", "").lower() == "websocket":
            body = await self.content.read(MAX_ERROR_BODY)
            self.close()
            raise _Refused(self.status, self.headers, body)
        return resp


def _bool(query: Any, name: str) -> bool:
    value = query.get(name)
    if value in (None, ""):
        return False
    if value not in _BOOL:
        raise st.bad_request(f'strconv.ParseBool: parsing "{value}": invalid syntax')
    return _BOOL[value]


def _int(query: Any, name: str) -> int | None:
    value = query.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise st.bad_request(f'strconv.ParseInt: parsing "{value}": invalid syntax') from None


def _dial_error(host: str, port: int, e: BaseException) -> str:
    """How Go words a failed dial (``dial tcp 10.0.0.1:10250: connect: connection
    refused``), which users of Kubernetes know."""
    if isinstance(e, aiohttp.ClientConnectorCertificateError):
        cert_error = e.certificate_error
        why = getattr(cert_error, "verify_message", "") or str(cert_error)
        return f"tls: failed to verify certificate: x509: {why}"
    if isinstance(e, aiohttp.ClientConnectorSSLError):
        return f"remote error: tls: {e.os_error}"
    if isinstance(e, aiohttp.ClientConnectorError):
        code = e.os_error.errno
        if code is not None and code != 0:
            why = os.strerror(code)
            return f"dial tcp {host}:{port}: connect: {why[:1].lower()}{why[1:]}"
        return f"dial tcp {host}:{port}: {e.os_error}"
    if isinstance(e, TimeoutError | aiohttp.ServerTimeoutError):
        return f"dial tcp {host}:{port}: i/o timeout"
    if isinstance(e, OSError) and e.errno == errno.ECONNRESET:
        return f"read tcp {host}:{port}: read: connection reset by peer"
    return str(e) or type(e).__name__


def _from_kubelet(code: int, body: bytes, resource: str, name: str) -> st.APIError:
    """The Status for a kubelet's refusal, as upstream's GenericHttpResponseChecker
    makes it."""
    text = body[:MAX_ERROR_BODY].decode("utf-8", "replace")
    if code == 500:
        return st.internal_error(text)
    if code == 400:
        return st.bad_request(text)
    reason, message = {
        401: ("Unauthorized", "the server has asked for the client to provide credentials"),
        403: ("Forbidden", "the server does not allow access to the requested resource"),
        404: ("NotFound", "the server could not find the requested resource"),
        409: ("Conflict", "the server reported a conflict"),
        422: ("Invalid", "the server rejected our request due to an error in our request"),
        429: ("TooManyRequests", "the server has received too many requests and has asked us "
                                 "to try again later"),
        503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
        504: ("Timeout", "the server was unable to return a response in the time allotted, but "
                         "may still be processing the request"),
    }.get(code, ("", f"the server responded with the status code {code} but did not return "
                     "more information"))
    return st.APIError(code, reason, f"{message} ( {resource} {name})",
                       {"name": name, "kind": resource})


class KubeletProxy:
    """The apiserver's client of kubelets, for the four proxied pod subresources."""

    def __init__(self, registry: Registry, creds: Credentials) -> None:
        self.registry = registry
        self.creds = creds
        self._sessions: dict[bool, aiohttp.ClientSession] = {}

    async def close(self) -> None:
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()

    def _session(self, verify: bool = True) -> aiohttp.ClientSession:
        session = self._sessions.get(verify)
        if session is None:
            ctx = ssl.create_default_context(cafile=self.creds.ca_cert)
            if not verify:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            ctx.load_cert_chain(self.creds.kubelet_client_cert, self.creds.kubelet_client_key)
            ctx.set_alpn_protocols(["http/1.1"])
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=ctx),
                timeout=aiohttp.ClientTimeout(total=None, connect=DIAL_TIMEOUT),
                response_class=_KeepRefusal, auto_decompress=False)
            self._sessions[verify] = session
        return session

    # -- where

    def _pod(self, t: Target) -> Obj:
        obj: Obj = self.registry.stores["pods"].get(t.namespace, t.name or "").obj
        return obj

    def _kubelet(self, node_name: str) -> tuple[str, int]:
        """The kubelet's address and port, from its Node."""
        node = self.registry.stores["nodes"].get(None, node_name).obj
        status = node.get("status") or {}
        addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or ()}
        host = (addresses.get("InternalIP") or addresses.get("Hostname")
                or addresses.get("ExternalIP") or node_name)
        port = int(((status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {})
                   .get("Port") or 0) or 10250
        return host, port

    @staticmethod
    def _container(pod: Obj, container: str) -> str:
        """The container named, or the only one; upstream's validateContainer."""
        name = pod["metadata"]["name"]
        spec = pod.get("spec") or {}
        if not container:
            containers = spec.get("containers") or []
            if len(containers) == 1:
                return str(containers[0].get("name"))
            if not containers:
                raise st.bad_request(f"a container name must be specified for pod {name}")
            names = [c.get("name") for key in ("initContainers", "containers",
                                               "ephemeralContainers")
                     for c in spec.get(key) or ()]
            raise st.bad_request(f"a container name must be specified for pod {name}, "
                                 f"choose one of: [{' '.join(str(n) for n in names)}]")
        if not any(c.get("name") == container for key in ("initContainers", "containers",
                                                          "ephemeralContainers")
                   for c in spec.get(key) or ()):
            raise st.bad_request(f"container {container} is not valid for pod {name}")
        return container

    # -- entry

    async def serve(self, request: web.BaseRequest, method: str, t: Target) -> web.StreamResponse:
        if t.subresource == "log":
            if method != "GET":
                raise st.method_not_supported("pods/log", method)
            return await self.log(request, t)
        if method not in ("GET", "POST"):
            raise st.method_not_supported(f"pods/{t.subresource}", method)
        return await self.stream(request, t)

    # -- log

    async def log(self, request: web.BaseRequest, t: Target) -> web.StreamResponse:
        q = request.query
        params, invalid = self._log_params(q)
        if invalid:
            raise st.invalid("PodLogOptions", t.name or "", invalid)
        pod = self._pod(t)
        container = self._container(pod, q.get("container", ""))
        node = (pod.get("spec") or {}).get("nodeName")
        if not node:  # upstream: no node yet, nothing to read
            return web.Response(body=b"", headers={"Content-Type": "text/plain"})
        host, port = self._kubelet(node)
        url = (f"https://{_join(host, port)}/containerLogs/{t.namespace}/{pod['metadata']['name']}"
               f"/{container}" + (f"?{urlencode(params)}" if params else ""))
        session = self._session(verify=not _bool(q, "insecureSkipTLSVerifyBackend"))
        try:
            backend = await session.get(url)
        except (TimeoutError, aiohttp.ClientError, OSError) as e:
            raise st.APIError(500, "", f'Get "{url}": {_dial_error(host, port, e)}') from None
        try:
            if not 200 <= backend.status <= 206:
                body = await backend.content.read(MAX_ERROR_BODY)
                raise _from_kubelet(backend.status, body, "pods/log", t.name or "")
            resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
            await resp.prepare(request)
            try:
                async for chunk in backend.content.iter_any():
                    await resp.write(chunk)
            except (TimeoutError, aiohttp.ClientError) as e:
                # the kubelet went away mid-stream: the client sees the end of the body
                log.info("log of %s/%s from %s: %s", t.namespace, t.name, node, e)
            await resp.write_eof()
            return resp
        finally:
            backend.release()

    @staticmethod
    def _log_params(q: Any) -> tuple[list[tuple[str, str]], list[Obj]]:
        """The kubelet's query (as upstream's LogLocation writes it) and the causes of
        upstream's PodLogOptions validation."""
        params: list[tuple[str, str]] = []
        for flag in ("follow", "previous", "timestamps"):
            if _bool(q, flag):
                params.append((flag, "true"))
        since_seconds, tail, limit = _int(q, "sinceSeconds"), _int(q, "tailLines"), _int(q, "limitBytes")
        since_time = q.get("sinceTime") or None
        if since_time is not None:
            from ..core.meta import now_rfc3339, parse_rfc3339

            try:
                since_time = now_rfc3339(parse_rfc3339(since_time))
            except ValueError:
                raise st.bad_request(f'parsing time "{since_time}" as "2006-01-02T15:04:05Z07:00": '
                                     "cannot parse") from None
        invalid: list[Obj] = []
        if tail is not None and tail < 0:
            invalid.append({"reason": "FieldValueInvalid", "field": "tailLines",
                            "message": f"Invalid value: {tail}: must be greater than or equal to 0"})
        if limit is not None and limit < 1:
            invalid.append({"reason": "FieldValueInvalid", "field": "limitBytes",
                            "message": f"Invalid value: {limit}: must be greater than 0"})
        if since_seconds is not None and since_time is not None:
            invalid.append({"reason": "FieldValueForbidden", "field": "",
                            "message": "Forbidden: at most one of `sinceTime` or `sinceSeconds` "
                                       "may be specified"})
        elif since_seconds is not None and since_seconds < 1:
            invalid.append({"reason": "FieldValueInvalid", "field": "sinceSeconds",
                            "message": f"Invalid value: {since_seconds}: must be greater than 0"})
        if since_seconds is not None:
            params.append(("sinceSeconds", str(since_seconds)))
        if since_time is not None:
            params.append(("sinceTime", since_time))
        if tail is not None:
            params.append(("tailLines", str(tail)))
        if limit is not None:
            params.append(("limitBytes", str(limit)))
        return params, invalid

    # -- exec, attach, portforward

    async def stream(self, request: web.BaseRequest, t: Target) -> web.StreamResponse:
        q = request.query
        sub = t.subresource
        pod = self._pod(t)
        name = pod["metadata"]["name"]
        params: list[tuple[str, str]] = []
        path = f"/portForward/{t.namespace}/{name}"
        if sub != "portforward":
            container = self._container(pod, q.get("container", ""))
            path = f"/{sub}/{t.namespace}/{name}/{container}"
            # upstream's streamParams: booleans as "1", the command once per argument
            for flag in ("stdin", "stdout", "stderr", "tty"):
                if _bool(q, flag):
                    params.append((flag, "1"))
            if sub == "exec":
                params.extend(("command", c) for c in q.getall("command", []))
        else:
            ports = [p for v in q.getall("ports", []) for p in v.split(",") if p]
            if ports:
                params.append(("port", ",".join(ports)))
        node = (pod.get("spec") or {}).get("nodeName")
        if not node:
            raise st.bad_request(f"pod {name} does not have a host assigned")
        upgrade = request.headers.get("Upgrade", "")
        if not upgrade or "upgrade" not in request.headers.get("Connection", "").lower():
            raise st.bad_request("Upgrade request required")
        host, port = self._kubelet(node)
        url = f"https://{_join(host, port)}{path}" + (f"?{urlencode(params)}" if params else "")
        if upgrade.lower() == "websocket":
            return await self._websocket(request, url, host, port)
        return await self._refused_upgrade(request, url, host, port)

    async def _websocket(self, request: web.BaseRequest, url: str, host: str,
                         port: int) -> web.StreamResponse:
        offered = [p.strip() for h in request.headers.getall("Sec-WebSocket-Protocol", [])
                   for p in h.split(",") if p.strip()]
        try:
            backend = await self._session().ws_connect(
                url, protocols=offered, autoping=False, max_msg_size=0, compress=0,
                timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=10.0))
        except _Refused as e:
            return e.response()
        except (TimeoutError, aiohttp.ClientError, OSError) as e:
            raise st.APIError(500, "", f"error dialing backend: {_dial_error(host, port, e)}") from None
        client = web.WebSocketResponse(
            protocols=(backend.protocol,) if backend.protocol else (), autoping=False,
            max_msg_size=0, compress=False)
        try:
            await client.prepare(request)
        except BaseException:
            await backend.close()
            raise
        await _relay(client, backend)
        return client

    async def _refused_upgrade(self, request: web.BaseRequest, url: str, host: str,
                               port: int) -> web.Response:
        """A non-WebSocket upgrade: the kubelet says why it cannot serve it, and that
        answer goes back unchanged."""
        # what the kubelet needs to know to refuse it, and no Connection: Upgrade, so
        # that the exchange stays a plain request
        headers = [("Upgrade", request.headers.get("Upgrade", ""))]
        headers += [("X-Stream-Protocol-Version", v)
                    for v in request.headers.getall("X-Stream-Protocol-Version", [])]
        try:
            async with self._session().request(request.method, url, headers=headers) as backend:
                body = await backend.content.read(MAX_ERROR_BODY)
                ct = backend.headers.get("Content-Type", "text/plain; charset=utf-8")
                return web.Response(status=backend.status, body=body, headers={"Content-Type": ct})
        except (TimeoutError, aiohttp.ClientError, OSError) as e:
            raise st.APIError(500, "", f"error dialing backend: {_dial_error(host, port, e)}") from None


def _join(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def _relay(client: web.WebSocketResponse, backend: aiohttp.ClientWebSocketResponse) -> None:
    """Copy messages both ways until one side closes; its close code goes to the other."""

    async def pump(receive: Callable[[], Any], other: Any) -> None:
        while True:
            msg = await receive()
            if msg.type == WSMsgType.BINARY:
                await other.send_bytes(msg.data)
            elif msg.type == WSMsgType.TEXT:
                await other.send_str(msg.data)
            elif msg.type == WSMsgType.PING:
                await other.ping(msg.data)
            elif msg.type == WSMsgType.PONG:
                await other.pong(msg.data)
            elif msg.type == WSMsgType.CLOSE:
                await other.close(code=msg.data if isinstance(msg.data, int) else 1000,
                                  message=(msg.extra or "").encode())
                return
            else:  # closing, closed or an error: the connection is gone
                await other.close(code=1001 if msg.type == WSMsgType.ERROR else 1000)
                return

    to_backend = asyncio.create_task(pump(client.receive, backend))
    to_client = asyncio.create_task(pump(backend.receive, client))
    try:
        await asyncio.wait([to_backend, to_client], return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (to_backend, to_client):
            task.cancel()
        for task in (to_backend, to_client):
            with contextlib.suppress(asyncio.CancelledError, ConnectionError, RuntimeError,
                                     aiohttp.ClientError):
                await task
        with contextlib.suppress(ConnectionError, RuntimeError, aiohttp.ClientError):
            await backend.close()
        with contextlib.suppress(ConnectionError, RuntimeError):
            await client.close()
