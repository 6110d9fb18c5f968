"""``paddock bench codec`` runs end to end and writes its report (tiny sizes: this checks
that the benchmark works, not what it measures)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(240)


def test_bench_codec_reports_every_implementation_and_both_content_types(tmp_path: Any) -> None:
    out = tmp_path / "codec.json"
    done = subprocess.run(
        [sys.executable, "-m", "paddock.cli", "bench", "codec", "--start", "--out", str(out),
         "--min-time", "0.001", "--requests", "50", "--list-pods", "20", "--watchers", "5",
         "--events", "3"],
        capture_output=True, text=True, timeout=230)
    assert done.returncode in (0, 1), done.stderr[-3000:]  # 1: a floor not met
    report = json.loads(out.read_text())
    micro = report["micro"]["per_implementation"]
    assert set(micro) == {"orjson", "native", "pure", "package", "marshal"}
    for implementation in micro.values():
        assert set(implementation) == {"pod", "node", "deployment", "service", "podlist"}
    # the twins write the same bytes; the package path writes the bare message, the codecs
    # the enveloped object (22 bytes more for a v1 Pod)
    assert micro["native"]["pod"]["bytes"] == micro["pure"]["pod"]["bytes"]
    assert micro["native"]["pod"]["bytes"] == micro["package"]["pod"]["bytes"] + 22
    wire = report["wire"]["per_content_type"]
    for content_type in ("json", "protobuf"):
        assert wire[content_type]["list"]["pods"] == 20
        assert wire[content_type]["watch"]["deliveries"] == 5 * 3
    assert report["wire"]["ratios"]["get_bytes_protobuf_over_json"] < 1
    assert isinstance(report["checks"], dict) and "pass" in report
