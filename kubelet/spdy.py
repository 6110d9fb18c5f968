"""SPDY/3.1, server side, and the ``portforward.k8s.io`` protocol that kubectl speaks over it.

kubectl's port-forward (both routes: plain ``Upgrade: SPDY/3.1``, and the WebSocket subprotocol
``SPDY/3.1+portforward.k8s.io`` whose binary messages carry the same bytes) is a SPDY session
in which the client opens two streams per forwarded TCP connection, both with the headers
``streamtype`` (``error`` or ``data``), ``port`` and ``requestid``.  Once both streams of a
request id are here the kubelet connects to the port in the pod and pipes the data stream to
it; if that fails it writes why on the error stream.  Either way it closes both streams at the
end, which is what kubectl waits for (it reads the error stream to its end).

Three pieces, each usable alone:

* the codec: :class:`FrameDecoder` and :class:`FrameEncoder`, one per direction, each
  owning that direction's zlib context for header blocks (primed with :data:`DICTIONARY`,
  one sync flush per frame, as SPDY/3 requires);
* :class:`Session`: one server session over a byte stream; it answers PINGs, keeps the
  stream table and hands stream events to a :class:`StreamHandler`;
* :class:`PortForwarder`: the handler that pairs streams and pipes them to pod sockets.

Flow control.  SPDY/3.1 has per-stream and per-session windows (64 KiB initially), but the
SPDY implementation on both ends of a real kubelet port-forward, Go's moby/spdystream, has
none: it never sends WINDOW_UPDATE, and its frame loop drops WINDOW_UPDATE and SETTINGS
frames as unhandled (connection.go, ``frameHandler``'s default case).  So a server that
waited for window before sending would stall after 64 KiB, and WINDOW_UPDATEs from us
would be ignored.  This session therefore accepts and ignores both frame types, never sends
them, and never limits what it sends; backpressure is the transport's, as in spdystream: when
a pod socket's buffer is full the session stops reading until it drains.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import struct
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger(__name__)

Read = Callable[[], Awaitable[bytes]]
Write = Callable[[bytes], Awaitable[None]]
Dial = Callable[[int], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]

VERSION = 3

# Control frame types.
SYN_STREAM = 1
SYN_REPLY = 2
RST_STREAM = 3
SETTINGS = 4
PING = 6
GOAWAY = 7
HEADERS = 8
WINDOW_UPDATE = 9

# Flags: FIN on data frames and SYN_STREAM/SYN_REPLY/HEADERS, UNIDIRECTIONAL on SYN_STREAM,
# CLEAR_SETTINGS on SETTINGS.
FLAG_FIN = 0x01
FLAG_UNIDIRECTIONAL = 0x02
FLAG_CLEAR_SETTINGS = 0x01

# RST_STREAM status codes used here (the spec has eleven).
PROTOCOL_ERROR = 1
CANCEL = 5

# GOAWAY status codes.
GOAWAY_OK = 0
GOAWAY_PROTOCOL_ERROR = 1

MAX_DATA = 0xFFFFFF  # a frame's length field is 24 bits
MAX_HEADER_BLOCK = 256 * 1024  # decompressed; kubectl's blocks are under 100 bytes
_ID_MASK = 0x7FFFFFFF


# The SPDY/3 header-compression dictionary: these words, each behind its length as a 32-bit
# big-endian integer, then a run of common values with no lengths at all.
_DICTIONARY_WORDS = (
    "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset",
    "accept-encoding", "accept-language", "accept-ranges", "age", "allow", "authorization",
    "cache-control", "connection", "content-base", "content-encoding", "content-language",
    "content-length", "content-location", "content-md5", "content-range", "content-type",
    "date", "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since",
    "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
    "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer",
    "retry-after", "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent",
    "vary", "via", "warning", "www-authenticate", "method", "get", "status", "200 OK",
    "version", "HTTP/1.1", "url", "public", "set-cookie", "keep-alive", "origin",
)
_DICTIONARY_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417"
    "502504505203 Non-Authoritative Information204 No Content301 Moved Permanently"
    "400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error"
    "501 Not Implemented503 Service UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct "
    "Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,"
    "image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,"
    "publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)

DICTIONARY = (b"".join(len(w).to_bytes(4, "big") + w.encode() for w in _DICTIONARY_WORDS)
              + _DICTIONARY_TAIL.encode())

_CONTROL = struct.Struct(">HHI")  # 0x8000 | version, type, flags << 24 | length
_DATA = struct.Struct(">II")  # stream id, flags << 24 | length
_U32 = struct.Struct(">I")
_U32_PAIR = struct.Struct(">II")


class ProtocolError(Exception):
    """The peer sent bytes that are not SPDY/3.1; the session cannot go on."""


class SessionClosed(Exception):
    """The session is over (the client went away or broke the protocol)."""


# --- frames -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DataFrame:
    """Bytes on a stream; ``fin``: the sender's last frame on it."""

    stream_id: int
    data: bytes
    fin: bool = False


