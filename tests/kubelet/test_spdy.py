"""SPDY/3.1 and kubectl's port-forward protocol, served by ``paddock.kubelet.spdy``.

The codec is checked against frames laid out by hand from the SPDY/3 spec.  The session is
driven over real 127.0.0.1 sockets by a small client written here with its own framing and
its own zlib contexts (it shares only the dictionary, which is checked against its digest),
which behaves as kubectl does: per forwarded connection an error stream (FINed at once) and
a data stream, each waiting for its SYN_REPLY.  The pods are real TCP servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from paddock.kubelet import spdy

pytestmark = pytest.mark.timeout(30)

WAIT = 5.0  # seconds any one step may take before the test fails instead of hanging
POD = "ns/web"
UID = "0b5e8c1d-uid"


# --- a client with its own codec ------------------------------------------------------------


def control(kind: int, body: bytes, flags: int = 0, version: int = 3) -> bytes:
    return struct.pack(">HHI", 0x8000 | version, kind, flags << 24 | len(body)) + body


def data_frame(stream_id: int, data: bytes, fin: bool = False) -> bytes:
    return struct.pack(">II", stream_id, (1 << 24 if fin else 0) | len(data)) + data


def raw_header_block(headers: dict[str, str]) -> bytes:
    out = struct.pack(">I", len(headers))
    for name, value in headers.items():
        out += struct.pack(">I", len(name)) + name.encode()
        out += struct.pack(">I", len(value)) + value.encode()
    return out


def parse_header_block(raw: bytes) -> dict[str, str]:
    (count,) = struct.unpack_from(">I", raw)
    pos, headers = 4, {}
    for _ in range(count):
        (n,) = struct.unpack_from(">I", raw, pos)
        name = raw[pos + 4:pos + 4 + n].decode()
        pos += 4 + n
        (n,) = struct.unpack_from(">I", raw, pos)
        headers[name] = raw[pos + 4:pos + 4 + n].decode()
        pos += 4 + n
    assert pos == len(raw)
    return headers


class ClientStream:
    def __init__(self, client: Client, stream_id: int) -> None:
        self.client = client
        self.id = stream_id
        self.replied: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()
        self.received = bytearray()
        self.ended = asyncio.Event()  # FIN or RST from the server
        self.fin = False
        self.reset_status: int | None = None

    async def send(self, data: bytes, fin: bool = False, frame_size: int = 32 * 1024) -> None:
        """Send like Go's io.Copy through spdystream: one data frame per 32 KiB."""
        for i in range(0, len(data), frame_size):
            self.client.writer.write(data_frame(self.id, data[i:i + frame_size]))
            await self.client.writer.drain()
        if fin:
            self.client.writer.write(data_frame(self.id, b"", fin=True))
            await self.client.writer.drain()

    def reset(self, status: int = 5) -> None:
        self.client.writer.write(control(3, struct.pack(">II", self.id, status)))

    async def read_all(self) -> bytes:
        await asyncio.wait_for(self.ended.wait(), WAIT)
        return bytes(self.received)

    async def read_at_least(self, n: int) -> bytes:
        async def enough() -> None:
            while len(self.received) < n:
                await asyncio.sleep(0.005)
        await asyncio.wait_for(enough(), WAIT)
        return bytes(self.received)


