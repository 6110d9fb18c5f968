"""The benchmark progress display: a bar redrawn in place on a terminal, throttled plain lines
elsewhere, and each phase's last state kept either way."""

from __future__ import annotations

import io

from paddock.bench.progress import Progress, clock


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_shows_phase_counts_rate_and_elapsed_time() -> None:
    out = Terminal()
    progress = Progress(stream=out)
    progress.phase("saturation")
    progress.update(12_345, 30_000, "Running", rate="pods")
    progress.close()
    text = out.getvalue()
    assert text.startswith("\rsaturation  [########............] 12,345/30,000 Running  ")
    assert " pods/s  0:00\x1b[K" in text
    assert text.endswith("\n")


def test_elsewhere_plain_lines_are_throttled_but_each_phase_ends_on_its_last_state() -> None:
    out = io.StringIO()
    progress = Progress(stream=out)
    progress.phase("nodes")
    for ready in range(1, 6):
        progress.update(ready, 5, "nodes Ready")
    progress.phase("cleanup")
    progress.update(1, 1, "namespaces deleted")
    progress.close()
    assert out.getvalue().splitlines() == ["[0:00] nodes: 1/5 nodes Ready", "[0:00] nodes: 5/5 nodes Ready",
                                           "[0:00] cleanup: 1/1 namespaces deleted"]


def test_disabled_progress_writes_nothing() -> None:
    out = Terminal()
    progress = Progress(False, out)
    progress.phase("nodes")
    progress.update(1, 5, "nodes Ready")
    progress.close()
    assert out.getvalue() == ""


def test_clock_shows_hours_only_from_an_hour_on() -> None:
    assert (clock(59.9), clock(192), clock(3725)) == ("0:59", "3:12", "1:02:05")
