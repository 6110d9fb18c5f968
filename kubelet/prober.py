"""Container probes (startup, liveness, readiness) and lifecycle handlers (postStart,
preStop), run as the upstream kubelet runs them.

One ``ContainerProbes`` per running container instance::

    start() ──► starting ── startup probe succeeds successThreshold× ──► started
    (no startup probe: started at once)                                   │
       │                                         readiness succeeds / fails, each
       │ startup probe fails failureThreshold×   its threshold× in a row: ready ⇄ not ready
       ▼                                          (no readiness probe: ready once started)
    on_kill("StartupProbe")   ◄── or, once started, liveness fails failureThreshold×:
                                  on_kill("LivenessProbe")
    terminating() (the pod is being deleted): liveness and startup stop as if they had
                  succeeded; readiness goes on
    stop() (the process exited or was stopped): not started, not ready, probes cancelled

Each probe runs every ``periodSeconds``, the first time ``initialDelaySeconds`` after the
container started; liveness and readiness are skipped until the container has started and
the startup probe stops once it has; readiness also runs at once when the startup probe
succeeds.  A probe that cannot run at all (a port name that resolves to nothing, a gRPC
probe) is tried three times, recorded as an ``Unhealthy`` event, and its result thrown
away: it counts neither way.  After a liveness or startup kill the probe holds until
``start()`` is called for the next instance.

The probe actions: ``exec`` runs the command in the container (``$(VAR)`` expanded from the
container's static ``env``) and succeeds on exit 0; ``tcpSocket`` succeeds when a connection
opens; ``httpGet`` sends one HTTP/1.1 GET over ``ProbeTarget.connect`` (TLS unverified for
HTTPS), follows redirects only to the same host name (10 at most; a redirect elsewhere, or a
3xx it does not follow, is a success with a ``ProbeWarning`` event), reads at most 10 KiB of
the body and succeeds on 200-399.  Failure messages are worded as Go's net/http and the
kubelet word them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import enum
import functools
import json
import logging
import os
import re
import socket
import ssl
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import quote, urljoin, urlsplit

from .envvars import expand

Obj = dict[str, Any]
log = logging.getLogger(__name__)

# The release paddock's kubelet reports (kubelet.VERSION): probes say "kube-probe/1.32",
# lifecycle hooks "kube-lifecycle/1.32".
KUBE_RELEASE = "1.32"
MAX_READ = 10 * 1024  # bytes of a response body, or of exec output, the kubelet keeps
MAX_REDIRECTS = 10
MAX_ATTEMPTS = 3  # a probe that cannot run is tried this often per period
_FOLLOWED = frozenset((301, 302, 303, 307, 308))  # the redirects Go's client follows
# OpenSSL's complaints when the "TLS" peer answers in plain HTTP
_PLAIN_HTTP = frozenset(("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"))
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_URL_SAFE = "/%:@!$&'()*+,;=-._~"
_AWAITING_HEADERS = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
_READING_BODY = "context deadline exceeded (Client.Timeout or context cancellation while reading body)"


class ProbeTarget(Protocol):
    """How probes and handlers reach one container."""

    pod_ip: str  # the default host of httpGet and tcpSocket
    ports: dict[str, int]  # the container's named ports, for ``port: "http"``

    async def exec(self, argv: list[str], timeout: float) -> tuple[int, bytes]:
        """Run ``argv`` in the container: its exit code and combined output.  Raises
        TimeoutError (having killed it) when it outlives ``timeout`` seconds."""
        ...

    async def connect(self, host: str, port: int,
                      timeout: float) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A TCP connection made from where the kubelet probes (perhaps inside the pod's
        network namespace).  Raises OSError, or TimeoutError after ``timeout`` seconds."""
        ...


class Result(enum.Enum):
    """What one probe found (upstream's probe.Result, less "unknown": see ProbeError)."""

    SUCCESS = "success"
    WARNING = "warning"  # a success worth an event: a redirect that was not followed
    FAILURE = "failure"


class ProbeError(Exception):
    """The probe could not be run at all; ``str()`` is upstream's error text."""


class ProbeType(enum.Enum):
    """The three probes, valued as upstream's events name them."""

    STARTUP = "Startup"
    LIVENESS = "Liveness"
    READINESS = "Readiness"


_SPEC_KEYS = {ProbeType.STARTUP: "startupProbe", ProbeType.LIVENESS: "livenessProbe",
              ProbeType.READINESS: "readinessProbe"}
