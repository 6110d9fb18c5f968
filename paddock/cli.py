"""The ``paddock`` command: one subcommand per component, plus ``up`` for a whole
single-machine cluster and ``bench`` for the benchmarks."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request

import yaml


def _setup_logging(verbosity: int) -> None:
    level = logging.DEBUG if verbosity >= 4 else logging.INFO if verbosity >= 1 else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname).1s %(name)s: %(message)s")


def _run_loop(coro_factory: object) -> None:
    import uvloop

    async def main() -> None:
        task = asyncio.ensure_future(coro_factory())  # type: ignore[operator]
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        try:
            await task
        except asyncio.CancelledError:
            pass

    uvloop.run(main())


def cmd_apiserver(args: argparse.Namespace) -> int:
    """Run the API server in the foreground."""
    from .apiserver.server import ServerConfig, run_apiserver

    cfg = ServerConfig(
        data_dir=os.path.abspath(args.data_dir),
        storage_url=args.storage or "",
        bind_address=args.bind_address,
        port=args.port,
        max_requests_inflight=args.max_requests_inflight,
        max_mutating_requests_inflight=args.max_mutating_requests_inflight,
        fair_queuing_seats=args.fair_queuing_seats,
        service_cluster_ip_range=args.service_cluster_ip_range,
    )
    _run_loop(lambda: run_apiserver(cfg))
    return 0


def wait_ready(kubeconfig: str, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> bool:
    """Poll /readyz through the kubeconfig's server and CA until it answers ok."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        if os.path.exists(kubeconfig):
            try:
                with open(kubeconfig) as f:
                    cfg = yaml.safe_load(f)
                cluster = cfg["clusters"][0]["cluster"]
                import base64

                ctx = ssl.create_default_context(cadata=base64.b64decode(
                    cluster["certificate-authority-data"]).decode())
                with urllib.request.urlopen(cluster["server"] + "/readyz", context=ctx, timeout=2) as r:
                    if r.status == 200:
                        return True
            except (OSError, ValueError, KeyError):
                pass
        time.sleep(0.1)
    return False


