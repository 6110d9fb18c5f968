"""The progress display of a long benchmark run, one phase at a time.

On a terminal it is a bar redrawn in place::

    saturation  [#########...........] 12,345/30,000 Running  41 pods/s  3:12

elsewhere (a log file, CI) a plain line every ``PLAIN_EVERY`` seconds, and each phase's last
state when it ends, so that a log shows how far every phase got without a line a second.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

PLAIN_EVERY = 10.0
WIDTH = 20  # characters of the bar


def clock(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour on."""
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class Progress:
    """Phase, counts, rate and elapsed time of a run, on ``stream`` (stderr by default)."""

    def __init__(self, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.t0 = time.monotonic()
        self._phase = ""
        self._phase_t0 = self.t0
        self._last_plain = float("-inf")
        self._pending = ""  # the latest plain line not yet written
        self._drawn = False  # a bar is on the terminal's current line

    def phase(self, name: str) -> None:
        """Start phase ``name``: the previous phase's last state stays on screen or in the log."""
        self._finish_line()
        self._phase, self._phase_t0, self._last_plain = name, time.monotonic(), float("-inf")

    def update(self, done: int, total: int, what: str, *, rate: str = "", extra: str = "") -> None:
        """``done`` of ``total`` ``what``; with ``rate`` (a unit, e.g. "pods") also done per
        second since the phase began; ``extra`` is shown after."""
        if not self.enabled:
            return
        now = time.monotonic()
        text = f"{done:,}/{total:,} {what}"
        if rate and now > self._phase_t0:
            text += f"  {done / (now - self._phase_t0):.0f} {rate}/s"
        if extra:
            text += f"  {extra}"
        elapsed = clock(now - self.t0)
        if self.tty:
            filled = min(WIDTH, WIDTH * done // total) if total > 0 else WIDTH
            bar = "#" * filled + "." * (WIDTH - filled)
            # \x1b[K clears what a longer earlier line left to the right
            self.stream.write(f"\r{self._phase:<11} [{bar}] {text}  {elapsed}\x1b[K")
            self._drawn = True
        else:
            self._pending = f"[{elapsed}] {self._phase}: {text}\n"
            if now - self._last_plain >= PLAIN_EVERY:
                self.stream.write(self._pending)
                self._pending = ""
                self._last_plain = now
        self.stream.flush()

    def close(self) -> None:
        """End the display (the last bar stays; a held plain line is written)."""
        self._finish_line()

    def _finish_line(self) -> None:
        if not self.enabled:
            return
        if self._drawn:
            self.stream.write("\n")
            self._drawn = False
        if self._pending:
            self.stream.write(self._pending)
            self._pending = ""
        self.stream.flush()