_KILL_REASONS = {ProbeType.STARTUP: "StartupProbe", ProbeType.LIVENESS: "LivenessProbe"}
Action = Callable[[], Awaitable[tuple[Result, str]]]


# -- Go's wording ---------------------------------------------------------------------------

def _q(text: str) -> str:
    """A string as Go's %q shows it (close enough: JSON's escapes)."""
    return json.dumps(text, ensure_ascii=False)


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _errno_text(err: OSError) -> str:
    """The system's words for an errno, as Go prints them ("connection refused")."""
    if err.errno:
        text = os.strerror(err.errno)
        return text[:1].lower() + text[1:]
    return str(err) or type(err).__name__


def _dial_error(host: str, port: int, err: OSError) -> str:
    if isinstance(err, TimeoutError):
        return f"dial tcp {_hostport(host, port)}: i/o timeout"
    if isinstance(err, socket.gaierror):
        return f"dial tcp: lookup {host}: no such host"
    return f"dial tcp {_hostport(host, port)}: connect: {_errno_text(err)}"


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _pod_name(pod: Obj | None) -> str:
    """A pod as upstream's log and event messages name it: ``name_namespace(uid)``."""
    if not pod:
        return ""
    md = pod.get("metadata") or {}
    return f"{md.get('name', '')}_{md.get('namespace', '')}({md.get('uid', '')})"


# -- ports and HTTP requests ----------------------------------------------------------------

def _resolve_port(port: Any, ports: dict[str, int]) -> int:
    """A probe's ``port``: a number, a named port of the container, or a number written as
    a string (upstream's last resort), between 1 and 65535."""
    if isinstance(port, str):
        if port in ports:
            number = ports[port]
        elif _INTEGER.fullmatch(port):
            number = int(port)
        else:
            raise ProbeError(f"strconv.Atoi: parsing {_q(port)}: invalid syntax")
    else:
        number = int(port or 0)
    if 0 < number < 65536:
        return number
    raise ProbeError(f"invalid port number: {number}")


def _request_target(path: str) -> str:
    """The request line's target for an httpGet ``path`` (which may carry a query)."""
    path = path.split("#", 1)[0]
    path, sep, query = path.partition("?")
    path = quote(path, safe=_URL_SAFE)
    if not path.startswith("/"):
        path = "/" + path
    return (path + sep + quote(query, safe=_URL_SAFE + "?")) if sep else path


def _canonical(name: str) -> str:
    """A header name as Go's http.Header keys it: ``x-custom`` is ``X-Custom``."""
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def _request_headers(spec: list[Obj] | None, purpose: str) -> tuple[list[tuple[str, str]], str]:
    """The headers an httpGet sends (``httpHeaders``, then ``User-Agent: kube-<purpose>/1.32``
    and ``Accept: */*`` unless given; an empty Accept removes it) and its Host override."""
    given: list[tuple[str, str]] = []
    for h in spec or ():
        name = str(h.get("name") or "")
        if _TOKEN.fullmatch(name):  # the apiserver validates names; never let one split a line
            value = str(h.get("value") or "").replace("\r", " ").replace("\n", " ")
            given.append((_canonical(name), value))
    first: dict[str, str] = {}
    for name, value in given:
        first.setdefault(name, value)
    # Go writes Host and User-Agent from their first values, and no User-Agent when empty
    headers = [(k, v) for k, v in given if k not in ("Host", "User-Agent")]
    agent = first.get("User-Agent", f"kube-{purpose}/{KUBE_RELEASE}")
    if agent:
        headers.insert(0, ("User-Agent", agent))
    if "Accept" not in first:
        headers.append(("Accept", "*/*"))
    elif not first["Accept"]:
        headers = [(k, v) for k, v in headers if k != "Accept"]
    return headers, first.get("Host", "")


@dataclasses.dataclass(frozen=True, slots=True)
class _URL:
    scheme: str
    host: str
    port: int
    target: str  # path and query, as the request line carries them

    @property
    def hostport(self) -> str:
        return _hostport(self.host, self.port)

    def __str__(self) -> str:
        return f"{self.scheme}://{self.hostport}{self.target}"


