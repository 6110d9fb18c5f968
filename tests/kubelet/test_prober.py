"""Container probes and lifecycle handlers as upstream's kubelet runs them, against real
things: commands run as host processes, a real HTTP(S) server on 127.0.0.1 whose answers
the tests change, a real TCP listener.  Periods are fractions of a second to keep it quick."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import os
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from paddock.kubelet.prober import ContainerProbes, run_handler

pytestmark = pytest.mark.timeout(30)
POD = {"metadata": {"name": "p", "namespace": "default", "uid": "u1"}}


class HostTarget:
    """A ProbeTarget on the host: commands are local processes, connections local ones."""

    def __init__(self, ports: dict[str, int] | None = None) -> None:
        self.pod_ip = "127.0.0.1"
        self.ports = ports or {}
        self.execs: list[tuple[float, list[str]]] = []
        self.pids: list[int] = []

    async def exec(self, argv: list[str], timeout: float) -> tuple[int, bytes]:
        self.execs.append((asyncio.get_running_loop().time(), argv))
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        self.pids.append(proc.pid)
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout)
        except BaseException:  # timed out or cancelled: leave nothing running
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise
        assert proc.returncode is not None
        return proc.returncode, out

    async def connect(self, host: str, port: int,
                      timeout: float) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.wait_for(asyncio.open_connection(host, port), timeout)

    def ran(self, word: str) -> int:
        return sum(1 for _, argv in self.execs if word in argv)


class Server:
    """An HTTP server whose /healthz answers ``status`` (or the next of ``script``); it
    records every request it sees."""

    def __init__(self) -> None:
        self.status = 200
        self.script: list[int] = []
        self.answers: list[int] = []
        self.seen: list[tuple[str, Any]] = []
        self.port = 0

    def hits(self, path: str = "/healthz") -> int:
        return sum(1 for p, _ in self.seen if p.split("?")[0] == path)

    def headers(self, path: str) -> Any:
        return next(h for p, h in self.seen if p.split("?")[0] == path)

    def _saw(self, request: web.Request) -> None:
        self.seen.append((request.path_qs, request.headers))

    async def healthz(self, request: web.Request) -> web.Response:
        self._saw(request)
        status = self.script.pop(0) if self.script else self.status
        self.answers.append(status)
        return web.Response(status=status, text="ok" if status < 400 else "bad")

    async def redirect(self, request: web.Request) -> web.Response:
        self._saw(request)
        step = request.match_info["to"]
        if step == "here":
            return web.Response(status=302, headers={"Location": "/healthz"}, text="moved")
        if step == "away":  # the same server under another host name: not followed
            return web.Response(status=302, headers={"Location": f"http://localhost:{self.port}/healthz"},
                                text="x" * 20000)
        return web.Response(status=302, headers={"Location": f"/r/{int(step) + 1}"})

    async def big(self, request: web.Request) -> web.Response:
        self._saw(request)
        return web.Response(body=b"x" * (1 << 20))

    async def hook(self, request: web.Request) -> web.Response:
        self._saw(request)
        return web.Response(status=self.status)


@contextlib.asynccontextmanager
async def serving(tls: ssl.SSLContext | None = None) -> AsyncIterator[Server]:
    server = Server()
    app = web.Application()
    app.router.add_get("/healthz", server.healthz)
    app.router.add_get("/r/{to}", server.redirect)
    app.router.add_get("/big", server.big)
    app.router.add_get("/hook", server.hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=tls).start()
    server.port = runner.addresses[0][1]
    try:
        yield server
    finally:
        await runner.cleanup()


class Watch:
    """The callbacks of a ContainerProbes, recorded; ``mark()`` is noted with each change
    of readiness."""

    def __init__(self, mark: Callable[[], Any] = lambda: None) -> None:
        self.ready: list[tuple[bool, Any]] = []
        self.started: list[bool] = []
        self.kills: list[tuple[str, str]] = []
        self.events: list[tuple[str, str, str]] = []
        self.mark = mark

    def probes(self, spec: dict[str, Any], target: HostTarget, **kw: Any) -> ContainerProbes:
        return ContainerProbes(
            {"name": "c", **spec}, target, on_ready=lambda v: self.ready.append((v, self.mark())),
            on_started=self.started.append, on_kill=lambda r, m: self.kills.append((r, m)),
            on_event=lambda t, r, m: self.events.append((t, r, m)), **kw)

    def said(self, reason: str = "Unhealthy") -> list[str]:
        return [m for _, r, m in self.events if r == reason]


def fast(action: dict[str, Any], **settings: Any) -> dict[str, Any]:
    return {"periodSeconds": 0.05, "timeoutSeconds": 1, **action, **settings}


def get(port: int | str, path: str = "/healthz", **more: Any) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": port, **more}}


async def eventually(cond: Callable[[], object], within: float = 5.0) -> None:
    end = time.monotonic() + within
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("not so in time")
        await asyncio.sleep(0.01)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """A server context with a self-signed certificate that names nothing a probe uses."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "not-the-pod")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    d: Path = tmp_path_factory.mktemp("tls")
    (d / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                  serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(d / "cert.pem", d / "key.pem")
    return ctx


def test_a_container_without_probes_is_started_and_ready_at_once() -> None:
    async def go() -> None:
        watch = Watch()
        probes = watch.probes({}, HostTarget())
        assert not probes.started and not probes.ready
        probes.start()
        assert probes.started and probes.ready
        await probes.stop()
        assert not probes.started and not probes.ready
        assert watch.started == [True, False] and [r for r, _ in watch.ready] == [True, False]

    asyncio.run(go())


def test_readiness_needs_success_threshold_successes_and_failure_threshold_failures() -> None:
    async def go() -> None:
        async with serving() as server:
            watch = Watch(mark=lambda: list(server.answers))
            probes = watch.probes({"readinessProbe": fast(get(server.port), successThreshold=3,
                                                          failureThreshold=2)}, HostTarget())
            probes.start()
            assert probes.started and not probes.ready  # not ready before it succeeds
            await eventually(lambda: probes.ready)
            assert watch.ready[0] == (True, [200, 200, 200])
            server.status = 500
            await eventually(lambda: not probes.ready)
            flipped = watch.ready[1][1]
            assert flipped[3:] == [500, 500]
            server.status = 200
            await eventually(lambda: probes.ready)
            assert watch.ready[2][1][len(flipped):][-3:] == [200, 200, 200]
            await probes.stop()
            assert watch.kills == []
            failed = watch.said()
            assert failed and set(failed) == {"Readiness probe failed: HTTP probe failed with statuscode: 500"}

    asyncio.run(go())


def test_liveness_kills_after_failure_threshold_failures_in_a_row_then_holds() -> None:
    async def go() -> None:
        async with serving() as server:
            server.script = [500, 500, 200, 500, 500, 500]
            watch = Watch()
            probes = watch.probes({"livenessProbe": fast(get(server.port),
                                                         terminationGracePeriodSeconds=7)}, HostTarget())
            probes.start()
            await eventually(lambda: watch.kills)
            message = "Container c failed liveness probe, will be restarted"
            assert watch.kills == [("LivenessProbe", message)]
            assert server.answers == [500, 500, 200, 500, 500, 500]  # the success broke the run
            assert probes.kill_grace_seconds == 7
            assert all(reason != "Killing" for _, reason, _ in watch.events)  # the killer's to record
            assert watch.said() == ["Liveness probe failed: HTTP probe failed with statuscode: 500"] * 5
            await asyncio.sleep(0.25)
            assert server.hits() == 6  # on hold until the next instance
            await probes.stop()
            probes.start()  # the restarted container
            assert probes.kill_grace_seconds is None
            await eventually(lambda: server.hits() > 8)
            assert len(watch.kills) == 1
            await probes.stop()

    asyncio.run(go())


def test_initial_delay_postpones_the_first_probe() -> None:
    async def go() -> None:
        target = HostTarget()
        probes = Watch().probes({"readinessProbe": fast({"exec": {"command": ["true"]}},
                                                        initialDelaySeconds=0.3)}, target)
        t0 = asyncio.get_running_loop().time()
        probes.start()
        await asyncio.sleep(0.2)
        assert target.execs == [] and not probes.ready
        await eventually(lambda: probes.ready)
        assert target.execs[0][0] - t0 >= 0.29
        await probes.stop()

    asyncio.run(go())


def test_startup_probe_gates_liveness_and_readiness(tmp_path: Path) -> None:
    async def go() -> None:
        flag = tmp_path / "started"
        accepted = []

        async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted.append(1)
            writer.close()

        listener = await asyncio.start_server(accept, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        async with serving() as server:
            watch = Watch()
            probes = watch.probes({
                "startupProbe": fast({"exec": {"command": ["test", "-f", str(flag)]}},
                                     failureThreshold=1000),
                "livenessProbe": fast(get(server.port)),
                # a long period: readiness is probed at once when the container has started
                "readinessProbe": fast({"tcpSocket": {"port": port}}, periodSeconds=30),
            }, HostTarget())
            probes.start()
            await asyncio.sleep(0.3)
            assert not probes.started and not probes.ready
            assert server.hits() == 0 and accepted == []
            assert watch.said()[0] == "Startup probe failed: "
            flag.touch()
            await eventually(lambda: probes.started)
            await eventually(lambda: probes.ready, within=2)
            await eventually(lambda: server.hits() > 0)
            assert watch.started == [True] and accepted
            await probes.stop()
        listener.close()
        await listener.wait_closed()

    asyncio.run(go())


def test_a_startup_probe_that_keeps_failing_kills_the_container() -> None:
    async def go() -> None:
        target = HostTarget()
        watch = Watch()
        probes = watch.probes({
            "startupProbe": fast({"exec": {"command": ["sh", "-c", "echo not yet; exit 1"]}}),
            "livenessProbe": fast({"exec": {"command": ["true"]}}),
        }, target)
        probes.start()
        await eventually(lambda: watch.kills)
        assert watch.kills == [("StartupProbe", "Container c failed startup probe, will be restarted")]
        assert watch.said() == ["Startup probe failed: not yet\n"] * 3
        assert not probes.started and target.ran("true") == 0
        await probes.stop()

    asyncio.run(go())


def test_an_exec_probe_that_outlives_its_timeout_fails() -> None:
    async def go() -> None:
        target = HostTarget()
        watch = Watch()
        probes = watch.probes({"livenessProbe": fast({"exec": {"command": ["sleep", "5"]}},
                                                     timeoutSeconds=0.2, failureThreshold=1)},
                              target, restart_policy="Never")
        began = time.monotonic()
        probes.start()
        await eventually(lambda: watch.kills)
        assert time.monotonic() - began < 2
        assert watch.said() == ['Liveness probe failed: command "sleep 5" timed out']
        assert watch.kills == [("LivenessProbe", "Container c failed liveness probe")]  # no restart
        await probes.stop()

    asyncio.run(go())


def test_an_exec_probe_reports_the_commands_output() -> None:
    async def go() -> None:
        watch = Watch()
        probe = fast({"exec": {"command": ["sh", "-c", "echo $(GREETING) not ready; exit 1"]}})
        probes = watch.probes({"env": [{"name": "GREETING", "value": "hello"}],
                               "readinessProbe": probe}, HostTarget())
        probes.start()
        await eventually(lambda: watch.said())
        assert watch.said()[0] == "Readiness probe failed: hello not ready\n"
        await probes.stop()

    asyncio.run(go())


def test_a_tcp_probe_follows_the_listener() -> None:
    async def go() -> None:
        async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.close()

        listener = await asyncio.start_server(accept, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        watch = Watch()
        probes = watch.probes({"readinessProbe": fast({"tcpSocket": {"port": port}},
                                                      failureThreshold=1)}, HostTarget())
        probes.start()
        await eventually(lambda: probes.ready)
        listener.close()
        await listener.wait_closed()
        await eventually(lambda: not probes.ready)
        assert watch.said()[0] == f"Readiness probe failed: dial tcp 127.0.0.1:{port}: connect: connection refused"
        await probes.stop()

    asyncio.run(go())


def test_http_probes_reach_named_ports_and_word_refusals_as_go_does() -> None:
    async def go() -> None:
        dead = free_port()
        async with serving() as server:
            watch = Watch()
            probes = watch.probes({"readinessProbe": fast(get("http")),
                                   "livenessProbe": fast(get("dead"), failureThreshold=2)},
                                  HostTarget({"http": server.port, "dead": dead}))
            probes.start()
            await eventually(lambda: probes.ready and watch.kills)
            assert server.hits() > 0
            assert watch.said() == [f'Liveness probe failed: Get "http://127.0.0.1:{dead}/healthz": '
                                    f"dial tcp 127.0.0.1:{dead}: connect: connection refused"] * 2
            await probes.stop()

    asyncio.run(go())


def test_probes_that_cannot_run_count_neither_way() -> None:
    async def go() -> None:
        watch = Watch()
        probes = watch.probes({"livenessProbe": fast(get("nope"), failureThreshold=1),
                               "readinessProbe": fast({"grpc": {"port": 9000}}, failureThreshold=1)},
                              HostTarget())
        probes.start()
        await asyncio.sleep(0.3)
        assert watch.kills == [] and not probes.ready
        said = set(watch.said())
        assert said == {'Liveness probe errored and resulted in unknown state: '
                        'strconv.Atoi: parsing "nope": invalid syntax',
                        "Readiness probe errored and resulted in unknown state: "
                        "gRPC probes are not supported by paddock's kubelet"}
        await probes.stop()

    asyncio.run(go())


def test_https_probes_do_not_verify_the_certificate(tls: ssl.SSLContext) -> None:
    async def go() -> None:
        async with serving(tls) as server:
            watch = Watch()
            probes = watch.probes({"readinessProbe": fast(get(server.port, scheme="HTTPS"))}, HostTarget())
            probes.start()
            await eventually(lambda: probes.ready)
            await probes.stop()
            assert server.hits() > 0 and watch.said() == []

    asyncio.run(go())


def test_http_probes_send_kube_probe_headers_and_the_probes_own() -> None:
    async def go() -> None:
        async with serving() as server:
            watch = Watch()
            probes = watch.probes({"readinessProbe": fast(get(server.port, "/healthz?verbose=1", httpHeaders=[
                {"name": "x-custom", "value": "one"}, {"name": "X-Custom", "value": "two"}]))}, HostTarget())
            probes.start()
            await eventually(lambda: probes.ready)
            await probes.stop()
            assert server.seen[0][0] == "/healthz?verbose=1"
            h = server.headers("/healthz")
            assert h["User-Agent"] == "kube-probe/1.32" and h["Accept"] == "*/*"
            assert h.getall("X-Custom") == ["one", "two"]
            assert h["Host"] == f"127.0.0.1:{server.port}" and h["Connection"] == "close"
            assert "Accept-Encoding" not in h

            server.seen.clear()
            probes = watch.probes({"readinessProbe": fast(get(server.port, httpHeaders=[
                {"name": "User-Agent", "value": "mine"}, {"name": "Accept", "value": ""},
                {"name": "Host", "value": "example.test"}]))}, HostTarget())
            probes.start()
            await eventually(lambda: server.hits())
            await probes.stop()
            h = server.headers("/healthz")
            assert h["User-Agent"] == "mine" and "Accept" not in h and h["Host"] == "example.test"

    asyncio.run(go())


async def first_result(probe: dict[str, Any], target: HostTarget) -> Watch:
    """Run a readiness probe until it has decided once."""
    watch = Watch()
    probes = watch.probes({"readinessProbe": fast(probe, failureThreshold=1)}, target)
    probes.start()
    await eventually(lambda: watch.ready or watch.said("Unhealthy"))
    await probes.stop()
    return watch


def test_redirects_are_followed_only_on_the_same_host() -> None:
    async def go() -> None:
        async with serving() as server:
            server.status = 500
            watch = await first_result(get(server.port, "/r/here"), HostTarget())
            assert watch.said()[0] == "Readiness probe failed: HTTP probe failed with statuscode: 500"
            assert [p for p, _ in server.seen[:2]] == ["/r/here", "/healthz"]
            assert server.headers("/healthz")["Referer"] == f"http://127.0.0.1:{server.port}/r/here"

            server.seen.clear()
            watch = await first_result(get(server.port, "/r/away"), HostTarget())
            assert watch.ready[0][0] is True and server.hits() == 0  # not followed, a success
            warning = watch.said("ProbeWarning")[0]
            assert warning == "Readiness probe warning: Probe terminated redirects, Response body: " + "x" * 10240

            server.seen.clear()
            watch = await first_result(get(server.port, "/r/0"), HostTarget())
            assert watch.said()[0] == 'Readiness probe failed: Get "/r/10": stopped after 10 redirects'
            assert server.seen[9][0] == "/r/9" and server.hits("/r/10") == 0

    asyncio.run(go())


def test_an_http_probe_reads_a_large_body_no_further_than_it_must() -> None:
    async def go() -> None:
        async with serving() as server:
            watch = await first_result(get(server.port, "/big"), HostTarget())
            assert watch.ready[0][0] is True

    asyncio.run(go())


def test_a_terminating_pod_is_not_killed_by_liveness_and_stays_probed_for_readiness() -> None:
    async def go() -> None:
        async with serving() as server:
            server.status = 500
            watch = Watch()
            probes = watch.probes({"livenessProbe": fast(get(server.port, "/healthz?by=liveness")),
                                   "readinessProbe": fast(get(server.port, "/healthz?by=readiness"))},
                                  HostTarget())
            probes.start()
            await eventually(lambda: server.hits() >= 2)
            probes.terminating()
            by_liveness = [p for p, _ in server.seen if p.endswith("liveness")]
            readiness_before = len(server.seen) - len(by_liveness)
            await asyncio.sleep(0.3)
            assert watch.kills == []
            assert [p for p, _ in server.seen if p.endswith("liveness")] == by_liveness
            assert len(server.seen) - len(by_liveness) > readiness_before
            await probes.stop()

        # a startup probe cut short counts as a success, as upstream sets it
        watch = Watch()
        probes = watch.probes({"startupProbe": fast({"exec": {"command": ["false"]}}, failureThreshold=1000)},
                              HostTarget())
        probes.start()
        await asyncio.sleep(0.1)
        assert not probes.started
        probes.terminating()
        assert probes.started and watch.kills == []
        await probes.stop()

    asyncio.run(go())


def test_a_restarted_container_starts_from_scratch() -> None:
    async def go() -> None:
        watch = Watch()
        probes = watch.probes({"readinessProbe": fast({"exec": {"command": ["true"]}},
                                                      initialDelaySeconds=0.2)}, HostTarget())
        probes.start()
        await eventually(lambda: probes.ready)
        probes.start()  # a new instance, without stop() between: not ready until it succeeds
        assert not probes.ready
        await eventually(lambda: probes.ready)
        assert [r for r, _ in watch.ready] == [True, False, True]
        await probes.stop()

    asyncio.run(go())


def test_stop_cancels_a_probe_in_flight() -> None:
    async def go() -> None:
        target = HostTarget()
        probes = Watch().probes({"livenessProbe": fast({"exec": {"command": ["sleep", "5"]}},
                                                       timeoutSeconds=10)}, target)
        probes.start()
        await eventually(lambda: target.pids)
        began = time.monotonic()
        await probes.stop()
        assert time.monotonic() - began < 1
        with pytest.raises(ProcessLookupError):
            os.kill(target.pids[0], 0)

    asyncio.run(go())


class SwallowingTarget(HostTarget):
    """Its connect swallows a cancellation, as asyncio.wait_for can before Python 3.12."""

    def __init__(self) -> None:
        super().__init__()
        self.connecting = False

    async def connect(self, host: str, port: int,
                      timeout: float) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        self.connecting = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.3)
        return await asyncio.open_connection(host, port)


def test_stop_holds_even_when_the_target_swallows_the_cancellation() -> None:
    async def go() -> None:
        async with serving() as server:
            target = SwallowingTarget()
            watch = Watch()
            probes = watch.probes({"readinessProbe": fast(get(server.port))}, target)
            probes.start()
            await eventually(lambda: target.connecting)
            began = time.monotonic()
            await probes.stop()
            assert time.monotonic() - began < 1
            await asyncio.sleep(0.2)
            assert watch.ready == [] and not probes.ready  # the late success did not count

    asyncio.run(go())


def test_exec_handlers_succeed_on_exit_0_and_say_why_they_failed() -> None:
    async def go() -> None:
        target = HostTarget()
        assert await run_handler({"exec": {"command": ["true"]}}, target, 5, container="c", pod=POD) is None
        message = await run_handler({"exec": {"command": ["sh", "-c", "echo oops; exit 3"]}}, target, 5,
                                    container="c", pod=POD)
        assert message == ('Exec lifecycle hook ([sh -c echo oops; exit 3]) for Container "c" in Pod '
                           '"p_default(u1)" failed - error: command \'sh -c echo oops; exit 3\' '
                           'exited with 3: oops\n, message: "oops\\n"')
        message = await run_handler({"exec": {"command": ["sleep", "5"]}}, target, 0.2, container="c", pod=POD)
        assert message is not None and 'error: command "sleep 5" timed out, message: ""' in message

    asyncio.run(go())


def test_http_handlers_fail_only_when_no_answer_comes() -> None:
    async def go() -> None:
        dead = free_port()
        async with serving() as server:
            target = HostTarget()
            handler = {"httpGet": {"path": "/hook", "port": server.port}}
            assert await run_handler(handler, target, 5) is None
            assert server.headers("/hook")["User-Agent"] == "kube-lifecycle/1.32"
            server.status = 500  # as upstream: the status is not looked at
            assert await run_handler(handler, target, 5) is None
            # an HTTPS hook answered in plain HTTP is tried again over HTTP
            https = {"httpGet": {"path": "/hook", "port": server.port, "scheme": "HTTPS"}}
            assert await run_handler(https, target, 5) is None
            assert server.hits("/hook") == 3
        message = await run_handler({"httpGet": {"path": "/hook", "port": dead}}, target, 5,
                                    container="c", pod=POD)
        assert message == (f'HTTP lifecycle hook (/hook) for Container "c" in Pod "p_default(u1)" failed - '
                           f'error: Get "http://127.0.0.1:{dead}/hook": dial tcp 127.0.0.1:{dead}: '
                           "connect: connection refused")

    asyncio.run(go())


def test_sleep_handlers_sleep_and_tcp_socket_handlers_cannot_run() -> None:
    async def go() -> None:
        target = HostTarget()
        began = time.monotonic()
        assert await run_handler({"sleep": {"seconds": 0.1}}, target, 5) is None
        assert time.monotonic() - began >= 0.1
        message = await run_handler({"sleep": {"seconds": 5}}, target, 0.1, container="c", pod=POD)
        assert message == ('Sleep lifecycle hook (5) for Container "c" in Pod "p_default(u1)" failed - '
                           "error: container terminated before sleep hook finished")
        message = await run_handler({"tcpSocket": {"port": 80}}, target, 5)
        assert message == 'Cannot run handler: invalid handler: {"tcpSocket":{"port":80}}'

    asyncio.run(go())
