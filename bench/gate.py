"""The regression gate (``make bench-gate``): run the micro-benchmarks, fail on a ratio below
its floor.

Machines differ, so the gate never looks at an absolute time: every check is a ratio of two
benchmarks measured in the same run (ARCHITECTURE.md section 9), the slower one's time over
the faster one's, which must be at least the pair's floor.  Each time is the benchmark's
best round (its ``min``): on a shared machine the other rounds measure the neighbours.

The pairs, in :data:`PAIRS`:

- ``native/pure``: every routine of ``_native/`` against its pure-Python twin (codec,
  selectors, scheduler, watch fan-out through the selectors); a native module that is not
  built, or that silently falls back to its twin, fails here;
- ``protobuf/JSON``: the native protobuf codec against orjson where the components choose
  between them (decoding what they watch and list, the apiserver encoding responses);
- ``cached/uncached``: the scheduler's equivalence-class cache, and the watch cache's one
  encoding of an event shared by every watcher;
- ``indexed/scan``: the fan-out's index of kubelets' watches by node;
- ``batched/single``: the LMDB backend's group commit against a transaction per write.

Each floor is about half of what a 2-core machine measured when it was set (the comment
beside it), so noise does not trip it and a lost optimisation does.  To check a saved
report instead of running the suite: ``python -m paddock.bench.gate --report FILE``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MICRO = Path(__file__).resolve().parent / "micro"
STATISTIC = "min"


@dataclass(frozen=True)
class Pair:
    """Two benchmarks of one run: ``slow``'s time over ``fast``'s must reach ``floor``."""

    kind: str
    fast: str
    slow: str
    floor: float


def _twins(name: str, floor: float) -> Pair:
    """Native against pure: ``name`` with ``{}`` where the implementation goes."""
    return Pair("native/pure", name.format("native"), name.format("pure"), floor)


def _protobuf_json(name: str, floor: float) -> Pair:
    """The native protobuf codec against orjson: ``name`` with ``{}`` for the codec."""
    return Pair("protobuf/JSON", name.format("native"), name.format("orjson"), floor)


# measured on 2 cores (min of the run) when the floors were set, in the comments
PAIRS: tuple[Pair, ...] = (
    # _native/protobuf.pyx: encode_envelope, decode_object (+ skip_fields), encode, decode,
    # decode_watch_frames
    _twins("test_codec[encode-pod-{}]", 9),  # 18
    _twins("test_codec[encode-node-{}]", 9),  # 18
    _twins("test_codec[encode-deployment-{}]", 9),  # 18
    _twins("test_codec[encode-service-{}]", 8),  # 17
    _twins("test_codec[encode-podlist-{}]", 8),  # 17
    _twins("test_codec[decode-pod-{}]", 4.5),  # 9.0
    _twins("test_codec[decode-node-{}]", 5),  # 11
    _twins("test_codec[decode-deployment-{}]", 5),  # 11
    _twins("test_codec[decode-service-{}]", 5),  # 11
    _twins("test_codec[decode-podlist-{}]", 5),  # 11
    _twins("test_codec[decode_lean-pod-{}]", 5),  # 11
    _twins("test_codec[decode_lean-node-{}]", 5),  # 13
    _twins("test_codec[decode_lean-deployment-{}]", 5),  # 11
    _twins("test_codec[decode_lean-service-{}]", 5),  # 11
    _twins("test_codec[decode_lean-podlist-{}]", 5),  # 13
    _twins("test_message[encode-{}]", 8),  # 17
    _twins("test_message[decode-{}]", 4.5),  # 9.1
    _twins("test_decode_watch_frames[{}]", 4.5),  # 9.4
    # _native/labels.pyx: CompiledSelector (__call__, filter with field tests)
    _twins("test_label_filter[equals-{}]", 2.5),  # 5.5
    _twins("test_label_filter[set_and_not_equals-{}]", 2.5),  # 5.7
    _twins("test_label_filter[exists-{}]", 2),  # 4.5
    _twins("test_label_match_each[equals-{}]", 2.5),  # 6.2
    _twins("test_label_match_each[set_and_not_equals-{}]", 2.5),  # 5.9
    _twins("test_label_match_each[exists-{}]", 2),  # 4.6
    _twins("test_field_filter[node_name-{}]", 4.5),  # 9.6
    _twins("test_field_filter[phase_and_pod_ip-{}]", 1.8),  # 3.6
    _twins("test_label_and_field_filter[{}]", 5),  # 10
    # 1.9 to 2.0: matching is half of a fan-out's cost, so the floor is above half of the
    # ratio, and still well above the 1.0 that a fall back to the twin would measure
    _twins("test_watch_fanout[{}]", 1.4),
    # _native/scheduler.pyx: NodeTable.find_feasible and score, the topology routines
    _twins("test_schedule_pod[SchedulingBasic-1000-{}]", 35),  # 77
    _twins("test_schedule_pod[SchedulingBasic-5000-{}]", 50),  # 110
    _twins("test_schedule_pod[TopologySpread-1000-{}]", 30),  # 68
    _twins("test_schedule_pod[TopologySpread-5000-{}]", 70),  # 150
    # where components choose protobuf or JSON (a native encode is about half orjson's speed)
    _protobuf_json("test_codec[decode-pod-{}]", 0.5),  # 1.1
    _protobuf_json("test_codec[decode_lean-pod-{}]", 0.6),  # 1.35
    _protobuf_json("test_codec[decode-node-{}]", 0.5),  # 1.05
    _protobuf_json("test_codec[decode_lean-podlist-{}]", 1.3),  # 2.6 to 2.85
    _protobuf_json("test_codec[decode-podlist-{}]", 1.2),  # 2.4 to 3.1
    _protobuf_json("test_codec[encode-pod-{}]", 0.28),  # 0.56
    _protobuf_json("test_codec[encode-podlist-{}]", 0.25),  # 0.51
    Pair("cached/uncached", "test_equivalence_class_cache[shared]",
         "test_equivalence_class_cache[distinct]", 100),  # 380
    Pair("cached/uncached", "test_watch_encoding[shared]", "test_watch_encoding[per_watcher]",
         5),  # 12
    Pair("indexed/scan", "test_watch_node_index[indexed]", "test_watch_node_index[scan]",
         100),  # 340
    Pair("batched/single", "test_lmdb_commit[batched]", "test_lmdb_commit[one_per_write]",
         5),  # 18; fsync times vary most of all
)


@dataclass(frozen=True)
class Row:
    """One pair's outcome: its ratio (None when a benchmark is missing from the run)."""

    pair: Pair
    ratio: float | None

    @property
    def passed(self) -> bool:
        return self.ratio is not None and self.ratio >= self.pair.floor