def _redirect_url(base: _URL, location: str) -> _URL:
    """Where a Location header points from ``base`` (ValueError if nowhere usable)."""
    parts = urlsplit(urljoin(str(base), location))
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"unsupported protocol scheme {_q(scheme)}")
    target = _request_target(parts.path + ("?" + parts.query if parts.query else ""))
    return _URL(scheme, parts.hostname or "", parts.port or (443 if scheme == "https" else 80),
                target)


class _RequestError(Exception):
    """The GET failed before a response came, worded as Go's client error."""

    def __init__(self, url: str, reason: str, *, plain_http: bool = False) -> None:
        super().__init__(f"Get {_q(url)}: {reason}")
        self.plain_http = plain_http  # a plain HTTP server answered a TLS handshake


class _BodyError(Exception):
    """Reading the response body failed."""


class _Broken(Exception):
    """The response is not HTTP/1.x as it should be."""


@dataclasses.dataclass(slots=True)
class _Response:
    status: int
    location: str | None
    body: bytes


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # upstream: InsecureSkipVerify, as the kubelet cannot know what a container's
    # certificate should be
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes]]:
    while True:
        line = await reader.readline()
        if not line:
            raise _Broken("EOF")
        parts = line.split(None, 2)
        if (len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or len(parts[1]) != 3
                or not parts[1].isdigit()):
            shown = _q(line.rstrip(b"\r\n").decode("latin-1"))
            raise _Broken(f"net/http: HTTP/1.x transport connection broken: malformed HTTP response {shown}")
        status = int(parts[1])
        fields: dict[bytes, bytes] = {}
        while True:
            field = await reader.readline()
            if not field:
                raise _Broken("unexpected EOF")
            if field in (b"\r\n", b"\n"):
                break
            name, sep, value = field.partition(b":")
            if sep:
                fields.setdefault(name.strip().lower(), value.strip())
        if not 100 <= status < 200 or status == 101:
            return status, fields
        # 1xx informational answers (100 Continue, 103 Early Hints): the real one follows


async def _read_body(reader: asyncio.StreamReader, status: int, fields: dict[bytes, bytes]) -> bytes:
    """At most MAX_READ bytes of the body; a longer one is cut short (upstream: no error)."""
    if status in (204, 304):
        return b""
    try:
        if b"chunked" in fields.get(b"transfer-encoding", b"").lower():
            body = bytearray()
            while len(body) < MAX_READ:
                size_line = await reader.readline()
                try:
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise _Broken("invalid byte in chunk length") from None
                if size == 0:
                    break
                take = min(size, MAX_READ - len(body))
                body += await reader.readexactly(take)
                if take == size:
                    await reader.readexactly(2)  # the chunk's CRLF
            return bytes(body)
        length = fields.get(b"content-length")
        if length is not None:
            if not length.isdigit():
                raise _Broken(f"bad Content-Length {_q(length.decode('latin-1'))}")
            return await reader.readexactly(min(int(length), MAX_READ))
        body = bytearray()
        while len(body) < MAX_READ:
            chunk = await reader.read(MAX_READ - len(body))
            if not chunk:
                break
            body += chunk
        return bytes(body)
    except asyncio.IncompleteReadError:
        raise _Broken("unexpected EOF") from None


async def _exchange(target: ProbeTarget, url: _URL, headers: list[tuple[str, str]], host: str,
                    referer: str, deadline: float) -> _Response:
    """One GET on a connection of its own (upstream disables keep-alives)."""
    lines = [f"GET {url.target} HTTP/1.1", f"Host: {host or url.hostport}"]
    lines += [f"{k}: {v}" for k, v in headers]
    if referer and all(k != "Referer" for k, _ in headers):
        lines.append(f"Referer: {referer}")
    lines.append("Connection: close")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    phase = "dial"
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout_at(deadline):
            reader, writer = await target.connect(url.host, url.port, max(deadline - loop.time(), 0.0))
            if url.scheme == "https":
                phase = "tls"
                await writer.start_tls(_tls_context(), server_hostname=url.host or None)
            phase = "head"
            writer.write(request)
            status, fields = await _read_head(reader)
            phase = "body"
            location = fields.get(b"location")
            return _Response(status, None if location is None else location.decode("latin-1"),
                             await _read_body(reader, status, fields))
    except TimeoutError:
        if phase == "body":
            raise _BodyError(_READING_BODY) from None
        if phase == "dial":
            raise _RequestError(str(url), f"dial tcp {url.hostport}: i/o timeout "
                                "(Client.Timeout exceeded while awaiting headers)") from None
        raise _RequestError(str(url), _AWAITING_HEADERS) from None
    except _Broken as e:
        if phase == "body":
            raise _BodyError(str(e)) from None
        raise _RequestError(str(url), str(e)) from None
    except ssl.SSLError as e:
        if phase == "tls" and e.reason in _PLAIN_HTTP:
            raise _RequestError(str(url), "http: server gave HTTP response to HTTPS client",
                                plain_http=True) from None
        reason = f"tls: {(e.reason or str(e)).lower().replace('_', ' ')}"
        if phase == "body":
            raise _BodyError(reason) from None
        raise _RequestError(str(url), reason) from None
    except OSError as e:
        if phase == "dial":
            raise _RequestError(str(url), _dial_error(url.host, url.port, e)) from None
        reason = f"read tcp {url.hostport}: read: {_errno_text(e)}"
        if phase == "body":
            raise _BodyError(reason) from None
        raise _RequestError(str(url), reason) from None
    except ValueError:  # a line longer than the stream's limit
        raise _RequestError(str(url), "net/http: server response headers exceeded the limit; aborted") from None
    finally:
        if writer is not None:
            writer.close()