def cmd_up(args: argparse.Namespace) -> int:
    """Start every component as its own process; stop them all on Ctrl-C/SIGTERM."""
    data_dir = os.path.abspath(args.data_dir)
    os.makedirs(data_dir, exist_ok=True)
    kubeconfig = os.path.join(data_dir, "kubeconfig")
    if os.path.exists(kubeconfig):
        os.remove(kubeconfig)  # rewritten by the apiserver once it serves
    exe = [sys.executable, "-m", "paddock.cli"]
    procs: list[tuple[str, subprocess.Popen[bytes]]] = []
    log_dir = os.path.join(data_dir, "logs")
    os.makedirs(log_dir, exist_ok=True)

    def spawn(name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        out = open(os.path.join(log_dir, f"{name}.log"), "ab")
        p = subprocess.Popen(exe + argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        procs.append((name, p))
        return p

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    api = spawn("apiserver", ["apiserver", "--data-dir", data_dir, "--port", str(args.port),
                              "--bind-address", args.bind_address])
    if not wait_ready(kubeconfig, 60, api):
        print(f"paddock: the apiserver did not become ready; see {log_dir}/apiserver.log", file=sys.stderr)
        _stop_all(procs)
        return 1
    spawn("scheduler", ["scheduler", "--kubeconfig", kubeconfig])
    spawn("controller-manager", ["controller-manager", "--kubeconfig", kubeconfig])
    if args.hollow_nodes > 0:
        spawn("hollow-nodes", ["hollow-nodes", "--kubeconfig", kubeconfig, "--count",
                               str(args.hollow_nodes)])
    if not args.no_kubelet:
        if os.geteuid() != 0:
            print("paddock: the kubelet runs pods in namespaces and cgroups and needs root; "
                  "running without one (--hollow-nodes N gives hollow nodes)", file=sys.stderr)
        else:
            import socket

            node = args.node_name or socket.gethostname().lower().split(".")[0]
            spawn("kubelet", ["kubelet", "--kubeconfig", kubeconfig, "--node-name", node,
                              "--root-dir", os.path.join(data_dir, "kubelet"),
                              "--node-netns", args.node_netns, "--pod-cidr", args.pod_cidr,
                              "--port", str(args.kubelet_port),
                              "--cluster-pki", os.path.join(data_dir, "pki")])
    print(f"ready: export KUBECONFIG={kubeconfig}", flush=True)
    try:
        while not stopping:
            for name, p in procs:
                if p.poll() is not None:
                    print(f"paddock: {name} exited with code {p.returncode}; see {log_dir}/{name}.log",
                          file=sys.stderr)
                    stopping = True
            time.sleep(0.2)
    finally:
        _stop_all(procs)
    return 0


def _stop_all(procs: list[tuple[str, subprocess.Popen[bytes]]]) -> None:
    for _, p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + 10
    for _, p in procs:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def cmd_scheduler(args: argparse.Namespace) -> int:
    from .scheduler import service

    return service.main(args)


def cmd_kubelet(args: argparse.Namespace) -> int:
    from .kubelet import service

    return service.kubelet_main(args)


def cmd_hollow_nodes(args: argparse.Namespace) -> int:
    from .kubelet import service

    return service.hollow_main(args)


def cmd_controller_manager(args: argparse.Namespace) -> int:
    from .controllers import manager

    return manager.main(args)


# ``paddock bench NAME``: the module under bench/ (with add_arguments and main), and its help
BENCHES = {
    "codec": "JSON against protobuf: the codecs and end to end",
    "controllers": "pod creation by the controller-manager, and a rolling update",
    "density": "the density test: N hollow nodes x P pods, SLO report",
    "podstart": "bound to Running of real pods on the process runtime",
    "hollow": "memory and CPU of hollow nodes at steady state",
    "scheduler": "scheduling decisions per second, in-process",
}


def cmd_bench(args: argparse.Namespace) -> int:
    module = importlib.import_module(f"paddock.bench.{args.bench}")
    return int(module.main(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paddock", description=__doc__)
    parser.add_argument("-v", "--v", dest="verbosity", type=int, default=1, help="log verbosity")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="run a whole single-machine cluster")
    up.add_argument("--data-dir", default="./data")
    up.add_argument("--port", type=int, default=6443)
    up.add_argument("--bind-address", default="127.0.0.1")
    up.add_argument("--hollow-nodes", type=int, default=0)
    up.add_argument("--no-kubelet", action="store_true", help="no process-runtime kubelet")
    up.add_argument("--node-name", default="", help="the kubelet's node (default: this host's name)")
    up.add_argument("--node-netns", default="paddock-node",
                    help="the network namespace the kubelet's pods live in (made if missing)")
    up.add_argument("--pod-cidr", default="198.18.0.0/24", help="the kubelet's pod addresses")
    up.add_argument("--kubelet-port", type=int, default=10250)
    up.set_defaults(func=cmd_up)

    api = sub.add_parser("apiserver", help="run the API server")
    api.add_argument("--data-dir", default="./data")
    api.add_argument("--storage", default="", help="storage URL (default lmdb://DATA_DIR/store)")
    api.add_argument("--port", "--secure-port", dest="port", type=int, default=6443)
    api.add_argument("--bind-address", default="127.0.0.1")
    api.add_argument("--max-requests-inflight", type=int, default=400)
    api.add_argument("--max-mutating-requests-inflight", type=int, default=200)
    api.add_argument("--fair-queuing-seats", type=int, default=32,
                     help="requests executing at once; the others wait in one queue per client "
                          "(User-Agent), served in turn (0: first come, first served)")
    api.add_argument("--service-cluster-ip-range", default="198.19.0.0/16")
    api.set_defaults(func=cmd_apiserver)

    sched = sub.add_parser("scheduler", help="run the scheduler")
    from .scheduler.service import add_arguments as scheduler_arguments

    scheduler_arguments(sched)
    sched.set_defaults(func=cmd_scheduler)

    kubelet = sub.add_parser("kubelet", help="run a node agent")
    from .kubelet.service import add_kubelet_arguments

    add_kubelet_arguments(kubelet)
    kubelet.set_defaults(func=cmd_kubelet)

    hollow = sub.add_parser("hollow-nodes", help="run N hollow kubelets in one process (load tests)")
    from .kubelet.service import add_hollow_arguments

    add_hollow_arguments(hollow)
    hollow.set_defaults(func=cmd_hollow_nodes)

    cm = sub.add_parser("controller-manager", help="run the controllers")
    from .controllers.manager import add_arguments as manager_arguments

    manager_arguments(cm)
    cm.set_defaults(func=cmd_controller_manager)

    bench = sub.add_parser("bench", help="benchmarks and load tests")
    bsub = bench.add_subparsers(dest="bench", required=True)
    bapi = bsub.add_parser("api", help="API throughput and latency against a running apiserver")
    bapi.add_argument("--kubeconfig", default=os.environ.get("KUBECONFIG", ""))
    bapi.add_argument("--start", action="store_true", help="start a temporary apiserver")
    bapi.add_argument("--out", default="bench-api.json")
    bapi.add_argument("--duration", type=float, default=10.0)
    bapi.add_argument("--get-rate", type=float, default=500)
    bapi.add_argument("--create-rate", type=float, default=200)
    bapi.add_argument("--list-pods", type=int, default=10_000)
    bapi.add_argument("--watchers", type=int, default=1000)
    bapi.set_defaults(func=cmd_bench)
    for name, text in BENCHES.items():
        sub_parser = bsub.add_parser(name, help=text)
        importlib.import_module(f"paddock.bench.{name}").add_arguments(sub_parser)
        sub_parser.set_defaults(func=cmd_bench)
    return parser


# Python's cyclic collector runs a young-generation pass every 700 allocations; a component
# that keeps what it decodes (an informer's store, the watch cache) pays for each object
# again and again as it is promoted: decoding and keeping a pod's watch event took 28 us
# with the default, 10 us with this, 6 us without the collector (a 30,000-pod store).
GC_THRESHOLDS = (50_000, 20, 10)


def main(argv: list[str] | None = None) -> int:
    import gc

    gc.set_threshold(*GC_THRESHOLDS)
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbosity)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