@dataclass(frozen=True, slots=True)
class SynStream:
    """Opens a stream, with its headers."""

    stream_id: int
    headers: dict[str, str]
    associated_id: int = 0
    priority: int = 0
    fin: bool = False
    unidirectional: bool = False


@dataclass(frozen=True, slots=True)
class SynReply:
    """Accepts a stream the peer opened."""

    stream_id: int
    headers: dict[str, str]
    fin: bool = False


@dataclass(frozen=True, slots=True)
class RstStream:
    """Ends a stream at once, both ways."""

    stream_id: int
    status: int


@dataclass(frozen=True, slots=True)
class Settings:
    """Session parameters (ignored here, as spdystream ignores them)."""

    entries: tuple[tuple[int, int, int], ...]  # (flags, id, value)
    clear: bool = False


@dataclass(frozen=True, slots=True)
class Ping:
    """Echoed by the receiver; odd ids are the client's, even ones the server's."""

    ping_id: int


@dataclass(frozen=True, slots=True)
class GoAway:
    """The sender opens no more streams; here, the end of the session."""

    last_good_stream_id: int
    status: int = GOAWAY_OK


@dataclass(frozen=True, slots=True)
class Headers:
    """More headers for an open stream."""

    stream_id: int
    headers: dict[str, str]
    fin: bool = False


@dataclass(frozen=True, slots=True)
class WindowUpdate:
    """Flow-control credit (ignored here: see the module docstring)."""

    stream_id: int  # 0: the whole session (SPDY/3.1)
    delta: int


Frame = (DataFrame | SynStream | SynReply | RstStream | Settings | Ping | GoAway | Headers
         | WindowUpdate)


# --- header blocks ----------------------------------------------------------------------------
# A header block is a 32-bit count, then per header a 32-bit length and the (lower-case)
# name, a 32-bit length and the value; several values of one name are joined by NUL.  The
# strings are kept lossless with surrogateescape, since SPDY does not say they are UTF-8.


def encode_header_block(headers: dict[str, str]) -> bytes:
    """The uncompressed SPDY/3 form of ``headers``."""
    out = bytearray(_U32.pack(len(headers)))
    for name, value in headers.items():
        n = name.lower().encode("utf-8", "surrogateescape")
        v = value.encode("utf-8", "surrogateescape")
        out += _U32.pack(len(n)) + n + _U32.pack(len(v)) + v
    return bytes(out)


def decode_header_block(raw: bytes) -> dict[str, str]:
    """Headers from the uncompressed SPDY/3 form; raises ProtocolError if malformed."""
    try:
        (count,) = _U32.unpack_from(raw, 0)
        pos = 4
        headers: dict[str, str] = {}
        for _ in range(count):
            (n,) = _U32.unpack_from(raw, pos)
            name = raw[pos + 4:pos + 4 + n]
            pos += 4 + n
            (m,) = _U32.unpack_from(raw, pos)
            value = raw[pos + 4:pos + 4 + m]
            pos += 4 + m
            if len(name) != n or len(value) != m:
                raise ProtocolError("header block ends inside a header")
            if not name:
                raise ProtocolError("empty header name")
            key = name.decode("utf-8", "surrogateescape").lower()
            if key in headers:
                raise ProtocolError(f"duplicate header {key!r}")
            headers[key] = value.decode("utf-8", "surrogateescape")
    except struct.error as e:
        raise ProtocolError("header block ends inside a length") from e
    if pos != len(raw):
        raise ProtocolError("bytes after the last header")
    return headers