async def _http_get(target: ProbeTarget, url: _URL, headers: list[tuple[str, str]], host: str,
                    timeout: float) -> _Response:
    """GET ``url`` as upstream's probe client does: redirects followed while they stay on
    the first request's host name (the answer that points elsewhere is returned), ten
    requests at most, ``timeout`` seconds for all of it.  Raises _RequestError or
    _BodyError."""
    deadline = asyncio.get_running_loop().time() + timeout
    first_host = url.host.lower()
    referer = ""
    made = 0
    while True:
        response = await _exchange(target, url, headers, host, referer, deadline)
        made += 1
        location = response.location
        if response.status not in _FOLLOWED or location is None:
            return response
        try:
            following = _redirect_url(url, location)
        except ValueError as e:
            raise _RequestError(str(url), f"failed to parse Location header {_q(location)}: {e}") from None
        if following.host.lower() != first_host:
            return response
        if made == MAX_REDIRECTS:
            raise _RequestError(location, f"stopped after {MAX_REDIRECTS} redirects")
        if urlsplit(location).scheme:
            host = ""  # Go keeps a custom Host only through relative redirects
        referer = "" if (url.scheme, following.scheme) == ("https", "http") else str(url)
        url = following


def _http_url(get: Obj, target: ProbeTarget, path: str) -> _URL:
    scheme = str(get.get("scheme") or "HTTP").lower()
    return _URL(scheme, str(get.get("host") or target.pod_ip),
                _resolve_port(get.get("port"), target.ports), path)


# -- probe actions ------------------------------------------------------------------------

async def _exec_probe(target: ProbeTarget, argv: list[str], timeout: float) -> tuple[Result, str]:
    try:
        code, output = await target.exec(argv, timeout)
    except TimeoutError:
        return Result.FAILURE, f"command {_q(' '.join(argv))} timed out"
    except OSError as e:
        raise ProbeError(str(e)) from None
    text = output[:MAX_READ].decode("utf-8", "replace")
    return (Result.SUCCESS if code == 0 else Result.FAILURE), text


async def _tcp_probe(target: ProbeTarget, get: Obj, timeout: float) -> tuple[Result, str]:
    host = str(get.get("host") or target.pod_ip)
    port = _resolve_port(get.get("port"), target.ports)
    try:
        # the target bounds the connect; this bounds a target that does not
        async with asyncio.timeout(timeout):
            _, writer = await target.connect(host, port, timeout)
    except OSError as e:  # TimeoutError included
        return Result.FAILURE, _dial_error(host, port, e)
    writer.close()
    return Result.SUCCESS, ""


async def _http_probe(target: ProbeTarget, get: Obj, path: str, headers: list[tuple[str, str]],
                      host: str, timeout: float) -> tuple[Result, str]:
    url = _http_url(get, target, path)
    try:
        response = await _http_get(target, url, headers, host, timeout)
    except _RequestError as e:
        return Result.FAILURE, str(e)
    except _BodyError as e:
        raise ProbeError(str(e)) from None
    body = response.body.decode("utf-8", "replace")
    if 200 <= response.status < 300:
        return Result.SUCCESS, body
    if 300 <= response.status < 400:
        return Result.WARNING, f"Probe terminated redirects, Response body: {body}"
    # upstream keeps the body out of this message (it may hold secrets)
    return Result.FAILURE, f"HTTP probe failed with statuscode: {response.status}"


