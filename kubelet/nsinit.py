"""The container shim: starts one container of a pod and stays as its parent.

Run by the process runtime as ``python -I -S nsinit.py SPEC.json`` (standard library only:
it starts in milliseconds and imports nothing of paddock).  It

1. joins the pod sandbox's network, UTS and IPC namespaces (those of ``sandbox_pid``);
2. makes new mount and PID namespaces and forks the container's first process, PID 1 there;
3. the child builds the container's root: an overlay over the host's ``/`` whose writes go
   to a tmpfs of the container's own (they vanish with it), a fresh ``/proc``, a small
   ``/dev``, the volumes at their mount paths, then ``chroot``s into it and execs the
   command once the shim has put it into the container's cgroups;
4. the shim copies the container's output into its log in the CRI format, one line per
   line (``<RFC 3339 time> stdout|stderr F|P <text>``), forwards the signals it gets to the
   container, and when the container ends writes ``{"exit_code", "signal", "start_error"}``
   to ``status`` and exits.

It tells the runtime on its stdout: ``running <host pid of the container's PID 1>`` once the
command was exec'd, or nothing if it could not be (``start_error`` then says why).
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import select
import signal
import sys
import time
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PARTIAL_AT = 16 * 1024  # longer lines are split, as the CRI log format does
FORWARDED = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
             signal.SIGUSR2, signal.SIGWINCH)
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def mount(source: str, target: str, fstype: str, flags: int, data: str = "") -> None:
    _check(_libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                       ctypes.c_ulong(flags), data.encode() if data else None),
           f"mount {source} on {target}")


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def setns(path: str, kind: int) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        _check(_libc.setns(fd, kind), f"setns {path}")
    finally:
        os.close(fd)


def _touch(path: str, directory: bool) -> None:
    if directory:
        os.makedirs(path, exist_ok=True)
    elif not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o644))


def _inside(root: str, path: str) -> str:
    """``path`` of the container as a path under ``root``, symlinks not followed out."""
    return os.path.join(root, os.path.normpath("/" + path).lstrip("/"))


def build_root(spec: dict[str, Any]) -> str:
    """The container's root, made in the (new, private) mount namespace we are in."""
    mount("", "/", "", MS_REC | MS_PRIVATE)
    state = spec["state_dir"]
    os.makedirs(state, exist_ok=True)
    mount("tmpfs", state, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755")
    for d in ("upper", "work", "root"):
        os.mkdir(os.path.join(state, d))
    root = os.path.join(state, "root")
    mount("overlay", root, "overlay", 0,
          f"lowerdir=/,upperdir={state}/upper,workdir={state}/work")
    mount("proc", os.path.join(root, "proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount("/sys", os.path.join(root, "sys"), "", MS_BIND | MS_REC)
    dev = os.path.join(root, "dev")
    mount("tmpfs", dev, "tmpfs", MS_NOSUID, "mode=755,size=65536k")
    for name in DEVICES:
        _touch(os.path.join(dev, name), False)
        mount(f"/dev/{name}", os.path.join(dev, name), "", MS_BIND)
    os.mkdir(os.path.join(dev, "pts"))
    mount("devpts", os.path.join(dev, "pts"), "devpts", MS_NOSUID | MS_NOEXEC,
          "newinstance,ptmxmode=0666,mode=620")
    os.symlink("pts/ptmx", os.path.join(dev, "ptmx"))
    for i, name in enumerate(("stdin", "stdout", "stderr")):
        os.symlink(f"/proc/self/fd/{i}", os.path.join(dev, name))
    os.symlink("/proc/self/fd", os.path.join(dev, "fd"))
    os.mkdir(os.path.join(dev, "shm"))
    if spec.get("shm"):
        mount(spec["shm"], os.path.join(dev, "shm"), "", MS_BIND)
    for m in spec.get("mounts") or ():
        target = _inside(root, m["target"])
        _touch(target, os.path.isdir(m["source"]))
        mount(m["source"], target, "", MS_BIND | MS_REC)
        if m.get("readonly"):
            mount("", target, "", MS_BIND | MS_REMOUNT | MS_RDONLY)
    return root


def _stamp() -> bytes:
    ns = time.time_ns()
    secs, frac = divmod(ns, 1_000_000_000)
    return (time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{frac:09d}Z").encode()


class LogWriter:
    """Output of the container's two streams as CRI log lines."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o640)
        self.pending = {b"stdout": b"", b"stderr": b""}

    def feed(self, stream: bytes, data: bytes) -> None:
        buf = self.pending[stream] + data
        out: list[bytes] = []
        stamp = _stamp()
        while True:
            nl = buf.find(b"\n")
            if nl < 0 or nl > PARTIAL_AT:
                break
            out.append(b"%s %s F %s\n" % (stamp, stream, buf[:nl]))
            buf = buf[nl + 1:]
        while len(buf) > PARTIAL_AT:
            out.append(b"%s %s P %s\n" % (stamp, stream, buf[:PARTIAL_AT]))
            buf = buf[PARTIAL_AT:]
        self.pending[stream] = buf
        if out:
            os.write(self.fd, b"".join(out))

    def close(self) -> None:
        stamp = _stamp()
        for stream, rest in self.pending.items():
            if rest:  # the last line had no newline: it stays partial
                os.write(self.fd, b"%s %s P %s\n" % (stamp, stream, rest))
        os.close(self.fd)


def child(spec: dict[str, Any], out: int, err: int, go: int, fail: int) -> None:
    """PID 1 of the container: build its root, wait for the cgroups, exec."""
    try:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        root = build_root(spec)
        os.chroot(root)
        cwd = spec.get("cwd") or "/"
        os.makedirs(cwd, exist_ok=True)
        os.chdir(cwd)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.read(go, 1)  # the shim has put us into the container's cgroups
        argv = spec["argv"]
        for sig in FORWARDED:
            signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        os.execvpe(argv[0], argv, spec["env"])
    except OSError as e:
        message = e.strerror or str(e)
        if e.errno == errno.ENOENT and e.filename is None and "argv" in spec:
            message = f'exec: "{spec["argv"][0]}": executable file not found in $PATH'
        elif e.filename:
            message = f"{message}: {e.filename}"
        os.write(fail, message.encode())
    except Exception as e:  # anything else must still reach the runtime
        os.write(fail, repr(e).encode())
    os._exit(128)


def main(path: str) -> int:
    with open(path) as f:
        spec = json.load(f)
    status: dict[str, Any] = {"exit_code": 128, "signal": 0, "start_error": ""}
    status_path = os.path.join(os.path.dirname(path), "status")

    def finish(code: int) -> int:
        with open(status_path + ".tmp", "w") as f:
            json.dump(status, f)
        os.replace(status_path + ".tmp", status_path)
        return code

    try:
        for kind, flag in (("net", CLONE_NEWNET), ("uts", CLONE_NEWUTS), ("ipc", CLONE_NEWIPC)):
            if kind in spec.get("join", ("net", "uts", "ipc")):
                setns(f"/proc/{spec['sandbox_pid']}/ns/{kind}", flag)
        unshare(CLONE_NEWNS | CLONE_NEWPID)
    except OSError as e:
        status["start_error"] = str(e)
        return finish(128)
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    go_r, go_w = os.pipe()
    fail_r, fail_w = os.pipe2(os.O_CLOEXEC)
    for sig in FORWARDED:  # held until the child runs, then forwarded
        signal.signal(sig, lambda *_: None)
    pid = os.fork()
    if pid == 0:
        for fd in (out_r, err_r, go_w, fail_r):
            os.close(fd)
        child(spec, out_w, err_w, go_r, fail_w)
    for fd in (out_w, err_w, go_r, fail_w):
        os.close(fd)
    for d in spec.get("cgroups") or ():
        try:
            with open(os.path.join(d, "cgroup.procs"), "w") as f:
                f.write(str(pid))
        except OSError as e:
            sys.stderr.write(f"cgroup {d}: {e}\n")
    os.write(go_w, b"x")
    os.close(go_w)
    failure = b""
    while chunk := os.read(fail_r, 4096):
        failure += chunk
    os.close(fail_r)
    if failure:
        status["start_error"] = failure.decode(errors="replace")
        os.waitpid(pid, 0)
        return finish(128)

    def forward(sig: int, _frame: Any) -> None:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass

    for sig in FORWARDED:
        signal.signal(sig, forward)
    sys.stdout.write(f"running {pid}\n")
    sys.stdout.flush()
    logs = LogWriter(spec["log"])
    streams = {out_r: b"stdout", err_r: b"stderr"}
    while streams:
        try:
            ready, _, _ = select.select(list(streams), [], [])
        except InterruptedError:
            continue
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except InterruptedError:
                continue
            if data:
                logs.feed(streams[fd], data)
            else:
                os.close(fd)
                del streams[fd]
    logs.close()
    while True:
        try:
            _, code = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(code):
        status["signal"] = os.WTERMSIG(code)
        status["exit_code"] = 128 + status["signal"]
    else:
        status["exit_code"] = os.WEXITSTATUS(code)
    return finish(status["exit_code"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
