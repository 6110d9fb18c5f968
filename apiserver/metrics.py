"""Prometheus metrics of the apiserver: request latency histograms by verb, resource and
code, requests in flight, watchers, and the bytes it reads and writes (request bodies,
responses, watch events); rendered in the text exposition format, under upstream's names so
that a tool reading kube-apiserver's /metrics reads paddock's the same way."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable

# upstream's apiserver_request_duration_seconds buckets
BUCKETS = (0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0,
           6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0)
# upstream's buckets for apiserver_response_sizes (1 kB to 10 GB, x10), for
# apiserver_watch_events_sizes (1 KiB to 128 KiB, x2) and for
# apiserver_request_body_size_bytes (50 kB, then every 100 kB to 3.05 MB)
RESPONSE_SIZE_BUCKETS = tuple(1000.0 * 10**i for i in range(8))
WATCH_EVENT_SIZE_BUCKETS = tuple(1024.0 * 2**i for i in range(8))
REQUEST_BODY_SIZE_BUCKETS = tuple(50_000.0 + 100_000.0 * i for i in range(31))


class Histogram:
    """Cumulative-on-render histogram keyed by a label tuple."""

    def __init__(self, name: str, help: str, labels: tuple[str, ...],
                 buckets: tuple[float, ...] = BUCKETS) -> None:
        self.name = name
        self.help = help
        self.labels = labels
        self.buckets = buckets
        self._counts: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0] * (len(buckets) + 1))
        self._sums: dict[tuple[str, ...], float] = defaultdict(float)

    def observe(self, key: tuple[str, ...], value: float) -> None:
        self._counts[key][bisect.bisect_left(self.buckets, value)] += 1
        self._sums[key] += value

    def observe_each(self, key: tuple[str, ...], values: Iterable[float]) -> None:
        """``observe`` for each of ``values``, looking the key up once (a watch write
        carries a batch of events, each observed)."""
        counts = self._counts[key]
        total = 0.0
        for value in values:
            counts[bisect.bisect_left(self.buckets, value)] += 1
            total += value
        self._sums[key] += total

    def render(self) -> list[str]:
        out = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        for key, counts in sorted(self._counts.items()):
            lbl = ",".join(f'{n}="{v}"' for n, v in zip(self.labels, key, strict=True))
            acc = 0
            for b, c in zip(self.buckets, counts, strict=False):
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
        # bodies only, as upstream counts them: no HTTP headers, chunk framing or TLS
        self.response_sizes = Histogram(
            "apiserver_response_sizes",
            "Response size distribution in bytes for each verb, group, resource and subresource.",
            ("verb", "group", "resource", "subresource"), RESPONSE_SIZE_BUCKETS,
        )
        self.watch_events_sizes = Histogram(
            "apiserver_watch_events_sizes",
            "Watch event size distribution in bytes.",
            ("group", "version", "resource"), WATCH_EVENT_SIZE_BUCKETS,
        )
        self.request_body_sizes = Histogram(
            "apiserver_request_body_size_bytes",
            "Apiserver request body size in bytes broken out by resource and verb.",
            ("resource", "verb"), REQUEST_BODY_SIZE_BUCKETS,
        )
        self.inflight = 0
        self.watchers = 0
        self.rejected_inflight = 0

    def render(self) -> bytes:
        lines = self.request_duration.render()
        lines += self.response_sizes.render()
        lines += self.watch_events_sizes.render()
        lines += self.request_body_sizes.render()
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