async def _grpc_probe() -> tuple[Result, str]:
    raise ProbeError("gRPC probes are not supported by paddock's kubelet")


def _probe_action(probe: Obj, container: Obj, target: ProbeTarget, timeout: float) -> Action:
    """The action of a probe, ready to run again and again (settings parsed once)."""
    if probe.get("exec") is not None:
        # upstream expands $(VAR) from the container's env as written (valueFrom counts as "")
        env = {str(e.get("name")): str(e.get("value") or "") for e in container.get("env") or ()}
        argv = [expand(str(a), env) for a in probe["exec"].get("command") or ()]
        return functools.partial(_exec_probe, target, argv, timeout)
    if probe.get("httpGet") is not None:
        get = probe["httpGet"]
        headers, host = _request_headers(get.get("httpHeaders"), "probe")
        return functools.partial(_http_probe, target, get, _request_target(str(get.get("path") or "")),
                                 headers, host, timeout)
    if probe.get("tcpSocket") is not None:
        return functools.partial(_tcp_probe, target, probe["tcpSocket"], timeout)
    if probe.get("grpc") is not None:
        return _grpc_probe

    async def missing() -> tuple[Result, str]:
        raise ProbeError(f"missing probe handler for container {container.get('name', '')}")

    return missing


# -- one container's probes ---------------------------------------------------------------

@dataclasses.dataclass(slots=True)
class _Probe:
    """One probe of a container: its settings (with the API's defaults) and its run of
    equal results."""

    type: ProbeType
    action: Action
    initial_delay: float
    period: float
    success_threshold: int
    failure_threshold: int
    grace: float | None  # the probe's terminationGracePeriodSeconds
    last: Result | None = None
    run: int = 0

    @classmethod
    def from_spec(cls, type_: ProbeType, spec: Obj, container: Obj, target: ProbeTarget) -> _Probe:
        # zero means unset: the apiserver's defaulting does the same
        timeout = float(spec.get("timeoutSeconds") or 1)
        grace = spec.get("terminationGracePeriodSeconds")
        return cls(type_, _probe_action(spec, container, target, timeout),
                   float(spec.get("initialDelaySeconds") or 0), float(spec.get("periodSeconds") or 10),
                   int(spec.get("successThreshold") or 1), int(spec.get("failureThreshold") or 3),
                   None if grace is None else float(grace))