def load(report: dict[str, Any]) -> dict[str, float]:
    """Each benchmark's best time (seconds) from a pytest-benchmark JSON report, by name."""
    times: dict[str, float] = {}
    for bench in report.get("benchmarks", []):
        name = bench["name"]
        if name in times:
            raise ValueError(f"benchmark {name!r} appears twice in the report")
        times[name] = float(bench["stats"][STATISTIC])
    return times


def evaluate(times: dict[str, float], pairs: tuple[Pair, ...] = PAIRS) -> list[Row]:
    """The ratio of every pair (``slow`` / ``fast``) in ``times``."""
    rows = []
    for pair in pairs:
        fast, slow = times.get(pair.fast), times.get(pair.slow)
        ratio = slow / fast if fast and slow is not None else None
        rows.append(Row(pair, ratio))
    return rows


def render(rows: list[Row]) -> str:
    """The gate's table: each pair, its ratio, its floor, PASS or FAIL."""
    header = ("kind", "faster", "than", "ratio", "floor", "")
    lines = [header]
    for row in rows:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "missing"
        lines.append((row.pair.kind, row.pair.fast, row.pair.slow, ratio,
                      f"{row.pair.floor:g}x", "PASS" if row.passed else "FAIL"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    right = {3, 4}  # numbers
    out = []
    for line in lines:
        cells = [cell.rjust(w) if i in right else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(line, widths, strict=True))]
        out.append("  ".join(cells).rstrip())
    failed = sum(not row.passed for row in rows)
    out.append(f"{len(rows) - failed} of {len(rows)} ratios at or above their floors"
               + (f"; {failed} FAILED" if failed else ""))
    return "\n".join(out)


def run_benchmarks(json_path: str, extra: list[str]) -> int:
    """Run ``bench/micro`` with benchmarking on, writing pytest-benchmark's JSON report."""
    command = [sys.executable, "-m", "pytest", str(MICRO), "-p", "no:cacheprovider", "-q",
               "--benchmark-enable", f"--benchmark-json={json_path}",
               "--benchmark-columns=min,median,rounds", "--benchmark-sort=name", *extra]
    return subprocess.run(command, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m paddock.bench.gate",
        description="Run the micro-benchmarks and fail when a ratio falls below its floor.")
    parser.add_argument("--report", help="check this pytest-benchmark JSON report instead of "
                                         "running the benchmarks")
    parser.add_argument("--json", help="keep the run's pytest-benchmark JSON report here")
    parser.add_argument("pytest_args", nargs="*",
                        help="more pytest arguments for the run (after --)")
    args = parser.parse_args(argv)
    status = 0
    if args.report:
        path = args.report
    else:
        path = args.json or os.path.join(tempfile.mkdtemp(prefix="paddock-gate-"), "micro.json")
        status = run_benchmarks(path, args.pytest_args)
        if not os.path.exists(path):
            print(f"bench gate: the benchmarks wrote no report (pytest exit {status})")
            return status or 1
    with open(path) as f:
        report = json.load(f)
    machine = report.get("machine_info", {})
    print(f"\nbench gate: {STATISTIC} times of {path}; machine: {machine.get('cpu', {}).get('count', '?')} "
          f"cpus, {machine.get('python_implementation', '')} {machine.get('python_version', '')}")
    rows = evaluate(load(report))
    print(render(rows))
    if status:
        print(f"bench gate: pytest failed (exit {status})")
    return 1 if status or not all(row.passed for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
