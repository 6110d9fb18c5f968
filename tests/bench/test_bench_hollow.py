"""``paddock bench hollow`` measures a small fleet and reports every figure (tiny sizes:
this checks that the benchmark works, not what it measures)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(180)


def test_bench_hollow_reports_memory_and_cpu_per_node(tmp_path: Any) -> None:
    out = tmp_path / "hollow.json"
    subprocess.run([sys.executable, "-m", "paddock.cli", "bench", "hollow", "--count", "20",
                    "--pods-per-node", "2", "--seconds", "3", "--out", str(out)],
                   capture_output=True, timeout=170)
    report = json.loads(out.read_text())
    result = report["result"]
    assert result["nodes"] == 20 and result["pods_per_node"] == 2
    assert 0 < result["mb_per_node"] and result["rss_mb"] > 10
    assert result["cores_for_all"] >= 0 and "apiserver_cores" in result
    assert set(report["checks"]) == {"at_most_2_mb_per_node", "under_10_percent_of_a_core"}
