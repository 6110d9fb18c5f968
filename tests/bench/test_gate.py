"""The regression gate (``bench/gate.py``): it fails exactly when a ratio is under its floor,
and every pair it checks names benchmarks that exist in ``bench/micro``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from paddock.bench import gate

ROOT = Path(gate.__file__).resolve().parent.parent


def _report(times: dict[str, float]) -> dict[str, Any]:
    """A pytest-benchmark JSON report with these best times (the fields the gate reads, and
    a few it does not)."""
    return {"machine_info": {"cpu": {"count": 2}, "python_implementation": "CPython",
                             "python_version": "3.11"},
            "benchmarks": [{"name": name, "fullname": f"bench/micro/x.py::{name}",
                            "group": "g", "stats": {"min": t, "median": 2 * t, "mean": 3 * t,
                                                    "rounds": 5}}
                           for name, t in times.items()]}


def _times_at(factor: float) -> dict[str, float]:
    """Times that put every pair of the gate at ``factor`` times its floor."""
    times: dict[str, float] = {}
    for pair in gate.PAIRS:
        fast = times.setdefault(pair.fast, 1e-6)
        times[pair.slow] = fast * pair.floor * factor
    return times


def _run_gate(tmp_path: Path, times: dict[str, float],
              capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    path = tmp_path / "micro.json"
    path.write_text(json.dumps(_report(times)))
    status = gate.main(["--report", str(path)])
    return status, capsys.readouterr().out


def test_gate_passes_when_every_ratio_reaches_its_floor(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = _run_gate(tmp_path, _times_at(2.0), capsys)
    assert status == 0
    assert "FAIL" not in out
    assert f"{len(gate.PAIRS)} of {len(gate.PAIRS)} ratios at or above their floors" in out


def test_gate_passes_on_a_ratio_exactly_at_its_floor() -> None:
    pair = gate.Pair("native/pure", "a", "b", 4.0)
    (row,) = gate.evaluate({"a": 0.25, "b": 1.0}, (pair,))
    assert row.ratio == 4.0 and row.passed


def test_gate_fails_when_one_ratio_falls_under_its_floor(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    times = _times_at(2.0)
    # the native codec falls back to its twin: as slow as pure
    victim = next(p for p in gate.PAIRS if p.fast == "test_codec[decode-pod-native]"
                  and p.kind == "native/pure")
    times[victim.fast] = times[victim.slow]
    status, out = _run_gate(tmp_path, times, capsys)
    assert status == 1
    failed = [line for line in out.splitlines() if line.endswith("FAIL")]
    # the twin pair fails; so does protobuf/JSON on the same benchmark, which is now slower
    assert any(victim.fast in line and victim.slow in line and " 1.00x" in line
               for line in failed)
    assert all(victim.fast in line for line in failed)
    assert f"{len(failed)} FAILED" in out


def test_gate_fails_when_a_benchmark_is_missing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    times = _times_at(2.0)
    missing = gate.PAIRS[-1].slow
    del times[missing]
    status, out = _run_gate(tmp_path, times, capsys)
    assert status == 1
    assert any(missing in line and "missing" in line and line.endswith("FAIL")
               for line in out.splitlines())


def test_gate_refuses_a_report_with_a_benchmark_name_twice() -> None:
    report = _report({"a": 1.0})
    report["benchmarks"] *= 2
    with pytest.raises(ValueError, match="twice"):
        gate.load(report)


def test_every_pair_names_two_different_benchmarks_of_bench_micro() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         str(gate.MICRO)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    ids = [line for line in done.stdout.splitlines() if "::" in line]
    names = [line.rsplit("::", 1)[1] for line in ids]
    assert len(names) == len(set(names)), "benchmark names must be unique across bench/micro"
    for pair in gate.PAIRS:
        assert pair.fast != pair.slow
        assert pair.fast in names, pair
        assert pair.slow in names, pair
        assert pair.floor > 0
    assert len({(p.fast, p.slow) for p in gate.PAIRS}) == len(gate.PAIRS)
