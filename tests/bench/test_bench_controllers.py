"""``paddock bench controllers`` runs both phases and reports every figure (tiny sizes:
this checks that the benchmark works, not what it measures)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(240)


def test_bench_controllers_reports_creation_and_a_rollout(tmp_path: Any) -> None:
    out = tmp_path / "controllers.json"
    subprocess.run([sys.executable, "-m", "paddock.cli", "bench", "controllers", "--pods", "200",
                    "--rcs", "2", "--rollout-replicas", "20", "--rollout-nodes", "4",
                    "--deadline", "120", "--out", str(out)], capture_output=True, timeout=230)
    report = json.loads(out.read_text())
    assert report["creation"]["created"] == 200 and report["creation"]["pods_created_per_s"] > 0
    assert set(report["creation"]["cpu_seconds"]) == {"apiserver", "controller-manager"}
    rollout = report["rollout"]
    assert rollout["completed"] and rollout["invariant_held"]
    assert rollout["most_pods"] <= 25 and rollout["fewest_available"] >= 15
    assert {"apiserver", "scheduler", "controller-manager"} == set(rollout["cpu_seconds"])