# --- codec ------------------------------------------------------------------------------------


class FrameDecoder:
    """Bytes in, frames out, for one direction of a session.  Input may be split anywhere;
    what is left of an incomplete frame waits for the next :meth:`feed`."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._inflate = zlib.decompressobj(zdict=DICTIONARY)

    def feed(self, data: bytes) -> list[Frame]:
        """The frames completed by ``data``; raises ProtocolError on bytes that are not
        SPDY/3.1 (the decoder is then unusable, as the compression context may be)."""
        buf = self._buf
        buf += data
        frames: list[Frame] = []
        pos, end = 0, len(buf)
        with memoryview(buf) as view:
            while end - pos >= 8:
                first, flags_length = _U32_PAIR.unpack_from(buf, pos)
                length = flags_length & 0xFFFFFF
                body = pos + 8
                if end - body < length:
                    break
                flags = flags_length >> 24
                if first & 0x80000000:
                    frame = self._control(first, flags, view, body, length)
                    if frame is not None:
                        frames.append(frame)
                else:
                    if first == 0:
                        raise ProtocolError("data frame for stream 0")
                    frames.append(DataFrame(first, bytes(view[body:body + length]),
                                            bool(flags & FLAG_FIN)))
                pos = body + length
        del buf[:pos]
        return frames

    def _control(self, first: int, flags: int, view: memoryview, at: int,
                 length: int) -> Frame | None:
        version = (first >> 16) & 0x7FFF
        kind = first & 0xFFFF
        if version != VERSION:
            raise ProtocolError(f"control frame of SPDY version {version}")
        fin = bool(flags & FLAG_FIN)
        if kind == SYN_STREAM:
            if length < 10:
                raise ProtocolError("SYN_STREAM too short")
            stream_id, associated = _U32_PAIR.unpack_from(view, at)
            stream_id &= _ID_MASK
            if stream_id == 0:
                raise ProtocolError("SYN_STREAM for stream 0")
            headers = self._headers(view[at + 10:at + length])
            return SynStream(stream_id, headers, associated & _ID_MASK, view[at + 8] >> 5, fin,
                             bool(flags & FLAG_UNIDIRECTIONAL))
        if kind in (SYN_REPLY, HEADERS):
            if length < 4:
                raise ProtocolError("SYN_REPLY or HEADERS too short")
            stream_id = _U32.unpack_from(view, at)[0] & _ID_MASK
            headers = self._headers(view[at + 4:at + length])
            if kind == SYN_REPLY:
                return SynReply(stream_id, headers, fin)
            return Headers(stream_id, headers, fin)
        if kind == RST_STREAM:
            self._expect(length, 8, "RST_STREAM")
            stream_id, status = _U32_PAIR.unpack_from(view, at)
            if stream_id & _ID_MASK == 0:
                raise ProtocolError("RST_STREAM for stream 0")
            return RstStream(stream_id & _ID_MASK, status)
        if kind == SETTINGS:
            count = _U32.unpack_from(view, at)[0] if length >= 4 else -1
            self._expect(length, 4 + 8 * count, "SETTINGS")
            entries = []
            for i in range(count):
                flags_id, value = _U32_PAIR.unpack_from(view, at + 4 + 8 * i)
                entries.append((flags_id >> 24, flags_id & 0xFFFFFF, value))
            return Settings(tuple(entries), bool(flags & FLAG_CLEAR_SETTINGS))
        if kind == PING:
            self._expect(length, 4, "PING")
            return Ping(_U32.unpack_from(view, at)[0])
        if kind == GOAWAY:
            self._expect(length, 8, "GOAWAY")
            last_good, status = _U32_PAIR.unpack_from(view, at)
            return GoAway(last_good & _ID_MASK, status)
        if kind == WINDOW_UPDATE:
            self._expect(length, 8, "WINDOW_UPDATE")
            stream_id, delta = _U32_PAIR.unpack_from(view, at)
            return WindowUpdate(stream_id & _ID_MASK, delta & _ID_MASK)
        return None  # the spec says to ignore control frames of unknown types

    @staticmethod
    def _expect(length: int, wanted: int, what: str) -> None:
        if length != wanted:
            raise ProtocolError(f"{what} of length {length}")

    def _headers(self, block: memoryview) -> dict[str, str]:
        # Every header block goes through the one context, in order, even for frames
        # nobody reads: skipping one would desynchronise all that follow.
        try:
            raw = self._inflate.decompress(block, MAX_HEADER_BLOCK)
        except zlib.error as e:
            raise ProtocolError(f"header block does not inflate: {e}") from e
        if self._inflate.unconsumed_tail:
            raise ProtocolError("header block too large")
        return decode_header_block(raw)


class FrameEncoder:
    """Frames in, bytes out, for one direction of a session.  Frames with header blocks
    must be encoded in the order they are sent, as they share one compression context."""

    def __init__(self) -> None:
        self._deflate = zlib.compressobj(zdict=DICTIONARY)

    def encode(self, frame: Frame) -> bytes:
        """The wire form of ``frame``."""
        match frame:
            case DataFrame(stream_id, data, fin):
                return encode_data(stream_id, data, fin)
            case SynStream(stream_id, headers, associated, priority, fin, unidirectional):
                flags = (FLAG_FIN if fin else 0) | (FLAG_UNIDIRECTIONAL if unidirectional else 0)
                head = (_U32_PAIR.pack(stream_id, associated)
                        + bytes(((priority & 7) << 5, 0)))
                return self._control(SYN_STREAM, flags, head + self._compress(headers))
            case SynReply(stream_id, headers, fin):
                return self._control(SYN_REPLY, FLAG_FIN if fin else 0,
                                     _U32.pack(stream_id) + self._compress(headers))
            case Headers(stream_id, headers, fin):
                return self._control(HEADERS, FLAG_FIN if fin else 0,
                                     _U32.pack(stream_id) + self._compress(headers))
            case RstStream(stream_id, status):
                return self._control(RST_STREAM, 0, _U32_PAIR.pack(stream_id, status))
            case Settings(entries, clear):
                body = _U32.pack(len(entries)) + b"".join(
                    _U32_PAIR.pack(f << 24 | i, v) for f, i, v in entries)
                return self._control(SETTINGS, FLAG_CLEAR_SETTINGS if clear else 0, body)
            case Ping(ping_id):
                return self._control(PING, 0, _U32.pack(ping_id))
            case GoAway(last_good, status):
                return self._control(GOAWAY, 0, _U32_PAIR.pack(last_good, status))
            case WindowUpdate(stream_id, delta):
                return self._control(WINDOW_UPDATE, 0, _U32_PAIR.pack(stream_id, delta))
        raise TypeError(f"not a SPDY frame: {frame!r}")

    def _compress(self, headers: dict[str, str]) -> bytes:
        block = encode_header_block(headers)
        return self._deflate.compress(block) + self._deflate.flush(zlib.Z_SYNC_FLUSH)

    @staticmethod
    def _control(kind: int, flags: int, body: bytes) -> bytes:
        return _CONTROL.pack(0x8000 | VERSION, kind, flags << 24 | len(body)) + body


def encode_data(stream_id: int, data: bytes, fin: bool = False) -> bytes:
    """A data frame (no compression state involved, so any task may build one)."""
    if len(data) > MAX_DATA:
        raise ValueError(f"{len(data)} bytes do not fit one data frame")
    return _DATA.pack(stream_id, (FLAG_FIN << 24 if fin else 0) | len(data)) + data


# --- session ----------------------------------------------------------------------------------


class StreamHandler(Protocol):
    """What a :class:`Session` tells the protocol running over it.  Calls come in frame
    order from the session's one reading task; one that waits stops the reading."""

    async def stream_opened(self, stream: Stream) -> None:
        """A new client stream: accept it (:meth:`Stream.reply`) or refuse it
        (:meth:`Stream.reset`)."""

    async def stream_data(self, stream: Stream, data: bytes) -> None:
        """Bytes the client sent on ``stream``."""

    async def stream_finished(self, stream: Stream) -> None:
        """The client will send no more on ``stream`` (FIN)."""

    async def stream_reset(self, stream: Stream) -> None:
        """The client reset ``stream``: nothing more goes either way."""

    async def session_closed(self) -> None:
        """The session is over; release everything."""


