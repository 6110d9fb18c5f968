"""The kubelet's HTTPS server (upstream's port 10250): what the apiserver proxies
``pods/log``, ``pods/exec``, ``pods/attach`` and ``pods/portforward`` to, on upstream's
paths::

    GET       /healthz                                  "ok"
    GET       /containerLogs/{namespace}/{pod}/{container}
    GET|POST  /exec/{namespace}/{pod}/{container}       WebSocket v5/v4.channel.k8s.io
    GET|POST  /attach/{namespace}/{pod}/{container}     WebSocket v5/v4.channel.k8s.io
    GET|POST  /portForward/{namespace}/{pod}            WebSocket SPDY/3.1+portforward.k8s.io
    GET       /stats/summary                            the Summary API

TLS only, HTTP/1.1, and every client must show a certificate signed by the cluster CA
(only the apiserver holds one).  Errors are plain text with upstream's words and codes
(the apiserver turns them into Status objects); nothing a client sends can stop the
server.

**Logs** are read from the runtime's files in the CRI format (``<time> <stream> <P|F>
<text>``).  The fragments of a partial line go out as they come and make one line; with
``timestamps`` the line starts with its time in RFC 3339 with nine fractional digits, as
kubectl shows it.  ``follow`` polls the file and ends once the container that was running
when the request came is no longer running (it exited, restarted or its pod went) and
the file is drained, or when the client goes.

**exec and attach** speak upstream's channel protocol over WebSocket: every message is
one channel byte and data; 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 terminal
resizes (``{"Width":W,"Height":H}``), and in v5 255 + a channel to close it (``\\xff\\x00``:
stdin is done).  Output is sent as it comes; once the process has ended and its output
is drained the Status goes on channel 3 (``NonZeroExitCode`` with the code as the cause,
else ``Success``) and the socket closes with 1000.  A client that goes away kills what
its exec started.  SPDY/3.1 (kubectl's fallback, and all kubectl 1.29 and older speak)
is refused after the checks that would refuse it anyway, so the message kubectl finally
shows is the real reason.

**port-forward** carries SPDY/3.1 inside WebSocket binary messages; the SPDY session is
``kubelet/spdy.py``'s, dialling the pod's ports through the runtime.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import ssl
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BufferedReader
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .runtime import ContainerState, StreamingRuntime, Streams

if TYPE_CHECKING:
    from .kubelet import Kubelet, PodWorker

log = logging.getLogger(__name__)

Obj = dict[str, Any]

STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
V5, V4 = "v5.channel.k8s.io", "v4.channel.k8s.io"
CHANNEL_PROTOCOLS = (V5, V4)
PORTFORWARD_PROTOCOL = "SPDY/3.1+portforward.k8s.io"
# the older WebSocket port-forward of the official Python client: two channels per port
PORTFORWARD_CHANNELS = "v4.channel.k8s.io"
PORTFORWARD_PROTOCOLS = (PORTFORWARD_PROTOCOL, PORTFORWARD_CHANNELS)
FOLLOW_POLL_SECONDS = 0.1
READ_CHUNK = 1 << 16
_TRUE = frozenset({"1", "t", "T", "true", "TRUE", "True"})  # Go's strconv.ParseBool


class RequestError(Exception):
    """A request refused with an HTTP code and a plain-text message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def response(self) -> web.Response:
        return web.Response(status=self.code, text=self.message,
                            content_type="text/plain", charset="utf-8")


def _flag(query: Any, name: str) -> bool:
    return query.get(name, "") in _TRUE


def _optional_int(query: Any, name: str) -> int | None:
    value = query.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise RequestError(400, '{"message": "Unable to decode query."}') from None


# -- CRI log files --------------------------------------------------------------------------

_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")


def _fixed_nano(ts: str) -> str:
    """An RFC 3339 time with exactly nine fractional digits, as upstream prints log
    timestamps (``2026-11-28T13:43:30.120000000Z``); the zone is kept as written."""
    m = _TIME.match(ts)
    if m is None:
        return ts
    return f"{m.group(1)}.{(m.group(2) or '').ljust(9, '0')}{m.group(3)}"


