"""``paddock bench scheduler`` runs every workload and reports them (tiny sizes: this checks
that the benchmark works, not what it measures)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def test_bench_scheduler_reports_every_workload(tmp_path: Any) -> None:
    out = tmp_path / "scheduler.json"
    subprocess.run([sys.executable, "-m", "paddock.cli", "bench", "scheduler", "--nodes", "30",
                    "--pods", "50", "--out", str(out)], check=True, capture_output=True,
                   timeout=120)
    results = {r["workload"]: r for r in json.loads(out.read_text())["results"]}
    assert set(results) == {"SchedulingBasic", "NodeAffinity", "ZoneSpreading", "Unschedulable"}
    assert results["SchedulingBasic"]["placed"] == 50
    assert results["Unschedulable"]["unschedulable"] == 5
    assert all(r["pods_per_s"] > 0 and r["impl"] == "python" for r in results.values())