class Stream:
    """One client-initiated stream.  ``local_closed``: we sent FIN or RST;
    ``remote_closed``: the client did."""

    __slots__ = ("id", "headers", "local_closed", "remote_closed", "was_reset", "_session")

    def __init__(self, session: Session, stream_id: int, headers: dict[str, str]) -> None:
        self.id = stream_id
        self.headers = headers
        self.local_closed = False
        self.remote_closed = False
        self.was_reset = False
        self._session = session

    def header(self, name: str) -> str:
        """The first value of header ``name``, "" if absent."""
        return self.headers.get(name, "").split("\0", 1)[0]

    async def reply(self) -> None:
        """Accept the stream: SYN_REPLY with no headers, as the kubelet sends."""
        await self._session._send(SynReply(self.id, {}))

    async def write(self, data: bytes) -> None:
        """Send ``data`` (at most :data:`MAX_DATA` bytes); dropped once the stream is
        closed on our side."""
        if not self.local_closed:
            await self._session._send(encode_data(self.id, data), self)

    async def close(self) -> None:
        """Half-close our side (an empty data frame with FIN), once."""
        if self.local_closed:
            return
        self.local_closed = True
        self._session._forget_if_closed(self)
        await self._session._send(encode_data(self.id, b"", fin=True))

    async def reset(self, status: int = CANCEL) -> None:
        """End the stream both ways with RST_STREAM, unless it already ended."""
        if self.was_reset or (self.local_closed and self.remote_closed):
            return
        self.local_closed = self.remote_closed = self.was_reset = True
        self._session._forget_if_closed(self)
        await self._session._send(RstStream(self.id, status))


