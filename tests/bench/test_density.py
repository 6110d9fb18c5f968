"""``paddock bench density --start`` at a small scale: every pod is counted, and the report
holds every figure the SLO summary is made of."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest


@pytest.mark.timeout(300)
def test_a_small_density_run_counts_every_pod_and_reports_every_figure(tmp_path: Any) -> None:
    out = str(tmp_path / "density")
    r = subprocess.run([sys.executable, "-m", "paddock.cli", "bench", "density", "--start", "--nodes", "10",
                        "--pods-per-node", "10", "--latency-pods", "10", "--latency-qps", "10",
                        "--probe-qps", "20", "--no-progress", "--out", out],
                       capture_output=True, text=True, timeout=280)
    assert r.returncode == 0, r.stdout + r.stderr
    with open(os.path.join(out, "report.json")) as f:
        result = json.load(f)["result"]
    saturation = result["saturation"]
    assert (saturation["pods"], saturation["running"], saturation["replication_controllers"]) == (100, 100, 1)
    assert saturation["pods_per_second"] > 0
    startup = result["pod_startup"]
    assert (startup["created"], startup["running"], startup["count"]) == (10, 10, 10)
    assert 0 < startup["p50_s"] <= startup["p99_s"] <= startup["max_s"]
    assert set(result["api"]) == {"get pods", "get nodes", "list pods", "patch configmaps", "list nodes"}
    assert all(s["count"] > 0 for s in result["api"].values()), result["api"]
    assert result["api_errors"] == 0
    assert set(result["components"]) == {"apiserver", "controller-manager", "scheduler", "hollow-nodes"}
    assert all(c["cpu_seconds"] > 0 and c["peak_rss_mb"] > 0 for c in result["components"].values())
    assert result["running_over_time"][-1][1] == 100
    assert result["checks"] == {"all_pods_running": True, "pod_startup_p99": True,
                                "single_object_api_p99": True, "list_api_p99": True}
    with open(os.path.join(out, "summary.txt")) as f:
        summary = f.read()
    assert "PASS  saturation: 100/100 pods Running" in summary and "PASS  overall" in summary
    assert summary in r.stdout
