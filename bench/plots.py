"""PNG plots of a density report, drawn from the report's ``result`` alone, so that a saved
``report.json`` can be drawn again (``paddock bench density --plot-only DIR``):

- ``pod_startup_cdf.png``: the CDF of the latency pods' startup latencies, the SLO marked;
- ``api_latency.png``: p50, p90, p99 and max of the probe's calls per verb and resource, on
  a log scale with both SLOs marked;
- ``pods_running.png``: pods Running over the saturation phase;
- ``components.png``: CPU (cores) and RSS of each component over the run, with the phases
  marked (only when the components were sampled, i.e. with ``--start``).

Figures are made with matplotlib's object API on the Agg canvas: no pyplot state, no display.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

SIZE = (8.0, 4.5)  # inches, at DPI: 800 x 450 pixels
DPI = 100


def write_plots(result: dict[str, Any], out_dir: str) -> list[str]:
    """Draw every plot ``result`` (a density report's ``result``) has the figures for into
    ``out_dir``; return the names of the files written, in the order of PLOTS."""
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for name, draw in PLOTS.items():
        fig = draw(result)
        if fig is None:  # nothing to draw: no file, not even one of an earlier run
            with contextlib.suppress(FileNotFoundError):
                os.remove(os.path.join(out_dir, name))
            continue
        FigureCanvasAgg(fig)
        fig.savefig(os.path.join(out_dir, name), dpi=DPI)
        written.append(name)
    return written


def _figure(rows: int = 1) -> tuple[Figure, list[Any]]:
    fig = Figure(figsize=(SIZE[0], SIZE[1] * (1 if rows == 1 else 1.5)), layout="constrained")
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)
    return fig, [row[0] for row in axes]


def pod_startup_cdf(result: dict[str, Any]) -> Figure | None:
    """The latency pods' startup latency CDF (log time axis: runs go from tens of
    milliseconds to the 5 s SLO and past it)."""
    startup = result.get("pod_startup") or {}
    latencies = sorted(startup.get("latencies_s") or ())
    if not latencies:
        return None
    fig, (ax,) = _figure()
    n = len(latencies)
    ax.step(latencies, [(i + 1) / n for i in range(n)], where="post", label=f"latency pods (n={n})")
    slo = (result.get("slo") or {}).get("pod_startup_p99_s")
    if slo:
        ax.axvline(slo, color="tab:red", linestyle="--", label=f"SLO: p99 <= {slo:g} s")
    ax.axhline(0.99, color="grey", linestyle=":", linewidth=1)
    ax.set_xscale("log")
    ax.set_xlabel("startup latency (s): create answered to Running seen by a watch")
    ax.set_ylabel("fraction of pods")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"pod startup latency: p50 {startup['p50_s']:.3f} s, p99 {startup['p99_s']:.3f} s")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right")
    return fig


def api_latency(result: dict[str, Any]) -> Figure | None:
    """Grouped bars of the probe's latency percentiles, one group per verb and resource."""
    api = {k: v for k, v in (result.get("api") or {}).items() if v.get("count")}
    if not api:
        return None
    fig, (ax,) = _figure()
    keys = list(api)
    stats = (("p50_s", "p50"), ("p90_s", "p90"), ("p99_s", "p99"), ("max_s", "max"))
    width = 0.8 / len(stats)
    for j, (field, label) in enumerate(stats):
        xs = [i + (j - (len(stats) - 1) / 2) * width for i in range(len(keys))]
        # a zero cannot sit on a log axis: drawn as a sliver at the axis floor instead
        ax.bar(xs, [max(api[k][field] * 1000, 1e-3) for k in keys], width, label=label)
    slo = result.get("slo") or {}
    if slo.get("single_object_p99_s"):
        ax.axhline(slo["single_object_p99_s"] * 1000, color="tab:red", linestyle="--",
                   label=f"SLO single object: p99 <= {slo['single_object_p99_s']:g} s")
    if slo.get("list_p99_s"):
        ax.axhline(slo["list_p99_s"] * 1000, color="tab:purple", linestyle="--",
                   label=f"SLO list: p99 <= {slo['list_p99_s']:g} s")
    ax.set_yscale("log")
    ax.set_ylim(top=ax.get_ylim()[1] * 30)  # room above the bars and lines for the legend
    ax.set_xticks(range(len(keys)), [f"{k}\n(n={api[k]['count']})" for k in keys])
    ax.set_ylabel("latency (ms)")
    ax.set_title("API call latency by verb and resource (the probe, from the client)")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(loc="upper left", fontsize="small", ncols=3)
    return fig


def pods_running(result: dict[str, Any]) -> Figure | None:
    """Pods Running over the saturation phase, against the number created."""
    points = result.get("running_over_time") or []
    if not points:
        return None
    fig, (ax,) = _figure()
    ax.step([t for t, _ in points], [n for _, n in points], where="post", label="Running")
    saturation = result.get("saturation") or {}
    if saturation.get("pods"):
        ax.axhline(saturation["pods"], color="grey", linestyle="--", label=f"{saturation['pods']:,} pods")
    ax.set_xlabel("seconds since the saturation phase began")
    ax.set_ylabel("pods Running")
    ax.set_title(f"saturation: {saturation.get('running', 0):,} pods Running in "
                 f"{saturation.get('seconds', 0):.1f} s ({saturation.get('pods_per_second', 0):.1f} pods/s)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    return fig


def components(result: dict[str, Any]) -> Figure | None:
    """CPU in cores (the change of CPU seconds between samples) and RSS of each component."""
    samples = result.get("component_samples") or []
    names = sorted({k for row in samples for k in row if k != "t"})
    if not names:
        return None
    fig, (cpu_ax, rss_ax) = _figure(rows=2)
    for name in names:
        rows = [(row["t"], row[name]) for row in samples if name in row]
        cores = [(c["cpu_s"] - p["cpu_s"]) / (t - pt) if t > pt else 0.0
                 for (t, c), (pt, p) in zip(rows[1:], rows, strict=False)]
        cpu_ax.plot([t for t, _ in rows[1:]], cores, label=name)
        rss_ax.plot([t for t, _ in rows], [s["rss_mb"] for _, s in rows], label=name)
    for name, start in (result.get("phase_starts_s") or {}).items():
        for ax in (cpu_ax, rss_ax):
            ax.axvline(start, color="grey", linestyle=":", linewidth=1)
        cpu_ax.annotate(name, (start, 1), xycoords=("data", "axes fraction"), xytext=(2, -2),
                        textcoords="offset points", va="top", fontsize="small", color="grey")
    cpu_ax.set_ylabel("CPU (cores)")
    cpu_ax.set_title("components: CPU and memory over the run")
    rss_ax.set_ylabel("RSS (MB)")
    rss_ax.set_xlabel("seconds since the harness started")
    for ax in (cpu_ax, rss_ax):
        ax.grid(True, alpha=0.3)
        ax.set_ylim(bottom=0)
    rss_ax.legend(loc="upper left", fontsize="small")
    return fig


# file name -> the function drawing it from a report's result (None: no figures for it)
PLOTS: dict[str, Callable[[dict[str, Any]], Figure | None]] = {
    "pod_startup_cdf.png": pod_startup_cdf,
    "api_latency.png": api_latency,
    "pods_running.png": pods_running,
    "components.png": components,
}
