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
                    "--pods", "50", "--impl", "python", "--out", str(out)], check=True,
                   capture_output=True, timeout=120)
    results = {r["workload"]: r for r in json.loads(out.read_text())["results"]}
    assert set(results) == {"SchedulingBasic", "NodeAffinity", "ZoneSpreading", "TopologySpread",
                            "Unschedulable"}
    assert results["SchedulingBasic"]["placed"] == 50
    # three zones of ten nodes: 50 pods spread within maxSkew 1 all fit
    assert results["TopologySpread"]["placed"] == 50
    assert results["Unschedulable"]["unschedulable"] == 5
    assert all(r["pods_per_s"] > 0 and r["impl"] == "python" for r in results.values())


def test_bench_scheduler_compares_both_implementations_by_default(tmp_path: Any) -> None:
    out = tmp_path / "both.json"
    subprocess.run([sys.executable, "-m", "paddock.cli", "bench", "scheduler", "--nodes", "120",
                    "--pods", "200", "--workload", "SchedulingBasic", "--out", str(out)],
                   capture_output=True, timeout=120)
    report = json.loads(out.read_text())
    assert {r["impl"] for r in report["results"]} == {"native", "python"}
    assert report["native_over_python"]["SchedulingBasic"] > 1


def test_bench_scheduler_native_places_the_same_pods(tmp_path: Any) -> None:
    for impl in ("native", "python"):
        subprocess.run([sys.executable, "-m", "paddock.cli", "bench", "scheduler", "--nodes",
                        "150", "--pods", "300", "--impl", impl, "--workload", "Unschedulable",
                        "--out", str(tmp_path / f"{impl}.json")], check=True,
                       capture_output=True, timeout=120)
    native, pure = (json.loads((tmp_path / f"{impl}.json").read_text())["results"][0]
                    for impl in ("native", "python"))
    assert (native["placed"], native["unschedulable"]) == (pure["placed"], pure["unschedulable"])


def test_bench_scheduler_end_to_end_binds_every_pod(tmp_path: Any) -> None:
    out = tmp_path / "e2e.json"
    subprocess.run([sys.executable, "-m", "paddock.cli", "bench", "scheduler", "--nodes", "10",
                    "--pods", "10", "--workload", "SchedulingBasic", "--impl", "native",
                    "--e2e", "--e2e-nodes", "20", "--e2e-pods", "40", "--out", str(out)],
                   capture_output=True, timeout=180)
    e2e = json.loads(out.read_text())["end_to_end"]
    assert e2e["bound"] == 40 and e2e["pods_bound_per_s"] > 0