class Client:
    """The client end of a SPDY/3.1 session, over a socket."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.deflate = zlib.compressobj(zdict=spdy.DICTIONARY)
        self.inflate = zlib.decompressobj(zdict=spdy.DICTIONARY)
        self.streams: dict[int, ClientStream] = {}
        self.next_id = 1
        self.pings: asyncio.Queue[int] = asyncio.Queue()
        self.control_kinds: list[int] = []  # every control frame type received
        self.goaway: tuple[int, int] | None = None
        self.closed = asyncio.Event()
        self.task = asyncio.ensure_future(self._read_loop())

    def compress(self, headers: dict[str, str]) -> bytes:
        return (self.deflate.compress(raw_header_block(headers))
                + self.deflate.flush(zlib.Z_SYNC_FLUSH))

    def open(self, headers: dict[str, str], fin: bool = False,
             stream_id: int | None = None) -> ClientStream:
        sid = stream_id if stream_id is not None else self.next_id
        self.next_id = sid + 2
        stream = self.streams[sid] = ClientStream(self, sid)
        body = struct.pack(">IIBB", sid, 0, 0, 0) + self.compress(headers)
        self.writer.write(control(1, body, flags=1 if fin else 0))
        return stream

    async def forward(self, port: int, request_id: int | None) -> tuple[ClientStream,
                                                                        ClientStream]:
        """Open one forwarded connection the way kubectl does."""
        headers = {"streamtype": "error", "port": str(port)}
        if request_id is not None:
            headers["requestid"] = str(request_id)
        error = self.open(headers)
        await asyncio.wait_for(error.replied, WAIT)
        await error.send(b"", fin=True)  # kubectl: "we're not writing to this stream"
        data = self.open({**headers, "streamtype": "data"})
        await asyncio.wait_for(data.replied, WAIT)
        return error, data

    async def ping(self, ping_id: int) -> None:
        self.writer.write(control(6, struct.pack(">I", ping_id)))
        await self.writer.drain()

    async def _read_loop(self) -> None:
        try:
            while True:
                head = await self.reader.readexactly(8)
                first, flags_length = struct.unpack(">II", head)
                flags, length = flags_length >> 24, flags_length & 0xFFFFFF
                body = await self.reader.readexactly(length)
                if first & 0x80000000:
                    self._control(first & 0xFFFF, flags, body)
                    continue
                stream = self.streams[first]
                assert stream.replied.done(), "data before SYN_REPLY"
                assert not stream.ended.is_set(), "data after FIN or RST"
                stream.received += body
                if flags & 1:
                    stream.fin = True
                    stream.ended.set()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.closed.set()

    def _control(self, kind: int, flags: int, body: bytes) -> None:
        self.control_kinds.append(kind)
        if kind == 2:  # SYN_REPLY
            (sid,) = struct.unpack_from(">I", body)
            headers = parse_header_block(self.inflate.decompress(body[4:]))
            self.streams[sid].replied.set_result(headers)
        elif kind == 3:  # RST_STREAM
            sid, status = struct.unpack(">II", body)
            self.streams[sid].reset_status = status
            self.streams[sid].ended.set()
        elif kind == 6:
            self.pings.put_nowait(struct.unpack(">I", body)[0])
        elif kind == 7:
            self.goaway = struct.unpack(">II", body)


# --- pods and the server ----------------------------------------------------------------------


class Pod:
    """A TCP server on 127.0.0.1 standing in for a port of a pod.  ``echo`` sends back what
    it gets and closes at EOF; ``download`` sends ``payload``, shuts its writing side, then
    keeps what it gets until EOF."""

    def __init__(self, mode: str = "echo", payload: bytes = b"") -> None:
        self.mode = mode
        self.payload = payload
        self.port = 0
        self.open = 0
        self.accepted = 0
        self.received: list[bytes] = []  # per connection, once it has ended
        self.changed = asyncio.Event()
        self.server: asyncio.Server | None = None

    async def start(self) -> Pod:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        self.accepted += 1
        self.changed.set()
        got = bytearray()
        try:
            if self.mode == "download":
                writer.write(self.payload)
                await writer.drain()
                writer.write_eof()
            while chunk := await reader.read(256 * 1024):
                got += chunk
                if self.mode == "echo":
                    writer.write(chunk)
                    await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()
            self.received.append(bytes(got))
            self.open -= 1
            self.changed.set()

    async def wait_for(self, condition: Callable[[], bool]) -> None:
        async def until() -> None:
            while not condition():
                self.changed.clear()
                await self.changed.wait()
        await asyncio.wait_for(until(), WAIT)

    def close(self) -> None:
        assert self.server is not None
        self.server.close()


async def dial(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


class Kubelet:
    """What serve_portforward runs (a Session with a PortForwarder) behind a 127.0.0.1
    listener, as the kubelet's server would after the upgrade, keeping hold of the parts so
    a test can look at them; ``chunk`` is the most one ``read()`` returns."""

    def __init__(self, chunk: int = 64 * 1024) -> None:
        self.chunk = chunk
        self.served = asyncio.Event()
        self.error: BaseException | None = None
        self.server: asyncio.Server | None = None
        self.forwarder: spdy.PortForwarder | None = None
        self.session: spdy.Session | None = None

    async def connect(self) -> Client:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return Client(*await asyncio.open_connection("127.0.0.1", port))

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def read() -> bytes:
            return await reader.read(self.chunk)

        async def write(data: bytes) -> None:
            writer.write(data)
            await writer.drain()

        try:
            # What serve_portforward does, keeping hold of the parts.
            self.forwarder = spdy.PortForwarder(dial, POD, UID)
            self.session = spdy.Session(read, write, self.forwarder, POD)
            await self.session.run()
        except BaseException as e:
            self.error = e
        finally:
            writer.close()
            self.served.set()

    async def wait_served(self) -> None:
        await asyncio.wait_for(self.served.wait(), WAIT)
        assert self.error is None, self.error

    def close(self) -> None:
        assert self.server is not None
        self.server.close()


@contextlib.asynccontextmanager
async def session(chunk: int = 64 * 1024) -> AsyncIterator[tuple[Kubelet, Client]]:
    """A Kubelet serving a connected Client.  On a clean exit the client hangs up and the
    session must then end without error; a failing test skips this, as its failure says more."""
    kubelet = Kubelet(chunk)
    client = await kubelet.connect()
    yield kubelet, client
    client.writer.close()
    await kubelet.wait_served()
    kubelet.close()


@contextlib.asynccontextmanager
async def forwarding(mode: str = "echo", payload: bytes = b"",
                     chunk: int = 64 * 1024) -> AsyncIterator[tuple[Pod, Kubelet, Client]]:
    """A ``session`` and a Pod (see ``Pod`` for ``mode`` and ``payload``) to forward to; on
    a clean exit the session ends as in ``session``, then the pod stops listening."""
    pod = await Pod(mode, payload).start()
    async with session(chunk) as (kubelet, client):
        yield pod, kubelet, client
    pod.close()


async def serve(read: Callable[[], Awaitable[bytes]],
                write: Callable[[bytes], Awaitable[None]]) -> None:
    """serve_portforward for the pod ``POD``, dialling 127.0.0.1."""
    await spdy.serve_portforward(read, write, dial, POD, UID)


def run(test: Callable[[], Awaitable[Any]]) -> Any:
    return asyncio.run(asyncio.wait_for(test(), 20))


# --- the codec --------------------------------------------------------------------------------


def test_dictionary_is_the_spdy3_header_dictionary() -> None:
    assert len(spdy.DICTIONARY) == 1423
    assert hashlib.sha256(spdy.DICTIONARY).hexdigest() == (
        "51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02")


def hand_built_frames() -> tuple[bytes, list[spdy.Frame]]:
    deflate = zlib.compressobj(zdict=spdy.DICTIONARY)

    def block(headers: dict[str, str]) -> bytes:
        return deflate.compress(raw_header_block(headers)) + deflate.flush(zlib.Z_SYNC_FLUSH)

    headers = {"streamtype": "error", "port": "8080", "requestid": "0"}
    wire = b"".join([
        # SYN_STREAM 1, priority 2, header block compressed by zlib itself
        control(1, struct.pack(">IIBB", 1, 0, 2 << 5, 0) + block(headers), flags=0x01),
        # the same headers again: compressed against the same context, so much shorter
        control(1, struct.pack(">IIBB", 3, 1, 0, 0) + block(headers), flags=0x02),
        control(2, struct.pack(">I", 3) + block({})),
        control(8, struct.pack(">I", 3) + block({"a": "b\x00c"}), flags=0x01),
        control(3, struct.pack(">II", 3, 5)),
        control(4, struct.pack(">IIIII", 2, 0x01000007, 65536, 0x00000004, 100), flags=0x01),
        control(6, struct.pack(">I", 7)),
        control(7, struct.pack(">II", 5, 1)),
        control(9, struct.pack(">II", 0, 1 << 20)),
        control(10, b"credential frames are unknown to SPDY/3.1, so ignored"),
        data_frame(3, b"hello"),
        data_frame(3, b"", fin=True),
    ])
    frames: list[spdy.Frame] = [
        spdy.SynStream(1, headers, priority=2, fin=True),
        spdy.SynStream(3, headers, associated_id=1, unidirectional=True),
        spdy.SynReply(3, {}),
        spdy.Headers(3, {"a": "b\x00c"}, fin=True),
        spdy.RstStream(3, spdy.CANCEL),
        spdy.Settings(((1, 7, 65536), (0, 4, 100)), clear=True),
        spdy.Ping(7),
        spdy.GoAway(5, spdy.GOAWAY_PROTOCOL_ERROR),
        spdy.WindowUpdate(0, 1 << 20),
        spdy.DataFrame(3, b"hello"),
        spdy.DataFrame(3, b"", fin=True),
    ]
    return wire, frames


def test_decoder_reads_frames_laid_out_by_hand_from_the_spec() -> None:
    wire, frames = hand_built_frames()
    assert spdy.FrameDecoder().feed(wire) == frames


def test_decoder_reads_the_same_frames_one_byte_at_a_time() -> None:
    wire, frames = hand_built_frames()
    decoder = spdy.FrameDecoder()
    got = [f for i in range(len(wire)) for f in decoder.feed(wire[i:i + 1])]
    assert got == frames


def test_encoder_lays_frames_out_as_the_spec_does() -> None:
    enc = spdy.FrameEncoder()
    assert enc.encode(spdy.Ping(5)) == bytes.fromhex("80030006 00000004 00000005")
    assert enc.encode(spdy.RstStream(3, 5)) == bytes.fromhex("80030003 00000008 00000003 00000005")
    assert enc.encode(spdy.GoAway(7, 1)) == bytes.fromhex("80030007 00000008 00000007 00000001")
    assert enc.encode(spdy.WindowUpdate(1, 9)) == bytes.fromhex(
        "80030009 00000008 00000001 00000009")
    assert enc.encode(spdy.DataFrame(1, b"hi", fin=True)) == bytes.fromhex("00000001 01000002 6869")
    reply = enc.encode(spdy.SynReply(1, {}))
    assert reply[:4] == bytes.fromhex("80030002")
    assert struct.unpack(">II", reply[4:12]) == (len(reply) - 8, 1)
    inflate = zlib.decompressobj(zdict=spdy.DICTIONARY)
    assert inflate.decompress(reply[12:]) == b"\x00\x00\x00\x00"


def test_header_blocks_share_one_compression_context_across_frames() -> None:
    enc = spdy.FrameEncoder()
    headers = {"streamtype": "data", "port": "80", "requestid": "12"}
    frames = [enc.encode(spdy.SynStream(sid, headers)) for sid in (1, 3, 5)]
    assert len(frames[1]) < len(frames[0]) and len(frames[2]) <= len(frames[1])
    # An independent zlib context, fed the blocks in order, reads every one ...
    inflate = zlib.decompressobj(zdict=spdy.DICTIONARY)
    for frame in frames:
        assert parse_header_block(inflate.decompress(frame[18:])) == headers
    # ... and so does the decoder, which cannot read the second without the first.
    decoder = spdy.FrameDecoder()
    assert [f.headers for f in decoder.feed(b"".join(frames))] == [headers] * 3  # type: ignore[union-attr]
    with pytest.raises(spdy.ProtocolError):
        spdy.FrameDecoder().feed(frames[1])


def test_every_frame_type_survives_a_round_trip() -> None:
    _, frames = hand_built_frames()
    enc, dec = spdy.FrameEncoder(), spdy.FrameDecoder()
    assert dec.feed(b"".join(enc.encode(f) for f in frames)) == frames


@pytest.mark.parametrize("wire", [
    control(6, struct.pack(">I", 1), version=2),  # not SPDY/3
    control(6, struct.pack(">II", 1, 2)),  # PING of the wrong length
    control(1, struct.pack(">IIBB", 1, 0, 0, 0) + b"not zlib at all"),
    control(1, struct.pack(">IIBB", 0, 0, 0, 0)),  # stream 0
    data_frame(0, b"x"),
])
def test_decoder_refuses_what_is_not_spdy(wire: bytes) -> None:
    with pytest.raises(spdy.ProtocolError):
        spdy.FrameDecoder().feed(wire)


# --- the session ------------------------------------------------------------------------------


def test_ping_is_answered_with_its_own_id() -> None:
    async def go() -> None:
        async with session() as (_, client):
            for ping_id in (1, 2, 3):  # even ids would answer the server's pings: not echoed
                await client.ping(ping_id)
            assert await asyncio.wait_for(client.pings.get(), WAIT) == 1
            assert await asyncio.wait_for(client.pings.get(), WAIT) == 3

    run(go)


def test_four_megabytes_go_each_way_through_one_forwarded_connection() -> None:
    async def go() -> None:
        async with forwarding() as (pod, _, client):
            # The client announces a tiny window and never widens it: spdystream does not do
            # flow control, so the server must not wait for window either.
            client.writer.write(control(4, struct.pack(">III", 1, 7, 1024)))
            error, data = await client.forward(pod.port, 0)
            payload = random.Random(1).randbytes(4 << 20)
            await data.send(payload, fin=True)
            assert await data.read_all() == payload
            assert data.fin
            assert await error.read_all() == b""
            assert error.fin
            await pod.wait_for(lambda: pod.received == [payload])
            assert spdy.WINDOW_UPDATE not in client.control_kinds
            assert spdy.SETTINGS not in client.control_kinds

    run(go)


def test_each_side_can_half_close_while_the_other_keeps_sending() -> None:
    async def go() -> None:
        download = random.Random(2).randbytes(1 << 20)
        async with forwarding("download", download) as (pod, _, client):
            error, data = await client.forward(pod.port, 0)
            assert await data.read_all() == download  # pod EOF: FIN on the data stream
            assert data.fin and not error.ended.is_set()
            await data.send(b"still here", fin=True)  # client FIN: the pod reads EOF
            await pod.wait_for(lambda: pod.received == [b"still here"])
            assert await error.read_all() == b""

    run(go)


def test_many_connections_share_one_session() -> None:
    async def go() -> None:
        async with forwarding() as (pod, _, client):
            async def one(i: int) -> None:
                _, data = await client.forward(pod.port, i)
                payload = random.Random(i).randbytes(100_000 + i)
                await data.send(payload, fin=True)
                assert await data.read_all() == payload

            await asyncio.gather(*(one(i) for i in range(12)))
            assert pod.accepted == 12

    run(go)


def test_finished_connections_leave_nothing_behind() -> None:
    async def go() -> None:
        async with forwarding() as (pod, kubelet, client):
            for i in range(5):
                error, data = await client.forward(pod.port, i)
                await data.send(b"x" * 1000, fin=True)
                await data.read_all()
                await error.read_all()
            # kubectl's own ending: after the data stream's FIN it resets the stream.
            error, data = await client.forward(pod.port, 5)
            await data.send(b"y")
            await data.read_at_least(1)
            data.reset()
            await error.read_all()
            await pod.wait_for(lambda: pod.open == 0)
            await asyncio.sleep(0.05)  # the reset's bookkeeping runs after the pod sees it
            assert kubelet.session is not None and kubelet.forwarder is not None
            assert kubelet.session._streams == {}
            assert kubelet.forwarder.streams == {} and kubelet.forwarder._pairing == {}
            assert not kubelet.forwarder._tasks

    run(go)


def test_streams_without_request_ids_pair_by_stream_id() -> None:
    async def go() -> None:
        async with forwarding() as (pod, _, client):
            for _ in range(2):
                error, data = await client.forward(pod.port, None)
                await data.send(b"old client", fin=True)
                assert await data.read_all() == b"old client"
                assert await error.read_all() == b""

    run(go)


def test_data_sent_before_the_pair_is_complete_reaches_the_pod() -> None:
    async def go() -> None:
        async with forwarding() as (pod, _, client):
            headers = {"streamtype": "data", "port": str(pod.port), "requestid": "3"}
            data = client.open(headers)
            await asyncio.wait_for(data.replied, WAIT)
            await data.send(b"early", fin=True)
            error = client.open({**headers, "streamtype": "error"})
            assert await data.read_all() == b"early"
            assert await error.read_all() == b""

    run(go)


def test_a_second_stream_of_one_kind_is_reported_and_reset() -> None:
    async def go() -> None:
        async with session() as (_, client):
            headers = {"streamtype": "error", "port": "80", "requestid": "4"}
            first = client.open(headers)
            second = client.open(headers)
            await asyncio.wait_for(second.ended.wait(), WAIT)
            assert second.reset_status == spdy.CANCEL
            assert await first.read_at_least(1) == (
                b"error processing stream for request 4: error stream already assigned")

    run(go)


def test_a_failed_dial_is_reported_on_the_error_stream() -> None:
    async def go() -> None:
        pod = await Pod().start()
        port = pod.port
        pod.close()
        await pod.server.wait_closed()  # type: ignore[union-attr]
        async with session() as (_, client):
            error, data = await client.forward(port, 0)
            message = (await error.read_all()).decode()
            assert message.startswith(f"error forwarding port {port} to pod {POD}, uid {UID}: ")
            assert "refused" in message.lower() or "failed" in message.lower()
            assert error.fin
            assert await data.read_all() == b"" and data.fin

    run(go)


def test_streams_the_kubelet_would_refuse_are_reset() -> None:
    async def go() -> None:
        async with session() as (_, client):
            bad = [
                {"streamtype": "data"},
                {"streamtype": "data", "port": "http"},
                {"streamtype": "data", "port": "0"},
                {"streamtype": "data", "port": "70000"},
                {"port": "80"},
                {"streamtype": "stdin", "port": "80"},
            ]
            streams = [client.open(h) for h in bad]
            for stream in streams:
                await asyncio.wait_for(stream.ended.wait(), WAIT)
                assert stream.reset_status == spdy.CANCEL and not stream.replied.done()

    run(go)


def test_a_lone_stream_gets_the_kubelet_timeout_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spdy, "STREAM_CREATION_TIMEOUT", 0.05)

    async def go() -> None:
        async with session() as (_, client):
            error = client.open({"streamtype": "error", "port": "80", "requestid": "7"})
            message = (await error.read_all()).decode()
            assert message == f"(conn={POD}, request=7) timed out waiting for streams"

    run(go)


def test_client_reset_of_the_data_stream_closes_the_pod_connection() -> None:
    async def go() -> None:
        async with forwarding() as (pod, _, client):
            error, data = await client.forward(pod.port, 0)
            await data.send(b"ping")
            assert await data.read_at_least(4) == b"ping"
            data.reset()
            await pod.wait_for(lambda: pod.accepted == 1 and pod.open == 0)
            assert await error.read_all() == b"" and error.fin
            # The session goes on: another connection works.
            _, data2 = await client.forward(pod.port, 1)
            await data2.send(b"again", fin=True)
            assert await data2.read_all() == b"again"

    run(go)


@pytest.mark.parametrize("ending", ["eof", "goaway"])
def test_the_end_of_the_session_closes_every_pod_connection(ending: str) -> None:
    async def go() -> None:
        pod = await Pod("echo").start()
        kubelet = Kubelet()
        client = await kubelet.connect()
        for i in range(3):
            _, data = await client.forward(pod.port, i)
            await data.send(b"hello")
            await data.read_at_least(5)
        assert pod.open == 3
        if ending == "goaway":
            client.writer.write(control(7, struct.pack(">II", 0, 0)))
        else:
            client.writer.close()
        await kubelet.wait_served()
        await pod.wait_for(lambda: pod.open == 0)
        assert pod.received == [b"hello"] * 3
        client.writer.close()
        kubelet.close()
        pod.close()

    run(go)


def test_input_split_into_single_bytes_is_understood() -> None:
    async def go() -> None:
        async with forwarding(chunk=1) as (pod, _, client):
            await client.ping(9)
            assert await asyncio.wait_for(client.pings.get(), WAIT) == 9
            for i in range(2):
                error, data = await client.forward(pod.port, i)
                await data.send(b"one byte at a time" * 20, fin=True)
                assert await data.read_all() == b"one byte at a time" * 20
                assert await error.read_all() == b""

    run(go)


def garbage_inputs() -> list[tuple[list[bytes], bool | None]]:
    """Inputs, and whether they break the protocol (rather than end mid-frame)."""
    rnd = random.Random(3)
    syn = control(1, struct.pack(">IIBB", 1, 0, 0, 0) + zlib.compressobj(
        zdict=spdy.DICTIONARY).compress(raw_header_block({"port": "1"})))
    return [
        ([rnd.randbytes(65536)], False),  # reads as the start of one huge data frame
        ([rnd.randbytes(7) for _ in range(50)], False),
        ([b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"], False),
        ([control(rnd.randrange(1, 12), rnd.randbytes(rnd.randrange(40)))
          for _ in range(200)], None),  # random control frames: either outcome will do
        ([control(6, struct.pack(">I", 1), version=2)], True),
        ([control(1, struct.pack(">IIBB", 1, 0, 0, 0) + b"\x78\xbb garbage")], True),
        ([syn], True),  # a header block cut short of its sync flush
        ([control(1, struct.pack(">IIBB", 1, 0, 0, 0)
                  + zlib.compress(struct.pack(">I", 0xFFFFFFFF)))], True),
        ([control(4, struct.pack(">I", 1000))], True),  # SETTINGS shorter than its count
        ([control(3, struct.pack(">II", 9, 1)), data_frame(9, b"x"), control(2, b"\0\0\0\1")],
         True),  # unknown streams are ignored; a SYN_REPLY without a header block is not
        ([data_frame(1, b"cut short")[:-3]], False),
    ]


@pytest.mark.parametrize(("chunks", "broken"), garbage_inputs())
def test_garbage_from_the_client_ends_the_session_without_raising(chunks: list[bytes],
                                                                  broken: bool | None) -> None:
    async def go() -> list[bytes]:
        pending = list(chunks)
        written: list[bytes] = []

        async def read() -> bytes:
            return pending.pop(0) if pending else b""

        async def write(data: bytes) -> None:
            written.append(data)

        await asyncio.wait_for(serve(read, write), WAIT)
        return written

    written = run(go)
    if broken is True:
        assert written[-1][:4] == bytes.fromhex("80030007")  # GOAWAY ...
        assert written[-1][-4:] == struct.pack(">I", spdy.GOAWAY_PROTOCOL_ERROR)
    elif broken is False:
        assert written == []


def test_a_client_that_vanishes_mid_session_does_not_raise() -> None:
    async def go() -> None:
        async def read() -> bytes:
            raise ConnectionResetError("peer went away")

        async def failing_write(data: bytes) -> None:
            raise ConnectionResetError("peer went away")

        await asyncio.wait_for(serve(read, failing_write), WAIT)

        pings = [control(6, struct.pack(">I", 1))]

        async def read_pings() -> bytes:
            if pings:
                return pings.pop()
            await asyncio.sleep(WAIT * 2)  # the client never closes; the failed write ends it
            return b""

        await asyncio.wait_for(serve(read_pings, failing_write), WAIT)

    run(go)
