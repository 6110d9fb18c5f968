"""What every micro-benchmark shares: the time budget, and the codec workloads.

pytest-benchmark's own defaults (rounds until one second has passed) would make this suite
take minutes; the regression gate (``bench/gate.py``) only needs each benchmark's best
round, so each gets :data:`BUDGET` unless the command line sets the corresponding option
(``--benchmark-max-time=1`` for a longer, steadier run) or the test has its own
``benchmark`` marker.  Benchmarks whose every call changes state (a pod placed, a write
committed) use ``benchmark.pedantic`` with a fixed number of rounds instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from paddock.bench.codec import load_workloads

# per benchmark: at least 5 rounds, about 0.1 s in all, and rounds calibrated to last
# about 20 µs or more (a call of a microsecond or two is repeated within a round)
BUDGET = {"min_rounds": 5, "max_time": 0.1, "min_time": 0.00002}
_OPTIONS = {"min_rounds": "--benchmark-min-rounds", "max_time": "--benchmark-max-time",
            "min_time": "--benchmark-min-time"}
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    given = " ".join(config.invocation_params.args)
    budget = {key: value for key, value in BUDGET.items() if _OPTIONS[key] not in given}
    if not budget:
        return
    for item in items:
        if item.path.is_relative_to(HERE) and item.get_closest_marker("benchmark") is None:
            item.add_marker(pytest.mark.benchmark(**budget))


@pytest.fixture(scope="session")
def workloads() -> dict[str, Any]:
    """The objects of ``bench/workloads/codec.yaml``, as the apiserver holds them."""
    return load_workloads()
