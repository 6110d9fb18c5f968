"""Prometheus metrics of the apiserver: request latency histograms by verb, resource and
code, requests in flight, watchers; rendered in the text exposition format."""

from __future__ import annotations

import bisect
from collections import defaultdict

# upstream's apiserver_request_duration_seconds buckets
BUCKETS = (0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0,
           6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0)


class Histogram:
    """Cumulative-on-render histogram keyed by a label tuple."""

    def __init__(self, name: str, help: str, labels: tuple[str, ...]) -> None:
        self.name = name
        self.help = help
        self.labels = labels
        self._counts: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self._sums: dict[tuple[str, ...], float] = defaultdict(float)

    def observe(self, key: tuple[str, ...], value: float) -> None:
        self._counts[key][bisect.bisect_left(BUCKETS, value)] += 1
        self._sums[key] += value

    def render(self) -> list[str]:
        out = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        for key, counts in sorted(self._counts.items()):
            lbl = ",".join(f'{n}="{v}"' for n, v in zip(self.labels, key, strict=True))
            acc = 0
            for b, c in zip(BUCKETS, counts, strict=False):
                acc += c
                out.append(f'{self.name}_bucket{{{lbl},le="{b}"}} {acc}')
            acc += counts[-1]
            out.append(f'{self.name}_bucket{{{lbl},le="+Inf"}} {acc}')
            out.append(f"{self.name}_sum{{{lbl}}} {self._sums[key]}")
            out.append(f"{self.name}_count{{{lbl}}} {acc}")
        return out


class Metrics:
    """The apiserver's metrics registry."""

    def __init__(self) -> None:
        self.request_duration = Histogram(
            "apiserver_request_duration_seconds",
            "Response latency distribution in seconds for each verb, group, resource, subresource and code.",
            ("verb", "group", "resource", "subresource", "code"),
        )
        self.inflight = 0
        self.watchers = 0
        self.rejected_inflight = 0

    def render(self) -> bytes:
        lines = self.request_duration.render()
        lines += [
            "# HELP apiserver_current_inflight_requests Requests being served now.",
            "# TYPE apiserver_current_inflight_requests gauge",
            f"apiserver_current_inflight_requests {self.inflight}",
            "# HELP apiserver_registered_watchers Open watch streams.",
            "# TYPE apiserver_registered_watchers gauge",
            f"apiserver_registered_watchers {self.watchers}",
            "# HELP apiserver_dropped_requests_total Requests refused with 429.",
            "# TYPE apiserver_dropped_requests_total counter",
            f"apiserver_dropped_requests_total {self.rejected_inflight}",
        ]
        return ("\n".join(lines) + "\n").encode()