def _epoch_ns(ts: str) -> int | None:
    m = _TIME.match(ts)
    if m is None:
        return None
    seconds = datetime.fromisoformat(m.group(1) + m.group(3).replace("Z", "+00:00")).timestamp()
    return int(seconds) * 1_000_000_000 + int((m.group(2) or "0").ljust(9, "0"))


@dataclass
class LogOptions:
    """A ``containerLogs`` request's query (upstream's PodLogOptions)."""

    follow: bool = False
    previous: bool = False
    timestamps: bool = False
    tail_lines: int | None = None
    limit_bytes: int | None = None
    since_ns: int | None = None  # lines older than this are left out

    @classmethod
    def from_query(cls, query: Any, now: float | None = None) -> LogOptions:
        opts = cls(follow=_flag(query, "follow"), previous=_flag(query, "previous"),
                   timestamps=_flag(query, "timestamps"))
        tail = query.get("tail")  # upstream's older name; "all" means no limit
        opts.tail_lines = _optional_int(query, "tailLines") if tail is None else (
            None if tail == "all" else _optional_int(query, "tail"))
        opts.limit_bytes = _optional_int(query, "limitBytes")
        since_seconds = _optional_int(query, "sinceSeconds")
        since_time = query.get("sinceTime")
        if ((opts.tail_lines is not None and opts.tail_lines < 0)
                or (opts.limit_bytes is not None and opts.limit_bytes < 1)
                or (since_seconds is not None and (since_seconds < 1 or since_time))):
            raise RequestError(422, '{"message": "Invalid request."}')
        now_ns = int((time.time() if now is None else now) * 1e9)
        if since_seconds is not None:
            opts.since_ns = now_ns - since_seconds * 1_000_000_000
        if since_time:
            since = _epoch_ns(since_time)
            if since is None:
                raise RequestError(400, '{"message": "Unable to decode query."}')
            opts.since_ns = since
        return opts


class CRILogReader:
    """Turns the bytes of a CRI log file into what the client sees, as they are read.

    Fragments of a partial line (tag ``P``) are written out at once and the line is ended
    by its ``F`` fragment; a line's timestamp (with ``timestamps``) and whether it is older
    than ``since`` come from its first fragment.  ``limit_bytes`` cuts the output."""

    def __init__(self, opts: LogOptions) -> None:
        self.opts = opts
        self.remaining = opts.limit_bytes if opts.limit_bytes is not None else -1
        self._rest = b""  # a physical line still being written
        self._in_line: dict[bytes, bool] = {}  # per stream: inside a partial line
        self._skipping: dict[bytes, bool] = {}  # per stream: the current line is older than since

    @property
    def done(self) -> bool:
        return self.remaining == 0

    def feed(self, data: bytes, final: bool = False) -> bytes:
        """The output for ``data``, the file's next bytes; ``final``: there is no more, so
        an unterminated last line counts too."""
        buf = self._rest + data
        lines = buf.split(b"\n")
        self._rest = lines.pop()
        if final and self._rest:
            lines.append(self._rest)
            self._rest = b""
        out: list[bytes] = []
        for line in lines:
            if self.done:
                break
            piece = self._line(line)
            if piece:
                if self.remaining >= 0:
                    piece = piece[:self.remaining]
                    self.remaining -= len(piece)
                out.append(piece)
        return b"".join(out)

    def _line(self, line: bytes) -> bytes:
        parts = line.split(b" ", 3)
        if len(parts) < 3 or parts[1] not in (b"stdout", b"stderr"):
            return b""  # not a CRI line: upstream skips it too
        stamp, tag = parts[0].decode("ascii", "replace"), parts[2].split(b":")[0]
        text = parts[3] if len(parts) > 3 else b""
        partial, stream = tag == b"P", parts[1]
        first = not self._in_line.get(stream)
        self._in_line[stream] = partial
        if first:
            since = self.opts.since_ns
            at = _epoch_ns(stamp)
            self._skipping[stream] = since is not None and at is not None and at < since
        if self._skipping[stream]:
            return b""
        if not partial:
            text += b"\n"
        if first and self.opts.timestamps:
            text = _fixed_nano(stamp).encode() + b" " + text
        return text