class ContainerProbes:
    """The probes of one container, coordinated as upstream's probe manager and workers
    do (see the module's docstring).  ``ready`` and ``started`` say where the running
    instance stands; the callbacks fire when they change.  ``on_kill(reason, message)``
    asks for the container to be killed (reason ``LivenessProbe`` or ``StartupProbe``;
    message ``Container c failed liveness probe, will be restarted``, which upstream's
    Normal ``Killing`` event carries when the kill is made: the killer records it);
    ``kill_grace_seconds`` is then the failing probe's ``terminationGracePeriodSeconds``
    (None: use the pod's).  The probes' own events (``Unhealthy``, ``ProbeWarning``) go to
    ``on_event(type, reason, message)``.  ``restart_policy`` is the pod's (``Never``: the
    message does not say "will be restarted")."""

    def __init__(self, spec: Obj, target: ProbeTarget, *, on_ready: Callable[[bool], None],
                 on_started: Callable[[bool], None], on_kill: Callable[[str, str], None],
                 on_event: Callable[[str, str, str], None] | None = None,
                 restart_policy: str = "Always") -> None:
        self.name = str(spec.get("name") or "")
        self.ready = False
        self.started = False
        self.kill_grace_seconds: float | None = None
        self._on_ready = on_ready
        self._on_started = on_started
        self._on_kill = on_kill
        self._on_event = on_event
        self._restarts = restart_policy != "Never"
        self._probes = [_Probe.from_spec(t, spec[key], spec, target)
                        for t, key in _SPEC_KEYS.items() if spec.get(key)]
        self._types = {p.type for p in self._probes}
        self._tasks: dict[ProbeType, asyncio.Task[None]] = {}
        self._readiness_now = asyncio.Event()
        self._started_at = 0.0

    def start(self) -> None:
        """The container's process started: begin probing this instance (a new one
        starts from scratch)."""
        self._cancel(*self._tasks)
        self._unset()
        loop = asyncio.get_running_loop()
        self._started_at = loop.time()
        self.kill_grace_seconds = None
        self._readiness_now = asyncio.Event()
        for p in self._probes:
            p.last, p.run = None, 0
            self._tasks[p.type] = loop.create_task(self._work(p), name=f"probe {self.name} {p.type.value}")
        if ProbeType.STARTUP not in self._types:
            self._set_started()

    def terminating(self) -> None:
        """The pod is being deleted: as upstream, liveness and startup probes stop with a
        success (so shutdown is quiet: no kill, and the container counts as started);
        readiness goes on until the container stops."""
        startup = self._tasks.get(ProbeType.STARTUP)
        probing = startup is not None and not startup.done()  # not done, nor on hold
        self._cancel(ProbeType.LIVENESS, ProbeType.STARTUP)
        if probing and not self.started:
            self._set_started()
            self._readiness_now.set()

    async def stop(self) -> None:
        """The container exited or is being stopped: cancel the probes; not started, not
        ready."""
        current = asyncio.current_task()
        for task in self._cancel(*self._tasks):
            if task is not current:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._unset()

    def _cancel(self, *types: ProbeType) -> list[asyncio.Task[None]]:
        tasks = [task for t in types if (task := self._tasks.pop(t, None)) is not None]
        for task in tasks:
            task.cancel()
        return tasks

    def _unset(self) -> None:
        self._set_ready(False)
        if self.started:
            self.started = False
            self._on_started(False)

    def _event(self, type_: str, reason: str, message: str) -> None:
        if self._on_event is not None:
            self._on_event(type_, reason, message)

    def _set_ready(self, ready: bool) -> None:
        if ready != self.ready:
            self.ready = ready
            self._on_ready(ready)

    def _set_started(self) -> None:
        self.started = True
        self._on_started(True)
        if ProbeType.READINESS not in self._types:
            self._set_ready(True)

    async def _work(self, p: _Probe) -> None:
        """Probe on every tick (and, for readiness, when the startup probe succeeds) until
        the probe has nothing more to do for this instance."""
        loop = asyncio.get_running_loop()
        me = asyncio.current_task()
        due = self._started_at + p.initial_delay
        while True:
            ticked = await self._wait(p, due)
            if self._tasks.get(p.type) is not me:
                return  # stopped, though the cancellation did not reach us (see below)
            now = loop.time()
            if ticked:
                now = max(now, due)
                while due <= now:  # like Go's ticker, skip the ticks a slow probe missed
                    due += p.period
            if p.type is ProbeType.STARTUP:
                if self.started:
                    return
            elif not self.started:
                continue
            if now - self._started_at < p.initial_delay:
                continue
            result = await self._attempt(p)
            if self._tasks.get(p.type) is not me:
                # Cancelled while probing, and the target swallowed the cancellation (as
                # asyncio.wait_for can before Python 3.12): this instance is gone, its
                # result must not count.
                return
            if result is not None and not self._record(p, result):
                return

    async def _wait(self, p: _Probe, due: float) -> bool:
        """Sleep until ``due`` (True) or, for readiness, until triggered (False)."""
        if p.type is not ProbeType.READINESS:
            await asyncio.sleep(max(due - asyncio.get_running_loop().time(), 0.0))
            return True
        trigger = self._readiness_now
        try:
            async with asyncio.timeout_at(due):
                await trigger.wait()
        except TimeoutError:
            return True
        trigger.clear()
        return False

    async def _attempt(self, p: _Probe) -> Result | None:
        """Run the probe once, as upstream's prober does, and record its event; None when
        it could not run."""
        error = ""
        for _ in range(MAX_ATTEMPTS):
            try:
                result, output = await p.action()
                break
            except ProbeError as e:
                error = str(e)
            except Exception:
                log.exception("%s probe of container %s crashed", p.type.value, self.name)
                return None
        else:
            self._event("Warning", "Unhealthy",
                        f"{p.type.value} probe errored and resulted in unknown state: {error}")
            return None
        if result is Result.WARNING:
            self._event("Warning", "ProbeWarning", f"{p.type.value} probe warning: {output}")
            return Result.SUCCESS
        if result is Result.FAILURE:
            self._event("Warning", "Unhealthy", f"{p.type.value} probe failed: {output}")
        return result

    def _record(self, p: _Probe, result: Result) -> bool:
        """Count the result; act once a run of equal results reaches its threshold.
        Returns whether to keep probing this instance."""
        if result is p.last:
            p.run += 1
        else:
            p.last, p.run = result, 1
        success = result is Result.SUCCESS
        if p.run < (p.success_threshold if success else p.failure_threshold):
            return True
        if p.type is ProbeType.READINESS:
            self._set_ready(success)
            return True
        if p.type is ProbeType.STARTUP and success:
            self._set_started()
            self._readiness_now.set()  # upstream probes readiness as soon as started
            return False
        if success:
            return True
        p.run = 0
        message = f"Container {self.name} failed {p.type.value.lower()} probe"
        if self._restarts:
            message += ", will be restarted"
        self.kill_grace_seconds = p.grace
        self._on_kill(_KILL_REASONS[p.type], message)
        return False  # on hold until the next instance


