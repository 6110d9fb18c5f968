"""A throwaway apiserver for the benchmarks' ``--start``: its own data directory, any free
port, inflight limits raised so that the load generator, not the limiter, is measured."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


@contextmanager
def temporary_apiserver(prefix: str, python_args: Sequence[str] = (),
                        apiserver_args: Sequence[str] = ()) -> Iterator[
        tuple[subprocess.Popen[bytes], str]]:
    """Start ``paddock apiserver``; yield the process and its kubeconfig; stop it after.
    ``python_args`` go between the interpreter and ``-m paddock.cli`` (a profiler's);
    ``apiserver_args`` are added to the apiserver's own flags."""
    from ..cli import wait_ready

    tmp = tempfile.mkdtemp(prefix=prefix)
    kubeconfig = os.path.join(tmp, "kubeconfig")
    with open(os.path.join(tmp, "apiserver.log"), "wb") as log:
        proc = subprocess.Popen([sys.executable, *python_args, "-m", "paddock.cli", "apiserver",
                                 "--data-dir", tmp, "--port", "0", "--max-requests-inflight", "3000",
                                 "--max-mutating-requests-inflight", "1000", *apiserver_args],
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_ready(kubeconfig, 60, proc):
            raise SystemExit(f"apiserver did not start; see {tmp}/apiserver.log")
        yield proc, kubeconfig
    finally:
        proc.terminate()
        proc.wait(20)


def rss_mb(pid: int) -> float:
    """A process's resident set in MB, from /proc (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