def _tag(line: bytes) -> bytes:
    fields = line.split(b" ", 3)
    return fields[2].split(b":")[0] if len(fields) > 2 else b""


def tail_offset(f: BufferedReader, lines: int) -> int:
    """Where the last ``lines`` lines of a CRI log start: a line is its partial (``P``)
    fragments and the fragment that ends it, and an unfinished last line counts."""
    end = f.seek(0, os.SEEK_END)
    if lines <= 0:
        return end
    pos, buf = end, b""
    while pos > 0:
        step = min(max(READ_CHUNK, len(buf)), pos)
        pos -= step
        f.seek(pos)
        buf = f.read(step) + buf
        physical = buf.split(b"\n")
        if physical[-1] == b"":
            physical.pop()
        starts = [0]
        for line in physical[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        # the first line in buf may be cut unless buf starts the file
        first_whole = 1 if pos > 0 else 0
        seen = 0
        for i in range(len(physical) - 1, first_whole - 1, -1):
            if i == 0:
                begins = True  # the file's first line
            elif i - 1 < first_whole:
                break  # whether this line begins one depends on a cut line: read further back
            else:
                begins = _tag(physical[i - 1]) != b"P"
            if begins:
                seen += 1
                if seen == lines:
                    return pos + starts[i]
    return 0


# -- the server --------------------------------------------------------------------------------

class KubeletServer:
    """The kubelet's HTTPS server; ``port`` is where it listens once started."""

    def __init__(self, kubelet: Kubelet, runtime: StreamingRuntime) -> None:
        self.kubelet = kubelet
        self.runtime = runtime
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._cpu_samples: dict[str, tuple[int, int]] = {}  # key -> (cpu ns, wall ns)
        app = web.Application()
        app.add_routes([
            web.get("/healthz", self.healthz),
            web.get("/containerLogs/{namespace}/{pod}/{container}", self.container_logs),
            web.route("*", "/exec/{namespace}/{pod}/{container}", self.exec),
            web.route("*", "/attach/{namespace}/{pod}/{container}", self.attach),
            web.route("*", "/portForward/{namespace}/{pod}", self.port_forward),
            web.get("/stats/summary", self.stats_summary),
        ])
        app.middlewares.append(self._errors)
        self.app = app

    async def start(self, host: str, port: int, ssl_context: ssl.SSLContext) -> None:
        # a client that goes away cancels its handler: a log follower or exec stops at once
        self._runner = web.AppRunner(self.app, access_log=None, handler_cancellation=True,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port, ssl_context=ssl_context, reuse_address=True)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _errors(self, request: web.Request,
                      handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                      ) -> web.StreamResponse:
        try:
            return await handler(request)
        except RequestError as e:
            return e.response()
        except web.HTTPException:
            raise
        except (asyncio.CancelledError, ConnectionResetError):
            raise
        except Exception as e:  # nothing a request does may stop the server
            log.exception("%s %s failed", request.method, request.path)
            return RequestError(500, f"{type(e).__name__}: {e}").response()

    # -- lookups

    def _worker(self, namespace: str, name: str, message: str) -> PodWorker:
        worker = self.kubelet.workers.get(f"{namespace}/{name}")
        if worker is None:
            raise RequestError(404, message)
        return worker

    @staticmethod
    def _has_container(pod: Obj, name: str) -> bool:
        spec = pod.get("spec") or {}
        return any(c.get("name") == name for key in ("initContainers", "containers",
                                                     "ephemeralContainers")
                   for c in spec.get(key) or ())

    @staticmethod
    def _state(worker: PodWorker, container: str) -> ContainerState | None:
        if worker.sandbox is None:
            return None
        for c in (*worker.sandbox.init, *worker.sandbox.containers):
            if c.name == container:
                return c
        return None

    # -- /healthz

    async def healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok", content_type="text/plain")

    # -- /containerLogs

    async def container_logs(self, request: web.Request) -> web.StreamResponse:
        ns, name, container = (request.match_info[k] for k in ("namespace", "pod", "container"))
        opts = LogOptions.from_query(request.query)
        worker = self._worker(ns, name, f'pod "{name}" does not exist')
        if not self._has_container(worker.pod, container):
            raise RequestError(404, f'container "{container}" not found in pod "{name}"')
        previous = self._which_log(worker, name, container, opts.previous)
        uid = worker.pod["metadata"].get("uid") or ""
        try:
            path = self.runtime.log_file(uid, container, previous)
        except LookupError as e:
            raise RequestError(400, str(e)) from None
        state = self._state(worker, container)
        instance = (state.restart_count, state.started_at) if state is not None else None

        def still_running() -> bool:
            # upstream follows one container: it stops when that one is no longer running
            now = self._state(worker, container)
            return (not previous and self.kubelet.workers.get(f"{ns}/{name}") is worker
                    and now is not None and now.state == "running"
                    and (now.restart_count, now.started_at) == instance)

        resp = web.StreamResponse(headers={"Content-Type": "text/plain; charset=utf-8"})
        await resp.prepare(request)
        await self._copy_log(resp, path, opts, still_running)
        await resp.write_eof()
        return resp

    def _which_log(self, worker: PodWorker, pod: str, container: str, previous: bool) -> bool:
        """Whether to read the previous run's log, or the error upstream's kubelet gives
        for the container's state (its validateContainerLogStatus)."""
        state = self._state(worker, container)
        if state is None:
            if previous:
                raise RequestError(
                    400, f'previous terminated container "{container}" in pod "{pod}" not found')
            raise RequestError(
                400, f'container "{container}" in pod "{pod}" is waiting to start: ContainerCreating')
        last_terminated = bool((state.last_state or {}).get("terminated"))
        if previous:
            if not last_terminated:
                raise RequestError(
                    400, f'previous terminated container "{container}" in pod "{pod}" not found')
            return True
        if state.state in ("running", "terminated"):
            return False
        if last_terminated:
            return True  # waiting to restart: the last run's log
        reason = {"ErrImagePull": "image can't be pulled",
                  "ImagePullBackOff": "trying and failing to pull image"}.get(state.reason, state.reason)
        raise RequestError(400, f'container "{container}" in pod "{pod}" is waiting to start: {reason}')

    @staticmethod
    async def _copy_log(resp: web.StreamResponse, path: str, opts: LogOptions,
                        still_running: Callable[[], bool]) -> None:
        reader = CRILogReader(opts)
        f: BufferedReader | None = None
        try:
            draining = False
            while not reader.done:
                if f is None:
                    try:
                        f = open(path, "rb")  # noqa: SIM115 - kept open while following
                    except FileNotFoundError:
                        f = None  # not written yet
                    if f is not None and opts.tail_lines is not None:
                        f.seek(tail_offset(f, opts.tail_lines))
                if f is not None:
                    data = f.read(READ_CHUNK)
                    if data:
                        out = reader.feed(data)
                        if out:
                            await resp.write(out)
                        continue
                if not opts.follow or draining:
                    break
                # at the end: wait for more while the container runs, then read what it
                # wrote last once more before stopping
                draining = not still_running()
                if not draining:
                    await asyncio.sleep(FOLLOW_POLL_SECONDS)
            out = reader.feed(b"", final=True)
            if out:
                await resp.write(out)
        finally:
            if f is not None:
                f.close()

    # -- /exec and /attach

    async def exec(self, request: web.Request) -> web.StreamResponse:
        return await self._remote_command(request, attach=False)

    async def attach(self, request: web.Request) -> web.StreamResponse:
        return await self._remote_command(request, attach=True)

    async def _remote_command(self, request: web.Request, attach: bool) -> web.StreamResponse:
        ns, name, container = (request.match_info[k] for k in ("namespace", "pod", "container"))
        q = request.query
        tty, stdin = _flag(q, "tty"), _flag(q, "stdin")
        stdout = _flag(q, "stdout")
        stderr = _flag(q, "stderr") and not tty  # a terminal has one output, as upstream
        if not (stdin or stdout or _flag(q, "stderr")):
            raise RequestError(400, "you must specify at least 1 of stdin, stdout, stderr")
        worker = self._worker(ns, name, "pod does not exist")
        if not self._has_container(worker.pod, container):
            raise RequestError(404, f'container "{container}" not found in pod "{name}"')
        protocol = _websocket_protocol(request, CHANNEL_PROTOCOLS)
        if protocol is None:
            # refused all the same, but for the container's state first: that is what the
            # client must hear (kubectl falls back here when the WebSocket was refused)
            state = self._state(worker, container)
            if state is None or state.state != "running":
                raise RequestError(404, f'container "{container}" in pod "{name}" is not running')
            raise _not_websocket(request, CHANNEL_PROTOCOLS)
        argv = list(q.getall("command", []))
        uid = worker.pod["metadata"].get("uid") or ""
        start_error = ""
        streams: Streams | None = None
        try:
            if attach:
                streams = await self.runtime.attach(uid, container, stdin=stdin, tty=tty)
            else:
                streams = await self.runtime.exec(uid, container, argv, stdin=stdin, tty=tty)
        except LookupError as e:
            raise RequestError(404, str(e)) from None
        except (OSError, ValueError) as e:
            # upstream's words when the runtime cannot start the command; sent as the Status
            start_error = f"error executing command in container: {e}"
        ws = web.WebSocketResponse(protocols=(protocol,), max_msg_size=0, compress=False)
        try:
            await ws.prepare(request)
        except BaseException:
            if streams is not None and not attach:
                streams.kill()
            raise
        session = _ChannelSession(ws, protocol, stdin=stdin, stdout=stdout, stderr=stderr)
        if streams is None:
            await session.finish({"metadata": {}, "status": "Failure", "message": start_error,
                                  "reason": "InternalError", "details": {"causes": [
                                      {"message": start_error}]}, "code": 500})
            return ws
        await session.run(streams, None if attach else argv)
        return ws

    # -- /portForward

    async def port_forward(self, request: web.Request) -> web.StreamResponse:
        ns, name = request.match_info["namespace"], request.match_info["pod"]
        worker = self._worker(ns, name, "pod does not exist")
        uid = worker.pod["metadata"].get("uid") or ""
        if request.query.get("uid") and request.query["uid"] != uid:
            raise RequestError(404, "pod not found")
        protocol = _websocket_protocol(request, PORTFORWARD_PROTOCOLS)
        if protocol is None:
            raise _not_websocket(request, PORTFORWARD_PROTOCOLS)
        if protocol != PORTFORWARD_PROTOCOL:
            return await self._port_forward_channels(request, uid, protocol)
        from .spdy import serve_portforward

        ws = web.WebSocketResponse(protocols=(PORTFORWARD_PROTOCOL,), max_msg_size=0,
                                   compress=False)
        await ws.prepare(request)
        lock = asyncio.Lock()

        async def read() -> bytes:
            while True:
                msg = await ws.receive()
                if msg.type == WSMsgType.BINARY:
                    if msg.data:
                        return bytes(msg.data)
                elif msg.type == WSMsgType.TEXT:
                    if msg.data:
                        return str(msg.data).encode()
                else:  # close, closed, error
                    return b""

        async def write(data: bytes) -> None:
            async with lock:
                await ws.send_bytes(data)

        async def dial(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
            try:
                reader, writer = await self.runtime.dial(uid, port)
            except LookupError as e:  # the pod is gone: a failed dial to the session
                raise OSError(str(e)) from None
            return reader, writer

        try:
            await serve_portforward(read, write, dial, f"{ns}/{name}", uid)
        except (ConnectionError, RuntimeError) as e:
            # the client went away mid-write: nothing to tell anyone
            log.debug("port-forward to %s/%s ended: %s", ns, name, e)
        finally:
            await ws.close()
        return ws

    async def _port_forward_channels(self, request: web.Request, uid: str, protocol: str) -> web.StreamResponse:
        """Port-forward over the channel protocol: for the i-th of the ``port`` query's ports,
        channel 2i carries the data of one connection to it and 2i+1 its errors; each
        channel starts with the port's number (two bytes, little-endian), as upstream's."""
        try:
            ports = [int(p) for v in request.query.getall("port", []) for p in v.split(",") if p]
        except ValueError:
            raise RequestError(400, "invalid port") from None
        if not ports or any(not 0 < p < 65536 for p in ports):
            raise RequestError(400, "at least one valid port is required")
        ws = web.WebSocketResponse(protocols=(protocol,), max_msg_size=0, compress=False)
        await ws.prepare(request)
        lock = asyncio.Lock()

        async def send(channel: int, data: bytes) -> None:
            async with lock:
                await ws.send_bytes(bytes([channel]) + data)

        writers: dict[int, asyncio.StreamWriter] = {}
        pumps: list[asyncio.Task[None]] = []

        async def pump(i: int, reader: asyncio.StreamReader) -> None:
            with contextlib.suppress(ConnectionError, RuntimeError):
                while data := await reader.read(65536):
                    await send(2 * i, data)

        try:
            for i, port in enumerate(ports):
                head = struct.pack("<H", port)
                await send(2 * i, head)
                await send(2 * i + 1, head)
                try:
                    reader, writer = await self.runtime.dial(uid, port)
                except (OSError, LookupError) as e:
                    await send(2 * i + 1, f"error forwarding port {port} to pod {uid}: {e}".encode())
                    continue
                writers[i] = writer
                pumps.append(asyncio.create_task(pump(i, reader)))
            async for msg in ws:
                if msg.type != WSMsgType.BINARY or not msg.data:
                    continue
                channel, data = msg.data[0], msg.data[1:]
                writer = writers.get(channel // 2) if channel % 2 == 0 else None
                if writer is not None and data:
                    writer.write(data)
                    with contextlib.suppress(ConnectionError):
                        await writer.drain()
        finally:
            for task in pumps:
                task.cancel()
            for writer in writers.values():
                writer.close()
            await ws.close()
        return ws

    # -- /stats/summary

    async def stats_summary(self, request: web.Request) -> web.Response:
        return web.json_response(self.summary())

    def summary(self) -> Obj:
        """Upstream's Summary API (``/stats/summary``): the node's CPU and memory from /proc,
        each pod's and container's from the runtime.  ``usageNanoCores`` is the rate since
        the previous request (absent on the first)."""
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        wall = time.time_ns()
        node = {"nodeName": self.kubelet.node_name, "startTime": _boot_time(),
                "cpu": self._cpu("", _node_cpu_ns(), wall, now), "memory": _node_memory(now)}
        by_uid = {(w.pod["metadata"].get("uid") or ""): w for w in self.kubelet.workers.values()}
        pods: list[Obj] = []
        stats = self.runtime.stats() if hasattr(self.runtime, "stats") else {}
        seen: set[str] = set()
        for uid, s in stats.items():
            worker = by_uid.get(uid)
            if worker is None:
                continue
            md = worker.pod["metadata"]
            containers = []
            for cname, c in (s.get("containers") or {}).items():
                key = f"{uid}/{cname}"
                seen.add(key)
                containers.append({"name": cname, "startTime": c.get("started") or worker.started,
                                   "cpu": self._cpu(key, int(c.get("cpu_ns", 0)), wall, now),
                                   "memory": _memory(c.get("memory") or {}, now)})
            seen.add(uid)
            pods.append({"podRef": {"name": md.get("name"), "namespace": md.get("namespace"),
                                    "uid": uid},
                         "startTime": (worker.pod.get("status") or {}).get("startTime")
                         or worker.started,
                         "containers": containers,
                         "cpu": self._cpu(uid, int(s.get("cpu_ns", 0)), wall, now),
                         "memory": _memory(s.get("memory") or {}, now)})
        for key in [k for k in self._cpu_samples if k and k not in seen]:
            del self._cpu_samples[key]  # pods and containers that are gone
        return {"node": node, "pods": pods}

    def _cpu(self, key: str, cpu_ns: int, wall_ns: int, now: str) -> Obj:
        out: Obj = {"time": now, "usageCoreNanoSeconds": cpu_ns}
        before = self._cpu_samples.get(key)
        if before is not None and wall_ns > before[1] and cpu_ns >= before[0]:
            out["usageNanoCores"] = (cpu_ns - before[0]) * 1_000_000_000 // (wall_ns - before[1])
        self._cpu_samples[key] = (cpu_ns, wall_ns)
        return out


def _websocket_protocol(request: web.Request, supported: tuple[str, ...]) -> str | None:
    """The WebSocket subprotocol to answer with; None when the request is no WebSocket."""
    if request.headers.get("Upgrade", "").lower() != "websocket":
        return None
    offered = [p.strip() for h in request.headers.getall("Sec-WebSocket-Protocol", [])
               for p in h.split(",") if p.strip()]
    for p in offered:
        if p in supported:
            return p
    raise RequestError(400, f"requested protocol(s) are not supported: {offered}; "
                            f"supports {list(supported)}")


def _not_websocket(request: web.Request, supported: tuple[str, ...]) -> RequestError:
    """The refusal of a streaming request that is no WebSocket: kubectl's SPDY (its
    fallback, and all that kubectl 1.29 and older speak)."""
    upgrade = request.headers.get("Upgrade", "")
    if not upgrade:
        return RequestError(400, "Upgrade request required")
    offered = ", ".join(request.headers.getall("X-Stream-Protocol-Version", [])) or upgrade
    return RequestError(400, f"unable to upgrade: {upgrade} ({offered}) is not supported; use a "
                             f"client that speaks WebSocket ({', '.join(supported)}), as kubectl "
                             "1.30 and later do")


class _ChannelSession:
    """One exec or attach over the channel protocol (see the module docstring)."""

    def __init__(self, ws: web.WebSocketResponse, protocol: str, *, stdin: bool, stdout: bool,
                 stderr: bool) -> None:
        self.ws = ws
        self.v5 = protocol == V5
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self._lock = asyncio.Lock()

    async def send(self, channel: int, data: bytes) -> None:
        async with self._lock:
            await self.ws.send_bytes(bytes([channel]) + data)

    async def run(self, streams: Streams, argv: list[str] | None) -> None:
        """Relay until the process ends (``argv``: an exec; None: an attach) or the client
        goes; then the Status and the close."""
        output = asyncio.create_task(self._output(streams))
        client = asyncio.create_task(self._from_client(streams))
        try:
            await asyncio.wait([output, client], return_when=asyncio.FIRST_COMPLETED)
            if not output.done():  # the client went first
                output.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                    await output
                if argv is not None:
                    streams.kill()
                return
            output.result()
            status: Obj = {"metadata": {}, "status": "Success"}
            if argv is not None:
                code = await streams.wait()
                if code != 0:
                    status = {"metadata": {}, "status": "Failure",
                              "message": "command terminated with non-zero exit code: error "
                                         f"executing command [{' '.join(argv)}], exit code {code}",
                              "reason": "NonZeroExitCode",
                              "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}
            await self.finish(status)
        except ConnectionError:
            if argv is not None:
                streams.kill()
        finally:
            if not output.done():
                output.cancel()
            client.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError, Exception):
                await client

    async def finish(self, status: Obj) -> None:
        with contextlib.suppress(ConnectionError):
            await self.send(ERROR, json.dumps(status, separators=(",", ":")).encode())
            await self.ws.close(code=1000)

    async def _output(self, streams: Streams) -> None:
        # upstream's handshake: an empty message on the lowest channel the client reads
        await self.send(STDOUT if self.stdout else STDERR if self.stderr else ERROR, b"")
        await asyncio.gather(self._pump(streams.read_stdout, STDOUT if self.stdout else None),
                             self._pump(streams.read_stderr, STDERR if self.stderr else None))

    async def _pump(self, read: Callable[[], Awaitable[bytes]], channel: int | None) -> None:
        # what the client did not ask for is read all the same, or the process would block
        while True:
            data = await read()
            if not data:
                return
            if channel is not None:
                await self.send(channel, data)

    async def _from_client(self, streams: Streams) -> None:
        stdin_open = self.stdin
        async for msg in self.ws:
            if msg.type == WSMsgType.BINARY:
                data = bytes(msg.data)
            elif msg.type == WSMsgType.TEXT:
                data = str(msg.data).encode()  # the Python client sends text frames
            else:
                break
            if not data:
                continue
            channel, payload = data[0], data[1:]
            if channel == STDIN and stdin_open and payload:
                try:
                    await streams.write_stdin(payload)
                except OSError:  # the process is gone or closed its stdin: input has nowhere to go
                    stdin_open = False
            elif channel == RESIZE and payload:
                try:
                    size = json.loads(payload)
                    streams.resize(int(size.get("Width", 0)), int(size.get("Height", 0)))
                except (ValueError, TypeError, AttributeError):
                    log.debug("bad resize message %r", payload)
            elif channel == CLOSE and self.v5 and payload[:1] == bytes([STDIN]) and stdin_open:
                stdin_open = False
                with contextlib.suppress(OSError):
                    await streams.close_stdin()


# -- the node's own CPU and memory -------------------------------------------------------------

def _boot_time() -> str:
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("btime "):
                return datetime.fromtimestamp(int(line.split()[1]), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ""


def _node_cpu_ns() -> int:
    """CPU time the machine has spent busy (all but idle and iowait), in ns."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    busy = sum(fields[:8]) - fields[3] - fields[4]  # user nice system idle iowait irq softirq steal
    return busy * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def _node_memory(now: str) -> Obj:
    info: dict[str, int] = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, _, rest = line.partition(":")
            info[key] = int(rest.split()[0]) * 1024
    total, available = info.get("MemTotal", 0), info.get("MemAvailable", 0)
    return {"time": now, "availableBytes": available, "usageBytes": total - info.get("MemFree", 0),
            "workingSetBytes": total - available, "rssBytes": info.get("AnonPages", 0)}


def _memory(m: Obj, now: str) -> Obj:
    return {"time": now, "usageBytes": int(m.get("usage", 0)),
            "workingSetBytes": int(m.get("working_set", 0)), "rssBytes": int(m.get("rss", 0))}


# -- starting -----------------------------------------------------------------------------------

def tls_context(cert_file: str, key_file: str, client_ca_file: str) -> ssl.SSLContext:
    """TLS with HTTP/1.1 only, requiring a client certificate signed by ``client_ca_file``."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=client_ca_file)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_cert_chain(cert_file, key_file)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


async def start_server(kubelet: Kubelet, runtime: StreamingRuntime, *, host: str, port: int,
                       cert_file: str, key_file: str, client_ca_file: str) -> KubeletServer:
    """Serve the kubelet's API on ``host:port`` (0: any free port, see ``.port``)."""
    server = KubeletServer(kubelet, runtime)
    await server.start(host, port, tls_context(cert_file, key_file, client_ca_file))
    log.info("kubelet %s serving on %s:%d", kubelet.node_name, host, server.port)
    return server