class Session:
    """The server side of one SPDY/3.1 session over ``read``/``write``.

    :meth:`run` reads until the client closes, sends GOAWAY, breaks the protocol, or a
    write to it fails; it never raises for what the client sends.  Writes from any task
    go through one lock, so frames are never interleaved and header blocks are compressed
    in the order they go out.
    """

    def __init__(self, read: Read, write: Write, handler: StreamHandler, name: str) -> None:
        self.name = name
        self._read = read
        self._write = write
        self._handler = handler
        self._decoder = FrameDecoder()
        self._encoder = FrameEncoder()
        self._streams: dict[int, Stream] = {}
        self._last_stream_id = 0
        self._write_lock = asyncio.Lock()
        self._closed = False
        self._lost = asyncio.Event()  # a write failed: the client is gone

    async def run(self) -> None:
        """Serve the session to its end, then let the handler release everything."""
        reading = asyncio.ensure_future(self._read_frames())
        lost = asyncio.ensure_future(self._lost.wait())
        try:
            await asyncio.wait((reading, lost), return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._closed = True
            for task in (reading, lost):
                task.cancel()
            await asyncio.gather(reading, lost, return_exceptions=True)
            try:
                await self._handler.session_closed()
            except Exception:
                log.exception("spdy session %s: releasing its streams", self.name)

    async def _read_frames(self) -> None:
        try:
            while True:
                chunk = await self._read()
                if not chunk:
                    log.debug("spdy session %s: client closed the connection", self.name)
                    return
                for frame in self._decoder.feed(chunk):
                    if not await self._dispatch(frame):
                        return
        except ProtocolError as e:
            log.warning("spdy session %s: protocol error: %s", self.name, e)
            try:
                await self._send(GoAway(self._last_stream_id, GOAWAY_PROTOCOL_ERROR))
            except SessionClosed:
                pass
        except SessionClosed:
            pass
        except (OSError, EOFError) as e:
            log.debug("spdy session %s: reading: %s", self.name, e)
        except Exception:
            log.exception("spdy session %s: ended by an unexpected error", self.name)

    async def _dispatch(self, frame: Frame) -> bool:
        """Act on one frame; False when the session is to end."""
        match frame:
            case DataFrame(stream_id, data, fin):
                stream = self._streams.get(stream_id)
                # spdystream drops data for streams it does not know or that the client
                # already finished, rather than resetting them; so do we.
                if stream is None or stream.remote_closed:
                    return True
                if data:
                    await self._handler.stream_data(stream, data)
                if fin:
                    await self._remote_finished(stream)
            case SynStream(stream_id, headers, _, _, fin, unidirectional):
                # Client stream ids are odd and increase (spdystream resets the others).
                if stream_id % 2 == 0 or stream_id <= self._last_stream_id:
                    log.warning("spdy session %s: invalid new stream id %d", self.name,
                                stream_id)
                    await self._send(RstStream(stream_id, PROTOCOL_ERROR))
                    return True
                self._last_stream_id = stream_id
                stream = Stream(self, stream_id, headers)
                stream.remote_closed = fin
                stream.local_closed = unidirectional
                self._streams[stream_id] = stream
                await self._handler.stream_opened(stream)
                self._forget_if_closed(stream)  # opened with both FIN and UNIDIRECTIONAL
            case RstStream(stream_id, _):
                stream = self._streams.pop(stream_id, None)
                if stream is not None:
                    stream.local_closed = stream.remote_closed = stream.was_reset = True
                    await self._handler.stream_reset(stream)
            case Headers(stream_id, _, fin):
                stream = self._streams.get(stream_id)
                if fin and stream is not None and not stream.remote_closed:
                    await self._remote_finished(stream)
            case Ping(ping_id):
                # Odd ids are the client's own pings; even ones would answer ours, and we
                # send none.
                if ping_id % 2 == 1:
                    await self._send(frame)
            case GoAway():
                log.debug("spdy session %s: client sent GOAWAY", self.name)
                return False
            case SynReply() | Settings() | WindowUpdate():
                pass  # we open no streams; no flow control (see the module docstring)
        return True

    async def _remote_finished(self, stream: Stream) -> None:
        stream.remote_closed = True
        self._forget_if_closed(stream)
        await self._handler.stream_finished(stream)

    def _forget_if_closed(self, stream: Stream) -> None:
        if stream.local_closed and stream.remote_closed:
            self._streams.pop(stream.id, None)

    async def _send(self, frame: Frame | bytes, stream: Stream | None = None) -> None:
        """Write one frame (or an encoded data frame); raises SessionClosed once the
        session is over.  A data frame for ``stream`` is dropped if the stream was reset
        while it waited for its turn."""
        if self._closed:
            raise SessionClosed
        async with self._write_lock:
            if self._closed:
                raise SessionClosed
            if stream is not None and stream.was_reset:
                return
            data = frame if isinstance(frame, bytes) else self._encoder.encode(frame)
            try:
                await self._write(data)
            except Exception as e:
                log.debug("spdy session %s: writing: %s", self.name, e)
                self._closed = True
                self._lost.set()
                raise SessionClosed from e


# --- port-forward ----------------------------------------------------------------------------

STREAM_CREATION_TIMEOUT = 30.0  # the kubelet's default wait for a request's second stream
POD_WRITE_BUFFER = 1 << 20  # bytes queued toward a pod before the session stops reading
POD_READ_CHUNK = 256 * 1024  # at most one data frame per read: fewer, bigger frames


class _Step(enum.Enum):
    """Where one forwarded connection is::

        PAIRING --both streams in--> DIALING --connected--> PIPING --both ways over--> DONE
           |                            |                                             ^
           +-- timed out ---------------+-- dial failed: message on the error stream -+

    and from any step to DONE when the session ends.
    """

    PAIRING = "pairing"
    DIALING = "dialing"
    PIPING = "piping"
    DONE = "done"


def _stream_problem(stream: Stream) -> str:
    """Why the kubelet would refuse ``stream`` ("" if it would not), in its words."""
    port = stream.header("port")
    if not port:
        return '"port" header is required'
    digits = port.lstrip("0")
    if not (port.isascii() and port.isdigit()) or len(digits) > 5 or int(digits or 0) > 65535:
        return f'unable to parse "{port}" as a port'
    if not digits:
        return f'port "{port}" must be > 0'
    kind = stream.header("streamtype")
    if not kind:
        return '"streamtype" header is required'
    if kind not in ("error", "data"):
        return f'invalid stream type "{kind}"'
    return ""


class _Forward:
    """One forwarded connection: the error and data streams of one request id, and the
    pod socket the data stream is piped to.  Client data that comes before the socket is
    held (up to :data:`POD_WRITE_BUFFER`, then the session waits)."""

    def __init__(self, owner: PortForwarder, request_id: str) -> None:
        self.owner = owner
        self.request_id = request_id
        self.step = _Step.PAIRING
        self.error: Stream | None = None
        self.data: Stream | None = None
        self.timer: asyncio.TimerHandle | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._early: list[bytes] = []
        self._early_size = 0
        self._settled = asyncio.Event()  # set on entering PIPING or DONE
        self._client_done = asyncio.Event()  # the client FINed or reset the data stream
        self._client_eof = False
        self._abortive = False  # close the pod socket with RST (reset, or a socket error)

    def _enter(self, step: _Step) -> None:
        self.step = step
        if step in (_Step.PIPING, _Step.DONE):
            self._settled.set()

    def add(self, stream: Stream) -> str:
        """Take ``stream`` as this request's error or data stream; the kubelet's complaint
        if that role is taken."""
        if stream.header("streamtype") == "error":
            if self.error is not None:
                return "error stream already assigned"
            self.error = stream
        else:
            if self.data is not None:
                return "data stream already assigned"
            self.data = stream
            if stream.remote_closed:  # SYN_STREAM with FIN: nothing will come from the client
                self.client_finished()
        return ""

    @property
    def complete(self) -> bool:
        return self.error is not None and self.data is not None

    @property
    def port(self) -> int:
        assert self.data is not None
        return int(self.data.header("port").lstrip("0"))

    async def print_error(self, message: str) -> None:
        if self.error is not None:
            await self.error.write(message.encode())

    async def from_client(self, data: bytes) -> None:
        if self._client_eof or self._abortive or self.step is _Step.DONE:
            return
        if self.step is _Step.PIPING:
            assert self._writer is not None
            if self._writer.is_closing():
                return
            self._writer.write(data)
            try:
                await self._writer.drain()
            except OSError as e:
                self._pod_failed(e)
            return
        self._early.append(data)
        self._early_size += len(data)
        if self._early_size > POD_WRITE_BUFFER:
            await self._settled.wait()

    def client_finished(self) -> None:
        self._client_eof = True
        self._client_done.set()
        writer = self._writer
        if (self.step is _Step.PIPING and writer is not None and not writer.is_closing()
                and writer.can_write_eof()):
            try:
                writer.write_eof()
            except OSError as e:
                self._pod_failed(e)

    def client_reset(self) -> None:
        self._abortive = True
        self._client_done.set()
        if self._writer is not None:
            self._writer.transport.abort()

    def _pod_failed(self, error: Exception) -> None:
        if not self._abortive:
            log.info("port-forward to %s, port %d: pod connection: %s", self.owner.pod,
                     self.port, error)
        self._abortive = True
        if self._writer is not None:
            self._writer.transport.abort()

    async def run(self) -> None:
        """Dial, pipe both ways until both ways have ended, close both streams."""
        assert self.error is not None and self.data is not None
        self._enter(_Step.DIALING)
        try:
            if self._abortive:  # the client reset the data stream before it was paired
                return
            try:
                reader, self._writer = await self.owner.dial(self.port)
            except Exception as e:
                message = (f"error forwarding port {self.port} to pod {self.owner.pod}, "
                           f"uid {self.owner.uid}: {e}")
                log.warning("%s", message)
                await self.error.write(message.encode())
                return
            if self._abortive:
                return
            self._writer.transport.set_write_buffer_limits(high=POD_WRITE_BUFFER)
            for chunk in self._early:
                self._writer.write(chunk)
            self._early.clear()
            if self._client_eof and self._writer.can_write_eof():
                self._writer.write_eof()
            self._enter(_Step.PIPING)
            await self._to_client(reader)
            await self._client_done.wait()
        except SessionClosed:
            pass
        finally:
            await self.finish()

    async def _to_client(self, reader: asyncio.StreamReader) -> None:
        assert self.data is not None
        while not self.data.local_closed:
            try:
                chunk = await reader.read(POD_READ_CHUNK)
            except OSError as e:
                self._pod_failed(e)
                break
            if not chunk:
                break
            await self.data.write(chunk)
        if self._abortive:
            # The pod connection broke: say so with RST rather than a clean end of data.
            await self.data.reset()
            self._client_done.set()
        else:
            await self.data.close()

    async def finish(self) -> None:
        """Close the pod socket and FIN both streams, as the kubelet does when a forward
        ends."""
        self._enter(_Step.DONE)
        self._early.clear()
        if self._writer is not None:
            if self._abortive:
                self._writer.transport.abort()
            else:
                self._writer.close()
        for stream in (self.error, self.data):
            if stream is not None:
                self.owner.streams.pop(stream.id, None)
                try:
                    await stream.close()
                except SessionClosed:
                    pass


class PortForwarder:
    """The ``portforward.k8s.io`` protocol over a :class:`Session`, for one pod.

    Streams are paired by their ``requestid`` header; a client too old to send one gets
    the kubelet's guess, the error stream's id for an error stream and the id minus 2 for
    a data stream (right when the client opens a connection's two streams back to back).
    """

    def __init__(self, dial: Dial, pod: str, uid: str) -> None:
        self.dial = dial
        self.pod = pod
        self.uid = uid
        self.streams: dict[int, _Forward] = {}  # by stream id
        self._pairing: dict[str, _Forward] = {}  # by request id, until both streams are in
        self._tasks: set[asyncio.Task[None]] = set()

    def _request_id(self, stream: Stream) -> str:
        request_id = stream.header("requestid")
        if request_id:
            return request_id
        return str(stream.id if stream.header("streamtype") == "error" else stream.id - 2)

    async def stream_opened(self, stream: Stream) -> None:
        problem = _stream_problem(stream)
        if problem:
            log.warning("port-forward to %s: stream rejected: %s", self.pod, problem)
            await stream.reset()
            return
        await stream.reply()
        request_id = self._request_id(stream)
        forward = self._pairing.get(request_id)
        if forward is None:
            forward = self._pairing[request_id] = _Forward(self, request_id)
            forward.timer = asyncio.get_running_loop().call_later(
                STREAM_CREATION_TIMEOUT, self._pairing_timed_out, forward)
        complaint = forward.add(stream)
        if complaint:
            # The kubelet reports it on the request's error stream and leaves the extra
            # stream open, though nothing will ever use it; it is reset here.
            message = f"error processing stream for request {request_id}: {complaint}"
            log.warning("port-forward to %s: %s", self.pod, message)
            await forward.print_error(message)
            await stream.reset()
            return
        self.streams[stream.id] = forward
        if forward.complete:
            del self._pairing[request_id]
            if forward.timer is not None:
                forward.timer.cancel()
            self._spawn(forward.run())

    def _pairing_timed_out(self, forward: _Forward) -> None:
        self._pairing.pop(forward.request_id, None)
        message = f"(conn={self.pod}, request={forward.request_id}) timed out waiting for streams"
        log.warning("port-forward: %s", message)

        async def give_up() -> None:
            try:
                await forward.print_error(message)
            except SessionClosed:
                pass
            await forward.finish()

        self._spawn(give_up())

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _data_forward(self, stream: Stream) -> _Forward | None:
        forward = self.streams.get(stream.id)
        return forward if forward is not None and forward.data is stream else None

    async def stream_data(self, stream: Stream, data: bytes) -> None:
        forward = self._data_forward(stream)
        if forward is not None:  # what comes on an error stream is ignored, as upstream
            await forward.from_client(data)

    async def stream_finished(self, stream: Stream) -> None:
        forward = self._data_forward(stream)
        if forward is not None:
            forward.client_finished()

    async def stream_reset(self, stream: Stream) -> None:
        forward = self._data_forward(stream)
        if forward is not None:
            forward.client_reset()

    async def session_closed(self) -> None:
        for forward in self._pairing.values():
            if forward.timer is not None:
                forward.timer.cancel()
        self._pairing.clear()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def serve_portforward(read: Read, write: Write, dial: Dial, pod: str, uid: str) -> None:
    """Serve one port-forward session (after the HTTP 101) until the client goes away.

    ``read`` returns the next bytes from the client, split anywhere (b"" when it has
    closed); ``write`` sends bytes to it; ``dial(port)`` connects to a port of the pod,
    raising OSError if it cannot; ``pod`` ("namespace/name") and ``uid`` appear in error
    messages.  Never raises for what the client sends: a broken session is logged and
    closed, and every pod connection it opened is closed with it.
    """
    await Session(read, write, PortForwarder(dial, pod, uid), name=pod).run()
