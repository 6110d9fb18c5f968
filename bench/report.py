"""The parts every benchmark report shares: the machine it ran on, and writing the report as
JSON (results are only comparable alongside the machine that produced them)."""

from __future__ import annotations

import json
import math
import os
import platform
from typing import Any


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = math.ceil(len(ordered) * p / 100)
    return ordered[min(len(ordered) - 1, max(0, rank - 1))]


def machine() -> dict[str, Any]:
    """The machine a benchmark ran on, for the report's ``machine`` field."""
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def write(path: str, report: dict[str, Any], shown: Any = None) -> None:
    """Write ``report`` to ``path`` as indented JSON, making its directory, and print ``shown``
    (a benchmark's summary: text as it is, anything else as JSON) or, when there is none,
    the whole report."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(report, f, indent=2)
    print(shown if isinstance(shown, str) else json.dumps(report if shown is None else shown, indent=2))
