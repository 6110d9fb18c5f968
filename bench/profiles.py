"""Profiles of the components a benchmark starts (``paddock bench density --start --profile``),
one per component for the whole run, in ``DIR/profiles/<component>.json`` in speedscope's
format (open it at speedscope's site or in its local viewer; py-spy and pyinstrument both
write it, so the files read the same whichever made them).

py-spy samples a process from outside (through ptrace, which needs root or a permissive
``kernel.yama.ptrace_scope``), so the components run unchanged and the CPU the benchmark
reports stays theirs: it is attached to each component as it starts, and stopped with SIGINT,
on which it writes its file, before the components are stopped.  Where py-spy cannot attach,
each component is started under pyinstrument instead, which samples from inside and writes its
file when the component exits on SIGTERM.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys


def py_spy() -> str | None:
    """The py-spy binary, if there is one and it can read a Python process here."""
    beside = os.path.join(os.path.dirname(sys.executable), "py-spy")
    exe = beside if os.access(beside, os.X_OK) else shutil.which("py-spy")
    if exe is None:
        return None
    try:  # attaching to this very process proves ptrace works
        probe = subprocess.run([exe, "dump", "--nonblocking", "--pid", str(os.getpid())],
                               capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return exe if probe.returncode == 0 else None


class Profiler:
    """Profiles every component of a run with py-spy, or pyinstrument where py-spy cannot."""

    def __init__(self, out_dir: str) -> None:
        self.out_dir = out_dir
        self.dir = os.path.join(out_dir, "profiles")
        os.makedirs(self.dir, exist_ok=True)
        self.py_spy = py_spy()
        if self.py_spy is None:
            import importlib.util

            if importlib.util.find_spec("pyinstrument") is None:
                raise SystemExit("--profile needs py-spy (and ptrace) or pyinstrument")
        self.tool = "py-spy" if self.py_spy else "pyinstrument"
        self._paths: dict[str, str] = {}
        self._recorders: dict[str, subprocess.Popen[bytes]] = {}

    def _path(self, name: str) -> str:
        path = self._paths[name] = os.path.join(self.dir, f"{name}.json")
        return path

    def python_args(self, name: str) -> list[str]:
        """The arguments between the interpreter and ``-m paddock.cli`` that start component
        ``name`` (pyinstrument's, when it is the profiler)."""
        if self.py_spy:
            return []
        return ["-m", "pyinstrument", "-r", "speedscope", "-o", self._path(name)]

    def attach(self, name: str, pid: int, log: str) -> None:
        """Start recording component ``name`` (process ``pid``), py-spy's output to ``log``."""
        if not self.py_spy:
            return
        with open(log, "ab") as out:
            self._recorders[name] = subprocess.Popen(
                [self.py_spy, "record", "--pid", str(pid), "--format", "speedscope", "--nonblocking",
                 "-o", self._path(name)], stdout=out, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        """Stop every recorder with SIGINT and wait while it writes its file (pyinstrument's
        are written as the components exit)."""
        for p in self._recorders.values():
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in self._recorders.values():
            try:
                p.wait(120)  # a long run's samples take a while to write
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def profiles(self) -> dict[str, str]:
        """The profiles written, by component, as paths relative to the output directory."""
        return {name: os.path.relpath(path, self.out_dir) for name, path in sorted(self._paths.items())
                if os.path.isfile(path) and os.path.getsize(path) > 0}
