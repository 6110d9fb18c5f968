"""``paddock bench density --start`` at a small scale: every pod is counted, the report holds
every figure the SLO summary is made of, its plots are drawn (and drawn again from a saved
report), and a JSON run with ``--profile`` records its content type, the bytes on the wire
and a profile of every component."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

COMPONENTS = {"apiserver", "controller-manager", "scheduler", "hollow-nodes"}
PLOTS = ["pod_startup_cdf.png", "api_latency.png", "pods_running.png", "components.png"]


def density(*argv: str, timeout: float = 280) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paddock.cli", "bench", "density", *argv],
                          capture_output=True, text=True, timeout=timeout)


def report(out: str) -> dict[str, Any]:
    with open(os.path.join(out, "report.json")) as f:
        loaded: dict[str, Any] = json.load(f)
    return loaded


@pytest.fixture(scope="module")
def run_10x10(tmp_path_factory: Any) -> tuple[str, str]:
    """The CI run: 10 nodes x 10 pods, protobuf (the default); its directory and stdout."""
    out = str(tmp_path_factory.mktemp("density") / "report")
    r = density("--start", "--nodes", "10", "--pods-per-node", "10", "--latency-pods", "10",
                "--latency-qps", "10", "--probe-qps", "20", "--no-progress", "--out", out)
    assert r.returncode == 0, r.stdout + r.stderr
    return out, r.stdout


@pytest.fixture(scope="module")
def json_profiled_run(tmp_path_factory: Any) -> str:
    """A smaller run in JSON with every component profiled (one run for both, to keep CI short)."""
    out = str(tmp_path_factory.mktemp("density-json") / "report")
    r = density("--start", "--nodes", "5", "--pods-per-node", "4", "--latency-pods", "4",
                "--latency-qps", "10", "--probe-qps", "20", "--content-type", "json", "--profile",
                "--no-progress", "--out", out)
    assert r.returncode == 0, r.stdout + r.stderr
    return out


@pytest.mark.timeout(300)
def test_a_small_density_run_counts_every_pod_and_reports_every_figure(run_10x10: tuple[str, str]) -> None:
    out, stdout = run_10x10
    result = report(out)["result"]
    saturation = result["saturation"]
    assert (saturation["pods"], saturation["running"], saturation["replication_controllers"]) == (100, 100, 1)
    assert saturation["pods_per_second"] > 0
    startup = result["pod_startup"]
    assert (startup["created"], startup["running"], startup["count"]) == (10, 10, 10)
    assert 0 < startup["p50_s"] <= startup["p99_s"] <= startup["max_s"]
    assert len(startup["latencies_s"]) == 10
    assert set(result["api"]) == {"get pods", "get nodes", "list pods", "patch configmaps", "list nodes"}
    assert all(s["count"] > 0 for s in result["api"].values()), result["api"]
    assert result["api_errors"] == 0
    floors = result["floors"]
    assert floors["saturation_pods_per_second"]["value"] == saturation["pods_per_second"]
    assert 0 < floors["apiserver_peak_rss_mb"]["value"] < floors["apiserver_peak_rss_mb"]["floor"]
    assert set(result["components"]) == COMPONENTS
    assert all(c["cpu_seconds"] > 0 and c["peak_rss_mb"] > 0 for c in result["components"].values())
    assert result["running_over_time"][-1][1] == 100
    assert list(result["phase_starts_s"]) == ["nodes", "saturation", "latency", "cleanup"]
    assert result["content_type"] == "application/vnd.kubernetes.protobuf"
    assert all("application/vnd.kubernetes.protobuf" in flags for flags in result["component_flags"].values())
    assert result["checks"] == {"all_pods_running": True, "pod_startup_p99": True,
                                "single_object_api_p99": True, "list_api_p99": True}
    with open(os.path.join(out, "summary.txt")) as f:
        summary = f.read()
    assert "PASS  saturation: 100/100 pods Running" in summary and "PASS  overall" in summary
    assert "floor: saturation " in summary and "floor: apiserver peak RSS " in summary
    assert summary in stdout


def test_the_report_lists_its_plots_and_each_is_a_png(run_10x10: tuple[str, str]) -> None:
    out, _ = run_10x10
    assert report(out)["plots"] == PLOTS
    for name in PLOTS:
        with open(os.path.join(out, name), "rb") as f:
            png = f.read()
        assert png[:8] == b"\x89PNG\r\n\x1a\n", name
        assert len(png) > 10_000, (name, len(png))  # axes, labels and data, not an empty canvas
    with open(os.path.join(out, "summary.txt")) as f:
        assert "plots: " + " ".join(PLOTS) in f.read()


def test_plot_only_draws_the_plots_again_from_a_saved_report(run_10x10: tuple[str, str]) -> None:
    out, _ = run_10x10
    os.remove(os.path.join(out, "api_latency.png"))
    r = density("--plot-only", out, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert os.path.getsize(os.path.join(out, "api_latency.png")) > 10_000
    assert report(out)["plots"] == PLOTS


@pytest.mark.timeout(300)
def test_a_json_run_records_its_content_type_and_the_bytes_on_the_wire(json_profiled_run: str) -> None:
    result = report(json_profiled_run)["result"]
    assert result["content_type"] == "application/json"
    assert all("application/json" in flags for flags in result["component_flags"].values())
    wire = result["wire_bytes"]
    assert wire["responses"] > 0 and wire["watch_events"] > 0 and wire["request_bodies"] > 0
    assert wire["total"] == wire["responses"] + wire["watch_events"] + wire["request_bodies"]
    with open(os.path.join(json_profiled_run, "summary.txt")) as f:
        assert "content type application/json; bytes on the wire: " in f.read()


def test_profile_saves_a_nonempty_profile_of_every_component(json_profiled_run: str) -> None:
    saved = report(json_profiled_run)
    assert set(saved["profiles"]) == COMPONENTS
    assert saved["profiler"] in ("py-spy", "pyinstrument")
    for name, path in saved["profiles"].items():
        assert path == f"profiles/{name}.json"
        with open(os.path.join(json_profiled_run, path)) as f:
            speedscope = json.load(f)
        # py-spy writes sampled profiles, pyinstrument evented ones
        assert sum(len(p.get("samples") or p.get("events") or ()) for p in speedscope["profiles"]) > 0, name


def test_compare_prints_two_runs_cpu_and_bytes_side_by_side(run_10x10: tuple[str, str],
                                                            json_profiled_run: str) -> None:
    r = density("--compare", json_profiled_run, run_10x10[0], timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = {line[:32].strip(): line[32:].split() for line in r.stdout.splitlines()}
    assert lines["content type"] == ["json", "protobuf"]
    for name in COMPONENTS:
        assert len(lines[f"{name} cpu s"]) == 3  # A, B and B/A
    assert len(lines["bytes total MB"]) == 3


def test_bytes_on_the_wire_come_from_upstreams_metrics_and_are_not_available_without_them() -> None:
    import asyncio

    from aiohttp import web

    from paddock.bench.density import _wire_delta, wire_bytes
    from paddock.core.client import Client, Config

    # as a kube-apiserver writes them: more labels than paddock's, floats in Go's notation
    upstream = "\n".join([
        "# TYPE apiserver_response_sizes histogram",
        'apiserver_response_sizes_bucket{component="apiserver",group="",resource="pods",scope="namespace",'
        'subresource="",verb="LIST",version="v1",le="1000"} 3',
        'apiserver_response_sizes_sum{component="apiserver",group="",resource="pods",scope="namespace",'
        'subresource="",verb="LIST",version="v1"} 1.5e+06',
        'apiserver_response_sizes_sum{component="apiserver",group="",resource="pods",scope="resource",'
        'subresource="",verb="GET",version="v1"} 2500',
        'apiserver_watch_events_sizes_sum{group="",kind="Pod",version="v1"} 4096',
        'apiserver_request_body_size_bytes_sum{resource="pods",verb="create"} 900',
    ]) + "\n"
    answers = [(200, ""), (200, upstream), (403, "forbidden"), (200, "up 1\n")]

    async def metrics(_: web.Request) -> web.Response:
        status, text = answers.pop(0)
        return web.Response(status=status, text=text)

    async def readings() -> list[dict[str, float] | None]:
        app = web.Application()
        app.router.add_get("/metrics", metrics)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        try:
            host, port = runner.addresses[0][:2]
            async with Client(Config(f"http://{host}:{port}", False)) as client:
                return [await wire_bytes(client) for _ in range(4)]
        finally:
            await runner.cleanup()

    empty, full, forbidden, unrelated = asyncio.run(readings())
    assert _wire_delta(empty, full) == {"request_bodies": 900, "responses": 1_502_500,
                                        "watch_events": 4096, "total": 1_507_496}
    assert forbidden is None and _wire_delta(forbidden, full) is None
    assert _wire_delta(empty, unrelated) is None