# -- lifecycle handlers -------------------------------------------------------------------

async def run_handler(handler: Obj, target: ProbeTarget, timeout: float, *, container: str = "",
                      pod: Obj | None = None) -> str | None:
    """Run a postStart or preStop handler as upstream does: None on success, else the
    message upstream records (it names ``container`` and ``pod`` when given).

    ``exec`` fails on a non-zero exit; ``httpGet`` (User-Agent ``kube-lifecycle/1.32``,
    unverified TLS, same-host redirects) fails only when no response comes, whatever its
    status, and retries over plain HTTP when an HTTPS hook is answered in HTTP; ``sleep``
    waits.  ``tcpSocket`` is not a lifecycle handler upstream (the field is kept for
    compatibility only), so it fails as any handler the kubelet cannot run.  Whatever is
    still running after ``timeout`` seconds fails."""
    where = f"for Container {_q(container)} in Pod {_q(_pod_name(pod))}"
    if handler.get("exec") is not None:
        argv = [str(a) for a in handler["exec"].get("command") or ()]
        output = b""
        try:
            code, output = await target.exec(argv, timeout)
        except TimeoutError:
            error = f"command {_q(' '.join(argv))} timed out"
        except OSError as e:
            error = str(e)
        else:
            if code == 0:
                return None
            # upstream's error carries stderr, its message all output: both are the
            # combined output here
            error = f"command '{' '.join(argv)}' exited with {code}: {output.decode('utf-8', 'replace')}"
        return (f"Exec lifecycle hook ([{' '.join(argv)}]) {where} failed - error: {error}, "
                f"message: {_q(output.decode('utf-8', 'replace'))}")
    if handler.get("httpGet") is not None:
        get = handler["httpGet"]
        failure = await _lifecycle_get(get, target, timeout)
        if failure is None:
            return None
        return f"HTTP lifecycle hook ({get.get('path') or ''}) {where} failed - error: {failure}"
    if handler.get("sleep") is not None:
        seconds = float(handler["sleep"].get("seconds") or 0)
        if seconds <= timeout:
            await asyncio.sleep(seconds)
            return None
        await asyncio.sleep(timeout)
        return (f"Sleep lifecycle hook ({_number(seconds)}) {where} failed - error: "
                "container terminated before sleep hook finished")
    shown = json.dumps(handler, separators=(",", ":"), sort_keys=True)
    return f"Cannot run handler: invalid handler: {shown}"


async def _lifecycle_get(get: Obj, target: ProbeTarget, timeout: float) -> str | None:
    if not (get.get("host") or target.pod_ip):
        return "failed to find networking container"
    try:
        url = _http_url(get, target, _request_target(str(get.get("path") or "")))
    except ProbeError as e:
        return str(e)
    headers, host = _request_headers(get.get("httpHeaders"), "lifecycle")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    try:
        await _http_get(target, url, headers, host, timeout)
    except _BodyError:
        pass  # upstream drains the body and ignores what goes wrong there
    except _RequestError as e:
        if not e.plain_http:
            return str(e)
        # an HTTPS hook answered in plain HTTP: upstream tries again over HTTP, without
        # credentials, and succeeds if that does
        plain = dataclasses.replace(url, scheme="http")
        without = [(k, v) for k, v in headers if k != "Authorization"]
        try:
            await _http_get(target, plain, without, host, max(deadline - loop.time(), 0.0))
        except _BodyError:
            pass
        except _RequestError:
            return str(e)
    return None
